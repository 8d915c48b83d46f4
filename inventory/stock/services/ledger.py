"""The one private path through which stock changes: numbered documents, balance updates, movements.

Balances change by conditional UPDATE … RETURNING, so two requests can never take
the same free stock (PostgreSQL re-checks the condition after waiting for the row
lock; SQLite lets one writer at a time). A refused change raises before commit,
and the caller's transaction is rolled back whole.

The past stays as it was: nothing is dated in a closed period, nor before its lot's first movement, and a
back-dated outgoing movement may not leave the lot below zero at any moment from its date on.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from core import clock
from core.bounds import BALANCE_MAX
from core.db import Session
from core.errors import DomainError
from core.models import User
from inventory.network.models import Depot
from inventory.stock.models import Document, DocumentKind, DocumentSequence, Lot, Movement, MovementKind, Reservation
from inventory.stock.services.errors import InsufficientStockError
from inventory.stock.services.periods import ensure_open

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of other systems calling the API drift a little


def new_document(depot: Depot, kind: DocumentKind, actor: User, occurred_at: datetime | None = None,
                 reason: str | None = None, counterparty: str | None = None) -> Document:
    """A document with the next number of its kind for the depot and year, e.g. RK-2026-000123."""
    now = clock.utcnow()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        raise DomainError(_("A movement cannot be recorded before it happens."),
                          {"occurred_at": [_("This date and time is in the future.")]})
    ensure_open(occurred_at)
    year = clock.local_date(occurred_at).year
    sequence = _next_sequence(depot.id, kind, year)
    document = Document(depot=depot, kind=kind, year=year, sequence=sequence,
                        number=f"{kind.value}-{year}-{sequence:06d}", created_by_id=actor.id,
                        occurred_at=occurred_at, reason=reason, counterparty=counterparty)
    Session.add(document)
    Session.flush()
    # A new document has no movements yet: the ones posted now are its whole list, and keep it without a query.
    set_committed_value(document, "movements", [])
    return document


def _next_sequence(depot_id: int, kind: DocumentKind, year: int) -> int:
    """One statement: the year's first number, or the next one (the row stays locked until the unit commits)."""
    dialect = Session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(DocumentSequence).values(depot_id=depot_id, kind=kind, year=year, last_number=1)
    bump = statement.on_conflict_do_update(index_elements=["depot_id", "kind", "year"],
                                           set_={"last_number": DocumentSequence.last_number + 1})
    return Session.execute(bump.returning(DocumentSequence.last_number)).scalar_one()


def lock_lots(lots: Iterable[Lot]) -> None:
    """Lock the lots a document is about to change, in id order, before changing any of them.

    Balances change line by line; two documents taking the same lots in different orders (a receipt's lines, an
    approval's first-expiring lots) would each hold one lot and wait for the other's: a deadlock, which PostgreSQL
    ends by aborting one of them. Taking the locks in one order makes the second simply wait. SQLite lets one
    writer at a time and needs no locks.
    """
    ids = sorted({lot.id for lot in lots})
    if len(ids) > 1 and Session.get_bind().dialect.name == "postgresql":
        Session.execute(select(Lot.id).where(Lot.id.in_(ids)).order_by(Lot.id).with_for_update())


def post_movement(document: Document, lot: Lot, kind: MovementKind, quantity: int, actor: User, *,
                  release_reserved: int = 0, reason: str | None = None, occurred_at: datetime | None = None,
                  **belongs_to) -> Movement:
    """Change a lot's balance and append the movement that explains it, in the caller's transaction.

    A negative quantity may take only free stock (on hand less reserved), plus what
    `release_reserved` frees for this very movement (shipping a reserved transfer).
    """
    occurred_at = occurred_at or document.occurred_at
    _change_balance(lot, quantity, release_reserved)
    # Asked only now that the UPDATE holds the lot: a concurrent close, or a concurrent back-dated movement of the
    # same lot, has either committed and is seen here, or waits for this transaction.
    ensure_open(occurred_at)
    _keep_history(lot, quantity, occurred_at)
    # The lot and document themselves, not only their ids: whoever shows the movement next needs no query.
    movement = Movement(lot=lot, depot_id=lot.depot_id, item_id=lot.item_id, kind=kind, quantity=quantity,
                        unit_cost=lot.unit_cost, document=document, occurred_at=occurred_at,
                        recorded_at=clock.utcnow(), actor_id=actor.id, reason=reason or document.reason,
                        **belongs_to)
    Session.add(movement)
    return movement


def _keep_history(lot: Lot, quantity: int, when: datetime) -> None:
    """Refuse a movement dated before its lot's first one, or one that would leave a past balance below zero.

    The conditional UPDATE checks the balance now; a back-dated outgoing movement also lowers every balance from
    its date on, and those are summed here from the lot's movements (a lot has few).
    """
    first, last = Session.execute(select(func.min(Movement.occurred_at), func.max(Movement.occurred_at))
                                  .where(Movement.lot_id == lot.id)).one()
    if first is None:
        return  # the lot's first movement: it exists from this moment on
    if when < first:
        raise DomainError(_("Batch %(batch)s was not yet at %(depot)s then: its first movement is at %(moment)s.",
                            batch=lot.batch_no, depot=lot.depot.code, moment=clock.local_iso(first)),
                          {"occurred_at": [_("Not before %(moment)s.", moment=clock.local_iso(first))]})
    if quantity < 0 and when < last:
        short = _first_shortfall(lot, quantity, when)
        if short is not None:
            day = clock.local_date(short).isoformat()
            raise InsufficientStockError(
                _("Taking %(asked)s of batch %(batch)s at %(depot)s on that date would leave it below zero on "
                  "%(day)s.", asked=-quantity, batch=lot.batch_no, depot=lot.depot.code, day=day),
                {"occurred_at": [_("The batch would be below zero on %(day)s.", day=day)]})


def _first_shortfall(lot: Lot, quantity: int, when: datetime) -> datetime | None:
    """The first moment from `when` on at which the lot, with `quantity` taken at `when`, would hold less than 0.

    Movements at one instant count together: a balance "as of" a moment includes all of them.
    """
    steps = Session.execute(select(Movement.occurred_at, func.sum(Movement.quantity)).where(Movement.lot_id == lot.id)
                            .group_by(Movement.occurred_at).order_by(Movement.occurred_at)).all()
    balance = sum(moved for moment, moved in steps if moment <= when) + quantity
    if balance < 0:
        return when
    for moment, moved in steps:
        if moment > when:
            balance += moved
            if balance < 0:
                return moment
    return None


def _change_balance(lot: Lot, quantity: int, release_reserved: int = 0) -> None:
    statement = (update(Lot).where(Lot.id == lot.id)
                 .values(on_hand=Lot.on_hand + quantity, reserved=Lot.reserved - release_reserved)
                 .returning(Lot.on_hand, Lot.reserved)
                 .execution_options(synchronize_session=False))
    if quantity < 0:
        statement = statement.where(Lot.on_hand - Lot.reserved + release_reserved + quantity >= 0,
                                    Lot.reserved >= release_reserved)
    else:
        statement = statement.where(Lot.on_hand + quantity <= BALANCE_MAX)
    row = Session.execute(statement).first()
    if row is None:
        Session.refresh(lot)
        if quantity > 0:
            raise DomainError(_("Batch %(batch)s at %(depot)s would hold more than %(max)s units.",
                                batch=lot.batch_no, depot=lot.depot.code, max=f"{BALANCE_MAX:,}"))
        raise InsufficientStockError(_(
            "Not enough %(item)s in batch %(batch)s at %(depot)s: asked %(asked)s, free %(free)s.",
            item=lot.item.name, batch=lot.batch_no, depot=lot.depot.code, asked=-quantity,
            free=lot.free + release_reserved))
    _known_balance(lot, *row)


def reserve(lot: Lot, quantity: int) -> None:
    """Promise free stock (approved transfer or plan), so nobody else can issue it."""
    statement = (update(Lot).where(Lot.id == lot.id, Lot.on_hand - Lot.reserved >= quantity)
                 .values(reserved=Lot.reserved + quantity).returning(Lot.on_hand, Lot.reserved)
                 .execution_options(synchronize_session=False))
    row = Session.execute(statement).first()
    if row is None:
        Session.refresh(lot)
        raise InsufficientStockError(_(
            "Not enough free %(item)s in batch %(batch)s at %(depot)s to reserve %(quantity)s: free %(free)s.",
            item=lot.item.name, batch=lot.batch_no, depot=lot.depot.code, quantity=quantity, free=lot.free))
    _known_balance(lot, *row)


def release(lot: Lot, quantity: int) -> None:
    statement = (update(Lot).where(Lot.id == lot.id, Lot.reserved >= quantity)
                 .values(reserved=Lot.reserved - quantity).returning(Lot.on_hand, Lot.reserved)
                 .execution_options(synchronize_session=False))
    _known_balance(lot, *Session.execute(statement).one())


def hold(lot: Lot, parts: list[tuple[int, int | None, str]], holder: str, holder_id: int) -> list[Reservation]:
    """Reserve stock of a lot for someone named (a relief plan), so the depot page can say for whom: one
    conditional UPDATE for the lot, one reservation per part (quantity, the holder's line, a label)."""
    reserve(lot, sum(quantity for quantity, _line, _label in parts))
    reservations = [Reservation(lot_id=lot.id, quantity=quantity, holder=holder, holder_id=holder_id, line_id=line_id,
                                label=label) for quantity, line_id, label in parts]
    Session.add_all(reservations)
    return reservations


def holds(holder: str, holder_id: int, line_ids: list[int] | None = None) -> list[Reservation]:
    """What a holder still holds (of some of its lines), lots in id order: ready to be locked and released."""
    statement = select(Reservation).where(Reservation.holder == holder, Reservation.holder_id == holder_id,
                                          Reservation.quantity > 0)
    if line_ids is not None:
        statement = statement.where(Reservation.line_id.in_(line_ids))
    return list(Session.scalars(statement.order_by(Reservation.lot_id, Reservation.id)))


def let_go(reservation: Reservation, quantity: int | None = None, *, released_by_movement: bool = False) -> None:
    """The holder no longer needs `quantity` (all of it by default). When a movement took the stock with
    `release_reserved`, the lot's balance is already right and only the reservation shrinks."""
    quantity = reservation.quantity if quantity is None else quantity
    if not released_by_movement:
        release(reservation.lot, quantity)
    reservation.quantity -= quantity
    if reservation.quantity == 0:
        Session.delete(reservation)


def _known_balance(lot: Lot, on_hand: int, reserved: int) -> None:
    """The lot as the UPDATE left it, without marking it changed (a flush would write the same values again)."""
    set_committed_value(lot, "on_hand", on_hand)
    set_committed_value(lot, "reserved", reserved)
