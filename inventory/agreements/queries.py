"""Capacity agreements read for pages and the API: filtered lists, and what they can deliver per item in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core import clock
from core.db import Session
from core.pagination import Page, paginate
from inventory.agreements.models import ActivationStatus, AgreementActivation, AgreementStatus, CapacityAgreement
from inventory.network.models import DEPOT_LEVEL_ORDER, Depot, DepotStatus, Item, Quota, Region
from inventory.network.queries import region_code_prefix
from inventory.stock.models import Lot, Ownership

EXPIRY_WARNING_DAYS = 60
DEFAULT_HOURS = (24, 48, 72)
EFFECTIVE_STATUSES = ("active", "pending", "suspended", "expired")



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


COVERAGE_HOURS = 72
GROUPINGS = ("level", "province")



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
                       held(Ownership.AGREEMENT).label("agreement")).select_from(Lot).where(
        Lot.on_hand > 0, Lot.in_transit.is_(False))
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


def committed_output(agreement_ids: list[int], releasing_plan_ids: list[int] = ()) -> dict[int, int]:
    """Units each agreement is already bound to produce: what its activations in force ordered, and what withdrawn
    ones delivered. Activations of `releasing_plan_ids` (plans a new approval would supersede) count only what they
    delivered, since approving withdraws them."""
    if not agreement_ids:
        return {}
    committed: dict[int, int] = {}
    activations = Session.scalars(select(AgreementActivation).where(
        AgreementActivation.agreement_id.in_(agreement_ids)).options(selectinload(AgreementActivation.outputs)))
    for activation in activations:
        withdrawn = activation.status == ActivationStatus.CANCELLED or activation.plan_id in releasing_plan_ids
        units = activation.received if withdrawn else activation.quantity
        committed[activation.agreement_id] = committed.get(activation.agreement_id, 0) + units
    return committed


def agreement_activations(agreement_id: int) -> list[AgreementActivation]:
    """The agreement's activations, newest first, with what came in against each."""
    return list(Session.scalars(select(AgreementActivation).where(AgreementActivation.agreement_id == agreement_id)
                                .options(selectinload(AgreementActivation.outputs),
                                         joinedload(AgreementActivation.activated_by))
                                .order_by(AgreementActivation.activated_at.desc(), AgreementActivation.id.desc())))


@dataclass
class CoverageShare:
    """How much of one level's or province's summed quota minimums (its Level II reserve) is held."""

    group: str
    group_name: str
    minimum: int        # the summed minimums of every item with one
    held: int           # held stock counted up to each item's minimum
    with_capacity: int  # the same once the capacity agreements have delivered for 72 hours
    gaps: int           # items short even then

    @property
    def share_held(self) -> Decimal:
        return (Decimal(self.held) / self.minimum).quantize(Decimal("0.001"))


def coverage_shares(by: str = "level", today: date | None = None) -> list[CoverageShare]:
    """The coverage rows summed per level or province, in the coverage page's order; groups without a minimum
    are left out (nothing to cover)."""
    shares: dict[str, CoverageShare] = {}
    for row in coverage(by, today=today):
        if row.quota_minimum == 0:
            continue
        share = shares.setdefault(row.group, CoverageShare(row.group, row.group_name, 0, 0, 0, 0))
        share.minimum += row.quota_minimum
        share.held += min(row.held, row.quota_minimum)
        share.with_capacity += min(row.held + row.capacity, row.quota_minimum)
        share.gaps += row.verdict == "short"
    return list(shares.values())
