"""Small helpers the stock views share: the depot a page is about (checked by `core.access`), choices, vouchers."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import ensure_can_act, ensure_can_see
from core.errors import DomainError
from inventory import labels
from inventory.network import queries as network_queries
from inventory.stock import queries
from inventory.stock.models import Document


def viewable_depot(depot_id: int):
    """The depot, if the user may look at it (clerks: only their own depots)."""
    depot = network_queries.get_depot(depot_id)
    ensure_can_see(current_user, depot)
    return depot


def actionable_depot(depot_id: int):
    """The depot, if the user may record stock changes there."""
    depot = network_queries.get_depot(depot_id)
    ensure_can_act(current_user, depot)
    return depot


def found(thing):
    if thing is None:
        abort(404)
    return thing


def to_voucher(document: Document, message: str):
    """Show the voucher with a success message (already translated and filled in)."""
    flash(message, "success")
    return redirect(url_for("stock.document", document_id=document.id))


def item_choices() -> list[tuple]:
    """Items for a select; each option names its units, so the page can offer only those."""
    return [("", _("— choose an item —"))] + [
        (item.id, item_label(item), {"data-units": " ".join([item.base_unit, *(p.name for p in item.pack_units)])})
        for item in queries.list_item_options()]


def item_label(item) -> str:
    """Code, name and units, e.g. "JZ-BR-001 棉被 (piece; bale = 10)"."""
    packs = "".join(f"; {labels.unit_label(pack.name)} = {pack.factor}" for pack in item.pack_units)
    return f"{item.code} {item.name} ({labels.unit_label(item.base_unit)}{packs})"


def unit_choices() -> list[tuple]:
    items = queries.list_item_options()
    units = sorted({item.base_unit for item in items} | set(labels.BASE_UNITS)
                   | {pack.name for item in items for pack in item.pack_units})
    return [("", _("base unit"))] + [(unit, labels.unit_label(unit)) for unit in units]


def lot_choices(depot_id: int, blank: str | None = None) -> list[tuple]:
    """The depot's lots for a select; the blank choice lets the ledger pick, first expiring first."""
    return [("", blank or _("first expiring first"))] + [(lot.id, lot_label(lot))
                                                         for lot in queries.list_depot_lots(depot_id)]


def lot_label(lot) -> str:
    values = {"batch": lot.batch_no, "item": lot.item.code, "free": lot.free,
              "unit": labels.unit_label(lot.item.base_unit), "date": lot.expiry_date}
    if lot.expiry_date:
        return _("%(batch)s · %(item)s · %(free)s %(unit)s free · exp. %(date)s", **values)
    return _("%(batch)s · %(item)s · %(free)s %(unit)s free", **values)


def date_arg(name: str) -> date | None:
    """A date from the query string, or None when absent or malformed."""
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def voucher_action(load, service, message: str):
    """A button on a voucher (approve, ship, reject …): call the service and come back with its outcome.

    `load` finds the transfer or scrap request by the URL's id; `message` (a lazy translation) names its
    document number as %(number)s.
    """
    def view(**url_ids):
        (subject_id,) = url_ids.values()
        subject = found(load(subject_id))
        try:
            service(subject_id, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(str(message) % {"number": subject.document.number}, "success")
        return redirect(url_for("stock.document", document_id=subject.document_id))
    return view
