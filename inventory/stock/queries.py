"""Stock read from lots and the ledger: a depot's stock now or at a past date, history, shortfalls, donations."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core import clock
from core.db import Session
from core.pagination import Page, paginate
from inventory.network.models import Depot, DepotStatus, Item, Quota, Region
from inventory.network.queries import region_code_prefix
from inventory.stock.models import (
    CountStatus,
    Discrepancy,
    Document,
    DocumentKind,
    FundingSource,
    Lot,
    Movement,
    MovementKind,
    Reservation,
    ScrapRequest,
    ScrapStatus,
    StockCount,
    Transfer,
    TransferStatus,
)


def rotation_state(expiry: date | None, lead_days: int, today: date) -> str:
    """'expired', 'due' (within the item's rotation lead time) or 'ok'."""
    if expiry is None:
        return "ok"
    if expiry <= today:
        return "expired"
    return "due" if (expiry - today).days <= lead_days else "ok"


@dataclass
class LotLine:
    lot_id: int
    batch_no: str
    production_date: date | None
    expiry_date: date | None
    unit_cost: Decimal
    funding_source: FundingSource
    on_hand: int
    reserved: int
    days_left: int | None
    state: str  # ok, due, expired, in_transit


@dataclass
class ItemStock:
    item: Item
    on_hand: int = 0
    reserved: int = 0
    available: int = 0   # free and unexpired
    expired: int = 0
    in_transit: int = 0  # shipped from here, not yet received or delivered: still on this depot's books
    value: Decimal = Decimal("0.00")
    quota_target: int | None = None
    quota_minimum: int | None = None
    lots: list[LotLine] = field(default_factory=list)

    @property
    def below_minimum(self) -> bool:
        return self.quota_minimum is not None and self.available < self.quota_minimum


LOT_COLUMNS = (Lot.id, Lot.item_id, Lot.batch_no, Lot.production_date, Lot.expiry_date, Lot.unit_cost,
               Lot.funding_source, Lot.in_transit)


def depot_stock(depot_id: int, today: date | None = None) -> list[ItemStock]:
    """The depot's stock by item with its lots, rotation state and quota, from the lot balances."""
    today = today or clock.today()
    # Plain columns, not entities: a central depot holds a thousand lots and this page is its busiest.
    rows = Session.execute(select(*LOT_COLUMNS, Lot.on_hand, Lot.reserved)
                           .where(Lot.depot_id == depot_id, Lot.on_hand > 0)
                           .order_by(Lot.item_id, Lot.expiry_date, Lot.id)).all()
    return _by_item(depot_id, [(row, row.on_hand, row.reserved) for row in rows], today)


def _by_item(depot_id: int, lots: list[tuple], today: date) -> list[ItemStock]:
    stock = _with_quotas(depot_id)
    missing = {row.item_id for row, _on_hand, _reserved in lots} - set(stock)
    for item in Session.scalars(select(Item).where(Item.id.in_(missing))):
        stock[item.id] = ItemStock(item)
    for row, on_hand, reserved in lots:
        _add_lot(stock[row.item_id], row, on_hand, reserved, today)
    return sorted(stock.values(), key=lambda entry: entry.item.code)


def _with_quotas(depot_id: int) -> dict[int, ItemStock]:
    quotas = Session.scalars(select(Quota).where(Quota.depot_id == depot_id).options(joinedload(Quota.item)))
    return {q.item_id: ItemStock(q.item, quota_target=q.target, quota_minimum=q.minimum) for q in quotas}


def _add_lot(entry: ItemStock, lot, on_hand: int, reserved: int, today: date) -> None:
    entry.value += lot.unit_cost * on_hand
    days_left = (lot.expiry_date - today).days if lot.expiry_date else None
    if lot.in_transit:
        entry.in_transit += on_hand
        entry.lots.append(LotLine(lot.id, lot.batch_no, lot.production_date, lot.expiry_date, lot.unit_cost,
                                  lot.funding_source, on_hand, 0, days_left, "in_transit"))
        return
    state = rotation_state(lot.expiry_date, entry.item.rotation_lead_days, today)
    entry.on_hand += on_hand
    entry.reserved += reserved
    if state == "expired":
        entry.expired += on_hand
    else:
        entry.available += on_hand - reserved
    entry.lots.append(LotLine(lot.id, lot.batch_no, lot.production_date, lot.expiry_date, lot.unit_cost,
                              lot.funding_source, on_hand, reserved, days_left, state))


def depot_stock_as_of(depot_id: int, as_of: date) -> list[ItemStock]:
    """The stock at the end of a past day, summed from the ledger (reservations are not historical)."""
    balances = (select(Movement.lot_id, func.sum(Movement.quantity).label("balance"))
                .where(Movement.depot_id == depot_id, Movement.occurred_at <= clock.end_of_day(as_of))
                .group_by(Movement.lot_id).having(func.sum(Movement.quantity) != 0).subquery())
    rows = Session.execute(select(*LOT_COLUMNS, balances.c.balance).join(balances, balances.c.lot_id == Lot.id)
                           .order_by(Lot.item_id, Lot.expiry_date, Lot.id)).all()
    return _by_item(depot_id, [(row, int(row.balance), 0) for row in rows], as_of)


def movements_statement(depot_id: int | None = None, item_id: int | None = None, kind: str | None = None,
                        date_from: date | None = None, date_to: date | None = None) -> Select:
    statement = (select(Movement).options(joinedload(Movement.item), joinedload(Movement.lot),
                                          joinedload(Movement.document), joinedload(Movement.actor),
                                          joinedload(Movement.depot))
                 .order_by(Movement.occurred_at.desc(), Movement.id.desc()))
    if depot_id:
        statement = statement.where(Movement.depot_id == depot_id)
    if item_id:
        statement = statement.where(Movement.item_id == item_id)
    if kind:
        statement = statement.where(Movement.kind == MovementKind(kind))
    if date_from:
        statement = statement.where(Movement.occurred_at >= clock.start_of_day(date_from))
    if date_to:
        statement = statement.where(Movement.occurred_at <= clock.end_of_day(date_to))
    return statement


def list_movements(page: int = 1, per_page: int = 50, **filters) -> Page:
    return paginate(movements_statement(**filters), page, per_page)


def get_document(document_id: int) -> Document | None:
    return Session.scalar(select(Document).where(Document.id == document_id)
                          .options(joinedload(Document.depot), joinedload(Document.created_by)))


def ledger_mismatches() -> list[dict]:
    """Lots whose balance is not the sum of their movements, or whose reservation exceeds what is there."""
    ledger = (select(Movement.lot_id, func.sum(Movement.quantity).label("total"))
              .group_by(Movement.lot_id).subquery())
    total = func.coalesce(ledger.c.total, 0)
    rows = Session.execute(
        select(Lot.id, Lot.depot_id, Lot.item_id, Lot.batch_no, Lot.on_hand, Lot.reserved, total.label("ledger"))
        .outerjoin(ledger, ledger.c.lot_id == Lot.id)
        .where(or_(Lot.on_hand != total, Lot.reserved > Lot.on_hand, Lot.reserved < 0, Lot.on_hand < 0))
    ).all()
    misplaced = Session.execute(
        select(Movement.id, Movement.lot_id).join(Lot, Lot.id == Movement.lot_id)
        .where(or_(Movement.depot_id != Lot.depot_id, Movement.item_id != Lot.item_id))
    ).all()
    problems = [{"lot_id": r.id, "batch_no": r.batch_no, "on_hand": r.on_hand, "reserved": r.reserved,
                 "ledger": int(r.ledger)} for r in rows]
    problems += [{"movement_id": m.id, "lot_id": m.lot_id, "problem": "movement's depot or item differs from its lot"}
                 for m in misplaced]
    return problems


@dataclass
class Shortfall:
    depot: Depot
    item: Item
    minimum: int
    target: int
    available: int

    @property
    def below_minimum(self) -> int:
        return self.minimum - self.available


def _available_by_depot_item(today: date) -> Select:
    usable = or_(Lot.expiry_date.is_(None), Lot.expiry_date > today)
    free = func.sum(case((usable, Lot.on_hand - Lot.reserved), else_=0))
    return (select(Lot.depot_id, Lot.item_id, free.label("available")).where(Lot.in_transit.is_(False))
            .group_by(Lot.depot_id, Lot.item_id).subquery())


def list_shortfalls(level: str | None = None, region_code: str | None = None, item_id: int | None = None,
                    page: int = 1, per_page: int = 50, today: date | None = None) -> Page:
    """Quotas whose depot holds less usable stock than the minimum, worst first."""
    stock = _available_by_depot_item(today or clock.today())
    available = func.coalesce(stock.c.available, 0)
    statement = (select(Quota, available.label("available"))
                 .join(Depot, Depot.id == Quota.depot_id).join(Region, Region.id == Depot.region_id)
                 .outerjoin(stock, and_(stock.c.depot_id == Quota.depot_id, stock.c.item_id == Quota.item_id))
                 .where(available < Quota.minimum)
                 .options(joinedload(Quota.depot).joinedload(Depot.region), joinedload(Quota.item))
                 .order_by((Quota.minimum - available).desc(), Depot.code))
    if level:
        statement = statement.where(Depot.level == level)
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if item_id:
        statement = statement.where(Quota.item_id == item_id)
    total = Session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = Session.execute(statement.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    items = [Shortfall(q.depot, q.item, q.minimum, q.target, int(a)) for q, a in rows]
    return Page(items=items, number=max(page, 1), per_page=per_page, total=total or 0)


def donations_statement(donor: str | None = None, depot_ids: list[int] | None = None) -> Select:
    """Donated lots with where they are now; the movements show where the goods went.

    `depot_ids` limits the lots to those depots (a clerk's own); None is every depot.
    """
    statement = (select(Lot).where(Lot.funding_source == FundingSource.DONATION, Lot.in_transit.is_(False))
                 .options(joinedload(Lot.item), joinedload(Lot.depot)).order_by(Lot.donor, Lot.created_at))
    if depot_ids is not None:
        statement = statement.where(Lot.depot_id.in_(depot_ids))
    if donor:
        statement = statement.where(Lot.donor.ilike(f"%{donor}%"))
    return statement


DOCUMENT_TITLES = {DocumentKind.RECEIPT: _l("Receipt voucher"), DocumentKind.ISSUE: _l("Issue voucher"),
                   DocumentKind.TRANSFER: _l("Transfer order"), DocumentKind.COUNT: _l("Stock count"),
                   DocumentKind.SCRAP: _l("Scrap request"), DocumentKind.REVERSAL: _l("Reversal voucher"),
                   DocumentKind.ROTATION: _l("Rotation voucher"), DocumentKind.SHIPMENT: _l("Waybill")}


# Where donated goods went: the movements that take stock out of a lot for good or elsewhere.
OUTGOING_KINDS = (MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.SCRAP, MovementKind.ROTATION_OUT,
                  MovementKind.DISPATCH)


def list_item_options() -> list[Item]:
    """Every catalog item with its packs, for the line selects."""
    return list(Session.scalars(select(Item).options(selectinload(Item.pack_units)).order_by(Item.code)))


def import_example_item() -> Item | None:
    """The item the import template's example row shows: the first by code that comes in packs (so the row shows
    a pack it really has), else the first at all."""
    by_code = select(Item).options(selectinload(Item.pack_units)).order_by(Item.code).limit(1)
    return Session.scalar(by_code.where(Item.pack_units.any())) or Session.scalar(by_code)


def list_depot_lots(depot_id: int) -> list[Lot]:
    """The depot's lots that hold stock, for picking a lot by hand (expired ones included, for scrapping)."""
    return list(Session.scalars(select(Lot).where(Lot.depot_id == depot_id, Lot.on_hand > 0, Lot.in_transit.is_(False))
                                .options(joinedload(Lot.item)).order_by(Lot.item_id, Lot.expiry_date, Lot.id)))


def get_movement(movement_id: int) -> Movement | None:
    return Session.get(Movement, movement_id)


def is_reversed(movement_id: int) -> bool:
    return Session.scalar(select(Movement.id).where(Movement.reverses_id == movement_id)) is not None


def reversed_ids(movement_ids: list[int]) -> set[int]:
    """Which of these movements already have a reversal."""
    if not movement_ids:
        return set()
    return set(Session.scalars(select(Movement.reverses_id).where(Movement.reverses_id.in_(movement_ids))))


def get_transfer(transfer_id: int) -> Transfer | None:
    return Session.get(Transfer, transfer_id)


def get_count(count_id: int) -> StockCount | None:
    return Session.get(StockCount, count_id)


def get_scrap(scrap_id: int) -> ScrapRequest | None:
    return Session.get(ScrapRequest, scrap_id)


def get_discrepancy(discrepancy_id: int) -> Discrepancy | None:
    return Session.get(Discrepancy, discrepancy_id)


def document_subject(document_id: int) -> Transfer | StockCount | ScrapRequest | None:
    """The transfer, count or scrap request a document stands for, if any."""
    for model in (Transfer, StockCount, ScrapRequest):
        subject = Session.scalar(select(model).where(model.document_id == document_id))
        if subject is not None:
            return subject
    return None


def document_movements(document_id: int) -> list[Movement]:
    return list(Session.scalars(select(Movement).where(Movement.document_id == document_id)
                                .options(joinedload(Movement.item), joinedload(Movement.lot),
                                         joinedload(Movement.depot)).order_by(Movement.id)))


def outgoing_by_lot(lot_ids: list[int]) -> dict[int, list[Movement]]:
    """The issue, transfer and scrap movements of these lots, oldest first, keyed by lot."""
    if not lot_ids:
        return {}
    rows = Session.scalars(select(Movement).where(Movement.lot_id.in_(lot_ids), Movement.kind.in_(OUTGOING_KINDS))
                           .options(joinedload(Movement.document)).order_by(Movement.occurred_at, Movement.id))
    grouped: dict[int, list[Movement]] = defaultdict(list)
    for movement in rows:
        grouped[movement.lot_id].append(movement)
    return grouped


def received_by_lot(lot_ids: list[int]) -> dict[int, int]:
    """What came into each lot by receipt or transfer, before anything left."""
    if not lot_ids:
        return {}
    rows = Session.execute(select(Movement.lot_id, func.sum(Movement.quantity))
                           .where(Movement.lot_id.in_(lot_ids),
                                  Movement.kind.in_((MovementKind.RECEIPT, MovementKind.TRANSFER_IN)))
                           .group_by(Movement.lot_id))
    return {lot_id: int(total) for lot_id, total in rows}


def list_open_work(depot_id: int) -> dict[str, list]:
    """Transfers, counts and scrap requests of a depot that still wait for someone."""
    transfers = Session.scalars(
        select(Transfer).where((Transfer.source_id == depot_id) | (Transfer.destination_id == depot_id),
                               Transfer.status.in_((TransferStatus.DRAFT, TransferStatus.APPROVED,
                                                    TransferStatus.SHIPPED)))
        .options(joinedload(Transfer.document), joinedload(Transfer.source), joinedload(Transfer.destination))
        .order_by(Transfer.id))
    counts = Session.scalars(select(StockCount).where(StockCount.depot_id == depot_id,
                                                      StockCount.status == CountStatus.OPEN)
                             .options(joinedload(StockCount.document)).order_by(StockCount.id))
    scraps = Session.scalars(select(ScrapRequest).where(ScrapRequest.depot_id == depot_id,
                                                        ScrapRequest.status == ScrapStatus.REQUESTED)
                             .options(joinedload(ScrapRequest.document)).order_by(ScrapRequest.id))
    return {"transfers": list(transfers), "counts": list(counts), "scraps": list(scraps)}


def list_usable_lots(depot_id: int, item_id: int, today: date, present_at: datetime | None = None) -> list[Lot]:
    """The depot's lots of an item with free, unexpired stock, first expiring first (never-expiring last); with
    `present_at`, only the lots already at the depot then (a back-dated issue cannot take a later arrival)."""
    statement = (select(Lot).where(Lot.depot_id == depot_id, Lot.item_id == item_id, Lot.on_hand > Lot.reserved,
                                   Lot.in_transit.is_(False),
                                   (Lot.expiry_date.is_(None)) | (Lot.expiry_date > today))
                 .order_by(Lot.expiry_date.is_(None), Lot.expiry_date, Lot.production_date, Lot.id))
    if present_at is not None:
        arrived = select(func.min(Movement.occurred_at)).where(Movement.lot_id == Lot.id).scalar_subquery()
        statement = statement.where(arrived <= present_at)
    return list(Session.scalars(statement))


def available_quantity(depot_id: int, item_id: int, today: date) -> int:
    """Free, unexpired stock of an item at a depot: what an issue could take today."""
    return sum(lot.free for lot in list_usable_lots(depot_id, item_id, today))


@dataclass
class HeldStock:
    """Stock of one lot a reservation holds, and where to read about its holder."""

    label: str
    url: str | None
    item_code: str
    item_name: str
    batch_no: str
    quantity: int


def register_link(app, key: str, url_for_id) -> None:
    """Let the stock pages link to another domain's pages without importing it: a reservation's holder
    (key "plan": the plan's page) or a document kind's subject (key "document:YD": a waybill's shipment)."""
    app.extensions.setdefault("stock_links", {})[key] = url_for_id


def _link(key: str, id_: int) -> str | None:
    url_for_id = current_app.extensions.get("stock_links", {}).get(key)
    return url_for_id(id_) if url_for_id else None


def document_link(document) -> str | None:
    """Where another domain explains a document of its kind (a waybill's shipment), if it registered one."""
    return _link(f"document:{document.kind.value}", document.id)


def depot_reservations(depot_id: int) -> list[HeldStock]:
    """What is reserved at the depot for named holders, with a link to each holder."""
    rows = Session.execute(select(Reservation, Lot.batch_no, Item.code, Item.name)
                           .join(Lot, Lot.id == Reservation.lot_id).join(Item, Item.id == Lot.item_id)
                           .where(Lot.depot_id == depot_id, Reservation.quantity > 0)
                           .order_by(Reservation.holder, Reservation.holder_id, Item.code, Lot.batch_no)).all()
    return [HeldStock(reservation.label, _link(reservation.holder, reservation.holder_id), code, name, batch_no,
                      reservation.quantity) for reservation, batch_no, code, name in rows]


@dataclass
class DepotStockLevel:
    """One active depot's usable stock of one item beside its quota, for the network map."""

    depot_id: int
    code: str
    name: str
    level: str
    latitude: float
    longitude: float
    stock: int
    quota_minimum: int | None
    quota_target: int | None

    @property
    def state(self) -> str:
        """'no_quota', 'below_minimum', 'below_target' or 'at_quota' (at or above the target)."""
        if self.quota_minimum is None:
            return "no_quota"
        if self.stock < self.quota_minimum:
            return "below_minimum"
        return "below_target" if self.stock < self.quota_target else "at_quota"


def list_depot_stock_levels(item_id: int, region_code: str | None = None,
                            today: date | None = None) -> list[DepotStockLevel]:
    """Every active depot (in the region, if given) with its usable stock of the item (free, unexpired, not on the
    road: what the shortfall list counts) and its quota for it. One statement, however many depots."""
    usable = or_(Lot.expiry_date.is_(None), Lot.expiry_date > (today or clock.today()))
    stock = (select(Lot.depot_id, func.sum(Lot.on_hand - Lot.reserved).label("stock"))
             .where(Lot.item_id == item_id, Lot.in_transit.is_(False), usable).group_by(Lot.depot_id).subquery())
    statement = (select(Depot.id, Depot.code, Depot.name, Depot.level, Depot.latitude, Depot.longitude,
                        func.coalesce(stock.c.stock, 0), Quota.minimum, Quota.target)
                 .outerjoin(stock, stock.c.depot_id == Depot.id)
                 .outerjoin(Quota, and_(Quota.depot_id == Depot.id, Quota.item_id == item_id))
                 .where(Depot.status == DepotStatus.ACTIVE).order_by(Depot.id))
    if region_code:
        statement = statement.join(Region, Region.id == Depot.region_id).where(
            Region.code.startswith(region_code_prefix(region_code)))
    return [DepotStockLevel(id_, code, name, level.value, lat, lon, int(held), minimum, target)
            for id_, code, name, level, lat, lon, held, minimum, target in Session.execute(statement)]


@dataclass
class ProvinceShortfall:
    """Quotas in one province whose depot holds less usable stock than the minimum."""

    province_code: str
    province_name: str
    quotas: int
    units_short: int


def shortfalls_by_province(today: date | None = None) -> list[ProvinceShortfall]:
    """The shortfalls list summed per province, most units short first (the administrator's home page)."""
    stock = _available_by_depot_item(today or clock.today())
    available = func.coalesce(stock.c.available, 0)
    province = func.substr(Region.code, 1, 2)
    rows = Session.execute(
        select(province, func.count(), func.sum(Quota.minimum - available))
        .select_from(Quota).join(Depot, Depot.id == Quota.depot_id).join(Region, Region.id == Depot.region_id)
        .outerjoin(stock, and_(stock.c.depot_id == Quota.depot_id, stock.c.item_id == Quota.item_id))
        .where(available < Quota.minimum, Depot.status == DepotStatus.ACTIVE).group_by(province))
    names = dict(Session.execute(select(func.substr(Region.code, 1, 2), Region.name)
                                 .where(Region.code.like("__0000"))).all())
    shortfalls = [ProvinceShortfall(code, names.get(code, code), count, int(short)) for code, count, short in rows]
    return sorted(shortfalls, key=lambda row: (-row.units_short, row.province_code))


def below_minimum_by_depot(depot_ids: list[int], today: date | None = None) -> dict[int, int]:
    """How many items each depot holds below its quota minimum."""
    stock = _available_by_depot_item(today or clock.today())
    available = func.coalesce(stock.c.available, 0)
    rows = Session.execute(
        select(Quota.depot_id, func.count()).select_from(Quota)
        .outerjoin(stock, and_(stock.c.depot_id == Quota.depot_id, stock.c.item_id == Quota.item_id))
        .where(Quota.depot_id.in_(depot_ids), available < Quota.minimum).group_by(Quota.depot_id))
    return dict(rows.all())


def arriving_transfers_by_depot(depot_ids: list[int]) -> dict[int, int]:
    """How many shipped transfers each depot has yet to receive."""
    rows = Session.execute(select(Transfer.destination_id, func.count())
                           .where(Transfer.destination_id.in_(depot_ids), Transfer.status == TransferStatus.SHIPPED)
                           .group_by(Transfer.destination_id))
    return dict(rows.all())


# Expiry bands of a depot's usable stock: (key, last day left in the band); None: beyond the last band.
EXPIRY_BANDS = (("month", 30), ("quarter", 90), ("half_year", 180), ("year", 365), ("later", None))


@dataclass
class ExpiryBand:
    key: str           # "expired", one of EXPIRY_BANDS, or "never" (does not expire)
    lots: int = 0
    quantity: int = 0
    value: Decimal = Decimal("0.00")


def expiry_profile(stock: list[ItemStock]) -> list[ExpiryBand]:
    """How the depot's stock on hand (not in transit) spreads over the time left before it expires, by book value:
    the figures of the stock table above it, regrouped."""
    keys = ["expired", *(key for key, _last in EXPIRY_BANDS), "never"]
    bands = {key: ExpiryBand(key) for key in keys}
    for entry in stock:
        for lot in entry.lots:
            if lot.state == "in_transit":
                continue
            band = bands["expired" if lot.state == "expired" else _band(lot.days_left)]
            band.lots += 1
            band.quantity += lot.on_hand
            band.value += lot.unit_cost * lot.on_hand
    return list(bands.values())


def _band(days_left: int | None) -> str:
    if days_left is None:
        return "never"
    return next(key for key, last in EXPIRY_BANDS if last is None or days_left <= last)
