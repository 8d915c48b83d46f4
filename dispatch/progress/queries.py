"""How an incident's relief is going: per area and item what was demanded, planned, is on the road and was
delivered; the same over time; how much basic-living demand arrived within its due time; shipments overdue.

The figures, all in the item's base unit:
- demand: the incident's latest demand version;
- planned: the lines of the plan approved now (a re-plan covers only what was still to send when it was made);
- in transit: shipment lines that have left and whose stop has not yet received them (a shipment turned back
  brings its goods home, so they are no longer in transit);
- delivered: what a stop accepted at receipt; rejected units are not delivered.
Shipments of every plan of the incident count, superseded ones too: the goods went where they went.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core import clock
from core.db import Session
from dispatch.demand.models import DemandLine, DemandVersion
from dispatch.demand.queries import current_version, norms_in_force
from dispatch.incidents.models import AffectedArea, Incident
from dispatch.incidents.queries import get_incident
from dispatch.plans.models import Plan, PlanLine, PlanStatus
from dispatch.shipments.models import Shipment, ShipmentLine, ShipmentStatus, ShipmentStop
from dispatch.shipments.queries import overdue_clause
from inventory.network.models import Item

Key = tuple[int, int]  # (area id, item id)
MAX_TIMELINE_POINTS = 48
STEP_MINUTES = (1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)  # a busy timeline sums steps
OVERDUE_SHOWN = 50


@dataclass
class Figures:
    demand: int = 0
    planned: int = 0
    in_transit: int = 0
    delivered: int = 0

    def add(self, other: Figures) -> None:
        self.demand += other.demand
        self.planned += other.planned
        self.in_transit += other.in_transit
        self.delivered += other.delivered


@dataclass
class ItemProgress:
    item: Item
    figures: Figures


@dataclass
class OnTime:
    """Basic-living demand and the part of it delivered within its due time."""

    demand: int = 0
    on_time: int = 0

    @property
    def share(self) -> float | None:
        return round(self.on_time / self.demand, 4) if self.demand else None

    def add(self, demand: int, on_time: int) -> None:
        self.demand += demand
        self.on_time += on_time


@dataclass
class AreaProgress:
    area: AffectedArea
    items: list[ItemProgress] = field(default_factory=list)
    basic_living: OnTime = field(default_factory=OnTime)


@dataclass
class TimelinePoint:
    """Units dispatched and delivered in all, up to and including `at`."""

    at: datetime
    dispatched: int
    delivered: int


@dataclass
class Timeline:
    points: list[TimelinePoint]
    step_minutes: int | None  # None: a point per moment something happened


@dataclass
class OverdueShipment:
    shipment: Shipment
    expected_at: datetime       # when the first stop still waiting expected it
    waiting: list[AffectedArea]  # the stops still waiting, in the order the vehicle reaches them

    @property
    def late_hours(self) -> float:
        return round((clock.utcnow() - self.expected_at).total_seconds() / 3600, 1)


@dataclass
class Progress:
    incident: Incident
    version: DemandVersion | None
    plan: Plan | None
    as_of: datetime
    totals: Figures
    areas: list[AreaProgress]
    basic_living: OnTime
    basic_due_times: list[datetime]
    timeline: Timeline
    overdue: list[OverdueShipment]
    overdue_total: int


def incident_progress(incident_id: int) -> Progress:
    """The follow-up figures of one incident as of now (NotFoundError for an unknown incident)."""
    incident = get_incident(incident_id)
    version, plan = current_version(incident_id), approved_plan(incident_id)
    demand = {(line.area_id, line.item_id): line for line in version.lines} if version else {}
    deliveries = delivery_moments(incident_id)
    figures = _figures(demand, planned_quantities(plan.id) if plan else {}, in_transit_quantities(incident_id),
                       deliveries)
    basic = _basic_living_items(incident_id)
    areas = _areas(incident, figures, demand, deliveries, basic)
    overdue, overdue_total = overdue_shipments(incident_id)
    return Progress(incident, version, plan, clock.utcnow(), _totals(areas), areas, _on_time(areas),
                    sorted({line.due_at for (_area_id, item_id), line in demand.items() if item_id in basic}),
                    timeline(incident.started_at, dispatch_moments(incident_id),
                             [moment for moments in deliveries.values() for moment in moments]),
                    overdue, overdue_total)


def _totals(areas: list[AreaProgress]) -> Figures:
    totals = Figures()
    for area in areas:
        for row in area.items:
            totals.add(row.figures)
    return totals


def _on_time(areas: list[AreaProgress]) -> OnTime:
    overall = OnTime()
    for area in areas:
        overall.add(area.basic_living.demand, area.basic_living.on_time)
    return overall


def approved_plan(incident_id: int) -> Plan | None:
    return Session.scalar(select(Plan).where(Plan.incident_id == incident_id, Plan.status == PlanStatus.APPROVED)
                          .order_by(Plan.approved_at.desc()).limit(1))


def planned_quantities(plan_id: int) -> dict[Key, int]:
    rows = Session.execute(select(PlanLine.area_id, PlanLine.item_id, func.sum(PlanLine.quantity))
                           .where(PlanLine.plan_id == plan_id).group_by(PlanLine.area_id, PlanLine.item_id))
    return {(area_id, item_id): int(quantity) for area_id, item_id, quantity in rows}


def _shipment_lines(incident_id: int):
    return (select(ShipmentStop.area_id, ShipmentLine.item_id)
            .join(ShipmentStop, ShipmentStop.id == ShipmentLine.stop_id)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.incident_id == incident_id))


def in_transit_quantities(incident_id: int) -> dict[Key, int]:
    statement = (_shipment_lines(incident_id).add_columns(func.sum(ShipmentLine.quantity))
                 .where(Shipment.status == ShipmentStatus.IN_TRANSIT, ShipmentStop.received_at.is_(None))
                 .group_by(ShipmentStop.area_id, ShipmentLine.item_id))
    return {(area_id, item_id): int(quantity) for area_id, item_id, quantity in Session.execute(statement)}


def delivery_moments(incident_id: int) -> dict[Key, list[tuple[datetime, int]]]:
    """Per area and item, the units accepted at each receipt, earliest first."""
    statement = (_shipment_lines(incident_id).add_columns(ShipmentStop.received_at, func.sum(ShipmentLine.accepted))
                 .where(ShipmentStop.received_at.is_not(None), ShipmentLine.accepted > 0)
                 .group_by(ShipmentStop.area_id, ShipmentLine.item_id, ShipmentStop.received_at)
                 .order_by(ShipmentStop.received_at))
    moments: dict[Key, list[tuple[datetime, int]]] = defaultdict(list)
    for area_id, item_id, received_at, accepted in Session.execute(statement):
        moments[(area_id, item_id)].append((received_at, int(accepted)))
    return moments


def dispatch_moments(incident_id: int) -> list[tuple[datetime, int]]:
    """The units that left their sources at each departure (turned back later or not: they left)."""
    statement = (select(Shipment.dispatched_at, func.sum(ShipmentLine.quantity))
                 .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
                 .where(Shipment.incident_id == incident_id, Shipment.dispatched_at.is_not(None))
                 .group_by(Shipment.dispatched_at).order_by(Shipment.dispatched_at))
    return [(at, int(quantity)) for at, quantity in Session.execute(statement)]


def _figures(demand: dict[Key, DemandLine], planned: dict[Key, int], on_the_road: dict[Key, int],
             deliveries: dict[Key, list[tuple[datetime, int]]]) -> dict[Key, Figures]:
    keys = set(demand) | set(planned) | set(on_the_road) | set(deliveries)
    return {key: Figures(demand[key].quantity if key in demand else 0, planned.get(key, 0), on_the_road.get(key, 0),
                         sum(quantity for _at, quantity in deliveries.get(key, ()))) for key in keys}


def _basic_living_items(incident_id: int) -> set[int]:
    """Items whose norm in force for the incident (its own, else the default) marks them basic living."""
    return {norm.item.id for norm in norms_in_force(incident_id) if norm.basic_living}


def _areas(incident: Incident, figures: dict[Key, Figures], demand: dict[Key, DemandLine],
           deliveries: dict[Key, list[tuple[datetime, int]]], basic: set[int]) -> list[AreaProgress]:
    items = _items({item_id for _area_id, item_id in figures})
    areas = {area.id: AreaProgress(area) for area in incident.areas}
    for (area_id, item_id), row in sorted(figures.items(), key=lambda entry: (entry[0][0], items[entry[0][1]].code)):
        areas[area_id].items.append(ItemProgress(items[item_id], row))
        line = demand.get((area_id, item_id))
        if line is not None and item_id in basic:
            areas[area_id].basic_living.add(line.quantity, on_time_units(line, deliveries.get((area_id, item_id), [])))
    return list(areas.values())


def _items(item_ids: set[int]) -> dict[int, Item]:
    if not item_ids:
        return {}
    return {item.id: item for item in Session.scalars(select(Item).where(Item.id.in_(sorted(item_ids))))}


def on_time_units(line: DemandLine, deliveries: list[tuple[datetime, int]]) -> int:
    """Units of a demand line delivered within their due time. Deliveries fill the peak first and then the tail:
    the peak counts what had arrived by `due_at`, the tail what arrived beyond the peak by `tail_due_at`; neither
    counts more than it asked for."""
    peak = min(line.peak_quantity, delivered_by(deliveries, line.due_at))
    if not line.tail_quantity:
        return peak
    beyond_peak = delivered_by(deliveries, line.tail_due_at) - line.peak_quantity
    return peak + min(line.tail_quantity, max(0, beyond_peak))


def delivered_by(deliveries: list[tuple[datetime, int]], moment: datetime) -> int:
    return sum(quantity for at, quantity in deliveries if at <= moment)


def timeline(origin: datetime, dispatches: list[tuple[datetime, int]],
             deliveries: list[tuple[datetime, int]]) -> Timeline:
    """Cumulative units dispatched and delivered: a point per moment something happened, or, when there are
    more than MAX_TIMELINE_POINTS of them, per step of minutes counted from `origin`, the shortest step that keeps
    within that many points (each point at the last moment of its step, so its figures are exact as of it)."""
    events = sorted([(at, quantity, 0) for at, quantity in dispatches] +
                    [(at, 0, quantity) for at, quantity in deliveries], key=lambda event: event[0])
    origin = min([origin] + [event[0] for event in events[:1]])
    minutes = _step_minutes(origin, events)
    points, dispatched, delivered = [], 0, 0
    for _step, group in groupby(events, key=_step_key(origin, minutes)):
        group = list(group)
        dispatched += sum(event[1] for event in group)
        delivered += sum(event[2] for event in group)
        points.append(TimelinePoint(group[-1][0], dispatched, delivered))
    return Timeline(points, minutes)


def _step_minutes(origin: datetime, events: list[tuple[datetime, int, int]]) -> int | None:
    """None while there are few enough moments to show each; else the shortest step that keeps to the limit."""
    if len({event[0] for event in events}) <= MAX_TIMELINE_POINTS:
        return None
    span = (events[-1][0] - origin) / timedelta(minutes=1)
    return next((minutes for minutes in STEP_MINUTES if span / minutes < MAX_TIMELINE_POINTS - 1),
                ceil(span / (MAX_TIMELINE_POINTS - 1)) + 1)


def _step_key(origin: datetime, minutes: int | None):
    """What groups the events into points: the moment itself, or the number of its step since `origin`."""
    if minutes is None:
        return lambda event: event[0]
    return lambda event: (event[0] - origin) // timedelta(minutes=minutes)


def overdue_shipments(incident_id: int) -> tuple[list[OverdueShipment], int]:
    """The incident's overdue shipments, the longest waited for first (at most OVERDUE_SHOWN), and how many
    there are in all."""
    waiting_since = (select(func.min(ShipmentStop.expected_arrival_at))
                     .where(ShipmentStop.shipment_id == Shipment.id, ShipmentStop.received_at.is_(None))
                     .correlate(Shipment).scalar_subquery())
    condition = (Shipment.incident_id == incident_id, overdue_clause())
    total = Session.scalar(select(func.count(Shipment.id)).where(*condition)) or 0
    shipments = Session.scalars(select(Shipment).where(*condition).order_by(waiting_since, Shipment.id)
                                .limit(OVERDUE_SHOWN)
                                .options(joinedload(Shipment.depot), joinedload(Shipment.agreement),
                                         selectinload(Shipment.stops).joinedload(ShipmentStop.area),
                                         selectinload(Shipment.lines)))
    return [_overdue(shipment) for shipment in shipments], total


def _overdue(shipment: Shipment) -> OverdueShipment:
    waiting = [stop for stop in shipment.stops if stop.received_at is None]
    return OverdueShipment(shipment, min(stop.expected_arrival_at for stop in waiting),
                           [stop.area for stop in waiting])

