"""Template filters and the navigation, by role."""
from __future__ import annotations

from decimal import Decimal

from flask import Flask, request, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.models import Role

NAVIGATION = [
    ("inventory.home", _l("Home"), None),
    ("inventory.depots", _l("Depots"), None),
    ("inventory.items", _l("Items"), None),
    ("stock.donations", _l("Donations"), None),
    ("stock.shortfalls", _l("Shortfalls"), {Role.ADMIN, Role.DISPATCHER}),
    ("core.users", _l("Users"), {Role.ADMIN}),
    ("agreements.agreements", _l("Agreements"), {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}),
    ("agreements.coverage", _l("Coverage"), {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}),
    ("rotation.due", _l("Rotation"), {Role.ADMIN, Role.CLERK, Role.DISPATCHER, Role.FINANCE}),
    ("rotation.rotation_report", _l("Reports"), {Role.ADMIN, Role.FINANCE}),
]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["num"] = format_number
    app.context_processor(_navigation)
    app.jinja_env.globals["page_url"] = page_url


def format_quantity(value) -> str:
    """Whole quantities with the locale's grouping."""
    return "—" if value is None else format_decimal(int(value), format="#,##0")


def format_number(value, places: int = 1) -> str:
    """Decimals with a fixed number of places (money: 2) in the locale's format."""
    if value is None:
        return "—"
    return format_decimal(Decimal(value), format="#,##0." + "0" * places) if places else format_quantity(value)


def page_url(page: int) -> str:
    """The current URL with another page number, keeping the filters."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _navigation() -> dict:
    if not current_user.is_authenticated:
        return {"navigation": []}
    links = [(endpoint, label) for endpoint, label, roles in NAVIGATION if roles is None or current_user.role in roles]
    return {"navigation": links}
