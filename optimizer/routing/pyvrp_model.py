"""The PyVRP model of the pieces left after full truckloads, over the vehicles still free.

Each piece becomes one client. Load dimensions are weight, volume (when any piece has one), and one marker
dimension per depot that some piece may not come from: such a piece has 1 in that depot's marker, and that
depot's vehicles have no room in it, while every other vehicle has room for all. So a vehicle only carries
pieces its depot may supply, and a piece that any depot may supply is an ordinary client (measured on the
MDVRP set: this beats one client per depot in a mutually exclusive group, which left p06 0.7 points behind
PyVRP's own free depot choice).

The search first requires every piece, which is how PyVRP searches best. If it finds no way to serve them all
within a fifth of the time, the rest of the time goes to a search where pieces are optional with a prize that
makes serving one always better than leaving it, so only pieces that no feasible route can take stay unserved.

Solver units: seconds, kilograms and litres (rounded up for pieces, down for capacities). Costs are scaled so
the dearest single delivery is worth half the prize, 2,000 units, about a long round trip on a CVRPLIB X
instance: PyVRP's adaptive penalties for overload and lateness are tuned for numbers of that size (measured:
at 50,000 units the gap on X-n101-k25 at 2 s is three times PyVRP's own), and at their maximum (1e5 per kilogram
or second) they outweigh any prize. Reported distances and costs are recomputed exactly afterwards.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from optimizer.routing.matrices import SHARE_EPS, Context
from optimizer.routing.problem import Route, RouteStop
from optimizer.routing.split import Piece, Vehicle

PRIZE = 4_000  # solver cost units for serving a piece
LITRES_PER_M3 = 1000
NO_DUE = pyvrp.Client(0).tw_late
# Requiring every piece when not all fit makes PyVRP warn that it finds no feasible plan; we expect that and
# fall back to optional pieces, so the warning would only be noise in a planning worker's log.
warnings.filterwarnings("ignore", category=PenaltyBoundWarning)
GIVE_UP_SHARE = 0.2  # of the time: the search that requires every piece stops if it has no feasible plan by then
INFEASIBLE = 2**62  # PyVRP's cost of an infeasible solution is "a very large number"


class RoutingModel:
    """One PyVRP instance: the given pieces, and the free vehicles of the depots that may supply them."""

    def __init__(self, ctx: Context, pieces: list[Piece], vehicles: list[Vehicle], seed: int = 0):
        self.ctx, self.pieces, self.seed = ctx, pieces, seed
        self.depots = sorted({v.depot_index for v in vehicles})
        self.with_volume = any(p.volume_m3 > 0 for p in pieces)
        # Depots that some piece may not come from, each with its marker dimension.
        self.marked = [d for d in self.depots if any(d not in p.depots for p in pieces)]
        self.fleets = _fleets_by_type(vehicles)
        # One profile per (speed, cost per km): its distance matrix is what driving it costs.
        self.profiles = sorted({(self._speed(v), v.type.cost_per_km) for v in vehicles})
        self._prepare()

    def _speed(self, vehicle: Vehicle) -> float:
        return 0.0 if self.ctx.dur is not None else vehicle.type.speed_kmh  # a given duration matrix: one speed

    def _prepare(self) -> None:
        stops = sorted({self.ctx.stop_location[p.load.stop_id] for p in self.pieces})
        self.where = {loc: len(self.depots) + k for k, loc in enumerate(stops)}
        self.index = np.ix_(self.depots + stops, self.depots + stops)
        self.unit = self._cost_unit(int(self.ctx.dist[self.index].max(initial=0)))

    def data(self, required: bool) -> pyvrp.ProblemData:
        """The PyVRP instance; ``required``: every piece must be served, else each is optional with a prize."""
        metres = self.ctx.dist[self.index]
        return pyvrp.ProblemData(
            locations=[pyvrp.Location(0.0, 0.0) for _ in range(len(self.index[0]))],
            clients=[self._client(piece, required) for piece in self.pieces],
            depots=[pyvrp.Depot(location=k) for k in range(len(self.depots))],
            vehicle_types=[self._vehicle_type(fleet) for fleet in self.fleets],
            distance_matrices=[self._costs(metres, per_km) for _, per_km in self.profiles],
            duration_matrices=[self._durations(speed)[self.index] for speed, _ in self.profiles],
        )

    def _cost_unit(self, farthest_m: int) -> float:
        # The dearest single delivery: a fresh vehicle out to the farthest place and back.
        dearest = max(f[0].type.fixed_cost + f[0].type.cost_per_km * 2 * farthest_m / 1000 for f in self.fleets)
        return max(dearest, 1e-6) / (PRIZE // 2)

    def _costs(self, metres: np.ndarray, per_km: float) -> np.ndarray:
        return np.rint(metres * (per_km / 1000 / self.unit)).astype(np.int64)

    def _durations(self, speed: float) -> np.ndarray:
        return self.ctx.dur if self.ctx.dur is not None else self.ctx.travel(speed)

    def _client(self, piece: Piece, required: bool) -> pyvrp.Client:
        load = piece.load
        markers = [0 if d in piece.depots else 1 for d in self.marked]
        return pyvrp.Client(
            location=self.where[self.ctx.stop_location[load.stop_id]],
            delivery=self._amounts(math.ceil(round(piece.weight_kg, 6)), _litres(piece.volume_m3)) + markers,
            service_duration=math.ceil(load.service_h * 3600),
            tw_late=NO_DUE if load.due_h is None else math.floor(load.due_h * 3600 + SHARE_EPS),
            prize=0 if required else PRIZE,
            required=required,
        )

    def _amounts(self, kg: int, litres: int) -> list[int]:
        return [kg, litres] if self.with_volume else [kg]

    def _vehicle_type(self, fleet: list[Vehicle]) -> pyvrp.VehicleType:
        vehicle = fleet[0]
        kg = math.floor(round(vehicle.type.capacity_kg, 6))
        litres = math.floor(round(vehicle.type.capacity_m3 * LITRES_PER_M3, 6))
        room = [0 if d == vehicle.depot_index else len(self.pieces) for d in self.marked]
        depot = self.depots.index(vehicle.depot_index)
        return pyvrp.VehicleType(
            num_available=len(fleet),
            capacity=self._amounts(kg, litres) + room,
            start_depot=depot,
            end_depot=depot,
            fixed_cost=round(vehicle.type.fixed_cost / self.unit),
            unit_distance_cost=1,
            profile=self.profiles.index((self._speed(vehicle), vehicle.type.cost_per_km)),
            name=vehicle.type.name,
        )

    def solve(self, time_limit_s: float) -> pyvrp.Solution:
        """The best plan found in ``time_limit_s``: every piece served if the search finds how."""
        started = time.perf_counter()
        if self._fleet_holds_every_piece():
            best = self._search(self.data(required=True), _Stop(time_limit_s, GIVE_UP_SHARE * time_limit_s))
            if best.is_feasible():
                return best
        left = time_limit_s - (time.perf_counter() - started)
        return self._search(self.data(required=False), MaxRuntime(max(0.01, left)))

    def _search(self, data: pyvrp.ProblemData, stop) -> pyvrp.Solution:
        return pyvrp.solve(data, stop=stop, seed=self.seed, collect_stats=False, display=False).best

    def _fleet_holds_every_piece(self) -> bool:
        # A necessary condition only: requiring every piece is pointless when the vehicles cannot hold them all.
        kg = sum(v.type.capacity_kg for fleet in self.fleets for v in fleet)
        m3 = sum(v.type.capacity_m3 for fleet in self.fleets for v in fleet)
        return sum(p.weight_kg for p in self.pieces) <= kg and sum(p.volume_m3 for p in self.pieces) <= m3

    def routes(self, solution: pyvrp.Solution) -> tuple[list[Route], set[int]]:
        """The feasible routes, and the pieces they serve."""
        used = [0] * len(self.fleets)
        out, served = [], set()
        for route in solution.routes():
            if not route.is_feasible():
                continue  # only when the search found no feasible repair in time: its pieces stay unrouted
            k = route.vehicle_type()
            out.append(self._route(route, self.fleets[k][used[k]], served))
            used[k] += 1
        return out, served

    def _route(self, route: pyvrp.Route, vehicle: Vehicle, served: set[int]) -> Route:
        stops, path = [], [vehicle.depot_index]
        for activity in route.schedule():
            if activity.type != pyvrp.ActivityType.CLIENT:
                continue
            piece = self.pieces[activity.idx]
            served.add(activity.idx)
            path.append(self.ctx.stop_location[piece.load.stop_id])
            arrival_h = activity.start_time / 3600
            stops.append(RouteStop(piece.load.id, piece.load.stop_id, arrival_h, piece.weight_kg, piece.volume_m3))
        path.append(vehicle.depot_index)
        km = float(self.ctx.dist[path[:-1], path[1:]].sum()) / 1000
        cost = vehicle.type.fixed_cost + vehicle.type.cost_per_km * km
        depot_id = self.ctx.problem.depots[vehicle.depot_index].id
        return Route(vehicle.id, vehicle.type.name, depot_id, stops, km, route.end_time() / 3600, cost)


def _fleets_by_type(vehicles: list[Vehicle]) -> list[list[Vehicle]]:
    fleets: dict[tuple[int, int], list[Vehicle]] = {}
    for v in vehicles:
        fleets.setdefault((v.depot_index, id(v.type)), []).append(v)
    return list(fleets.values())


def _litres(m3: float) -> int:
    return math.ceil(round(m3 * LITRES_PER_M3, 6))


class _Stop:
    """Stops at the time limit, or at ``give_up_s`` while the best solution is still infeasible."""

    def __init__(self, limit_s: float, give_up_s: float):
        self.limit_s, self.give_up_s = limit_s, give_up_s
        self.started = time.perf_counter()

    def __call__(self, best_cost: float) -> bool:
        elapsed = time.perf_counter() - self.started
        return elapsed >= self.limit_s or (best_cost >= INFEASIBLE and elapsed >= self.give_up_s)
