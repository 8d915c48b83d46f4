"""The snapshot: the network as planning sees it at one moment, turned into the optimizer's plain inputs.

Available stock is on hand less reserved, without lots that would expire before the goods could arrive
(the latest due time plus the lateness window) plus the item's margin. Protected minimums are the depots'
quota minimums. Which depots and agreements may supply follows from the incident's responses
(`dispatch.incidents.queries.source_openings`).

A re-plan answers what is still to send: demand less what the incident's shipments already delivered or have on
the road, and it may use the stock (and agreement capacity) the incident's approved plan still holds for shipments
that have not left, since approving the new plan supersedes that one and releases it.

Optimizer ids are strings: "d<depot id>", "a<agreement id>", "p<area id>", "i<item id>".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from core import clock
from core.db import Session
from dispatch.demand.models import DemandVersion
from dispatch.demand.queries import expiry_margins
from dispatch.fleet.models import RequisitionedVehicle
from dispatch.fleet.queries import depot_access, depot_fleets, mode_params, requisitioned_vehicles
from dispatch.incidents.models import Incident
from dispatch.incidents.queries import Opening, source_openings
from dispatch.plans.models import Plan, PlanStatus
from dispatch.shipments.models import Shipment, ShipmentLine, ShipmentStatus, ShipmentStop
from inventory.agreements.models import CapacityAgreement
from inventory.agreements.queries import committed_output, status_clause
from inventory.network.models import Depot, DepotLevel, DepotStatus, Item, Quota, Region
from inventory.stock.models import Lot, Reservation
from optimizer.problem import AllocationProblem, Demand, DemandPoint, Source
from optimizer.problem import Item as OptimizerItem
from optimizer.routing import VehicleType
from optimizer.travel import GreatCircleTravel, ModeParams

LATENESS_HOURS = 48.0  # a delivery later than due + this no longer counts
DEFAULT_MARGIN_DAYS = 7


@dataclass
class DepotInfo:
    depot_id: int
    code: str
    name: str
    level: str
    lat: float
    lon: float


@dataclass
class Snapshot:
    """Everything one plan is computed from, and how to map the optimizer's ids back to rows."""

    taken_at: datetime
    incident_id: int
    version_id: int
    problem: AllocationProblem
    modes: dict[str, ModeParams]
    depots: dict[str, DepotInfo]                 # "d<id>" -> the depot
    agreements: dict[str, int]                   # "a<id>" -> agreement id
    items: dict[str, Item]                       # "i<id>" -> the item
    areas: dict[str, int]                        # "p<id>" -> area id
    available: dict[tuple[str, str], int]        # (source, item) -> units planning may take
    fleets: dict[str, list[VehicleType]]         # "d<id>" -> vehicles stationed or requisitioned there
    requisitioned: dict[str, int]                # vehicle type name -> requisitioned vehicle id
    openings: list[Opening]
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def travel(self) -> GreatCircleTravel:
        return GreatCircleTravel(modes=dict(self.modes))

    def hours_after(self, moment: datetime) -> float:
        return max(0.0, (moment - self.taken_at).total_seconds() / 3600.0)


def take_snapshot(incident: Incident, version: DemandVersion, taken_at: datetime | None = None) -> Snapshot:
    """Read stock, agreements, fleet and demand for one plan (read only; nothing is locked or written)."""
    taken_at = taken_at or clock.utcnow()
    modes = mode_params()
    items = {line.item_id: line.item for line in version.lines}
    sent = already_sent(incident.id)
    points, demands = _points_and_demands(incident, version, taken_at, sent)
    horizon = max((d.periods()[-1][0] for d in demands), default=0.0) + LATENESS_HOURS
    openings = source_openings(incident, taken_at)
    releasing = approved_plan_ids(incident.id)
    stock = _usable_stock(list(items), clock.local_date(taken_at), horizon, releasing)
    depots, depot_sources = _depot_sources(stock, openings, _quota_minimums(stock))
    agreement_sources, agreements = _agreement_sources(list(items), openings, clock.local_date(taken_at), releasing)
    fleets, requisitioned = _fleets(incident.id, depots, modes["road"])
    problem = AllocationProblem(
        sources=depot_sources + agreement_sources, points=points, demands=demands,
        items=[OptimizerItem(f"i{item.id}", float(item.unit_weight_kg), float(item.unit_volume_m3))
               for item in items.values()],
        response_level="I", max_lateness_hours=LATENESS_HOURS)
    available = {(source.id, item): qty for source in depot_sources for item, qty in source.stock.items()}
    available |= {(source.id, source.agreement_item): source.cap for source in agreement_sources}
    snapshot = Snapshot(taken_at, incident.id, version.id, problem, modes, depots, agreements,
                        {f"i{item_id}": item for item_id, item in items.items()},
                        {point.id: int(point.id[1:]) for point in points}, available, fleets, requisitioned, openings)
    snapshot.counts = {"sources": len(problem.sources), "depots": len(depot_sources), "points": len(points),
                       "agreements": len(agreement_sources), "items": len(items), "demand_lines": len(demands),
                       "vehicles": sum(v.count for fleet in fleets.values() for v in fleet),
                       "already_sent_units": sum(sent.values())}
    return snapshot


def _points_and_demands(incident: Incident, version: DemandVersion, taken_at: datetime,
                        sent: dict[tuple[int, int], int]):
    areas = {area.id: area for area in incident.areas}
    wanted = {line.area_id for line in version.lines}
    points = [DemandPoint(f"p{area.id}", area.latitude, area.longitude, area.modes, area.priority)
              for area_id, area in sorted(areas.items()) if area_id in wanted]
    demands = []
    for line in version.lines:
        peak, tail = still_to_send(line.peak_quantity, line.tail_quantity, sent.get((line.area_id, line.item_id), 0))
        if peak + tail == 0:
            continue
        due = _hours(taken_at, line.due_at)
        phases = ((due, peak), (_hours(taken_at, line.tail_due_at), tail)) if tail and peak else None
        due = due if peak else _hours(taken_at, line.tail_due_at)
        demands.append(Demand(f"p{line.area_id}", f"i{line.item_id}", peak + tail, due, phases))
    return points, demands


def still_to_send(peak: int, tail: int, sent: int) -> tuple[int, int]:
    """What is left of a demand line once `sent` units have arrived or are on the road: they answer the peak
    first, since they arrive before anything planned now."""
    from_peak = min(peak, sent)
    return peak - from_peak, max(0, tail - (sent - from_peak))


def already_sent(incident_id: int) -> dict[tuple[int, int], int]:
    """(area id, item id) -> units the incident's shipments delivered or have on the road (rejected and returned
    goods do not count: they never served)."""
    received = (select(ShipmentStop.area_id, ShipmentLine.item_id, func.sum(ShipmentLine.accepted))
                .join(ShipmentStop, ShipmentStop.id == ShipmentLine.stop_id)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(Shipment.incident_id == incident_id, ShipmentLine.accepted.is_not(None))
                .group_by(ShipmentStop.area_id, ShipmentLine.item_id))
    on_the_road = (select(ShipmentStop.area_id, ShipmentLine.item_id, func.sum(ShipmentLine.quantity))
                   .join(ShipmentStop, ShipmentStop.id == ShipmentLine.stop_id)
                   .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                   .where(Shipment.incident_id == incident_id, Shipment.status == ShipmentStatus.IN_TRANSIT,
                          ShipmentStop.received_at.is_(None))
                   .group_by(ShipmentStop.area_id, ShipmentLine.item_id))
    sent: dict[tuple[int, int], int] = {}
    for statement in (received, on_the_road):
        for area_id, item_id, units in Session.execute(statement):
            sent[(area_id, item_id)] = sent.get((area_id, item_id), 0) + int(units or 0)
    return sent


def approved_plan_ids(incident_id: int) -> list[int]:
    return list(Session.scalars(select(Plan.id).where(Plan.incident_id == incident_id,
                                                      Plan.status == PlanStatus.APPROVED)))


def _hours(taken_at: datetime, moment: datetime) -> float:
    return round(max(0.0, (moment - taken_at).total_seconds() / 3600.0), 4)


def _usable_stock(item_ids: list[int], today: date, horizon_hours: float,
                  releasing: list[int]) -> dict[tuple[int, int], int]:
    """(depot id, item id) -> free units of lots still usable on the last day a delivery could arrive, plus margin,
    and what the plans in `releasing` hold of such lots for shipments that have not left."""
    margins = expiry_margins()
    days = math.ceil(horizon_hours / 24.0)
    stock: dict[tuple[int, int], int] = {}
    for item_id in item_ids:
        cutoff = today + timedelta(days=days + margins.get(item_id, DEFAULT_MARGIN_DAYS))
        usable = (Lot.item_id == item_id, Lot.in_transit.is_(False), Depot.status == DepotStatus.ACTIVE,
                  (Lot.expiry_date.is_(None)) | (Lot.expiry_date > cutoff))
        free = Session.execute(select(Lot.depot_id, func.sum(Lot.on_hand - Lot.reserved))
                               .join(Depot, Depot.id == Lot.depot_id).where(*usable, Lot.on_hand > Lot.reserved)
                               .group_by(Lot.depot_id))
        held = Session.execute(select(Lot.depot_id, func.sum(Reservation.quantity))
                               .join(Lot, Lot.id == Reservation.lot_id).join(Depot, Depot.id == Lot.depot_id)
                               .where(*usable, Reservation.holder == "plan", Reservation.holder_id.in_(releasing))
                               .group_by(Lot.depot_id)) if releasing else []
        for depot_id, units in [*free, *held]:
            if units:
                stock[(depot_id, item_id)] = stock.get((depot_id, item_id), 0) + int(units)
    return stock


def _quota_minimums(stock: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    items = {item_id for _depot, item_id in stock}
    if not items:
        return {}
    rows = Session.execute(select(Quota.depot_id, Quota.item_id, Quota.minimum)
                           .where(Quota.item_id.in_(items), Quota.minimum > 0))
    return {(depot_id, item_id): minimum for depot_id, item_id, minimum in rows if (depot_id, item_id) in stock}


def _depot_sources(stock, openings: list[Opening], minimums) -> tuple[dict[str, DepotInfo], list[Source]]:
    depot_ids = sorted({depot_id for depot_id, _item in stock})
    rows = Session.execute(select(Depot.id, Depot.code, Depot.name, Depot.level, Depot.latitude, Depot.longitude,
                                  Region.code).join(Region, Region.id == Depot.region_id)
                           .where(Depot.id.in_(depot_ids))).all() if depot_ids else []
    access = depot_access(depot_ids)
    by_depot: dict[int, dict[str, int]] = {}
    for (depot_id, item_id), qty in stock.items():
        by_depot.setdefault(depot_id, {})[f"i{item_id}"] = qty
    protected_by_depot: dict[int, dict[str, int]] = {}
    for (depot_id, item_id), minimum in minimums.items():
        protected_by_depot.setdefault(depot_id, {})[f"i{item_id}"] = minimum
    infos, sources = {}, []
    for depot_id, code, name, level, lat, lon, region_code in rows:
        level = DepotLevel(level).value
        covering = [o for o in openings if o.covers(level, region_code)]
        sid = f"d{depot_id}"
        infos[sid] = DepotInfo(depot_id, code, name, level, lat, lon)
        protected = protected_by_depot.get(depot_id, {})
        sources.append(Source(sid, "depot", level, lat, lon, frozenset({"road"} | access.get(depot_id, set())),
                              stock=by_depot[depot_id], protected=protected, allowed=bool(covering),
                              release_protected=any(o.releases_protected for o in covering)))
    return infos, sources


def _agreement_sources(item_ids: list[int], openings: list[Opening], today: date, releasing: list[int]):
    """Capacity agreements in force for the demanded items; one may produce when a response covers its region, up
    to what it is not yet bound to produce for someone else."""
    rows = Session.execute(select(CapacityAgreement, Region.code).join(Region, Region.id == CapacityAgreement.region_id)
                           .where(CapacityAgreement.item_id.in_(item_ids), status_clause("active", today))).all() \
        if item_ids else []
    committed = committed_output([agreement.id for agreement, _code in rows], releasing)
    responses = [o for o in openings if o.via == "response"]
    sources, ids = [], {}
    for agreement, region_code in rows:
        local = any(o.region_prefix is not None and region_code.startswith(o.region_prefix) for o in responses)
        national = any(o.region_prefix is None for o in responses)
        sid = f"a{agreement.id}"
        ids[sid] = agreement.id
        # An enterprise inside a responding region answers to it; one elsewhere only to national coordination.
        sources.append(Source(sid, "agreement", "provincial" if local else "central", agreement.latitude,
                              agreement.longitude,
                              frozenset({"road"}), agreement_item=f"i{agreement.item_id}",
                              daily_capacity=agreement.daily_capacity, lead_time_hours=agreement.lead_time_hours,
                              cap=max(0, agreement.max_quantity - committed.get(agreement.id, 0)),
                              allowed=local or national))
    return sources, ids


def _fleets(incident_id: int, depots: dict[str, DepotInfo], road: ModeParams):
    """Vehicles per depot source. No truck beats the road model's average speed, so a direct trip arrives exactly
    when the allocation assumed and a round trip never earlier."""
    by_depot = {info.depot_id: sid for sid, info in depots.items()}
    fleets: dict[str, list[VehicleType]] = {sid: [] for sid in depots}
    for depot_id, vehicles in depot_fleets(list(by_depot)).items():
        fleets[by_depot[depot_id]] += [VehicleType(f"v{v.id}", v.count, float(v.capacity_kg), float(v.capacity_m3),
                                                   min(float(v.speed_kmh), road.speed_kmh), float(v.fixed_cost),
                                                   float(v.cost_per_km)) for v in vehicles]
    requisitioned = {}
    for vehicle in requisitioned_vehicles(incident_id):
        sid = by_depot.get(vehicle.depot_id)
        if sid is not None:
            fleets[sid].append(_requisitioned_type(vehicle, road))
            requisitioned[f"r{vehicle.id}"] = vehicle.id
    return fleets, requisitioned


def _requisitioned_type(vehicle: RequisitionedVehicle, road: ModeParams) -> VehicleType:
    return VehicleType(f"r{vehicle.id}", 1, float(vehicle.capacity_kg), float(vehicle.capacity_m3),
                       min(float(vehicle.speed_kmh), road.speed_kmh), float(vehicle.fixed_cost),
                       float(vehicle.cost_per_km))
