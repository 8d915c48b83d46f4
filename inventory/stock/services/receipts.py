"""Receiving stock: new lots or top-ups of existing ones."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from core import clock
from core.access import ensure_can_act
from core.db import Session, unit_of_work
from core.errors import DomainError, LinePath, refuse_lines
from core.models import User
from inventory.network.models import Depot, Item
from inventory.network.queries import get_active_depot
from inventory.stock.models import Document, DocumentKind, FundingSource, Lot, MovementKind, Ownership
from inventory.stock.services.errors import ExpiredLotError
from inventory.stock.services.ledger import lock_lots, new_document, post_movement
from inventory.stock.services.lines import base_quantity, line_item

LOT_IDENTITY = ("expiry_date", "unit_cost", "funding_source", "ownership")
LOT_IDENTITY_LABELS = {"expiry_date": _l("expiry date"), "unit_cost": _l("unit cost"),
                       "funding_source": _l("funding source"), "ownership": _l("ownership")}


@dataclass
class ReceiptLine:
    item_id: int
    quantity: int
    batch_no: str
    unit_cost: Decimal
    funding_source: FundingSource | str
    unit: str | None = None  # the item's base unit or one of its packs; None = base unit
    production_date: date | None = None
    expiry_date: date | None = None
    ownership: Ownership | str = Ownership.GOVERNMENT
    holder: str | None = None
    donor: str | None = None
    donation_restriction: str | None = None


@dataclass
class Receipt:
    depot_id: int
    lines: list[ReceiptLine]
    supplier: str | None = None
    reason: str | None = None
    occurred_at: datetime | None = None
    extra: dict = field(default_factory=dict)


def depot_funding(depot: Depot) -> FundingSource:
    """Who pays for what a depot buys, unless said otherwise: the government of its own level (a county depot's
    purchases are the county's)."""
    return FundingSource(depot.level.value)


@unit_of_work
def receive_stock(receipt: Receipt, actor: User) -> Document:
    """Record goods arriving at a depot: one document, one receipt movement per line."""
    depot = get_active_depot(receipt.depot_id)
    ensure_can_act(actor, depot)
    if not receipt.lines:
        raise DomainError(_("A receipt needs at least one line."), {"lines": [_("Add at least one line.")]})
    prepared = _prepare_lines(receipt.lines)
    document = new_document(depot, DocumentKind.RECEIPT, actor, receipt.occurred_at, receipt.reason,
                            receipt.supplier)
    lots = [lot_for_batch(depot, item, line, LinePath(index)) for index, (line, item, _q) in enumerate(prepared)]
    lock_lots(lots)
    for lot, (_line, _item, quantity) in zip(lots, prepared):
        post_movement(document, lot, MovementKind.RECEIPT, quantity, actor)
    return document


def _prepare_lines(lines: list[ReceiptLine]) -> list[tuple[ReceiptLine, Item, int]]:
    prepared, errors = [], []
    for index, line in enumerate(lines):
        try:
            prepared.append(_prepare_line(line, LinePath(index)))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise refuse_lines(errors)
    return prepared


def _prepare_line(line: ReceiptLine, path: LinePath) -> tuple[ReceiptLine, Item, int]:
    item = line_item(line.item_id, path)
    line.funding_source = FundingSource(line.funding_source)
    line.ownership = Ownership(line.ownership)
    problems = line_problems(line, item, path)
    if problems:
        raise refuse_lines(problems)
    line.expiry_date = _expiry(item, line)
    return line, item, base_quantity(item, line.quantity, line.unit, path)


def line_problems(line: ReceiptLine, item: Item | None, path: LinePath) -> list[DomainError]:
    """Every rule a receipt line breaks by itself (its unit, its dates, its provenance), at most one per field.

    Nothing is read or written: the receipt form asks the same question before it is sent on, so a clerk sees
    these beside their fields, in these words, together with the form's own messages. `item` is None when the
    line names none yet; the rules that need it then wait.
    """
    problems = []
    if item is not None and line.quantity and line.unit:
        try:
            base_quantity(item, line.quantity, line.unit, path)
        except DomainError as error:
            problems.append(error)
    problems += _date_problems(line, item, path)
    problems += _provenance_problems(line, path)
    return problems


def _date_problems(line: ReceiptLine, item: Item | None, path: LinePath) -> list[DomainError]:
    if item is not None and item.shelf_life_days is not None and line.expiry_date is None \
            and line.production_date is None:
        return [DomainError(_("%(item)s expires: give its production or expiry date.", item=item.name),
                            path.error("production_date", _("Give the production date or the expiry date.")))]
    expiry = _expiry(item, line)
    if expiry and line.production_date and expiry <= line.production_date:
        return [DomainError(_("Expiry before production."),
                            path.error("expiry_date", _("Must be after the production date.")))]
    if expiry and expiry <= clock.today():
        field = "expiry_date" if line.expiry_date else "production_date"
        return [ExpiredLotError(_("Batch %(batch)s expired on %(date)s; expired goods are not taken into the "
                                  "reserve.", batch=line.batch_no, date=expiry),
                                path.error(field, _("This batch expired on %(date)s.", date=expiry)))]
    return []


def _expiry(item: Item | None, line: ReceiptLine) -> date | None:
    """The given expiry date, else production date + the item's shelf life (None for goods that keep)."""
    if line.expiry_date is not None or item is None or item.shelf_life_days is None or line.production_date is None:
        return line.expiry_date
    return line.production_date + timedelta(days=item.shelf_life_days)


def _provenance_problems(line: ReceiptLine, path: LinePath) -> list[DomainError]:
    problems = []
    if line.funding_source == FundingSource.DONATION and not (line.donor or "").strip():
        problems.append(DomainError(_("A donation needs its donor."), path.error("donor", _("Name the donor."))))
    if line.funding_source != FundingSource.DONATION and (line.donor or line.donation_restriction):
        problems.append(DomainError(_("Only donations have a donor."),
                                    path.error("donor", _("Only for donations."))))
    if line.ownership == Ownership.AGREEMENT and not (line.holder or "").strip():
        problems.append(DomainError(_("Agreement stock needs its holder."),
                                    path.error("holder", _("Name the enterprise holding it."))))
    return problems


def lot_for_batch(depot: Depot, item: Item, line: ReceiptLine, path: LinePath) -> Lot:
    """The depot's lot for this batch, created when new; a top-up must match the batch's expiry, cost and funding."""
    key = (Lot.depot_id == depot.id, Lot.item_id == item.id, Lot.batch_no == line.batch_no, Lot.in_transit.is_(False))
    dialect = Session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    Session.execute(insert(Lot).values(
        depot_id=depot.id, item_id=item.id, batch_no=line.batch_no, production_date=line.production_date,
        expiry_date=line.expiry_date, unit_cost=line.unit_cost, funding_source=line.funding_source,
        ownership=line.ownership, holder=line.holder, donor=line.donor,
        donation_restriction=line.donation_restriction, on_hand=0, reserved=0,
    ).on_conflict_do_nothing())
    lot = Session.scalars(select(Lot).where(*key).execution_options(populate_existing=True)).one()
    mismatched = [name for name in LOT_IDENTITY if getattr(lot, name) != getattr(line, name)]
    if mismatched:
        differences = _(", ").join(str(LOT_IDENTITY_LABELS[name]) for name in mismatched)
        raise DomainError(_("Batch %(batch)s is already here with another %(differences)s.",
                            batch=line.batch_no, differences=differences),
                          path.error("batch_no", _("Batch %(batch)s exists with a different %(differences)s; "
                                                   "use a new batch number.", batch=line.batch_no,
                                                   differences=differences)))
    return lot


def same_batch_at(depot: Depot, source: Lot) -> Lot:
    """The same batch at another depot (a transfer's or a shipment's destination): same expiry, cost, funding and
    provenance, created when new.

    Batch numbers are the suppliers', not unique across the network: when the destination already holds another
    batch under the same number, the arrival keeps its own identity under the number qualified by where it came
    from ("<batch>@<source depot code>").
    """
    batch_no = source.batch_no
    held = Session.scalar(select(Lot).where(Lot.depot_id == depot.id, Lot.item_id == source.item_id,
                                            Lot.batch_no == batch_no, Lot.in_transit.is_(False)))
    if held is not None and any(getattr(held, name) != getattr(source, name) for name in LOT_IDENTITY):
        batch_no = f"{source.batch_no}@{source.depot.code}"[:40]
    line = ReceiptLine(item_id=source.item_id, quantity=0, batch_no=batch_no, unit_cost=source.unit_cost,
                       funding_source=source.funding_source, production_date=source.production_date,
                       expiry_date=source.expiry_date, ownership=source.ownership, holder=source.holder,
                       donor=source.donor, donation_restriction=source.donation_restriction)
    return lot_for_batch(depot, source.item, line, LinePath(0))
