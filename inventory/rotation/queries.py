"""The rotation due list (every lot due for rotation or expired, most urgent first) and rotation plans."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import joinedload

from core import clock
from core.db import Session
from core.pagination import Page, paginate
from inventory.network.models import Depot, Item, ItemCategory, Region
from inventory.network.queries import region_code_prefix
from inventory.rotation.models import RotationPlan
from inventory.stock.models import Document, Lot
from inventory.stock.queries import rotation_state


def _days_until(expiry, today: date):
    """Days from today to a date column, on either database."""
    if Session.get_bind().dialect.name == "sqlite":
        return func.julianday(expiry) - func.julianday(literal(today.isoformat()))
    return expiry - literal(today)


def rotation_due_statement(today: date, level: str | None = None, region_code: str | None = None,
                           depot_id: int | None = None, depot_ids: list[int] | None = None,
                           category: str | None = None, within_days: int | None = None) -> Select:
    """Lots with stock whose expiry is within the item's rotation lead time (or within `within_days`).

    `depot_ids` narrows the list to some depots (a clerk's own); None means every depot.
    """
    days_left = _days_until(Lot.expiry_date, today)
    horizon = literal(within_days) if within_days is not None else Item.rotation_lead_days
    statement = (select(Lot).join(Item, Item.id == Lot.item_id).join(Depot, Depot.id == Lot.depot_id)
                 .join(Region, Region.id == Depot.region_id)
                 .where(Lot.on_hand > 0, Lot.in_transit.is_(False), Lot.expiry_date.is_not(None),
                        days_left <= horizon)
                 .options(joinedload(Lot.item), joinedload(Lot.depot).joinedload(Depot.region))
                 .order_by(Lot.expiry_date, Depot.code, Lot.id))
    if level:
        statement = statement.where(Depot.level == level)
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if depot_id:
        statement = statement.where(Lot.depot_id == depot_id)
    if depot_ids is not None:
        statement = statement.where(Lot.depot_id.in_(depot_ids))
    if category:
        statement = statement.where(Item.category == ItemCategory(category))
    return statement


@dataclass
class DueLot:
    lot: Lot
    days_left: int
    state: str
    book_value: Decimal


def _due(lot: Lot, today: date) -> DueLot:
    return DueLot(lot, (lot.expiry_date - today).days,
                  rotation_state(lot.expiry_date, lot.item.rotation_lead_days, today), lot.unit_cost * lot.on_hand)


def list_rotation_due(page: int = 1, per_page: int = 50, today: date | None = None, **filters) -> Page:
    """Due and expired lots, most urgent first, with days left, state and book value."""
    today = today or clock.today()
    result = paginate(rotation_due_statement(today, **filters), page, per_page)
    result.items = [_due(lot, today) for lot in result.items]
    return result


def rotation_due_totals(today: date | None = None, **filters) -> dict:
    """Lots, quantity, book value at stake and expired lots over the whole filtered list, not just one page."""
    today = today or clock.today()
    due = rotation_due_statement(today, **filters).order_by(None).subquery()
    row = Session.execute(select(func.count(), func.coalesce(func.sum(due.c.on_hand), 0),
                                 func.coalesce(func.sum(due.c.on_hand * due.c.unit_cost), 0))).one()
    expired = Session.scalar(select(func.count()).select_from(due).where(due.c.expiry_date <= today))
    return {"lots": row[0], "quantity": int(row[1]), "book_value": Decimal(row[2]).quantize(Decimal("0.01")),
            "expired_lots": expired}


def plannable_lots(depot_id: int) -> list[DueLot]:
    """The depot's due or expired lots that still have free stock: what a rotation plan may take."""
    today = clock.today()
    statement = rotation_due_statement(today, depot_id=depot_id).where(Lot.on_hand > Lot.reserved)
    return [_due(lot, today) for lot in Session.scalars(statement).unique()]


def get_rotation_plan(plan_id: int) -> RotationPlan | None:
    return Session.get(RotationPlan, plan_id)


def plan_ids_by_number(numbers: list[str]) -> dict[tuple[str, str], int]:
    """Rotation plan ids by (document number, depot code): numbers restart at every depot."""
    if not numbers:
        return {}
    rows = Session.execute(select(Document.number, Depot.code, RotationPlan.id)
                           .join(RotationPlan, RotationPlan.document_id == Document.id)
                           .join(Depot, Depot.id == RotationPlan.depot_id).where(Document.number.in_(numbers)))
    return {(number, code): plan_id for number, code, plan_id in rows}


def due_lots_by_depot(depot_ids: list[int], today: date | None = None) -> dict[int, int]:
    """How many lots at each depot are due for rotation or expired (the clerk's home page)."""
    due = rotation_due_statement(today or clock.today(), depot_ids=depot_ids).subquery()
    rows = Session.execute(select(due.c.depot_id, func.count()).group_by(due.c.depot_id))
    return dict(rows.all())
