"""Stock counts: open, count, and approve by a second person; differences become adjustments only then."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from core import clock
from core.access import ensure_can_act, ensure_second_person
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import User
from inventory.labels import COUNT_STATUS_LABELS
from inventory.network.queries import get_active_depot
from inventory.stock.models import CountLine, CountStatus, DocumentKind, Lot, MovementKind, StockCount
from inventory.stock.services.ledger import lock_lots, new_document, post_movement


@unit_of_work
def open_count(depot_id: int, actor: User, item_ids: list[int] | None = None) -> StockCount:
    """Snapshot the book quantity of every lot in stock (or of some items) for the clerks to count."""
    depot = get_active_depot(depot_id)
    ensure_can_act(actor, depot)
    statement = (select(Lot).where(Lot.depot_id == depot.id, Lot.on_hand > 0, Lot.in_transit.is_(False))
                 .order_by(Lot.item_id, Lot.batch_no))
    if item_ids:
        statement = statement.where(Lot.item_id.in_(item_ids))
    lots = Session.scalars(statement).all()
    if not lots:
        raise DomainError(_("Nothing to count: no stock of these items here."), {"item_ids": [_("No stock to count.")]})
    document = new_document(depot, DocumentKind.COUNT, actor, reason=_("stock count"))
    count = StockCount(document_id=document.id, depot_id=depot.id,
                       lines=[CountLine(lot_id=lot.id, expected=lot.on_hand) for lot in lots])
    Session.add(count)
    return count


@unit_of_work
def record_counts(count_id: int, counted: dict[int, int], actor: User) -> StockCount:
    """Enter counted quantities by line id; a line may be counted again until approval."""
    count = _open(count_id, actor)
    lines = {line.id: line for line in count.lines}
    errors = {}
    for line_id, quantity in counted.items():
        if line_id not in lines:
            errors[str(line_id)] = {"counted": [_("Not a line of this count.")]}
        elif quantity is None or quantity < 0:
            errors[str(line_id)] = {"counted": [_("A count cannot be negative.")]}
    if errors:
        raise DomainError(_("Some counted quantities are wrong."), {"lines": errors})
    for line_id, quantity in counted.items():
        lines[line_id].counted, lines[line_id].counted_by_id = quantity, actor.id
    return count


@unit_of_work
def approve_count(count_id: int, actor: User) -> StockCount:
    """A second person approves: every difference from the book becomes a count adjustment."""
    count = _open(count_id, actor)
    counters = {line.counted_by_id for line in count.lines if line.counted_by_id} | {count.document.created_by_id}
    ensure_second_person(counters, actor, _("You opened or counted this count; another person must approve it."))
    missing = [line.lot.batch_no for line in count.lines if line.counted is None]
    if missing:
        raise DomainError(_("Not every lot is counted yet: %(batches)s.", batches=", ".join(missing)))
    now = clock.utcnow()
    lock_lots(line.lot for line in count.lines if line.counted != line.expected)
    for line in count.lines:
        if line.counted != line.expected:
            post_movement(count.document, line.lot, MovementKind.COUNT_ADJUSTMENT, line.counted - line.expected,
                          actor, occurred_at=now, count_id=count.id,
                          reason=_("count %(number)s: book %(book)s, counted %(counted)s",
                                   number=count.document.number, book=line.expected, counted=line.counted))
    count.status, count.approved_by_id, count.approved_at = CountStatus.APPROVED, actor.id, now
    return count


@unit_of_work
def cancel_count(count_id: int, actor: User) -> StockCount:
    count = _open(count_id, actor)
    count.status = CountStatus.CANCELLED
    return count


def _open(count_id: int, actor: User) -> StockCount:
    count = Session.get(StockCount, count_id)
    if count is None:
        raise NotFoundError(_("No stock count %(id)s.", id=count_id))
    ensure_can_act(actor, count.depot)
    if count.status != CountStatus.OPEN:
        raise ConflictError(_("Count %(number)s is %(status)s.", number=count.document.number,
                              status=COUNT_STATUS_LABELS[count.status]))
    return count
