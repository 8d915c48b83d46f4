"""Find stock: which depots near a place hold an item, how much is available there, how far by road."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from core.access import visible_depot_ids
from core.auth import allow
from dispatch.availability.forms import FindStockForm
from dispatch.availability.queries import list_stock_nearby
from inventory.labels import DEPOT_LEVEL_LABELS
from inventory.network.queries import get_region_by_code, list_all_items

bp = Blueprint("availability", __name__, template_folder="templates")


@bp.route("/stock/nearby")
@allow()
def nearby():
    form = FindStockForm(formdata=request.args if request.args else None)
    form.item_id.choices = [("", _("— choose an item —"))] + [(i.id, f"{i.code} {i.name}") for i in list_all_items()]
    found, place = None, None
    if request.args and form.validate():
        place = _place(form)
        if place is not None:
            found = list_stock_nearby(form.item_id.data, place[0], place[1], form.radius_km.data,
                                      form.min_quantity.data, depot_ids=visible_depot_ids(current_user))
    return render_template("availability/nearby.html", form=form, found=found, place=place,
                           level_labels=DEPOT_LEVEL_LABELS)


def _place(form: FindStockForm) -> tuple[float, float] | None:
    """The point to search around: the coordinates given, else the region's seat."""
    if form.latitude.data is not None and form.longitude.data is not None:
        return float(form.latitude.data), float(form.longitude.data)
    region = get_region_by_code(form.region_code.data) if form.region_code.data else None
    if region is None or region.latitude is None:
        form.region_code.errors = [_("Give a known region code, or a point's coordinates.")]
        return None
    return region.latitude, region.longitude
