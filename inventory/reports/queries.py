"""Finance reports computed from the ledger: valuation at a date, the movement journal, rotation costs.

Every figure is a sum over movements (never over today's balances), so it reconciles to the ledger.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased, joinedload

from core import clock
from core.db import Session
from core.models import User
from inventory.network.models import Depot, Item, ItemCategory, Region
from inventory.network.queries import region_code_prefix
from inventory.rotation.models import RotationPlan
from inventory.stock.models import ClosedPeriod, Document, FundingSource, Lot, Movement, MovementKind
from inventory.stock.services import periods as ledger_periods

CENT = Decimal("0.01")


@dataclass
class ReportFilters:
    level: str | None = None
    region_code: str | None = None
    funding_source: str | None = None
    category: str | None = None
    depot_code: str | None = None  # the journal's own filters: one depot, one item, one kind of movement
    item_code: str | None = None
    kind: str | None = None

    def apply(self, statement: Select) -> Select:
        """Narrow a statement that already joins Movement, Lot, Depot, Region and Item."""
        if self.depot_code:  # read as get_depot_by_code and get_item_by_code read them
            statement = statement.where(Depot.code == self.depot_code.strip().upper())
        if self.item_code:
            statement = statement.where(Item.code == self.item_code.strip())
        if self.kind:
            statement = statement.where(Movement.kind == MovementKind(self.kind))
        if self.level:
            statement = statement.where(Depot.level == self.level)
        if self.region_code:
            statement = statement.where(Region.code.startswith(region_code_prefix(self.region_code)))
        if self.funding_source:
            statement = statement.where(Lot.funding_source == FundingSource(self.funding_source))
        if self.category:
            statement = statement.where(Item.category == ItemCategory(self.category))
        return statement


def _ledger(*columns) -> Select:
    return (select(*columns).select_from(Movement).join(Lot, Lot.id == Movement.lot_id)
            .join(Depot, Depot.id == Movement.depot_id).join(Region, Region.id == Depot.region_id)
            .join(Item, Item.id == Movement.item_id))


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


@dataclass
class ValuationRow:
    level: str
    category: str
    funding_source: str
    quantity: int
    value: Decimal


@dataclass
class Valuation:
    as_of: date
    rows: list[ValuationRow] = field(default_factory=list)

    @property
    def total_value(self) -> Decimal:
        return sum((row.value for row in self.rows), Decimal("0.00"))

    @property
    def total_quantity(self) -> int:
        return sum(row.quantity for row in self.rows)


def valuation(as_of: date, filters: ReportFilters | None = None) -> Valuation:
    """Stock value at the end of a day, by depot level, item category and funding source."""
    filters = filters or ReportFilters()
    quantity, value = func.sum(Movement.quantity), func.sum(Movement.quantity * Movement.unit_cost)
    statement = filters.apply(_ledger(Depot.level, Item.category, Lot.funding_source, quantity, value)
                              .where(Movement.occurred_at <= clock.end_of_day(as_of))
                              .group_by(Depot.level, Item.category, Lot.funding_source)
                              .having(quantity != 0)
                              .order_by(Depot.level, Item.category, Lot.funding_source))
    rows = [ValuationRow(level.value, category.value, funding.value, int(q), _money(v))
            for level, category, funding, q, v in Session.execute(statement)]
    return Valuation(as_of, rows)


def journal_statement(date_from: date, date_to: date, filters: ReportFilters | None = None) -> Select:
    """Every movement in a period with its document number, oldest first: the audit trail."""
    filters = filters or ReportFilters()
    statement = _ledger(Movement, Document.number, Depot.code, Item.code, Item.name, Lot.batch_no, User).join(
        Document, Document.id == Movement.document_id).join(User, User.id == Movement.actor_id).where(
        Movement.occurred_at >= clock.start_of_day(date_from), Movement.occurred_at <= clock.end_of_day(date_to))
    return filters.apply(statement).order_by(Movement.occurred_at, Movement.id)


def journal_row(movement: Movement, number: str, depot: str, item: str, item_name: str, batch: str,
                actor: User) -> dict:
    """One movement as the journal shows it: instants stay datetimes (UTC) for the page, the API and the download
    to put on the local clock each in its own way."""
    return {"document": number, "document_id": movement.document_id, "occurred_at": movement.occurred_at,
            "recorded_at": movement.recorded_at, "depot": depot, "item": item, "item_name": item_name,
            "batch": batch, "kind": movement.kind.value, "quantity": movement.quantity,
            "unit_cost": movement.unit_cost, "value": _money(movement.quantity * movement.unit_cost),
            "proceeds": movement.proceeds, "actor_id": movement.actor_id, "recorded_by": actor.username,
            "recorded_by_name": actor.name_and_login, "reason": movement.reason, "reverses": movement.reverses_id}



def journal(date_from: date, date_to: date, filters: ReportFilters | None = None, limit: int | None = None,
            offset: int = 0) -> tuple[list[dict], dict]:
    """Rows of the journal (a page of them when `limit` is given) and the totals of the whole period."""
    statement = journal_statement(date_from, date_to, filters)
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    rows = [journal_row(*row) for row in Session.execute(statement)]
    whole = journal_statement(date_from, date_to, filters).order_by(None).subquery()
    count, quantity, value = Session.execute(select(
        func.count(), func.coalesce(func.sum(whole.c.quantity), 0),
        func.coalesce(func.sum(whole.c.quantity * whole.c.unit_cost), 0))).one()
    return rows, {"movements": count, "net_quantity": int(quantity), "net_value": _money(value)}


@dataclass
class RotationFigures:
    """What rotation cost: out at book value, money received, replacements bought."""

    plan: str
    depot: str
    quantity_out: int = 0
    book_value_out: Decimal = Decimal("0.00")
    proceeds: Decimal = Decimal("0.00")
    quantity_in: int = 0
    replacement_cost: Decimal = Decimal("0.00")

    @property
    def net_cost(self) -> Decimal:
        """Replacement bought less money received for what left."""
        return self.replacement_cost - self.proceeds

    @property
    def disposal_loss(self) -> Decimal:
        """Book value that left less what it fetched."""
        return self.book_value_out - self.proceeds


@dataclass
class RotationReport:
    date_from: date
    date_to: date
    plans: list[RotationFigures]
    scrapped_value: Decimal
    expired_value: Decimal

    @property
    def total(self) -> RotationFigures:
        total = RotationFigures("total", "")
        for plan in self.plans:
            total.quantity_out += plan.quantity_out
            total.book_value_out += plan.book_value_out
            total.proceeds += plan.proceeds
            total.quantity_in += plan.quantity_in
            total.replacement_cost += plan.replacement_cost
        return total

    @property
    def write_offs(self) -> Decimal:
        return self.scrapped_value + self.expired_value


def rotation_report(date_from: date, date_to: date, filters: ReportFilters | None = None) -> RotationReport:
    filters = filters or ReportFilters()
    in_period = (Movement.occurred_at >= clock.start_of_day(date_from),
                 Movement.occurred_at <= clock.end_of_day(date_to))
    return RotationReport(date_from, date_to, _plan_figures(in_period, filters),
                          _scrapped_value(in_period, filters), _expired_value(date_from, date_to, filters))


def _plan_figures(in_period, filters: ReportFilters) -> list[RotationFigures]:
    plan_document = aliased(Document)
    statement = filters.apply(
        _ledger(plan_document.number, Depot.code, Movement.kind, func.sum(Movement.quantity),
                func.sum(Movement.quantity * Movement.unit_cost), func.sum(func.coalesce(Movement.proceeds, 0)))
        .join(RotationPlan, RotationPlan.id == Movement.rotation_plan_id)
        .join(plan_document, plan_document.id == RotationPlan.document_id)
        .where(*in_period, Movement.kind.in_([MovementKind.ROTATION_OUT, MovementKind.ROTATION_IN]))
        .group_by(plan_document.number, Depot.code, Movement.kind).order_by(plan_document.number, Depot.code))
    plans: dict[tuple[str, str], RotationFigures] = {}  # numbers restart at every depot
    for number, depot, kind, quantity, value, proceeds in Session.execute(statement):
        figures = plans.setdefault((number, depot), RotationFigures(number, depot))
        if kind == MovementKind.ROTATION_OUT:
            figures.quantity_out += -int(quantity)
            figures.book_value_out += -_money(value)
            figures.proceeds += _money(proceeds)
        else:
            figures.quantity_in += int(quantity)
            figures.replacement_cost += _money(value)
    return list(plans.values())


def _scrapped_value(in_period, filters: ReportFilters) -> Decimal:
    statement = filters.apply(_ledger(func.sum(Movement.quantity * Movement.unit_cost))
                              .where(*in_period, Movement.kind == MovementKind.SCRAP))
    return -_money(Session.scalar(statement))


def _expired_value(date_from: date, date_to: date, filters: ReportFilters) -> Decimal:
    """Book value of the stock still on hand when its lot expired, for lots expiring in the period."""
    statement = filters.apply(_ledger(func.sum(Movement.quantity * Movement.unit_cost))
                              .where(Lot.expiry_date >= date_from, Lot.expiry_date <= date_to,
                                     Movement.occurred_at < _expiry_instant()))
    return _money(Session.scalar(statement))


def _expiry_instant():
    """The start of a lot's expiry day, compared in SQL: stock recorded before it expired with the lot."""
    if Session.get_bind().dialect.name == "sqlite":
        return func.datetime(Lot.expiry_date)
    return func.cast(Lot.expiry_date, Movement.occurred_at.type)


@dataclass
class AccountingPeriod:
    """One month of the ledger: closed (by whom, when), or open, and whether it may be closed now."""

    month: date
    closed: bool = False
    closed_at: datetime | None = None
    closed_by: User | None = None
    closable: bool = False

    @property
    def period(self) -> str:
        return ledger_periods.label(self.month)

    @property
    def state(self) -> str:
        return "closed" if self.closed else "open"


def accounting_periods() -> list[AccountingPeriod]:
    """Every month from the ledger's first (or last month, on a young ledger) to the current one, newest first.

    Every open month that has ended may be closed; closing one closes the open months before it too.
    """
    rows = {row.month: row for row in Session.scalars(select(ClosedPeriod).options(
        joinedload(ClosedPeriod.closed_by)))}
    through = max(rows, default=None)
    current = ledger_periods.month_of(clock.utcnow())
    first_movement = Session.scalar(select(func.min(Movement.occurred_at)))
    starts = [min(rows, default=current), ledger_periods.previous_month(current)]
    if first_movement is not None:
        starts.append(ledger_periods.month_of(first_movement))
    periods, month = [], min(starts)
    while month <= current:
        if through is not None and month <= through:
            row = rows.get(month)  # months before the first close have no row: they are closed all the same
            periods.append(AccountingPeriod(month, True, row and row.closed_at, row and row.closed_by))
        else:
            periods.append(AccountingPeriod(month, closable=month < current))
        month = ledger_periods.next_month(month)
    return periods[::-1]



@dataclass(frozen=True)
class BookValue:
    """The stock's book value at the end of a day (month ends, and today for the last)."""

    day: date
    value: Decimal


def book_value_trend(months: int = 12, today: date | None = None) -> list[BookValue]:
    """The book value at the end of each of the last `months` months and today, oldest first, in one pass over
    the ledger: each figure is what the valuation report gives for that day."""
    today = today or clock.today()
    days = _month_ends_before(today, months) + [today]
    value = Movement.quantity * Movement.unit_cost
    sums = [func.sum(case((Movement.occurred_at <= clock.end_of_day(day), value), else_=0)) for day in days]
    row = Session.execute(_ledger(*sums)).one()
    return [BookValue(day, _money(total)) for day, total in zip(days, row)]


def _month_ends_before(today: date, months: int) -> list[date]:
    """The last days of the `months` months before today's month, oldest first."""
    ends, first = [], today.replace(day=1)
    for _ in range(months):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]
