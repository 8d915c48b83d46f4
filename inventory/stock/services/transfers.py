"""Transfers between depots: draft → approved (stock reserved) → shipped (in transit) → received.

Whatever arrives short or damaged is recorded as a discrepancy that a supervisor resolves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from core import clock
from core.access import ensure_can_act, ensure_second_person
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, NotFoundError, PermissionDeniedError
from core.models import Role, User
from inventory.labels import TRANSFER_STATUS_LABELS
from inventory.network.queries import get_active_depot
from inventory.stock.models import (
    Discrepancy,
    DiscrepancyStatus,
    DocumentKind,
    Lot,
    MovementKind,
    Transfer,
    TransferLine,
    TransferStatus,
)
from inventory.stock.picking import Pick
from inventory.stock.services import transit
from inventory.stock.services.ledger import lock_lots, new_document, release, reserve
from inventory.stock.services.lines import base_quantity, line_item
from inventory.stock.services.picks import IssueLine, plan_line_picks, plan_picks


@dataclass
class TransferRequest:
    source_id: int
    destination_id: int
    lines: list[IssueLine]
    reason: str | None = None
    evacuation: bool = False


@dataclass
class ReceivedLine:
    line_id: int
    received: int
    damaged: int = 0
    note: str | None = None


@dataclass
class Arrival:
    lines: list[ReceivedLine] = field(default_factory=list)
    occurred_at: datetime | None = None


@unit_of_work
def draft_transfer(request: TransferRequest, actor: User) -> Transfer:
    """Draft a transfer from a depot the actor keeps; stock is checked now and reserved on approval."""
    source = get_active_depot(request.source_id, "source_id")
    destination = get_active_depot(request.destination_id, "destination_id")
    ensure_can_act(actor, source)
    if source.id == destination.id:
        raise DomainError(_("A transfer needs two depots."), {"destination_id": [_("Choose another depot.")]})
    lines = _draft_lines(request.lines)
    plan_picks(source, request.lines)  # refuse early what could not be shipped today
    document = new_document(source, DocumentKind.TRANSFER, actor, reason=request.reason,
                            counterparty=destination.code)
    transfer = Transfer(document_id=document.id, source_id=source.id, destination_id=destination.id,
                        evacuation=request.evacuation, lines=lines)
    Session.add(transfer)
    return transfer


def _draft_lines(lines: list[IssueLine]) -> list[TransferLine]:
    drafted = []
    for index, line in enumerate(lines):
        path = LinePath(index)
        item = line_item(line.item_id, path)
        drafted.append(TransferLine(item_id=item.id, lot_id=line.lot_id,
                                    quantity=base_quantity(item, line.quantity, line.unit, path)))
    return drafted


@unit_of_work
def update_draft(transfer_id: int, lines: list[IssueLine], actor: User) -> Transfer:
    """Replace a draft's lines (a clerk trims an evacuation draft, say)."""
    transfer = _transfer(transfer_id, actor, TransferStatus.DRAFT)
    plan_picks(transfer.source, lines)
    transfer.lines = _draft_lines(lines)
    return transfer


@unit_of_work
def approve_transfer(transfer_id: int, actor: User) -> Transfer:
    """Approve a draft (not one's own) and reserve its stock, split over lots first expiring first."""
    transfer = _transfer(transfer_id, actor, TransferStatus.DRAFT)
    ensure_second_person({transfer.document.created_by_id}, actor,
                         _("You drafted this transfer; another person must approve it."))
    requested = [IssueLine(item_id=line.item_id, quantity=line.quantity, lot_id=line.lot_id)
                 for line in transfer.lines]
    planned = plan_line_picks(transfer.source, requested)
    lock_lots(pick.lot for picks in planned for pick in picks)
    for line, picks in zip(list(transfer.lines), planned):
        _settle_line(transfer, line, picks)
    transfer.status, transfer.approved_by_id, transfer.approved_at = TransferStatus.APPROVED, actor.id, clock.utcnow()
    return transfer


def _settle_line(transfer: Transfer, line: TransferLine, picks: list[Pick]) -> None:
    """Pin a line to its lot and reserve it; a line spread over several lots gains a line per extra lot."""
    line.lot_id, line.quantity = picks[0].lot.id, picks[0].quantity
    for pick in picks[1:]:
        transfer.lines.append(TransferLine(item_id=line.item_id, lot_id=pick.lot.id, quantity=pick.quantity))
    for pick in picks:
        reserve(pick.lot, pick.quantity)


@unit_of_work
def ship_transfer(transfer_id: int, actor: User, occurred_at: datetime | None = None) -> Transfer:
    """The goods leave the source: its reserved stock goes out, in transit to the destination."""
    transfer = _transfer(transfer_id, actor, TransferStatus.APPROVED)
    shipped_at = occurred_at or clock.utcnow()
    transit.lock_for_sending([line.lot for line in transfer.lines])
    for line in transfer.lines:
        transit.send(transfer.document, line.lot, line.quantity, actor, MovementKind.TRANSFER_OUT,
                     release_reserved=line.quantity, occurred_at=shipped_at, transfer_id=transfer.id)
    transfer.status, transfer.shipped_at = TransferStatus.SHIPPED, shipped_at
    return transfer


@unit_of_work
def receive_transfer(transfer_id: int, arrival: Arrival, actor: User) -> Transfer:
    """Book what arrived at the destination; any shortfall or damage becomes an open discrepancy.

    Lines not mentioned in `arrival` arrived whole.
    """
    transfer = _transfer(transfer_id, actor, TransferStatus.SHIPPED, at_destination=True)
    received_at = arrival.occurred_at or clock.utcnow()
    reported = {line.line_id: line for line in arrival.lines}
    unknown = set(reported) - {line.id for line in transfer.lines}
    if unknown:
        raise DomainError(_("Unknown transfer lines."), {"lines": [
            _("Line %(line)s is not part of this transfer.", line=i) for i in sorted(unknown)]})
    transit.lock_for_receiving([line.lot for line in transfer.lines], transfer.destination)
    for index, line in enumerate(transfer.lines):
        report = reported.get(line.id, ReceivedLine(line.id, line.quantity))
        _receive_line(transfer, line, report, LinePath(index), actor, received_at)
    transfer.status, transfer.received_at = TransferStatus.RECEIVED, received_at
    return transfer


def _receive_line(transfer: Transfer, line: TransferLine, report: ReceivedLine, path: LinePath, actor: User,
                  received_at: datetime) -> None:
    if report.received < 0 or report.damaged < 0 or report.received + report.damaged > line.quantity:
        raise DomainError(_("Received and damaged quantities do not fit what was shipped."),
                          path.error("received", _("Received plus damaged must be between 0 and %(shipped)s.",
                                                   shipped=line.quantity)))
    if report.received:
        _take_in(transfer, line.lot, report.received, actor, received_at)
    shortage = line.quantity - report.received - report.damaged  # it and the damaged stay in transit till resolved
    if shortage or report.damaged:
        Session.add(Discrepancy(transfer_id=transfer.id, source_lot_id=line.lot_id, shortage=shortage,
                                damaged=report.damaged, note=report.note))


def _take_in(transfer: Transfer, source: Lot, quantity: int, actor: User, when: datetime, reason: str | None = None):
    transit.receive_into(transfer.document, source, transfer.destination, quantity, actor, occurred_at=when,
                         reason=reason, transfer_id=transfer.id)


@unit_of_work
def resolve_discrepancy(discrepancy_id: int, actor: User, recovered: int = 0, note: str | None = None) -> Discrepancy:
    """A supervisor settles a discrepancy: goods that turned up are received, the rest (short or damaged) is
    written off in transit."""
    discrepancy = Session.get(Discrepancy, discrepancy_id)
    if discrepancy is None:
        raise NotFoundError(_("No discrepancy %(id)s.", id=discrepancy_id))
    if actor.role != Role.ADMIN:
        raise PermissionDeniedError(_("Only a supervisor (administrator) resolves discrepancies."))
    if discrepancy.status != DiscrepancyStatus.OPEN:
        raise ConflictError(_("This discrepancy is already resolved."))
    if not 0 <= recovered <= discrepancy.shortage:
        raise DomainError(_("Recovered quantity out of range."),
                          {"recovered": [_("Between 0 and the shortage, %(shortage)s.",
                                           shortage=discrepancy.shortage)]})
    transfer, now = discrepancy.transfer, clock.utcnow()
    if recovered:
        _take_in(transfer, discrepancy.source_lot, recovered, actor, now,
                 note or _("goods recovered after a transfer shortage"))
    lost = discrepancy.shortage - recovered + discrepancy.damaged
    if lost:
        transit.arrive(transfer.document, discrepancy.source_lot, lost, actor, occurred_at=now, kind=MovementKind.LOSS,
                       reason=note or _("written off: short or damaged on arrival"), transfer_id=transfer.id)
    discrepancy.status = DiscrepancyStatus.RECOVERED if recovered else DiscrepancyStatus.WRITTEN_OFF
    discrepancy.resolved_by_id, discrepancy.resolved_at, discrepancy.resolution_note = actor.id, clock.utcnow(), note
    return discrepancy


@unit_of_work
def cancel_transfer(transfer_id: int, actor: User) -> Transfer:
    """Cancel a transfer that has not shipped; an approved one gives back what it reserved."""
    transfer = Session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError(_("No transfer %(id)s.", id=transfer_id))
    ensure_can_act(actor, transfer.source)
    if transfer.status not in (TransferStatus.DRAFT, TransferStatus.APPROVED):
        raise ConflictError(_("Transfer %(number)s is %(status)s; it can no longer be cancelled.",
                              number=transfer.document.number, status=TRANSFER_STATUS_LABELS[transfer.status]))
    if transfer.status == TransferStatus.APPROVED:
        lock_lots(line.lot for line in transfer.lines)
        for line in transfer.lines:
            release(line.lot, line.quantity)
    transfer.status = TransferStatus.CANCELLED
    return transfer


@unit_of_work
def draft_evacuation(depot_id: int, destination_id: int, actor: User) -> Transfer:
    """A depot in the disaster zone: draft a transfer of all its free, unexpired stock, lot by lot."""
    source = get_active_depot(depot_id)
    lots = Session.scalars(select(Lot).where(Lot.depot_id == source.id, Lot.on_hand > Lot.reserved,
                                             Lot.in_transit.is_(False))
                           .order_by(Lot.item_id, Lot.expiry_date)).all()
    today = clock.today()
    lines = [IssueLine(item_id=lot.item_id, quantity=lot.free, lot_id=lot.id) for lot in lots
             if not lot.is_expired(today)]
    if not lines:
        raise DomainError(_("%(depot)s has no free stock to evacuate.", depot=source.code))
    request = TransferRequest(source.id, destination_id, lines, reason=_("evacuation: depot in the disaster zone"),
                              evacuation=True)
    return draft_transfer(request, actor)


def _transfer(transfer_id: int, actor: User, status: TransferStatus, at_destination: bool = False) -> Transfer:
    transfer = Session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError(_("No transfer %(id)s.", id=transfer_id))
    ensure_can_act(actor, transfer.destination if at_destination else transfer.source)
    if transfer.status != status:
        raise ConflictError(_("Transfer %(number)s is %(status)s, not %(expected)s.", number=transfer.document.number,
                              status=TRANSFER_STATUS_LABELS[transfer.status], expected=TRANSFER_STATUS_LABELS[status]))
    return transfer

