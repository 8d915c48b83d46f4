"""What every line of a stock document needs first: its item, and its quantity in the item's base unit."""
from __future__ import annotations

from flask_babel import gettext as _

from core.db import Session
from core.errors import DomainError, LinePath
from inventory.labels import unit_label
from inventory.network.models import Item
from inventory.network.services import to_base_units


def line_item(item_id: int, path: LinePath) -> Item:
    item = Session.get(Item, item_id)
    if item is None:
        raise DomainError(_("Unknown item."), path.error("item_id", _("No item with id %(id)s.", id=item_id)))
    return item


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
