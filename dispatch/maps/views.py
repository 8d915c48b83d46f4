"""The dispatcher's one map (应急一张图): depots by level or by their stock of an item against its quota, the areas
of active incidents and the shipments on the road, for the whole country or one province."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from core.auth import allow
from dispatch import map_legend
from dispatch.incidents.queries import list_active_incidents
from dispatch.labels import STOCK_STATE_LABELS
from dispatch.maps.forms import MapFiltersForm
from dispatch.shipments.queries import list_shipments_in_transit
from inventory.network.queries import list_all_items, list_provinces
from inventory.stock.queries import list_depot_stock_levels

bp = Blueprint("maps", __name__, template_folder="templates")


@bp.route("/map")
@allow()
def overview():
    form = filters_form()
    province, item_id = chosen(form.province), chosen(form.item_id)
    layers = [url_for(f"maps_api.{layer}", province=province, item_id=item_id if layer == "depots" else None)
              for layer in ("depots", "incidents", "shipments")]
    states = Counter(depot.state for depot in list_depot_stock_levels(item_id, province)) if item_id else None
    return render_template("maps/overview.html", form=form, layers=layers, legend=legend(bool(item_id)),
                           states=states, state_labels=STOCK_STATE_LABELS, incidents=list_active_incidents(),
                           shipments=list_shipments_in_transit(province))


def filters_form() -> MapFiltersForm:
    form = MapFiltersForm(formdata=request.args if request.args else None)
    form.province.choices = [("", _("The whole country"))] + [(p.code, p.name) for p in list_provinces()]
    form.item_id.choices = [("", _("— their level —"))] + [(i.id, f"{i.code} {i.name}") for i in list_all_items()]
    if request.args:
        form.validate()
    return form


def chosen(field):
    """The field's value if it is a valid choice; a hostile or stale one is shown beside the field and ignored."""
    return field.data or None if not field.errors else None


def legend(by_stock: bool) -> dict[str, str]:
    """What the colours mean: stock against quota when an item is chosen, else depot levels; then the areas and
    the shipments on the road."""
    colours = {key: str(label) for key, label in STOCK_STATE_LABELS.items()} if by_stock else map_legend()
    return colours | {"area": _("Affected area of an active incident"), "shipment": _("Shipment in transit"),
                      "overdue": _("Overdue shipment")}
