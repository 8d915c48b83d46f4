"""The "stock" blueprint and the template filters its pages share."""
from __future__ import annotations

from flask import Blueprint

from core import clock
from inventory.labels import unit_label

bp = Blueprint("stock", __name__, template_folder="../templates")


@bp.app_template_filter("local_time")
def local_time(moment) -> str:
    """A timestamp as the depot's wall clock shows it."""
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else "—"


@bp.app_template_filter("unit")
def unit(name: str | None) -> str:
    """A base or pack unit in the reader's language (`{{ item.base_unit|unit }}`)."""
    return unit_label(name)
