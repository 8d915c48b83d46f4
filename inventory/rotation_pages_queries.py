"""Look-ups the rotation and report pages need beyond inventory.queries.rotation.

The shared due-list query narrows to one depot; a clerk's list covers every depot they are bound to, and the
draft form needs only the lots that still have free stock.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select

from core import clock
from core.db import Session
from core.pagination import Page, paginate
from inventory.models import Depot, Document, Lot, RotationPlan
from inventory.queries.rotation import DueLot, rotation_due_statement
from inventory.queries.stock import rotation_state

__all__ = ["due_statement", "due_totals", "get_depot_by_code", "list_due", "plan_ids_by_number", "plannable_lots"]


def due_statement(today: date, depot_ids: list[int] | None = None, **filters) -> Select:
    """The network due list, narrowed to some depots when `depot_ids` is given (a clerk's own)."""
    statement = rotation_due_statement(today, **filters)
    if depot_ids is not None:
        statement = statement.where(Lot.depot_id.in_(depot_ids))
    return statement


def list_due(page: int = 1, per_page: int = 50, depot_ids: list[int] | None = None, **filters) -> Page:
    """Due and expired lots, most urgent first, with days left, state and book value."""
    today = clock.today()
    result = paginate(due_statement(today, depot_ids, **filters), page, per_page)
    result.items = [_due(lot, today) for lot in result.items]
    return result


def _due(lot: Lot, today: date) -> DueLot:
    return DueLot(lot, (lot.expiry_date - today).days, rotation_state(lot.expiry_date, lot.item.rotation_lead_days,
                                                                      today), lot.unit_cost * lot.on_hand)


def due_totals(depot_ids: list[int] | None = None, **filters) -> dict:
    """Lots, quantity, book value at stake and expired lots over the whole filtered list."""
    today = clock.today()
    due = due_statement(today, depot_ids, **filters).order_by(None).subquery()
    count, quantity, value = Session.execute(select(
        func.count(), func.coalesce(func.sum(due.c.on_hand), 0),
        func.coalesce(func.sum(due.c.on_hand * due.c.unit_cost), 0))).one()
    expired = Session.scalar(select(func.count()).select_from(due).where(due.c.expiry_date <= today))
    return {"lots": count, "quantity": int(quantity), "book_value": Decimal(value).quantize(Decimal("0.01")),
            "expired_lots": expired}


def plannable_lots(depot_id: int) -> list[DueLot]:
    """The depot's due or expired lots that still have free stock: what a rotation plan may take."""
    today = clock.today()
    statement = rotation_due_statement(today, depot_id=depot_id).where(Lot.on_hand > Lot.reserved)
    return [_due(lot, today) for lot in Session.scalars(statement).unique()]


def get_depot_by_code(code: str) -> Depot | None:
    return Session.scalar(select(Depot).where(func.upper(Depot.code) == code.strip().upper()))


def plan_ids_by_number(numbers: list[str]) -> dict[tuple[str, str], int]:
    """Rotation plan ids by (document number, depot code): numbers restart at every depot."""
    if not numbers:
        return {}
    rows = Session.execute(select(Document.number, Depot.code, RotationPlan.id)
                           .join(RotationPlan, RotationPlan.document_id == Document.id)
                           .join(Depot, Depot.id == RotationPlan.depot_id).where(Document.number.in_(numbers)))
    return {(number, code): plan_id for number, code, plan_id in rows}
