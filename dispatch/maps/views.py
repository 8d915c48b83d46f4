"""The overview map page."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.auth import allow
from dispatch.incidents.queries import list_active_incidents

bp = Blueprint("maps", __name__, template_folder="templates")


@bp.route("/map")
@allow()
def overview():
    return render_template("maps/overview.html", incidents=list_active_incidents())
