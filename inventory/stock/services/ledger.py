"""The one private path through which stock changes: numbered documents, balance updates, movements.

Balances change by conditional UPDATE … RETURNING, so two requests can never take
the same free stock (PostgreSQL re-checks the condition after waiting for the row
lock; SQLite lets one writer at a time). A refused change raises before commit,
and the caller's transaction is rolled back whole.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from core import clock
from core.db import Session
from core.errors import DomainError
from core.models import User
from inventory.network.models import Depot
from inventory.stock.models import Document, DocumentKind, DocumentSequence, Lot, Movement, MovementKind
from inventory.stock.services.errors import InsufficientStockError

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of other systems calling the API drift a little


def new_document(depot: Depot, kind: DocumentKind, actor: User, occurred_at: datetime | None = None,
                 reason: str | None = None, counterparty: str | None = None) -> Document:
    """A document with the next number of its kind for the depot and year, e.g. RK-2026-000123."""
    now = clock.utcnow()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        raise DomainError(_("A movement cannot be recorded before it happens."),
                          {"occurred_at": [_("This date and time is in the future.")]})
    year = clock.local_date(occurred_at).year
    sequence = _next_sequence(depot.id, kind, year)
    document = Document(depot_id=depot.id, kind=kind, year=year, sequence=sequence,
                        number=f"{kind.value}-{year}-{sequence:06d}", created_by_id=actor.id,
                        occurred_at=occurred_at, reason=reason, counterparty=counterparty)
    Session.add(document)
    Session.flush()
    return document


def _next_sequence(depot_id: int, kind: DocumentKind, year: int) -> int:
    dialect = Session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    Session.execute(insert(DocumentSequence).values(depot_id=depot_id, kind=kind, year=year, last_number=0)
                    .on_conflict_do_nothing())
    bump = (update(DocumentSequence)
            .where(DocumentSequence.depot_id == depot_id, DocumentSequence.kind == kind, DocumentSequence.year == year)
            .values(last_number=DocumentSequence.last_number + 1).returning(DocumentSequence.last_number))
    return Session.execute(bump).scalar_one()


def post_movement(document: Document, lot: Lot, kind: MovementKind, quantity: int, actor: User, *,
                  release_reserved: int = 0, reason: str | None = None, occurred_at: datetime | None = None,
                  **belongs_to) -> Movement:
    """Change a lot's balance and append the movement that explains it, in the caller's transaction.

    A negative quantity may take only free stock (on hand less reserved), plus what
    `release_reserved` frees for this very movement (shipping a reserved transfer).
    """
    _change_balance(lot, quantity, release_reserved)
    movement = Movement(lot_id=lot.id, depot_id=lot.depot_id, item_id=lot.item_id, kind=kind, quantity=quantity,
                        unit_cost=lot.unit_cost, document_id=document.id,
                        occurred_at=occurred_at or document.occurred_at,
                        recorded_at=clock.utcnow(), actor_id=actor.id, reason=reason or document.reason,
                        **belongs_to)
    Session.add(movement)
    return movement


def _change_balance(lot: Lot, quantity: int, release_reserved: int = 0) -> None:
    statement = (update(Lot).where(Lot.id == lot.id)
                 .values(on_hand=Lot.on_hand + quantity, reserved=Lot.reserved - release_reserved)
                 .returning(Lot.on_hand, Lot.reserved)
                 .execution_options(synchronize_session=False))
    if quantity < 0:
        statement = statement.where(Lot.on_hand - Lot.reserved + release_reserved + quantity >= 0,
                                    Lot.reserved >= release_reserved)
    row = Session.execute(statement).first()
    if row is None:
        Session.refresh(lot)
        raise InsufficientStockError(_(
            "Not enough %(item)s in batch %(batch)s at %(depot)s: asked %(asked)s, free %(free)s.",
            item=lot.item.name, batch=lot.batch_no, depot=lot.depot.code, asked=-quantity,
            free=lot.free + release_reserved))
    lot.on_hand, lot.reserved = row


def reserve(lot: Lot, quantity: int) -> None:
    """Promise free stock (approved transfer or plan), so nobody else can issue it."""
    statement = (update(Lot).where(Lot.id == lot.id, Lot.on_hand - Lot.reserved >= quantity)
                 .values(reserved=Lot.reserved + quantity).returning(Lot.reserved)
                 .execution_options(synchronize_session=False))
    reserved = Session.execute(statement).scalar()
    if reserved is None:
        Session.refresh(lot)
        raise InsufficientStockError(_(
            "Not enough free %(item)s in batch %(batch)s at %(depot)s to reserve %(quantity)s: free %(free)s.",
            item=lot.item.name, batch=lot.batch_no, depot=lot.depot.code, quantity=quantity, free=lot.free))
    lot.reserved = reserved


def release(lot: Lot, quantity: int) -> None:
    statement = (update(Lot).where(Lot.id == lot.id, Lot.reserved >= quantity)
                 .values(reserved=Lot.reserved - quantity).returning(Lot.reserved)
                 .execution_options(synchronize_session=False))
    lot.reserved = Session.execute(statement).scalar_one()
