"""Approving a plan promises its stock once; cancelling or superseding a plan gives back what it still holds.

Approval runs in one transaction: it locks the incident (two approvals for one incident take turns), supersedes
the incident's approved plan (its shipments that have not left release their stock), picks the lots every depot
line takes first-expiring-first among lots still good on arrival plus the item's margin, locks them, reserves them
for the plan's shipments and activates the capacity agreements the plan draws on. If any line can no longer be met
the whole approval is refused with the list of those lines, and nothing of it remains.

Locks: the incident row, then the lots in id order (the same order every stock document takes them), so an
approval and a clerk's issue of the same lot wait for each other instead of deadlocking; the reservation itself is
a conditional UPDATE, so even a lock forgotten elsewhere could not make a lot promise more than it holds.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from core import clock
from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError
from core.models import User
from dispatch.demand.queries import expiry_margins
from dispatch.incidents.models import Incident
from dispatch.incidents.services import PLANNERS, ensure_active
from dispatch.planning.services.snapshot import DEFAULT_MARGIN_DAYS
from dispatch.plans.models import Plan, PlanLine, PlanStatus
from dispatch.plans.queries import get_plan
from dispatch.shipments import services as shipments
from inventory.labels import unit_label
from inventory.stock import picking
from inventory.stock.models import Lot
from inventory.stock.picking import Pick

MAX_NOTE = 500


@dataclass
class ShortLine:
    """A plan line the stock no longer covers: what it takes and what usable free stock is left for it."""

    line: PlanLine
    available: int

    def message(self) -> str:
        line = self.line
        return _("%(depot)s → %(area)s: %(item)s %(quantity)s %(unit)s planned, %(available)s usable now.",
                 depot=line.depot.code, area=line.area.name, item=line.item.name, quantity=line.quantity,
                 unit=unit_label(line.item.base_unit), available=self.available)


class StockChangedError(ConflictError):
    """Stock changed since the plan's snapshot: these lines can no longer be met. Plan again."""

    def __init__(self, short: list[ShortLine]):
        super().__init__(
            _("Stock changed since the plan was made: %(count)s lines can no longer be met. Nothing was reserved; "
              "plan again from a fresh snapshot.", count=len(short)),
            {"lines": {str(entry.line.id): {"quantity": [entry.message()]} for entry in short}})
        self.short = short


@unit_of_work
def approve_plan(plan_id: int, actor: User | None) -> Plan:
    ensure_role(actor, *PLANNERS)
    _lock_incident_of(plan_id)
    plan = get_plan(plan_id)
    if plan.status != PlanStatus.PROPOSED:
        raise ConflictError(_("Plan %(number)s is %(status)s; only a proposed plan can be approved.",
                              number=plan.number, status=plan.status.value))
    ensure_active(plan.incident)
    now = clock.utcnow()
    for earlier in _approved(plan.incident_id):
        close_plan(earlier, PlanStatus.SUPERSEDED, actor, now, _("superseded by plan %(number)s", number=plan.number))
    picks = pick_lots(plan, now)
    shipments.create_for_plan(plan, picks, actor, now)
    plan.status, plan.approved_at, plan.approved_by_id = PlanStatus.APPROVED, now, _actor_id(actor)
    return plan


@unit_of_work
def cancel_plan(plan_id: int, actor: User | None, reason: str | None = None) -> Plan:
    """A proposed plan is set aside; an approved one stops: shipments not yet on the road release their stock,
    those on the road go on and are received as usual."""
    ensure_role(actor, *PLANNERS)
    _lock_incident_of(plan_id)
    plan = get_plan(plan_id)
    if plan.status not in (PlanStatus.PROPOSED, PlanStatus.APPROVED):
        raise ConflictError(_("Plan %(number)s is already %(status)s.", number=plan.number, status=plan.status.value))
    close_plan(plan, PlanStatus.CANCELLED, actor, clock.utcnow(), _clean_note(reason) or _("cancelled"))
    return plan


def close_plan(plan: Plan, status: PlanStatus, actor: User | None, now: datetime, reason: str) -> None:
    if plan.status == PlanStatus.APPROVED:
        shipments.cancel_open_shipments(plan, actor, now, reason)
    plan.status, plan.closed_at, plan.closed_by_id, plan.close_reason = status, now, _actor_id(actor), reason


def pick_lots(plan: Plan, now: datetime) -> dict[int, list[Pick[Lot]]]:
    """The lots each depot line takes (plan line id -> picks), or StockChangedError naming every short line."""
    lines = [line for line in plan.lines if line.depot_id is not None]
    lots = _locked_lots({(line.depot_id, line.item_id) for line in lines})
    margins, today = expiry_margins(), clock.today()
    taken: dict[int, int] = {}
    picks: dict[int, list[Pick[Lot]]] = {}
    short: list[ShortLine] = []
    # Earliest arrivals choose first: the first-expiring lots go where they arrive soonest.
    for line in sorted(lines, key=lambda entry: (entry.arrival_hours, entry.id)):
        usable_until = _usable_until(now, line, margins)
        try:
            chosen = picking.pick_fefo(lots[(line.depot_id, line.item_id)], line.quantity, today, taken, usable_until)
        except picking.ShortOfStock as gap:
            short.append(ShortLine(line, gap.available))
            continue
        picking.add_taken(taken, chosen)
        picks[line.id] = chosen
    if short:
        raise StockChangedError(sorted(short, key=lambda entry: entry.line.id))
    return picks


def _usable_until(now: datetime, line: PlanLine, margins: dict[int, int]) -> date:
    """A lot must still be good this many days after the line arrives."""
    arrival = clock.local_date(now + timedelta(hours=line.arrival_hours))
    return arrival + timedelta(days=margins.get(line.item_id, DEFAULT_MARGIN_DAYS))


def _locked_lots(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[Lot]]:
    """The depots' lots of the items, locked in id order and read fresh (another approval may just have
    reserved some of them)."""
    lots: dict[tuple[int, int], list[Lot]] = defaultdict(list)
    if not pairs:
        return lots
    statement = (select(Lot).where(tuple_(Lot.depot_id, Lot.item_id).in_(sorted(pairs)), Lot.in_transit.is_(False),
                                   Lot.on_hand > 0)
                 .order_by(Lot.id).with_for_update().execution_options(populate_existing=True))
    for lot in Session.scalars(statement):
        lots[(lot.depot_id, lot.item_id)].append(lot)
    return lots


def _lock_incident_of(plan_id: int) -> None:
    incident_id = Session.scalar(select(Plan.incident_id).where(Plan.id == plan_id))
    if incident_id is None:
        get_plan(plan_id)  # raises the usual not-found
    Session.execute(select(Incident.id).where(Incident.id == incident_id).with_for_update())


def _approved(incident_id: int) -> list[Plan]:
    return list(Session.scalars(select(Plan).where(Plan.incident_id == incident_id,
                                                   Plan.status == PlanStatus.APPROVED)))


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_("The note is too long."), {"note": [_("At most %(limit)s characters.", limit=MAX_NOTE)]})
    return note or None
