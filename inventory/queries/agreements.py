"""Capacity agreements read for pages and the API: filtered lists, and what they can deliver per item in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, func, literal, select
from sqlalchemy.orm import joinedload

from core import clock
from core.db import Session
from core.pagination import Page, paginate
from inventory.models import AgreementStatus, CapacityAgreement, Item, Region
from inventory.queries.network import region_code_prefix

EXPIRY_WARNING_DAYS = 60
DEFAULT_HOURS = (24, 48, 72)
EFFECTIVE_STATUSES = ("active", "pending", "suspended", "expired")

__all__ = [
    "DEFAULT_HOURS",
    "EFFECTIVE_STATUSES",
    "EXPIRY_WARNING_DAYS",
    "ItemCapacity",
    "agreements_statement",
    "capacity_by_item",
    "deliverable_sql",
    "expiring_soon",
    "list_agreements",
    "status_clause",
]


def status_clause(status: str, today: date) -> ColumnElement[bool]:
    """The stored status and the validity dates, as `CapacityAgreement.effective_status` reads them."""
    A = CapacityAgreement
    not_expired = A.valid_to >= today
    return {
        "expired": A.valid_to < today,
        "suspended": and_(not_expired, A.status == AgreementStatus.SUSPENDED),
        "pending": and_(not_expired, A.status == AgreementStatus.ACTIVE, A.valid_from > today),
        "active": and_(A.status == AgreementStatus.ACTIVE, A.valid_from <= today, not_expired),
    }[status]


def agreements_statement(item_id: int | None = None, status: str | None = None, region_code: str | None = None,
                         expiring_within_days: int | None = None, q: str | None = None,
                         today: date | None = None) -> Select:
    """Agreements filtered by item, effective status, region (any level) and how soon they run out."""
    today = today or clock.today()
    statement = (select(CapacityAgreement).join(Region, Region.id == CapacityAgreement.region_id)
                 .join(Item, Item.id == CapacityAgreement.item_id)
                 .options(joinedload(CapacityAgreement.region), joinedload(CapacityAgreement.item)))
    if item_id:
        statement = statement.where(CapacityAgreement.item_id == item_id)
    if status:
        statement = statement.where(status_clause(status, today))
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if expiring_within_days is not None:
        statement = statement.where(CapacityAgreement.valid_to.between(
            today, today + timedelta(days=expiring_within_days)))
    if q:
        statement = statement.where(CapacityAgreement.enterprise_name.like(f"%{q.strip()}%"))
    return statement.order_by(Item.code, CapacityAgreement.valid_to, CapacityAgreement.id)


def list_agreements(page: int = 1, per_page: int = 25, **filters) -> Page:
    return paginate(agreements_statement(**filters), page, per_page)


def expiring_soon(agreement: CapacityAgreement, today: date | None = None, days: int = EXPIRY_WARNING_DAYS) -> bool:
    """Still in force but running out within `days` (default 60): time to renew."""
    today = today or clock.today()
    return today <= agreement.valid_to <= today + timedelta(days=days)


def deliverable_sql(hours: int, today: date) -> ColumnElement[int]:
    """`services.agreements.deliverable_by` as a column expression, so totals are summed in the database."""
    A = CapacityAgreement
    producing = literal(hours) - A.lead_time_hours
    produced = (cast(A.daily_capacity, BigInteger) * producing) // 24  # both sides non-negative: floor
    return case(
        (~status_clause("active", today), 0),
        (producing <= 0, 0),
        (produced >= A.max_quantity, A.max_quantity),
        else_=produced,
    )


@dataclass
class ItemCapacity:
    item: Item
    agreements: int  # active agreements counted
    deliverable: dict[int, int] = field(default_factory=dict)  # hours after activation -> base units


def capacity_by_item(hours: tuple[int, ...] = DEFAULT_HOURS, region_code: str | None = None,
                     item_id: int | None = None, today: date | None = None) -> list[ItemCapacity]:
    """Per item, what its active agreements could deliver within each of `hours` after activation today."""
    today = today or clock.today()
    columns = [func.sum(deliverable_sql(h, today)).label(f"h{n}") for n, h in enumerate(hours)]
    statement = (select(CapacityAgreement.item_id, func.count().label("agreements"), *columns)
                 .join(Region, Region.id == CapacityAgreement.region_id)
                 .where(status_clause("active", today)).group_by(CapacityAgreement.item_id))
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if item_id:
        statement = statement.where(CapacityAgreement.item_id == item_id)
    rows = Session.execute(statement).all()
    items = {i.id: i for i in Session.scalars(select(Item).where(Item.id.in_([r.item_id for r in rows])))}
    result = [ItemCapacity(items[r.item_id], r.agreements,
                           {h: int(getattr(r, f"h{n}") or 0) for n, h in enumerate(hours)}) for r in rows]
    return sorted(result, key=lambda entry: entry.item.code)



def item_choices() -> list[tuple[int, str]]:
    """Every catalog item as (id, "code name"), for the agreement forms and filters."""
    rows = Session.execute(select(Item.id, Item.code, Item.name).order_by(Item.code)).all()
    return [(row.id, f"{row.code} {row.name}") for row in rows]
