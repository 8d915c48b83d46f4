"""Inputs and results of vehicle routing: depots with their fleets, stops, loads, routes and unrouted loads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
    """Goods to carry from a depot to a stop, arriving by ``due_h`` hours after the plan start.

    ``alternative_depot_ids`` name other depots that may supply the whole load instead of ``depot_id`` (the
    allocation found them equivalent: same item, same level, in time); routing picks whichever is cheaper,
    possibly a different one for each truckload of a split load. Each named depot must hold the load's goods
    for every load that names it: routing does not count stock.
    """

    id: str
    depot_id: str
    stop_id: str
    weight_kg: float
    volume_m3: float
    due_h: float | None = None
    service_h: float = 0.0
    splittable: bool = True
    alternative_depot_ids: tuple[str, ...] = ()

    @property
    def depot_ids(self) -> tuple[str, ...]:
        """Every depot that may supply the load, ``depot_id`` first."""
        return tuple(dict.fromkeys((self.depot_id, *self.alternative_depot_ids)))


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
