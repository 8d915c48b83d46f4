"""A plan's shipments from approval to delivery: made and reserved at approval, loaded, dispatched, received stop
by stop, turned back or cancelled. Every change is one unit of work and leaves the ledger and the reservations
exact.

Stock of a shipment from a depot is reserved lot by lot for its lines when the plan is approved (holder "plan",
one reservation per shipment line). Dispatching takes the reserved stock out of its lots into transit (kept on the
depot's books); each stop's receipt takes it off the road again: delivered to the people (or received into the
area's depot), written off when damaged, missing or expired, or back into its lot when refused for another reason.
A shipment from an enterprise carries no lots; what a stop accepts is recorded as output of the agreement.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import clock
from core.access import can_act_at, ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, PermissionDeniedError, refuse_lines
from core.models import Role, User
from dispatch.fleet.models import Mode
from dispatch.fleet.queries import mode_params, planned_vehicle
from dispatch.incidents.services import PLANNERS
from dispatch.labels import REJECT_REASON_LABELS
from dispatch.plans.models import Plan, PlanLine, PlanRoute, SourceKind
from dispatch.settlement import services as settlement
from dispatch.shipments.models import (
    OPEN_STATUSES,
    RejectReason,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShipmentStop,
)
from dispatch.shipments.queries import get_shipment
from inventory.agreements import services as agreements
from inventory.stock.models import DocumentKind, Lot, MovementKind
from inventory.stock.picking import Pick
from inventory.stock.services import transit
from inventory.stock.services.ledger import hold, holds, let_go, lock_lots, new_document

HOLDER = "plan"  # reservations of a shipment line: holder "plan", holder_id the plan, line_id the shipment line
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_TEXT = {"carrier": 200, "vehicle": 120, "plate": 20, "driver_name": 80, "driver_phone": 40, "signed_by": 80,
            "note": 1000, "reason": 1000}


# Approval: the plan's shipments and what they hold.

@dataclass
class _Portion:
    """Stock still to be placed on shipments for one plan line: `quantity` of `lot` (none from an enterprise)."""

    lot: Lot | None
    quantity: int


@dataclass
class _Direct:
    """Lines that travel together without a routed vehicle: one source, one area, one mode (and, from an
    enterprise, one demand period: its output comes day by day)."""

    lines: list[tuple[PlanLine, int]] = field(default_factory=list)  # (line, quantity not carried by a route)


def create_for_plan(plan: Plan, picks: dict[int, list[Pick[Lot]]], actor: User, now: datetime) -> list[Shipment]:
    """Turn an approved plan into shipments: one per vehicle route, one per source and area by rail, air or from an
    enterprise; reserve their lots; activate the agreements the plan draws on."""
    portions = {line.id: deque([_Portion(p.lot, p.quantity) for p in picks.get(line.id, [])]
                               or [_Portion(None, line.quantity)]) for line in plan.lines}
    lines = {line.id: line for line in plan.lines}
    routed: dict[int, int] = defaultdict(int)
    created = []
    for route in plan.routes:
        created.append(_road_shipment(plan, route, lines, portions, actor, now))
        for stop in route.stops:
            for load in stop.loads:
                routed[load.line_id] += load.quantity
    for index, group in enumerate(_direct_groups(plan, routed).values(), start=1):
        created.append(_direct_shipment(plan, group, index, portions, actor, now))
    Session.add_all(created)
    Session.flush()
    _hold_stock(plan, created)
    _activate_agreements(plan, actor, now)
    return created


def _road_shipment(plan: Plan, route: PlanRoute, lines: dict[int, PlanLine], portions, actor: User,
                   now: datetime) -> Shipment:
    carrier, vehicle, plate, driver, phone = _road_vehicle(route)
    document = new_document(route.depot, DocumentKind.SHIPMENT, actor, occurred_at=now, reason=_relief_reason(plan),
                            counterparty=_areas_text([stop.area.name for stop in route.stops]))
    shipment = Shipment(
        number=waybill_number(document), plan_id=plan.id, incident_id=plan.incident_id, source_kind=SourceKind.DEPOT,
        depot_id=route.depot_id, document=document, mode=Mode.ROAD, route_id=route.id, carrier=carrier,
        vehicle=vehicle, plate=plate, driver_name=driver, driver_phone=phone,
        requisitioned_vehicle_id=route.requisitioned_vehicle_id, distance_km=route.distance_km,
        weight_kg=sum((stop.weight_kg for stop in route.stops), Decimal("0")),
        volume_m3=sum((stop.volume_m3 for stop in route.stops), Decimal("0")), planned_cost=route.cost,
        tonne_km=_tonne_km([(lines[load.line_id], load.quantity) for stop in route.stops for load in stop.loads]),
        expected_arrival_at=now)
    for stop in route.stops:
        shipment_stop = _stop(shipment, stop.sequence, stop.area_id, stop.arrival_hours, now)
        for load in stop.loads:
            _add_lines(shipment, shipment_stop, lines[load.line_id], load.quantity, portions)
    shipment.expected_arrival_at = shipment.stops[-1].expected_arrival_at
    return shipment


def waybill_number(document) -> str:
    """Document numbers run per depot; a waybill's must be unique across the network."""
    return f"{document.number}-{document.depot.code}"


def _road_vehicle(route: PlanRoute) -> tuple[str, str, str | None, str | None, str | None]:
    """Carrier, vehicle, plate, driver and phone as far as the plan knows them (a requisitioned vehicle's all)."""
    requisitioned = route.requisitioned_vehicle
    if requisitioned is not None:
        return (requisitioned.owner, requisitioned.vehicle_type, requisitioned.plate, requisitioned.driver_name,
                requisitioned.driver_phone)
    vehicle = planned_vehicle(route.vehicle_type)
    return route.depot.name, vehicle.vehicle_type if vehicle else route.vehicle_type, None, None, None


def _direct_groups(plan: Plan, routed: dict[int, int]) -> dict[tuple, _Direct]:
    groups: dict[tuple, _Direct] = defaultdict(_Direct)
    for line in plan.lines:
        left = line.quantity - routed.get(line.id, 0)
        if left <= 0:
            continue
        period = line.period if line.source_kind == SourceKind.AGREEMENT else 0
        key = (line.source_kind, line.depot_id, line.agreement_id, line.area_id, line.mode, period)
        groups[key].lines.append((line, left))
    return groups


def _direct_shipment(plan: Plan, group: _Direct, index: int, portions, actor: User, now: datetime) -> Shipment:
    first = group.lines[0][0]
    travel, ready = _direct_hours(group)
    shipment = Shipment(
        plan_id=plan.id, incident_id=plan.incident_id, source_kind=first.source_kind, depot_id=first.depot_id,
        agreement_id=first.agreement_id, mode=first.mode, carrier=_direct_carrier(first), vehicle="",
        distance_km=Decimal(str(round(max(_line_km(line) for line, _q in group.lines), 1))),
        weight_kg=sum((line.item.unit_weight_kg * quantity for line, quantity in group.lines), Decimal("0")),
        volume_m3=sum((line.item.unit_volume_m3 * quantity for line, quantity in group.lines), Decimal("0")),
        planned_cost=sum((line.cost * quantity / line.quantity for line, quantity in group.lines), Decimal("0"))
        .quantize(Decimal("0.01")), tonne_km=_tonne_km(group.lines), ready_hours=ready, expected_arrival_at=now)
    if first.depot is not None:
        document = new_document(first.depot, DocumentKind.SHIPMENT, actor, occurred_at=now,
                                reason=_relief_reason(plan), counterparty=_areas_text([first.area.name]))
        shipment.document, shipment.number = document, waybill_number(document)
    else:
        shipment.number = f"YD-{plan.incident_id}-{plan.number}-E{index:03d}"
    stop = _stop(shipment, 1, first.area_id, travel, now + timedelta(hours=ready))
    for line, quantity in group.lines:
        _add_lines(shipment, stop, line, quantity, portions)
    shipment.expected_arrival_at = stop.expected_arrival_at
    return shipment


def _direct_hours(group: _Direct) -> tuple[float, float]:
    """(travel hours from departure, hours after approval the goods are ready to leave): a depot's leave at once;
    an enterprise's after its lead time and production, as the plan's arrival says."""
    arrival = max(line.arrival_hours for line, _q in group.lines)
    first = group.lines[0][0]
    if first.source_kind == SourceKind.DEPOT:
        return arrival, 0.0
    road = mode_params()["road"]
    travel = max(_line_km(line) for line, _q in group.lines) / road.speed_kmh + road.handling_hours
    return min(travel, arrival), max(0.0, arrival - travel)


def _line_km(line: PlanLine) -> float:
    """The distance a line travels, from its tonne-kilometres (the plan keeps those, not the kilometres)."""
    tonnes = float(line.item.unit_weight_kg) * line.quantity / 1000.0
    return float(line.tonne_km) / tonnes if tonnes > 0 else 0.0


def _tonne_km(parts: list[tuple[PlanLine, int]]) -> Decimal:
    total = sum((line.tonne_km * quantity / line.quantity for line, quantity in parts), Decimal("0"))
    return total.quantize(Decimal("0.001"))


def _direct_carrier(line: PlanLine) -> str:
    if line.agreement is not None:
        return line.agreement.enterprise_name
    return line.depot.name if line.mode == Mode.ROAD else ""  # a railway or airline is named at loading


def _stop(shipment: Shipment, sequence: int, area_id: int, travel_hours: float, leaves_at: datetime) -> ShipmentStop:
    stop = ShipmentStop(sequence=sequence, area_id=area_id, travel_hours=travel_hours,
                        expected_arrival_at=leaves_at + timedelta(hours=travel_hours))
    shipment.stops.append(stop)
    return stop


def _add_lines(shipment: Shipment, stop: ShipmentStop, line: PlanLine, quantity: int, portions) -> None:
    """Place `quantity` of a plan line on the shipment, lot by lot in the order the approval picked them."""
    queue = portions[line.id]
    while quantity > 0:
        portion = queue[0]
        take = min(portion.quantity, quantity)
        shipment.lines.append(ShipmentLine(stop=stop, plan_line_id=line.id, item_id=line.item_id, lot=portion.lot,
                                           quantity=take))
        portion.quantity -= take
        quantity -= take
        if portion.quantity == 0:
            queue.popleft()


def _hold_stock(plan: Plan, shipments: list[Shipment]) -> None:
    """One reservation per shipment line that carries a lot; one conditional UPDATE per lot."""
    by_lot: dict[int, list[tuple[ShipmentLine, Shipment]]] = defaultdict(list)
    for shipment in shipments:
        for line in shipment.lines:
            if line.lot is not None:
                by_lot[line.lot.id].append((line, shipment))
    for parts in by_lot.values():
        labelled = [(line.quantity, line.id, _reservation_label(plan, shipment)) for line, shipment in parts]
        hold(parts[0][0].lot, labelled, HOLDER, plan.id)


def _reservation_label(plan: Plan, shipment: Shipment) -> str:
    return f"{shipment.number} · {plan.incident.title} #{plan.number}"[:200]


def _activate_agreements(plan: Plan, actor: User, now: datetime) -> None:
    ordered: dict[int, int] = defaultdict(int)
    for line in plan.lines:
        if line.agreement_id is not None:
            ordered[line.agreement_id] += line.quantity
    for agreement_id, quantity in sorted(ordered.items()):
        agreements.activate(agreement_id, quantity, actor, f"{plan.incident.title} #{plan.number}"[:200],
                            plan_id=plan.id, activated_at=now)


def _relief_reason(plan: Plan) -> str:
    return f"{plan.incident.title} #{plan.number}"


def _areas_text(names: list[str]) -> str:
    return "、".join(dict.fromkeys(names))[:200]


# Releasing what shipments that never left still hold.

def cancel_open_shipments(plan: Plan, actor: User | None, now: datetime, reason: str) -> None:
    """The plan stops: its shipments not yet on the road are cancelled and release their stock; its agreements'
    orders are withdrawn (output already received stays recorded)."""
    open_shipments = list(Session.scalars(select(Shipment).where(Shipment.plan_id == plan.id,
                                                                 Shipment.status.in_(OPEN_STATUSES))
                                          .options(selectinload(Shipment.lines))))
    _release([line.id for shipment in open_shipments for line in shipment.lines], plan.id)
    for shipment in open_shipments:
        _close(shipment, ShipmentStatus.CANCELLED, actor, now, reason)
    for activation in agreements.plan_activations(plan.id):
        agreements.withdraw(activation, now)


def _release(shipment_line_ids: list[int], plan_id: int) -> None:
    held = holds(HOLDER, plan_id, shipment_line_ids)
    lock_lots(reservation.lot for reservation in held)
    for reservation in held:
        let_go(reservation)


def _close(shipment: Shipment, status: ShipmentStatus, actor: User | None, now: datetime, reason: str) -> None:
    shipment.status, shipment.closed_at, shipment.close_reason = status, now, reason
    shipment.closed_by_id = actor.id if actor is not None else None


@unit_of_work
def cancel_shipment(shipment_id: int, actor: User, reason: str) -> Shipment:
    """A shipment that has not left is called off; its stock is free again (the plan's other shipments go on)."""
    ensure_role(actor, *PLANNERS)
    shipment = _locked(shipment_id)
    if shipment.status not in OPEN_STATUSES:
        raise ConflictError(_("Waybill %(number)s has left already; turn it back instead.", number=shipment.number))
    reason = _required_text(reason, "reason")
    _release([line.id for line in shipment.lines], shipment.plan_id)
    _close(shipment, ShipmentStatus.CANCELLED, actor, clock.utcnow(), reason)
    return shipment


# Loading and dispatching.

@dataclass
class VehicleDetails:
    """What the waybill names about the vehicle; None leaves a value as it is."""

    carrier: str | None = None
    vehicle: str | None = None
    plate: str | None = None
    driver_name: str | None = None
    driver_phone: str | None = None


@unit_of_work
def start_loading(shipment_id: int, actor: User, details: VehicleDetails) -> Shipment:
    """The vehicle is at the source and being loaded: name it, its driver and the carrier."""
    shipment = _locked(shipment_id)
    _ensure_may_load(actor, shipment)
    if shipment.status not in OPEN_STATUSES:
        raise ConflictError(_("Waybill %(number)s is %(status)s.", number=shipment.number,
                              status=shipment.status.value))
    _apply_details(shipment, details)
    if shipment.status == ShipmentStatus.PLANNED:
        shipment.status, shipment.loading_at = ShipmentStatus.LOADING, clock.utcnow()
    return shipment


@unit_of_work
def dispatch_shipment(shipment_id: int, actor: User, details: VehicleDetails | None = None,
                      occurred_at: datetime | None = None) -> Shipment:
    """The shipment leaves: its reserved stock goes from its lots into transit, and its stops are timed from now."""
    shipment = _locked(shipment_id)
    _ensure_may_load(actor, shipment)
    if shipment.status not in OPEN_STATUSES:
        raise ConflictError(_("Waybill %(number)s is %(status)s; only a planned or loading shipment can leave.",
                              number=shipment.number, status=shipment.status.value))
    _apply_details(shipment, details or VehicleDetails())
    _ensure_named(shipment)
    when = _moment(occurred_at, shipment.plan.approved_at, "occurred_at")
    if shipment.document is not None:
        _take_reserved_stock(shipment, actor, when)
    for stop in shipment.stops:
        stop.expected_arrival_at = when + timedelta(hours=stop.travel_hours)
    shipment.expected_arrival_at = shipment.stops[-1].expected_arrival_at
    shipment.status, shipment.dispatched_at, shipment.dispatched_by_id = ShipmentStatus.IN_TRANSIT, when, actor.id
    return shipment


def _take_reserved_stock(shipment: Shipment, actor: User, when: datetime) -> None:
    held = {reservation.line_id: reservation for reservation in holds(HOLDER, shipment.plan_id,
                                                                        [line.id for line in shipment.lines])}
    transit.lock_for_sending([line.lot for line in shipment.lines])
    reason = _("relief dispatch, waybill %(number)s", number=shipment.number)
    for line in shipment.lines:
        reservation = held.get(line.id)
        if reservation is None or reservation.quantity != line.quantity:
            raise ConflictError(_("The stock reserved for waybill %(number)s is no longer held; cancel it and plan "
                                  "again.", number=shipment.number))
        transit.send(shipment.document, line.lot, line.quantity, actor, MovementKind.DISPATCH,
                     release_reserved=line.quantity, occurred_at=when, reason=reason)
        let_go(reservation, released_by_movement=True)


def _apply_details(shipment: Shipment, details: VehicleDetails) -> None:
    errors = {}
    for name in ("carrier", "vehicle", "plate", "driver_name", "driver_phone"):
        value = getattr(details, name)
        if value is None:
            continue
        value = value.strip()
        if len(value) > MAX_TEXT[name]:
            errors[name] = [_("At most %(limit)s characters.", limit=MAX_TEXT[name])]
            continue
        setattr(shipment, name, value if name in ("carrier", "vehicle") else value or None)
    if errors:
        raise DomainError(_("Some vehicle details are too long."), errors)


def _ensure_named(shipment: Shipment) -> None:
    """A truck leaves with its plate and driver on the waybill; a train or flight with its carrier."""
    missing = {}
    if shipment.mode == Mode.ROAD and shipment.source_kind == SourceKind.DEPOT:
        for name in ("plate", "driver_name", "driver_phone"):
            if not getattr(shipment, name):
                missing[name] = [_("Required before the vehicle leaves.")]
    if not shipment.carrier:
        missing["carrier"] = [_("Required before the shipment leaves.")]
    if missing:
        raise DomainError(_("Name the vehicle, driver and carrier on the waybill before it leaves."), missing)


# Receiving.

@dataclass
class ReceivedLine:
    line_id: int
    accepted: int
    rejected: int | None = None   # None: the rest of the line
    reason: str | None = None     # a RejectReason value, required when anything is rejected
    note: str | None = None


@dataclass
class StopReceipt:
    lines: list[ReceivedLine]
    stop_id: int | None = None    # None: the first stop not yet received
    signed_by: str | None = None
    note: str | None = None
    occurred_at: datetime | None = None


@unit_of_work
def receive_stop(shipment_id: int, receipt: StopReceipt, actor: User) -> Shipment:
    """A stop confirms what it received, line by line: accepted, and rejected with a reason. The last stop's
    receipt delivers the shipment and prices it for settlement."""
    shipment = _locked(shipment_id)
    if shipment.status != ShipmentStatus.IN_TRANSIT:
        raise ConflictError(_("Waybill %(number)s is %(status)s; only a shipment on the road can be received.",
                              number=shipment.number, status=shipment.status.value))
    stop = _stop_to_receive(shipment, receipt.stop_id)
    _ensure_may_receive(actor, shipment)
    when = _moment(receipt.occurred_at, shipment.dispatched_at, "occurred_at")
    checked = _checked_receipt(shipment, stop, receipt.lines)
    if shipment.document is not None:
        _book_receipt(shipment, stop, checked, actor, when)
    else:
        _record_output(shipment, checked, actor, when)
    stop.received_at, stop.received_by_id = when, actor.id
    stop.signed_by = _optional_text(receipt.signed_by, "signed_by")
    stop.note = _optional_text(receipt.note, "note")
    if all(s.received_at is not None for s in shipment.stops):
        shipment.status, shipment.delivered_at = ShipmentStatus.DELIVERED, when
        settlement.settle(shipment)
    return shipment


def _stop_to_receive(shipment: Shipment, stop_id: int | None) -> ShipmentStop:
    waiting = [stop for stop in shipment.stops if stop.received_at is None]
    if stop_id is None:
        return waiting[0]
    stop = next((stop for stop in shipment.stops if stop.id == stop_id), None)
    if stop is None:
        raise DomainError(_("That stop is not on waybill %(number)s.", number=shipment.number),
                          {"stop_id": [_("Not a stop of this shipment.")]})
    if stop.received_at is not None:
        raise ConflictError(_("%(area)s has already confirmed its receipt.", area=stop.area.name),
                            {"stop_id": [_("Already received.")]})
    return stop


def _checked_receipt(shipment: Shipment, stop: ShipmentStop, reported: list[ReceivedLine]):
    """Every line of the stop exactly once, each unit accepted or rejected, a reason for what is rejected."""
    expected = {line.id: line for line in shipment.lines if line.stop_id == stop.id}
    seen, errors, checked = set(), [], []
    for index, report in enumerate(reported):
        path = LinePath(index)
        line = expected.get(report.line_id)
        if line is None or report.line_id in seen:
            errors.append(DomainError(_("Line %(id)s is not a line of this stop, or is given twice.",
                                        id=report.line_id), path.error("line_id", _("Not a line of this stop."))))
            continue
        seen.add(report.line_id)
        try:
            checked.append((line, *_checked_quantities(line, report, path)))
        except DomainError as error:
            errors.append(error)
    missing = [line for line_id, line in expected.items() if line_id not in seen]
    if missing:
        errors.append(DomainError(_("Confirm every line unloaded at %(area)s (%(count)s missing).",
                                    area=stop.area.name, count=len(missing)),
                                  {"lines": [_("Every line of the stop, each once.")]}))
    if errors:
        raise refuse_lines(errors)
    return checked


def _checked_quantities(line: ShipmentLine, report: ReceivedLine, path: LinePath):
    accepted = report.accepted
    rejected = line.quantity - accepted if report.rejected is None else report.rejected
    if accepted < 0 or rejected < 0 or accepted + rejected != line.quantity:
        raise DomainError(_("Accepted and rejected must add up to the %(quantity)s shipped.", quantity=line.quantity),
                          path.error("accepted", _("Between 0 and %(quantity)s, with the rejected making up the "
                                                   "rest.", quantity=line.quantity)))
    reason = None
    if rejected:
        try:
            reason = RejectReason(report.reason or "")
        except ValueError:
            raise DomainError(_("Say why part of the line was rejected."),
                              path.error("reason", _("Choose a reason."))) from None
    return accepted, rejected, reason, _optional_text(report.note, "note")


def _book_receipt(shipment: Shipment, stop: ShipmentStop, checked, actor: User, when: datetime) -> None:
    """Take the stop's goods off the road: delivered (or into the area's depot), written off, or back in stock."""
    lock_lots([line.lot for line, *_rest in checked] + [transit.transit_lot(line.lot) for line, *_rest in checked])
    depot = stop.area.receiving_depot
    delivered = _("delivered to %(area)s, waybill %(number)s", area=stop.area.name, number=shipment.number)
    for line, accepted, rejected, reason, note in checked:
        if accepted and depot is not None:
            transit.receive_into(shipment.document, line.lot, depot, accepted, actor, occurred_at=when,
                                 reason=delivered)
        elif accepted:
            transit.arrive(shipment.document, line.lot, accepted, actor, occurred_at=when, reason=delivered,
                           kind=MovementKind.DELIVERY)
        if rejected:
            _book_rejected(shipment, line, rejected, reason, note, actor, when)
        line.accepted, line.rejected, line.reject_reason, line.note = accepted, rejected, reason, note


def _book_rejected(shipment, line: ShipmentLine, rejected: int, reason: RejectReason, note: str | None, actor: User,
                   when: datetime) -> None:
    text = _("rejected at the stop (%(reason)s), waybill %(number)s", reason=REJECT_REASON_LABELS[reason],
             number=shipment.number)
    text = f"{text}: {note}" if note else text
    if reason.written_off:
        transit.arrive(shipment.document, line.lot, rejected, actor, occurred_at=when, reason=text,
                       kind=MovementKind.LOSS)
    else:
        transit.bring_back(shipment.document, line.lot, rejected, actor, occurred_at=when, reason=text)


def _record_output(shipment: Shipment, checked, actor: User, when: datetime) -> None:
    """An enterprise's goods: what the stop accepted is output received against the plan's activation."""
    activation = agreements.plan_activation(shipment.agreement_id, shipment.plan_id)
    accepted = sum(accepted for _line, accepted, *_rest in checked)
    if accepted and activation is not None:
        agreements.record_output(activation, accepted, actor, when, reference=shipment.number)
    for line, accepted, rejected, reason, note in checked:
        line.accepted, line.rejected, line.reject_reason, line.note = accepted, rejected, reason, note


# Turning back.

@unit_of_work
def return_shipment(shipment_id: int, actor: User, reason: str, occurred_at: datetime | None = None) -> Shipment:
    """A shipment on the road turns back (road cut, demand gone): the goods for stops not yet received go back
    into their lots; stops already received keep what they confirmed. The carrier is still paid for the trip."""
    ensure_role(actor, *PLANNERS)
    shipment = _locked(shipment_id)
    if shipment.status != ShipmentStatus.IN_TRANSIT:
        raise ConflictError(_("Waybill %(number)s is %(status)s; only a shipment on the road can turn back.",
                              number=shipment.number, status=shipment.status.value))
    reason = _required_text(reason, "reason")
    when = _moment(occurred_at, shipment.dispatched_at, "occurred_at")
    waiting = [line for line in shipment.lines if line.stop.received_at is None]
    if shipment.document is not None:
        lock_lots([line.lot for line in waiting] + [transit.transit_lot(line.lot) for line in waiting])
        text = _("turned back, waybill %(number)s: %(reason)s", number=shipment.number, reason=reason)
        for line in waiting:
            transit.bring_back(shipment.document, line.lot, line.quantity, actor, occurred_at=when, reason=text)
    _close(shipment, ShipmentStatus.RETURNED, actor, when, reason)
    settlement.settle(shipment)
    return shipment


# Shared checks.

def _locked(shipment_id: int) -> Shipment:
    """The shipment, its row locked: two clerks pressing "dispatch" at once dispatch it once."""
    Session.execute(select(Shipment.id).where(Shipment.id == shipment_id).with_for_update())
    shipment = get_shipment(shipment_id)
    Session.refresh(shipment, ["status"])
    return shipment


def _ensure_may_load(actor: User, shipment: Shipment) -> None:
    """The source depot's clerks or a dispatcher."""
    if actor.role in PLANNERS:
        return
    if actor.role == Role.CLERK and shipment.depot_id is not None and can_act_at(actor, shipment.depot_id):
        return
    raise PermissionDeniedError(_("Only the source depot's clerks or a dispatcher may load and dispatch waybill "
                                  "%(number)s.", number=shipment.number))


def _ensure_may_receive(actor: User, shipment: Shipment) -> None:
    """A dispatcher records what an area signed for; a depot receiving for an area receives with its own clerks."""
    if actor.role in PLANNERS:
        return
    depots = {stop.area.receiving_depot_id for stop in shipment.stops if stop.area.receiving_depot_id}
    if actor.role == Role.CLERK and any(can_act_at(actor, depot_id) for depot_id in depots):
        return
    raise PermissionDeniedError(_("Only a dispatcher or the receiving depot's clerks may confirm this receipt."))


def _moment(occurred_at: datetime | None, not_before: datetime | None, field_name: str) -> datetime:
    now = clock.utcnow()
    when = occurred_at or now
    if when > now + FUTURE_TOLERANCE:
        raise DomainError(_("This cannot be recorded before it happens."), {field_name: [_("In the future.")]})
    if not_before is not None and when < not_before:
        raise DomainError(_("This cannot come before the step it follows."),
                          {field_name: [_("Not before %(moment)s.", moment=clock.local_iso(not_before))]})
    return when


def _required_text(value: str | None, name: str) -> str:
    value = _optional_text(value, name)
    if not value:
        raise DomainError(_("Give a reason."), {name: [_("Required.")]})
    return value


def _optional_text(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_TEXT[name]:
        raise DomainError(_("Too long."), {name: [_("At most %(limit)s characters.", limit=MAX_TEXT[name])]})
    return value or None
