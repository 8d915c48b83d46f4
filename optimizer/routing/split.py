"""The fleet, and loads split into full truckloads (direct trips) and the piece left for the routing engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimizer.routing.matrices import SHARE_EPS, Context
from optimizer.routing.problem import Load, Route, RouteStop, RoutingProblem, UnroutedLoad, UnroutedReason, VehicleType

Fleet = dict[int, list["Vehicle"]]  # free vehicles per depot index


@dataclass
class Vehicle:
    id: str
    depot_index: int
    type: VehicleType


@dataclass
class Piece:
    """The part (``share``) of a load that one vehicle carries, from one of ``depots`` (depot indices)."""

    load: Load
    share: float
    depots: tuple[int, ...]

    @property
    def weight_kg(self) -> float:
        return self.load.weight_kg * self.share

    @property
    def volume_m3(self) -> float:
        return self.load.volume_m3 * self.share


def fleet_of(problem: RoutingProblem) -> Fleet:
    """Vehicles per depot index, biggest first, so full truckloads take the largest vehicles."""
    fleet: Fleet = {}
    for d_index, depot in enumerate(problem.depots):
        types = sorted(depot.vehicles, key=lambda t: (t.capacity_kg, t.capacity_m3), reverse=True)
        fleet[d_index] = [Vehicle(f"{depot.id}/{t.name}/{n + 1}", d_index, t) for t in types for n in range(t.count)]
    return fleet


def fits(piece_kg: float, piece_m3: float, vtype: VehicleType) -> bool:
    return piece_kg <= vtype.capacity_kg + SHARE_EPS and piece_m3 <= vtype.capacity_m3 + SHARE_EPS


def full_share(load: Load, vtype: VehicleType) -> float:
    """Share of the load one full vehicle of this type carries (the binding capacity decides)."""
    shares = [1.0]
    if load.weight_kg > 0:
        shares.append(vtype.capacity_kg / load.weight_kg)
    if load.volume_m3 > 0:
        shares.append(vtype.capacity_m3 / load.volume_m3)
    return min(shares)


def unrouted_load(load: Load, share: float, reason: UnroutedReason) -> UnroutedLoad:
    return UnroutedLoad(load.id, load.weight_kg * share, load.volume_m3 * share, reason)


def direct_route(ctx: Context, vehicle: Vehicle, load: Load, share: float) -> Route:
    """An out-and-back trip from the vehicle's depot carrying ``share`` of the load."""
    depot, stop = vehicle.depot_index, ctx.stop_location[load.stop_id]
    travel = ctx.travel(vehicle.type.speed_kmh)
    km = (ctx.dist[depot, stop] + ctx.dist[stop, depot]) / 1000
    arrival_s = int(travel[depot, stop])
    return_s = arrival_s + math.ceil(load.service_h * 3600) + int(travel[stop, depot])
    drop = RouteStop(load.id, load.stop_id, arrival_s / 3600, load.weight_kg * share, load.volume_m3 * share)
    cost = vehicle.type.fixed_cost + vehicle.type.cost_per_km * km
    depot_id = ctx.problem.depots[depot].id
    return Route(vehicle.id, vehicle.type.name, depot_id, [drop], float(km), return_s / 3600, float(cost), True)


def direct_cost(ctx: Context, vehicle: Vehicle, load: Load) -> float:
    stop = ctx.stop_location[load.stop_id]
    km = (ctx.dist[vehicle.depot_index, stop] + ctx.dist[stop, vehicle.depot_index]) / 1000
    return vehicle.type.fixed_cost + vehicle.type.cost_per_km * km


def best_full_vehicle(ctx: Context, load: Load, free: list[Vehicle]) -> Vehicle | None:
    """The free vehicle that carries the biggest share of the load and still arrives in time; among those,
    the one whose trip costs least per share (that is how an alternative depot gets picked)."""
    usable = [v for v in free if ctx.meets_due(load, v.type, v.depot_index)]
    return max(usable, key=lambda v: (full_share(load, v.type), -direct_cost(ctx, v, load)), default=None)


def split_load(ctx: Context, load: Load, fleet: Fleet) -> tuple[list[Route], Piece | None, UnroutedLoad | None]:
    """Full truckloads as direct trips while the rest does not fit one vehicle; then the remainder.

    Vehicles used for full truckloads are removed from ``fleet``.
    """
    depots = ctx.depots_of(load)
    free = [v for d in depots for v in fleet[d]]
    refusal = _refusal(ctx, load, depots, free)
    if refusal is not None:
        return [], None, unrouted_load(load, 1.0, refusal)
    if not load.splittable:
        return [], _piece(load, 1.0, depots, fleet), None
    routes: list[Route] = []
    rest = 1.0
    while rest > SHARE_EPS:
        vehicle = best_full_vehicle(ctx, load, free)
        if vehicle is None:
            return routes, None, unrouted_load(load, rest, UnroutedReason.FLEET_EXHAUSTED)
        share = full_share(load, vehicle.type)
        if share >= rest - SHARE_EPS:
            return routes, _piece(load, rest, depots, fleet), None
        if share <= SHARE_EPS:
            return routes, None, unrouted_load(load, rest, UnroutedReason.NO_VEHICLE_BIG_ENOUGH)
        free.remove(vehicle)
        fleet[vehicle.depot_index].remove(vehicle)
        routes.append(direct_route(ctx, vehicle, load, share))
        rest -= share
    return routes, None, None


def _refusal(ctx: Context, load: Load, depots: list[int], free: list[Vehicle]) -> UnroutedReason | None:
    """Why no vehicle of the load's depots can take it at all, or None."""
    if not free:
        has_fleet = any(t.count > 0 for d in depots for t in ctx.problem.depots[d].vehicles)
        return UnroutedReason.FLEET_EXHAUSTED if has_fleet else UnroutedReason.NO_VEHICLE_BIG_ENOUGH
    if not any(ctx.meets_due(load, v.type, v.depot_index) for v in free):
        return UnroutedReason.WINDOW_CANNOT_BE_MET
    if not load.splittable and not any(fits(load.weight_kg, load.volume_m3, v.type) for v in free):
        return UnroutedReason.NO_VEHICLE_BIG_ENOUGH
    return None


def _piece(load: Load, share: float, depots: list[int], fleet: Fleet) -> Piece:
    # Depots whose vehicles are all gone by the time the engine runs are dropped again then.
    return Piece(load, share, tuple(d for d in depots if fleet[d]))


def drop_reason(ctx: Context, piece: Piece) -> UnroutedReason:
    """Window if no vehicle type at the piece's depots that fits it can reach it in time, else the fleet ran out."""
    for d in piece.depots or ctx.depots_of(piece.load):
        fitting = [
            t for t in ctx.problem.depots[d].vehicles if t.count > 0 and fits(piece.weight_kg, piece.volume_m3, t)
        ]
        if any(ctx.meets_due(piece.load, t, d) for t in fitting):
            return UnroutedReason.FLEET_EXHAUSTED
    return UnroutedReason.WINDOW_CANNOT_BE_MET


def due_order(load: Load) -> tuple[float, str]:
    return (math.inf if load.due_h is None else load.due_h, load.id)
