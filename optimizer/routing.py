"""Vehicle routing for the road legs of an allocation plan.

``plan_routes`` turns loads (depot -> demand point, weight, volume, due time) into
vehicle routes for a multi-depot heterogeneous fleet. Loads bigger than any vehicle
are split: full truckloads go first as direct out-and-back trips, the remainder is
routed with OR-Tools (multiple start/end depots, weight and volume capacities, due
times as time windows). Loads that cannot be routed are returned with a reason.

Units inside the solver are integers: metres, seconds, kilograms (rounded up for
loads, down for capacities), litres, and cost in hundredths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

EARTH_RADIUS_M = 6_371_000.0
DROP_PENALTY = 10**12  # far above any route cost: routing a load always beats dropping it
COST_SCALE = 100  # cost units -> solver integers
LITRES_PER_M3 = 1000
SHARE_EPS = 1e-9


@dataclass(frozen=True)
class VehicleType:
    """A kind of vehicle stationed at a depot; ``count`` of them are available for one trip each."""

    name: str
    count: int
    capacity_kg: float
    capacity_m3: float
    speed_kmh: float
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0


@dataclass(frozen=True)
class Depot:
    id: str
    lat: float
    lon: float
    vehicles: list[VehicleType] = field(default_factory=list)


@dataclass(frozen=True)
class Stop:
    """A place loads are delivered to (a demand point)."""

    id: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Load:
    """Goods to carry from a depot to a stop, arriving by ``due_h`` hours after the plan start."""

    id: str
    depot_id: str
    stop_id: str
    weight_kg: float
    volume_m3: float
    due_h: float | None = None
    service_h: float = 0.0
    splittable: bool = True


@dataclass(frozen=True)
class RoutingProblem:
    """Depots with their fleets, stops and loads.

    ``distance_m`` (optional) is an integer matrix over the locations in the order
    ``depots + stops``; without it distances are great-circle times ``detour_factor``.
    ``duration_s`` (optional, same order) overrides distance / vehicle speed.
    """

    depots: list[Depot]
    stops: list[Stop]
    loads: list[Load]
    distance_m: list[list[int]] | None = None
    duration_s: list[list[int]] | None = None
    detour_factor: float = 1.3


class UnroutedReason(StrEnum):
    NO_VEHICLE_BIG_ENOUGH = "no vehicle big enough"
    WINDOW_CANNOT_BE_MET = "window cannot be met"
    FLEET_EXHAUSTED = "fleet exhausted"


@dataclass(frozen=True)
class RouteStop:
    load_id: str
    stop_id: str
    arrival_h: float
    weight_kg: float
    volume_m3: float


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    vehicle_type: str
    depot_id: str
    stops: list[RouteStop]
    distance_km: float
    return_h: float
    cost: float
    full_truckload: bool = False


@dataclass(frozen=True)
class UnroutedLoad:
    load_id: str
    weight_kg: float
    volume_m3: float
    reason: UnroutedReason


@dataclass(frozen=True)
class RoutingResult:
    routes: list[Route]
    unrouted: list[UnroutedLoad]

    @property
    def total_cost(self) -> float:
        return sum(r.cost for r in self.routes)

    @property
    def total_distance_km(self) -> float:
        return sum(r.distance_km for r in self.routes)


# ---------------------------------------------------------------- travel matrices


def haversine_matrix_m(points: list[tuple[float, float]], detour_factor: float) -> np.ndarray:
    """Integer road-distance estimate in metres: great-circle distance times a detour factor."""
    lat = np.radians([p[0] for p in points])[:, None]
    lon = np.radians([p[1] for p in points])[:, None]
    a = np.sin((lat - lat.T) / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin((lon - lon.T) / 2) ** 2
    metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.rint(metres * detour_factor).astype(np.int64)


def _location_matrices(problem: RoutingProblem) -> tuple[np.ndarray, np.ndarray | None]:
    if problem.distance_m is not None:
        dist = np.asarray(problem.distance_m, dtype=np.int64)
    else:
        points = [(d.lat, d.lon) for d in problem.depots] + [(s.lat, s.lon) for s in problem.stops]
        dist = haversine_matrix_m(points, problem.detour_factor)
    dur = None if problem.duration_s is None else np.asarray(problem.duration_s, dtype=np.int64)
    return dist, dur


def _travel_s(dist_m: np.ndarray, dur_s: np.ndarray | None, speed_kmh: float) -> np.ndarray:
    if dur_s is not None:
        return dur_s
    # Round up so a reported arrival is never earlier than physics allows.
    return np.ceil(dist_m * 3.6 / speed_kmh).astype(np.int64)


# ---------------------------------------------------------------- fleet and pieces


@dataclass
class _Vehicle:
    id: str
    depot_index: int
    type: VehicleType


@dataclass
class _Piece:
    """The part (``share``) of a load that one vehicle carries."""

    load: Load
    share: float

    @property
    def weight_kg(self) -> float:
        return self.load.weight_kg * self.share

    @property
    def volume_m3(self) -> float:
        return self.load.volume_m3 * self.share


def _fleet(problem: RoutingProblem) -> dict[int, list[_Vehicle]]:
    """Vehicles per depot index, biggest first, so full truckloads take the largest vehicles."""
    fleet: dict[int, list[_Vehicle]] = {}
    for d_index, depot in enumerate(problem.depots):
        types = sorted(depot.vehicles, key=lambda t: (t.capacity_kg, t.capacity_m3), reverse=True)
        fleet[d_index] = [_Vehicle(f"{depot.id}/{t.name}/{n + 1}", d_index, t) for t in types for n in range(t.count)]
    return fleet


def _fits(piece_kg: float, piece_m3: float, vtype: VehicleType) -> bool:
    return piece_kg <= vtype.capacity_kg + SHARE_EPS and piece_m3 <= vtype.capacity_m3 + SHARE_EPS


def _full_share(load: Load, vtype: VehicleType) -> float:
    """Share of the load one full vehicle of this type carries (the binding capacity decides)."""
    shares = [1.0]
    if load.weight_kg > 0:
        shares.append(vtype.capacity_kg / load.weight_kg)
    if load.volume_m3 > 0:
        shares.append(vtype.capacity_m3 / load.volume_m3)
    return min(shares)


class _Context:
    """Indices and matrices shared by the splitting and routing steps."""

    def __init__(self, problem: RoutingProblem):
        self.problem = problem
        self.depot_index = {d.id: i for i, d in enumerate(problem.depots)}
        self.stop_location = {s.id: len(problem.depots) + i for i, s in enumerate(problem.stops)}
        self.dist, self.dur = _location_matrices(problem)
        self._travel: dict[float, np.ndarray] = {}

    def travel(self, speed_kmh: float) -> np.ndarray:
        if speed_kmh not in self._travel:
            self._travel[speed_kmh] = _travel_s(self.dist, self.dur, speed_kmh)
        return self._travel[speed_kmh]

    def direct_arrival_s(self, load: Load, vtype: VehicleType) -> int:
        return int(self.travel(vtype.speed_kmh)[self.depot_index[load.depot_id], self.stop_location[load.stop_id]])

    def meets_due(self, load: Load, vtype: VehicleType) -> bool:
        return load.due_h is None or self.direct_arrival_s(load, vtype) <= load.due_h * 3600 + SHARE_EPS


def _unrouted(load: Load, share: float, reason: UnroutedReason) -> UnroutedLoad:
    return UnroutedLoad(load.id, load.weight_kg * share, load.volume_m3 * share, reason)


def _direct_route(ctx: _Context, vehicle: _Vehicle, load: Load, share: float) -> Route:
    """An out-and-back trip carrying ``share`` of the load."""
    depot, stop = ctx.depot_index[load.depot_id], ctx.stop_location[load.stop_id]
    travel = ctx.travel(vehicle.type.speed_kmh)
    km = (ctx.dist[depot, stop] + ctx.dist[stop, depot]) / 1000
    arrival_s = int(travel[depot, stop])
    return_s = arrival_s + math.ceil(load.service_h * 3600) + int(travel[stop, depot])
    drop = RouteStop(load.id, load.stop_id, arrival_s / 3600, load.weight_kg * share, load.volume_m3 * share)
    cost = vehicle.type.fixed_cost + vehicle.type.cost_per_km * km
    return Route(vehicle.id, vehicle.type.name, load.depot_id, [drop], float(km), return_s / 3600, float(cost), True)


def _best_full_vehicle(ctx: _Context, load: Load, free: list[_Vehicle]) -> _Vehicle | None:
    """The free vehicle that carries the biggest share of the load and still arrives in time."""
    usable = [v for v in free if ctx.meets_due(load, v.type)]
    return max(usable, key=lambda v: _full_share(load, v.type), default=None)


def _split_load(
    ctx: _Context, load: Load, free: list[_Vehicle]
) -> tuple[list[Route], _Piece | None, UnroutedLoad | None]:
    """Full truckloads as direct trips while the rest does not fit one vehicle; then the remainder.

    Vehicles used for full truckloads are removed from ``free``.
    """
    if not free:
        has_fleet = any(t.count > 0 for t in ctx.problem.depots[ctx.depot_index[load.depot_id]].vehicles)
        reason = UnroutedReason.FLEET_EXHAUSTED if has_fleet else UnroutedReason.NO_VEHICLE_BIG_ENOUGH
        return [], None, _unrouted(load, 1.0, reason)
    if not any(ctx.meets_due(load, v.type) for v in free):
        return [], None, _unrouted(load, 1.0, UnroutedReason.WINDOW_CANNOT_BE_MET)
    if not load.splittable:
        if not any(_fits(load.weight_kg, load.volume_m3, v.type) for v in free):
            return [], None, _unrouted(load, 1.0, UnroutedReason.NO_VEHICLE_BIG_ENOUGH)
        return [], _Piece(load, 1.0), None
    routes: list[Route] = []
    rest = 1.0
    while rest > SHARE_EPS:
        vehicle = _best_full_vehicle(ctx, load, free)
        if vehicle is None:
            return routes, None, _unrouted(load, rest, UnroutedReason.FLEET_EXHAUSTED)
        if _full_share(load, vehicle.type) >= rest - SHARE_EPS:
            return routes, _Piece(load, rest), None
        share = _full_share(load, vehicle.type)
        if share <= SHARE_EPS:
            return routes, None, _unrouted(load, rest, UnroutedReason.NO_VEHICLE_BIG_ENOUGH)
        free.remove(vehicle)
        routes.append(_direct_route(ctx, vehicle, load, share))
        rest -= share
    return routes, None, None


def _due_order(load: Load) -> tuple[float, str]:
    return (math.inf if load.due_h is None else load.due_h, load.id)


# ---------------------------------------------------------------- the routing model


class _RoutingModel:
    """OR-Tools model of the pieces left after full truckloads, over the vehicles still free."""

    def __init__(self, ctx: _Context, pieces: list[_Piece], vehicles: list[_Vehicle]):
        self.ctx, self.pieces, self.vehicles = ctx, pieces, vehicles
        depots = sorted({v.depot_index for v in vehicles})
        self.depot_node = {d: i for i, d in enumerate(depots)}
        self.n_depots = len(depots)
        # Node -> location: depot nodes first, then one node per piece (pieces may share a stop).
        self.location = np.array(depots + [ctx.stop_location[p.load.stop_id] for p in pieces], dtype=np.int64)
        starts = [self.depot_node[v.depot_index] for v in vehicles]
        self.manager = pywrapcp.RoutingIndexManager(len(self.location), len(vehicles), starts, starts)
        self.model = pywrapcp.RoutingModel(self.manager)
        self._add_costs()
        self.time = self._add_time()
        self._add_capacity([math.ceil(round(p.weight_kg, 6)) for p in pieces], "capacity_kg", "weight")
        self._add_capacity(
            [math.ceil(round(p.volume_m3 * LITRES_PER_M3, 6)) for p in pieces], "capacity_m3", "volume", LITRES_PER_M3
        )
        self._add_piece_rules()

    def _matrix(self, full: np.ndarray) -> np.ndarray:
        return full[np.ix_(self.location, self.location)]

    def _add_costs(self) -> None:
        dist = self._matrix(self.ctx.dist)
        callbacks: dict[float, int] = {}
        for v, vehicle in enumerate(self.vehicles):
            per_km = vehicle.type.cost_per_km
            if per_km not in callbacks:
                cost = np.rint(dist * per_km * COST_SCALE / 1000).astype(np.int64)
                callbacks[per_km] = self.model.RegisterTransitMatrix(cost.tolist())
            self.model.SetArcCostEvaluatorOfVehicle(callbacks[per_km], v)
            self.model.SetFixedCostOfVehicle(round(vehicle.type.fixed_cost * COST_SCALE), v)

    def _add_time(self) -> pywrapcp.RoutingDimension:
        service = np.array([0] * self.n_depots + [math.ceil(p.load.service_h * 3600) for p in self.pieces])
        callbacks: dict[float, int] = {}
        for vehicle in self.vehicles:
            speed = vehicle.type.speed_kmh
            if speed not in callbacks:
                # Service time is charged on leaving a node so a cumul is the arrival time.
                transit = self._matrix(self.ctx.travel(speed)) + service[:, None]
                callbacks[speed] = self.model.RegisterTransitMatrix(transit.tolist())
        per_vehicle = [callbacks[v.type.speed_kmh] for v in self.vehicles]
        horizon = 30 * 24 * 3600
        self.model.AddDimensionWithVehicleTransits(per_vehicle, 0, horizon, True, "time")
        return self.model.GetDimensionOrDie("time")

    def _add_capacity(self, demands: list[int], attr: str, name: str, scale: int = 1) -> None:
        callback = self.model.RegisterUnaryTransitVector([0] * self.n_depots + demands)
        capacities = [math.floor(round(getattr(v.type, attr) * scale, 6)) for v in self.vehicles]
        self.model.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, name)

    def _add_piece_rules(self) -> None:
        for i, piece in enumerate(self.pieces):
            index = self.manager.NodeToIndex(self.n_depots + i)
            depot = self.ctx.depot_index[piece.load.depot_id]
            # Pickup is at the depot a vehicle starts from: only that depot's vehicles may carry it.
            allowed = [v for v, vehicle in enumerate(self.vehicles) if vehicle.depot_index == depot]
            # -1 keeps "unperformed" possible; SetAllowedVehiclesForIndex has no usable Python binding in 9.15.
            self.model.VehicleVar(index).SetValues([-1, *allowed])
            if piece.load.due_h is not None:
                self.time.CumulVar(index).SetMax(math.floor(piece.load.due_h * 3600 + SHARE_EPS))
            self.model.AddDisjunction([index], DROP_PENALTY)

    def solve(self, time_limit_s: float) -> pywrapcp.Assignment | None:
        params = pywrapcp.DefaultRoutingSearchParameters()
        # Insertion copes with windows, allowed vehicles and optional nodes better than PATH_CHEAPEST_ARC.
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        return self.model.SolveWithParameters(params)

    def routes(self, solution: pywrapcp.Assignment) -> list[Route]:
        return [self._route(solution, v) for v in range(len(self.vehicles)) if self.model.IsVehicleUsed(solution, v)]

    def _route(self, solution: pywrapcp.Assignment, v: int) -> Route:
        vehicle, model = self.vehicles[v], self.model
        stops, metres = [], 0
        index = model.Start(v)
        while not model.IsEnd(index):
            nxt = solution.Value(model.NextVar(index))
            metres += int(self.ctx.dist[self.location[self._node(index)], self.location[self._node(nxt)]])
            if not model.IsEnd(nxt):
                piece = self.pieces[self._node(nxt) - self.n_depots]
                arrival_h = solution.Value(self.time.CumulVar(nxt)) / 3600
                stops.append(RouteStop(piece.load.id, piece.load.stop_id, arrival_h, piece.weight_kg, piece.volume_m3))
            index = nxt
        return_h = solution.Value(self.time.CumulVar(index)) / 3600
        km = metres / 1000
        cost = vehicle.type.fixed_cost + vehicle.type.cost_per_km * km
        depot_id = self.ctx.problem.depots[vehicle.depot_index].id
        return Route(vehicle.id, vehicle.type.name, depot_id, stops, km, return_h, cost)

    def _node(self, index: int) -> int:
        return self.manager.IndexToNode(index)

    def dropped(self, solution: pywrapcp.Assignment | None) -> list[_Piece]:
        if solution is None:
            return list(self.pieces)
        return [
            piece
            for i, piece in enumerate(self.pieces)
            if solution.Value(self.model.NextVar(idx := self.manager.NodeToIndex(self.n_depots + i))) == idx
        ]


def _drop_reason(ctx: _Context, piece: _Piece) -> UnroutedReason:
    """Window if no vehicle type at the depot that fits the piece can reach it in time, else the fleet ran out."""
    depot = ctx.problem.depots[ctx.depot_index[piece.load.depot_id]]
    fitting = [t for t in depot.vehicles if t.count > 0 and _fits(piece.weight_kg, piece.volume_m3, t)]
    if any(ctx.meets_due(piece.load, t) for t in fitting):
        return UnroutedReason.FLEET_EXHAUSTED
    return UnroutedReason.WINDOW_CANNOT_BE_MET


def plan_routes(problem: RoutingProblem, time_limit_s: float) -> RoutingResult:
    """Route every load with its depot's vehicles; report the loads that cannot be routed and why.

    Loads are served in due-time order when vehicles are assigned to full truckloads.
    Each vehicle makes one trip (leaves its depot, delivers, returns). ``time_limit_s``
    bounds the OR-Tools search for the loads left after full truckloads.
    """
    ctx = _Context(problem)
    fleet = _fleet(problem)
    routes: list[Route] = []
    unrouted: list[UnroutedLoad] = []
    pieces: list[_Piece] = []
    for load in sorted(problem.loads, key=_due_order):
        if load.depot_id not in ctx.depot_index or load.stop_id not in ctx.stop_location:
            raise ValueError(f"load {load.id}: unknown depot {load.depot_id} or stop {load.stop_id}")
        free = fleet[ctx.depot_index[load.depot_id]]
        direct, piece, missing = _split_load(ctx, load, free)
        routes += direct
        pieces += [piece] if piece else []
        unrouted += [missing] if missing else []
    # An empty allowed-vehicle list means "any vehicle" to OR-Tools, so pieces whose depot
    # has no free vehicle left must not reach the model.
    stranded = [p for p in pieces if not fleet[ctx.depot_index[p.load.depot_id]]]
    unrouted += [_unrouted(p.load, p.share, UnroutedReason.FLEET_EXHAUSTED) for p in stranded]
    pieces = [p for p in pieces if p not in stranded]
    if pieces:
        model = _RoutingModel(ctx, pieces, [v for free in fleet.values() for v in free])
        solution = model.solve(time_limit_s)
        routes += model.routes(solution) if solution is not None else []
        unrouted += [_unrouted(p.load, p.share, _drop_reason(ctx, p)) for p in model.dropped(solution)]
    return RoutingResult(routes, unrouted)
