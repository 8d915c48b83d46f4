"""The "stock" blueprint and the template filter its pages share."""
from __future__ import annotations

from flask import Blueprint

from core import clock

bp = Blueprint("stock", __name__, template_folder="../templates")


@bp.app_template_filter("local_time")
def local_time(moment) -> str:
    """A timestamp as the depot's wall clock shows it."""
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else "—"
