"""Which lots a document's lines take: first expiring first out, or the lot a clerk named, never expired stock.

The choice itself is `inventory.stock.picking` (pure); this module reads the depot's lots and turns a short
pick into a refusal beside the line that asked for too much.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from core import clock
from core.db import Session
from core.errors import DomainError, LinePath, refuse_lines
from inventory.labels import unit_label
from inventory.network.models import Depot, Item
from inventory.stock import picking
from inventory.stock.models import Lot
from inventory.stock.picking import Pick
from inventory.stock.queries import list_usable_lots
from inventory.stock.services.errors import ExpiredLotError, InsufficientStockError
from inventory.stock.services.lines import base_quantity, line_item


@dataclass
class IssueLine:
    """An item and quantity to take out of a depot (an issue, a transfer): FEFO unless a lot is named."""

    item_id: int
    quantity: int
    unit: str | None = None
    lot_id: int | None = None  # None: first expiring, first out


def plan_picks(depot: Depot, lines: list[IssueLine], present_at: datetime | None = None) -> list[Pick[Lot]]:
    """Choose the lots for every line; collect every line's problem before refusing. `present_at` dates a
    back-dated document: first expiring first among the lots already at the depot then."""
    return [pick for line_picks in plan_line_picks(depot, lines, present_at) for pick in line_picks]


def plan_line_picks(depot: Depot, lines: list[IssueLine], present_at: datetime | None = None) -> list[list[Pick[Lot]]]:
    """The lots chosen for each line, in the order of the lines."""
    if not lines:
        raise DomainError(_("Add at least one line."), {"lines": [_("Add at least one line.")]})
    today, grouped, errors, taken = clock.today(), [], [], {}
    for index, line in enumerate(lines):
        try:
            line_picks = _pick_line(depot, line, today, LinePath(index), taken, present_at)
        except DomainError as error:
            errors.append(error)
            continue
        picking.add_taken(taken, line_picks)
        grouped.append(line_picks)
    if errors:
        raise refuse_lines(errors)
    return grouped


def _pick_line(depot: Depot, line: IssueLine, today: date, path: LinePath, taken: dict[int, int],
               present_at: datetime | None = None) -> list[Pick]:
    item = line_item(line.item_id, path)
    quantity = base_quantity(item, line.quantity, line.unit, path)
    if line.lot_id is not None:
        return [named_lot(depot, item, line.lot_id, quantity, today, path, taken)]
    try:
        return picking.pick_fefo(list_usable_lots(depot.id, item.id, today, present_at), quantity, today, taken)
    except picking.ShortOfStock as short:
        raise _short(depot, item, short, path, present_at) from short


def _short(depot: Depot, item: Item, short: picking.ShortOfStock, path: LinePath,
           present_at: datetime | None = None) -> InsufficientStockError:
    unit = unit_label(item.base_unit)
    if present_at is not None:
        return InsufficientStockError(
            _("Not enough %(item)s at %(depot)s on %(moment)s: asked %(asked)s %(unit)s, of the batches there then "
              "%(available)s are free.", item=item.name, depot=depot.code, moment=clock.local_iso(present_at),
              asked=short.asked, unit=unit, available=short.available),
            path.error("quantity", _("Only %(available)s %(unit)s of the batches at the depot on that date are free.",
                                     available=short.available, unit=unit)))
    return InsufficientStockError(
        _("Not enough %(item)s at %(depot)s: asked %(asked)s %(unit)s, available %(available)s.",
          item=item.name, depot=depot.code, asked=short.asked, unit=unit, available=short.available),
        path.error("quantity", _("Only %(available)s %(unit)s available (expired and reserved stock excluded).",
                                 available=short.available, unit=unit)))


def named_lot(depot: Depot, item: Item, lot_id: int, quantity: int, today: date, path: LinePath,
              taken: dict[int, int] | None = None) -> Pick[Lot]:
    """A lot the clerk chose by hand: it must be here, of this item, unexpired and free enough."""
    lot = Session.get(Lot, lot_id)
    if lot is None or lot.depot_id != depot.id or lot.item_id != item.id:
        raise DomainError(_("Unknown lot."), path.error("lot_id", _("No lot %(id)s of %(item)s at %(depot)s.",
                                                                    id=lot_id, item=item.name, depot=depot.code)))
    if not picking.is_usable(lot, today):
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
