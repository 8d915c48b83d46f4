"""Template filters and the navigation, by role."""
from __future__ import annotations

from decimal import Decimal

from flask import Flask, request, url_for
from flask_login import current_user

from core.models import Role

NAVIGATION = [
    ("inventory.home", "Home", None),
    ("inventory.depots", "Depots", None),
    ("inventory.items", "Items", None),
    ("stock.donations", "Donations", None),
    ("stock.shortfalls", "Shortfalls", {Role.ADMIN, Role.DISPATCHER}),
    ("core.users", "Users", {Role.ADMIN}),
    ("agreements.agreements", "Agreements", {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}),
    ("agreements.coverage", "Coverage", {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}),
    ("rotation.due", "Rotation", {Role.ADMIN, Role.CLERK, Role.DISPATCHER, Role.FINANCE}),
    ("rotation.rotation_report", "Reports", {Role.ADMIN, Role.FINANCE}),
]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["num"] = format_number
    app.context_processor(_navigation)
    app.jinja_env.globals["page_url"] = page_url


def format_quantity(value) -> str:
    return "—" if value is None else f"{int(value):,}"


def format_number(value, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.{places}f}"


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
