"""The one private path through which stock changes: numbered documents, balance updates, movements.

Balances change by conditional UPDATE … RETURNING, so two requests can never take
the same free stock (PostgreSQL re-checks the condition after waiting for the row
lock; SQLite lets one writer at a time). A refused change raises before commit,
and the caller's transaction is rolled back whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from core import clock
from core.db import Session
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.models import User
from inventory import queries
from inventory.labels import unit_label
from inventory.models import (
    Depot,
    DepotStatus,
    Document,
    DocumentKind,
    DocumentSequence,
    Item,
    Lot,
    Movement,
    MovementKind,
)
from inventory.services.network import to_base_units


FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of other systems calling the API drift a little


class InsufficientStockError(DomainError):
    """Less free stock than asked for; the message names the item and what is available."""

    status = 409


class ExpiredLotError(DomainError):
    status = 409


class FourEyesError(DomainError):
    """The same person may not both prepare and approve."""

    status = 403


@dataclass
class LinePath:
    """Where a per-line error belongs: `lines.<index>.<field>` in forms and JSON alike."""

    index: int

    def error(self, field: str, message: str) -> dict:
        return {"lines": {self.index: {field: [message]}}}


def ensure_can_act(actor: User, depot: Depot) -> None:
    if not queries.can_act_at(actor, depot.id):
        raise PermissionDeniedError(_("You may not record stock changes at %(depot)s.", depot=depot.code))


def active_depot(depot_id: int, field: str = "depot_id") -> Depot:
    depot = Session.get(Depot, depot_id)
    if depot is None:
        raise NotFoundError(_("No depot with id %(id)s.", id=depot_id), {field: [_("Unknown depot.")]})
    if depot.status != DepotStatus.ACTIVE:
        raise DomainError(_("Depot %(code)s is closed.", code=depot.code),
                          {field: [_("%(code)s is closed.", code=depot.code)]})
    return depot


def get_item_or_error(item_id: int, path: LinePath) -> Item:
    item = Session.get(Item, item_id)
    if item is None:
        raise DomainError(_("Unknown item."), path.error("item_id", _("No item with id %(id)s.", id=item_id)))
    return item


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


def fefo_lots(depot_id: int, item_id: int, today: date) -> list[Lot]:
    """The depot's usable lots of an item, first expiring first; lots that never expire come last."""
    statement = (select(Lot).where(Lot.depot_id == depot_id, Lot.item_id == item_id, Lot.on_hand > Lot.reserved,
                                   (Lot.expiry_date.is_(None)) | (Lot.expiry_date > today))
                 .order_by(Lot.expiry_date.is_(None), Lot.expiry_date, Lot.production_date, Lot.id))
    return list(Session.scalars(statement))


def available_quantity(depot_id: int, item_id: int, today: date) -> int:
    return sum(lot.free for lot in fefo_lots(depot_id, item_id, today))


@dataclass
class Pick:
    lot: Lot
    quantity: int


def pick_fefo(depot: Depot, item: Item, quantity: int, today: date, path: LinePath,
              taken: dict[int, int] | None = None) -> list[Pick]:
    """Split a quantity over the depot's lots, first expiring first; refuse when free stock is short.

    `taken` holds what earlier lines of the same document already took from each lot.
    """
    taken = taken or {}
    picks, remaining = [], quantity
    for lot in fefo_lots(depot.id, item.id, today):
        free = lot.free - taken.get(lot.id, 0)
        if free <= 0:
            continue
        take = min(free, remaining)
        picks.append(Pick(lot, take))
        remaining -= take
        if remaining == 0:
            return picks
    available = quantity - remaining
    unit = unit_label(item.base_unit)
    raise InsufficientStockError(
        _("Not enough %(item)s at %(depot)s: asked %(asked)s %(unit)s, available %(available)s.",
          item=item.name, depot=depot.code, asked=quantity, unit=unit, available=available),
        path.error("quantity", _("Only %(available)s %(unit)s available (expired and reserved stock excluded).",
                                 available=available, unit=unit)))


def named_lot(depot: Depot, item: Item, lot_id: int, quantity: int, today: date, path: LinePath,
              taken: dict[int, int] | None = None) -> Pick:
    """A lot the clerk chose by hand: it must be here, of this item, unexpired and free enough."""
    lot = Session.get(Lot, lot_id)
    if lot is None or lot.depot_id != depot.id or lot.item_id != item.id:
        raise DomainError(_("Unknown lot."), path.error("lot_id", _("No lot %(id)s of %(item)s at %(depot)s.",
                                                                    id=lot_id, item=item.name, depot=depot.code)))
    if lot.is_expired(today):
        raise ExpiredLotError(_("Batch %(batch)s expired on %(date)s; it leaves only by rotation or scrap.",
                                batch=lot.batch_no, date=lot.expiry_date),
                              path.error("lot_id", _("Batch %(batch)s has expired.", batch=lot.batch_no)))
    free = lot.free - (taken or {}).get(lot.id, 0)
    if free < quantity:
        raise InsufficientStockError(
            _("Not enough %(item)s in batch %(batch)s: asked %(asked)s, free %(free)s.",
              item=item.name, batch=lot.batch_no, asked=quantity, free=free),
            path.error("quantity", _("Only %(free)s %(unit)s free in batch %(batch)s.",
                                     free=free, unit=unit_label(item.base_unit), batch=lot.batch_no)))
    return Pick(lot, quantity)


def refuse_lines(errors: list[DomainError]) -> DomainError:
    """One refusal for all the lines that failed, keeping each line's message beside its fields."""
    fields: dict = {}
    for error in errors:
        for index, line_fields in error.fields.get("lines", {}).items():
            fields.setdefault("lines", {}).setdefault(index, {}).update(line_fields)
        for name, messages in error.fields.items():
            if name != "lines":
                fields[name] = messages
    kinds = {type(error) for error in errors}
    if len(kinds) == 1:
        kind = kinds.pop()
    else:
        short = any(isinstance(error, (InsufficientStockError, ExpiredLotError)) for error in errors)
        kind = InsufficientStockError if short else DomainError
    return kind(" ".join(e.message for e in errors), fields)


def base_quantity(item: Item, quantity: int, unit: str | None, path: LinePath) -> int:
    """A line's quantity in base units; the clerk may enter it in a pack unit."""
    try:
        base = to_base_units(item, quantity, unit or item.base_unit)
    except DomainError as error:
        counted_in = _("%(item)s is counted in %(unit)s or its packs.", item=item.name, unit=unit_label(item.base_unit))
        raise DomainError(_("Unknown unit."), path.error("unit", counted_in)) from error
    if base <= 0:
        raise DomainError(_("Quantities must be positive."), path.error("quantity", _("Must be more than 0.")))
    return base
