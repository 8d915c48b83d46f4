"""Reserve coverage: held stock, agreement stock and 72-hour capacity against the quota minimums.

Quota minimums are what each depot must hold for its own level's Level II response, so a row
answers "could we cover a Level II response here": first from stock the government holds, then
with what the capacity agreements deliver within 72 hours of activation.

Each figure is one GROUP BY in the database (by depot level or by province, and item); Python
only lines the aggregated rows up.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from core import clock
from core.db import Session
from inventory.models import (
    DEPOT_LEVEL_ORDER,
    CapacityAgreement,
    Depot,
    DepotStatus,
    Item,
    Lot,
    Ownership,
    Quota,
    Region,
)
from inventory.queries.agreements import deliverable_sql, status_clause
from inventory.queries.network import region_code_prefix

COVERAGE_HOURS = 72
GROUPINGS = ("level", "province")

__all__ = ["COVERAGE_HOURS", "GROUPINGS", "CoverageRow", "coverage"]


@dataclass
class CoverageRow:
    group: str          # the depot level, or the province's two-digit code prefix
    group_name: str     # the level, or the province's name
    item: Item
    physical: int       # government-owned, usable (unexpired, unreserved)
    agreement: int      # held by enterprises for the government, usable
    capacity: int       # what active capacity agreements deliver within 72 h of activation
    quota_target: int
    quota_minimum: int

    @property
    def held(self) -> int:
        return self.physical + self.agreement

    @property
    def shortfall(self) -> int:
        """How far held stock (physical and agreement) falls below the summed minimums."""
        return max(0, self.quota_minimum - self.held)

    @property
    def uncovered(self) -> int:
        """What is still missing once the capacity agreements have delivered for 72 hours."""
        return max(0, self.shortfall - self.capacity)

    @property
    def verdict(self) -> str:
        """'stock' (covered by held stock), 'capacity' (covered within 72 h of activation) or 'short'."""
        if self.shortfall == 0:
            return "stock"
        return "capacity" if self.uncovered == 0 else "short"


def coverage(by: str = "level", region_code: str | None = None, item_id: int | None = None,
             today: date | None = None) -> list[CoverageRow]:
    """Rows per item and depot level (`by="level"`) or province (`by="province"`), within an optional region.

    In the level view the capacity agreements are not tied to a level: each level's row shows the capacity of
    the agreements in the region (all of them when no region is given).
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    today = today or clock.today()
    key = Depot.level if by == "level" else func.substr(Region.code, 1, 2)
    stock = _stock(key, region_code, item_id, today)
    quotas = _quotas(key, region_code, item_id)
    capacity = _capacity(by, region_code, item_id, today)
    keys = set(stock) | set(quotas) | ({k for k in capacity if k[0] is not None} if by == "province" else set())
    items = _items({item for _group, item in keys})
    names = _group_names(by, {group for group, _item in keys})
    rows = []
    for group, item in keys:
        physical, agreement = stock.get((group, item), (0, 0))
        target, minimum = quotas.get((group, item), (0, 0))
        delivered = capacity.get((group if by == "province" else None, item), 0)
        rows.append(CoverageRow(str(group), names[group], items[item], physical, agreement, delivered,
                                target, minimum))
    return sorted(rows, key=lambda row: (_group_order(by, row.group), row.item.code))


def _depot_scope(statement, depot_id, region_code: str | None):
    """Only active depots, within the region when one is given."""
    statement = (statement.join(Depot, Depot.id == depot_id).join(Region, Region.id == Depot.region_id)
                 .where(Depot.status == DepotStatus.ACTIVE))
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    return statement


def _stock(key, region_code: str | None, item_id: int | None, today: date) -> dict:
    usable = and_(Lot.on_hand > 0, or_(Lot.expiry_date.is_(None), Lot.expiry_date > today))

    def held(ownership: Ownership) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((and_(usable, Lot.ownership == ownership), Lot.on_hand - Lot.reserved),
                                           else_=0)), 0)

    statement = select(key.label("grp"), Lot.item_id, held(Ownership.GOVERNMENT).label("physical"),
                       held(Ownership.AGREEMENT).label("agreement")).select_from(Lot).where(Lot.on_hand > 0)
    statement = _depot_scope(statement, Lot.depot_id, region_code).group_by(key, Lot.item_id)
    if item_id:
        statement = statement.where(Lot.item_id == item_id)
    return {(r.grp, r.item_id): (int(r.physical), int(r.agreement)) for r in Session.execute(statement)}


def _quotas(key, region_code: str | None, item_id: int | None) -> dict:
    statement = (select(key.label("grp"), Quota.item_id, func.sum(Quota.target).label("target"),
                        func.sum(Quota.minimum).label("minimum")).select_from(Quota))
    statement = _depot_scope(statement, Quota.depot_id, region_code).group_by(key, Quota.item_id)
    if item_id:
        statement = statement.where(Quota.item_id == item_id)
    return {(r.grp, r.item_id): (int(r.target), int(r.minimum)) for r in Session.execute(statement)}


def _capacity(by: str, region_code: str | None, item_id: int | None, today: date) -> dict:
    """(province prefix or None, item id) -> base units deliverable within 72 h by active agreements."""
    province = func.substr(Region.code, 1, 2) if by == "province" else None
    group = [province] if province is not None else []
    statement = (select(*[column.label("grp") for column in group], CapacityAgreement.item_id,
                        func.sum(deliverable_sql(COVERAGE_HOURS, today)).label("deliverable"))
                 .join(Region, Region.id == CapacityAgreement.region_id)
                 .where(status_clause("active", today)).group_by(*group, CapacityAgreement.item_id))
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if item_id:
        statement = statement.where(CapacityAgreement.item_id == item_id)
    return {(r.grp if group else None, r.item_id): int(r.deliverable or 0) for r in Session.execute(statement)}


def _items(ids: set[int]) -> dict[int, Item]:
    return {item.id: item for item in Session.scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}


def _group_names(by: str, groups: set) -> dict:
    if by == "level":
        return {group: str(group) for group in groups}
    codes = {f"{prefix}0000": prefix for prefix in groups}
    regions = Session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all() if codes else []
    names = {codes[code]: name for code, name in regions}
    return {group: names.get(group, group) for group in groups}


def _group_order(by: str, group: str):
    if by == "level":
        return [str(level) for level in DEPOT_LEVEL_ORDER].index(group)
    return group
