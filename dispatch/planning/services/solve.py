"""Solving a snapshot: allocation, the greedy baseline beside it, routing of the road legs, and the plan that
results, with the routed arrivals (not the allocation's estimates) deciding what arrives in time.

Road legs from depots are routed with the depots' vehicles: first within each line's due time, then, for what
did not fit, within the lateness window with the vehicles left. What no vehicle can carry becomes unmet demand
with routing's reason. Rail, air and capacity-agreement output keep the allocation's arrival: routing plans
trucks, not trains, aircraft or the enterprises' own deliveries.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from dispatch.planning.services.snapshot import LATENESS_HOURS, Snapshot
from optimizer.allocation import allocate
from optimizer.baseline import greedy_allocate
from optimizer.problem import AllocationLine, AllocationResult, Kpis
from optimizer.routing import Depot, Load, Route, RoutingProblem, Stop, UnroutedLoad, VehicleType, plan_routes

EPS_HOURS = 1e-6
ROUTING_REASONS = {"no vehicle big enough": "no_vehicle_big_enough", "window cannot be met": "window_cannot_be_met",
                   "fleet exhausted": "fleet_exhausted"}


@dataclass
class Piece:
    """Part of a line that one vehicle stop delivers."""

    route_index: int
    stop_index: int
    quantity: int
    arrival_hours: float


@dataclass
class DraftLine:
    line: AllocationLine
    due_hours: float
    quantity: int                   # what is delivered (routing may have dropped some)
    arrival_hours: float
    on_time_quantity: int
    cost: float
    tonne_km: float
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class DraftUnmet:
    point: str
    item: str
    period: int
    quantity: int
    reason: str
    opening_level: str | None = None


@dataclass
class DraftPlan:
    lines: list[DraftLine]
    unmet: list[DraftUnmet]
    routes: list[Route]
    kpis: dict
    allocation_kpis: dict
    baseline_kpis: dict
    objectives: dict
    seconds: dict[str, float]
    stats: dict


def solve(snapshot: Snapshot, routing_seconds: float, on_stage=lambda stage: None) -> DraftPlan:
    """Allocate, compare with greedy, route, and put the three together (no database)."""
    seconds = {}
    on_stage("allocation")
    started = time.perf_counter()
    allocation = allocate(snapshot.problem, snapshot.travel)
    baseline = greedy_allocate(snapshot.problem, snapshot.travel)
    seconds["allocation"] = time.perf_counter() - started
    on_stage("routing")
    started = time.perf_counter()
    lines, unmet, routes, routing_stats = _route(snapshot, allocation, routing_seconds)
    seconds["routing"] = time.perf_counter() - started
    seconds["routing_search"] = routing_stats.pop("search_seconds")
    return DraftPlan(lines, unmet, routes, routed_kpis(snapshot, lines, unmet, routes),
                     _kpis(allocation.kpis), _kpis(baseline.kpis), vars(allocation.objectives).copy(), seconds,
                     {**allocation.stats, **routing_stats, "allocation_solve_seconds": allocation.solve_seconds,
                      "baseline_solve_seconds": baseline.solve_seconds})


def _kpis(kpis: Kpis) -> dict:
    return {"fill_rate": kpis.fill_rate, "on_time_share": kpis.on_time_share,
            "worst_area_fill_rate": kpis.worst_point_fill_rate, "latest_arrival_hours": kpis.latest_eta_hours,
            "cost": round(kpis.cost, 2), "tonne_km": round(kpis.tonne_km, 1)}


# --- routing ---------------------------------------------------------------------------------------------------

@dataclass
class _Load:
    """A routing load: the lines of one depot to one area for one period, travelling together."""

    id: str
    lines: list[int]          # indexes into the draft lines
    weight_kg: float
    volume_m3: float
    due_hours: float


def _route(snapshot: Snapshot, allocation: AllocationResult, seconds: float):
    due = _due_hours(snapshot)
    lines = [_draft_line(line, due[(line.point, line.item, line.period)]) for line in allocation.lines]
    unmet = [DraftUnmet(u.point, u.item, u.period, u.quantity, u.reason, u.opening_level) for u in allocation.unmet]
    loads = _loads(snapshot, lines)
    handling = snapshot.modes["road"].handling_hours
    seconds = min(seconds, 1.0 + len(loads) / 25.0)  # a handful of loads needs no long search
    fleets = {sid: list(fleet) for sid, fleet in snapshot.fleets.items()}
    searched: list[float] = []
    first = _run(snapshot, loads, fleets, handling, seconds * 0.7, late=False, searched=searched)
    fleets = _left(fleets, first.routes)
    retry = _unrouted_part(loads, first.unrouted)
    second = _run(snapshot, retry, fleets, handling, seconds * 0.3, late=True, searched=searched) if retry else None
    routes = first.routes + (second.routes if second else [])
    unrouted = second.unrouted if second else first.unrouted
    _assign_pieces(lines, loads, routes, unrouted, handling)
    stationed = {sid for sid, fleet in snapshot.fleets.items() if fleet}
    unmet += _routing_unmet(lines, loads, unrouted, stationed)
    kept = [line for line in lines if line.quantity > 0]
    stats = {"routing_loads": len(loads), "routes": len(routes), "unrouted_loads": len({u.load_id for u in unrouted}),
             "rerouted_late": len(retry), "search_seconds": sum(searched)}
    return kept, unmet, routes, stats


def _due_hours(snapshot: Snapshot) -> dict[tuple[str, str, int], float]:
    due = {}
    for demand in snapshot.problem.demands:
        for period, (hours, _qty) in enumerate(demand.periods()):
            due[(demand.point, demand.item, period)] = hours
    return due


def _draft_line(line: AllocationLine, due_hours: float) -> DraftLine:
    on_time = 0 if line.late else line.quantity
    return DraftLine(line, due_hours, line.quantity, line.eta_hours, on_time, line.cost, line.tonne_km)


def _loads(snapshot: Snapshot, lines: list[DraftLine]) -> dict[str, _Load]:
    """Road lines from depots, grouped by (depot, area, period)."""
    loads: dict[str, _Load] = {}
    for index, draft in enumerate(lines):
        line = draft.line
        if line.mode != "road" or line.source not in snapshot.depots:
            continue
        item = snapshot.items[line.item]
        key = f"{line.source}|{line.point}|{line.period}"
        load = loads.setdefault(key, _Load(key, [], 0.0, 0.0, draft.due_hours))
        load.lines.append(index)
        load.weight_kg += line.quantity * float(item.unit_weight_kg)
        load.volume_m3 += line.quantity * float(item.unit_volume_m3)
    return loads


def _unrouted_part(loads: dict[str, _Load], unrouted: list[UnroutedLoad]) -> dict[str, _Load]:
    """The weight and volume a pass left unrouted, as loads of their own (same id, same lines)."""
    left: dict[str, _Load] = {}
    for missing in unrouted:
        load = loads[missing.load_id]
        part = left.setdefault(load.id, _Load(load.id, load.lines, 0.0, 0.0, load.due_hours))
        part.weight_kg += missing.weight_kg
        part.volume_m3 += missing.volume_m3
    return left


def _run(snapshot: Snapshot, loads: dict[str, _Load], fleets: dict[str, list[VehicleType]], handling: float,
         seconds: float, late: bool, searched: list[float]):
    """One routing pass; arrivals are counted from the end of loading (the road mode's handling time)."""
    depot_ids = sorted({load.id.split("|")[0] for load in loads.values()})
    point_ids = sorted({load.id.split("|")[1] for load in loads.values()})
    points = {p.id: p for p in snapshot.problem.points}
    depots = [Depot(sid, snapshot.depots[sid].lat, snapshot.depots[sid].lon, fleets.get(sid, [])) for sid in depot_ids]
    stops = [Stop(pid, points[pid].lat, points[pid].lon) for pid in point_ids]
    window = LATENESS_HOURS if late else 0.0
    routing_loads = [Load(load.id, load.id.split("|")[0], load.id.split("|")[1], load.weight_kg, load.volume_m3,
                          due_h=max(0.0, load.due_hours + window - handling)) for load in loads.values()]
    problem = RoutingProblem(depots, stops, routing_loads, detour_factor=snapshot.modes["road"].detour)
    started = time.perf_counter()
    result = plan_routes(problem, max(1.0, seconds))
    searched.append(time.perf_counter() - started)
    return result


def _left(fleets: dict[str, list[VehicleType]], routes: list[Route]) -> dict[str, list[VehicleType]]:
    """The vehicles no route of the first pass has taken."""
    used = defaultdict(int)
    for route in routes:
        used[(route.depot_id, route.vehicle_type)] += 1
    return {sid: [VehicleType(v.name, v.count - used[(sid, v.name)], v.capacity_kg, v.capacity_m3, v.speed_kmh,
                              v.fixed_cost, v.cost_per_km) for v in fleet if v.count > used[(sid, v.name)]]
            for sid, fleet in fleets.items()}


def _assign_pieces(lines: list[DraftLine], loads: dict[str, _Load], routes: list[Route],
                   unrouted: list[UnroutedLoad], handling: float) -> None:
    """Share each load's routed and unrouted weight out over its lines, in whole units."""
    shares: dict[str, list[tuple[float, int, int, float]]] = defaultdict(list)  # load -> (kg, route, stop, arrival)
    for r, route in enumerate(routes):
        for s, stop in enumerate(route.stops):
            shares[stop.load_id].append((stop.weight_kg, r, s, stop.arrival_h + handling))
    dropped = defaultdict(float)
    for missing in unrouted:
        dropped[missing.load_id] += missing.weight_kg
    for load in loads.values():
        parts = shares[load.id] + ([(dropped[load.id], -1, -1, 0.0)] if dropped[load.id] else [])
        for index in load.lines:
            _split_line(lines[index], parts)


def _split_line(draft: DraftLine, parts: list[tuple[float, int, int, float]]) -> None:
    total = sum(kg for kg, *_ in parts) or 1.0
    quantities = largest_remainder(draft.line.quantity, [kg / total for kg, *_ in parts])
    delivered = [(q, r, s, arrival) for q, (_kg, r, s, arrival) in zip(quantities, parts) if q and r >= 0]
    draft.pieces = [Piece(r, s, q, arrival) for q, r, s, arrival in delivered]
    draft.quantity = sum(piece.quantity for piece in draft.pieces)
    draft.arrival_hours = max((piece.arrival_hours for piece in draft.pieces), default=draft.line.eta_hours)
    draft.on_time_quantity = sum(p.quantity for p in draft.pieces if p.arrival_hours <= draft.due_hours + EPS_HOURS)
    if draft.line.quantity:
        share = draft.quantity / draft.line.quantity
        draft.cost, draft.tonne_km = round(draft.line.cost * share, 2), round(draft.line.tonne_km * share, 3)


def largest_remainder(total: int, shares: list[float]) -> list[int]:
    """Whole numbers in proportion to `shares` that add up to `total` (Hamilton's method)."""
    if not shares:
        return []
    exact = [total * share for share in shares]
    whole = [int(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in by_remainder[: total - sum(whole)]:
        whole[i] += 1
    return whole


def _routing_unmet(lines: list[DraftLine], loads: dict[str, _Load], unrouted: list[UnroutedLoad],
                   stationed: set[str]) -> list[DraftUnmet]:
    """What routing could not carry is demand left unmet, with routing's reason (the first one given).

    Loads are split into truckloads, so "no vehicle big enough" means no vehicle was left: at a depot that had
    vehicles before the first pass took them, the fleet is exhausted.
    """
    reasons = {}
    for missing in unrouted:
        reason = ROUTING_REASONS.get(str(missing.reason), "fleet_exhausted")
        if reason == "no_vehicle_big_enough" and missing.load_id.split("|")[0] in stationed:
            reason = "fleet_exhausted"
        reasons.setdefault(missing.load_id, reason)
    unmet = []
    for load in loads.values():
        for index in load.lines:
            draft = lines[index]
            short = draft.line.quantity - draft.quantity
            if short > 0:
                unmet.append(DraftUnmet(draft.line.point, draft.line.item, draft.line.period, short,
                                        reasons.get(load.id, "fleet_exhausted")))
    return unmet


# --- what the dispatcher gets ----------------------------------------------------------------------------------

def routed_kpis(snapshot: Snapshot, lines: list[DraftLine], unmet: list[DraftUnmet], routes: list[Route]) -> dict:
    """Fill rate, share within due time, worst-served area, latest arrival, cost and tonne-km as routed."""
    demanded: dict[tuple[str, str], int] = defaultdict(int)
    for demand in snapshot.problem.demands:
        demanded[(demand.point, demand.item)] += demand.quantity
    short: dict[tuple[str, str], int] = defaultdict(int)
    for gap in unmet:
        short[(gap.point, gap.item)] += gap.quantity
    total = sum(demanded.values()) or 1
    worst_point, worst = None, 1.0
    for (point, item), quantity in demanded.items():
        fill = 1.0 - short[(point, item)] / quantity if quantity else 1.0
        if fill < worst - EPS_HOURS:
            worst_point, worst = point, fill
    road_cost = sum(route.cost for route in routes)
    other_cost = sum(d.cost for d in lines if d.line.mode != "road" or d.line.source not in snapshot.depots)
    return {"fill_rate": sum(d.quantity for d in lines) / total,
            "on_time_share": sum(d.on_time_quantity for d in lines) / total,
            "worst_area_fill_rate": worst, "worst_area": snapshot.areas.get(worst_point) if worst_point else None,
            "latest_arrival_hours": max((d.arrival_hours for d in lines), default=0.0),
            "cost": round(road_cost + other_cost, 2), "tonne_km": round(sum(d.tonne_km for d in lines), 1)}

