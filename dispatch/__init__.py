"""Dispatch: incidents and their demand, the fleet, planning jobs, plans, shipments and their settlement, following
the relief, finding stock, the maps.

One package per feature, each with the same module names as inventory's. `init_app` registers their
blueprints, commands, header links, template helpers and the planning job runner.
"""
from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l

from core import navigation
from core.api import register_api
from core.models import Role
from inventory import NETWORK_MENU, STOCK_MENU
from inventory.labels import DEPOT_LEVEL_LABELS
from inventory.reports.views import register_report
from inventory.stock import queries as stock_queries

FEATURES = ("incidents", "demand", "fleet", "planning", "plans", "shipments", "progress", "settlement",
            "availability", "maps")
MODELS = ("incidents", "demand", "fleet", "planning", "plans", "shipments", "settlement")  # features with tables


def load_models() -> None:
    """Import every model, so the mapper and Alembic see the whole schema."""
    for feature in MODELS:
        import_module(f"dispatch.{feature}.models")


def init_app(app: Flask) -> None:
    from dispatch.cli import dispatch_cli
    from dispatch.planning.services.runners import make_runner

    load_models()
    for feature in FEATURES:
        app.register_blueprint(import_module(f"dispatch.{feature}.views").bp)
        if find_spec(f"dispatch.{feature}.api"):
            register_api(app, import_module(f"dispatch.{feature}.api").bp)
    app.cli.add_command(dispatch_cli)
    app.extensions["planning_runner"] = make_runner(app)
    app.jinja_env.globals["map_legend"] = map_legend
    app.before_request(_sweep_orphans_once)
    stock_queries.register_link(app, "plan", lambda plan_id: url_for("plans.plan", plan_id=plan_id))
    stock_queries.register_link(app, "document:YD", lambda document_id: url_for("shipments.by_document",
                                                                              document_id=document_id))
    _add_links(app)


def _sweep_orphans_once() -> None:
    """On a process's first request: jobs left queued by a web process that has since gone end failed."""
    from dispatch.planning.services import fail_stale_jobs  # planning imports the models load_models registers

    if not current_app.extensions.get("planning_swept"):
        current_app.extensions["planning_swept"] = True
        fail_stale_jobs()


def map_legend() -> dict[str, str]:
    """What the map colours mean: depot levels and capacity agreements."""
    names = {level.value: str(label) for level, label in DEPOT_LEVEL_LABELS.items()}
    return names | {"agreement": str(_l("Capacity agreement"))}


DISPATCH_MENU = "dispatch"


def _add_links(app: Flask) -> None:
    everyone_but_clerks = {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}
    navigation.add_menu(app, DISPATCH_MENU, _l("Dispatch"), 40)
    for endpoint, label, roles, menu in (
        ("incidents.incidents", _l("Incidents"), None, DISPATCH_MENU),
        ("plans.plans", _l("Plans"), everyone_but_clerks, DISPATCH_MENU),
        ("shipments.shipments", _l("Shipments"), None, DISPATCH_MENU),
        ("fleet.find_depot", _l("Fleet"), {Role.ADMIN, Role.DISPATCHER}, DISPATCH_MENU),
        ("maps.overview", _l("Map"), None, NETWORK_MENU),
        ("availability.nearby", _l("Find stock"), {Role.ADMIN, Role.DISPATCHER}, STOCK_MENU),
    ):
        navigation.add_link(app, endpoint, label, roles, menu=menu)
    register_report(app, "settlement.settlement_report", _l("Transport settlement"), everyone_but_clerks)
    _add_home_panels(app)


def _add_home_panels(app: Flask) -> None:
    from dispatch.incidents.views import home_panel as incidents_panel
    from dispatch.shipments.views import home_panel as shipments_panel

    navigation.add_home_panel(app, "incidents/_home.html", incidents_panel, {Role.ADMIN, Role.DISPATCHER}, rank=5)
    navigation.add_home_panel(app, "shipments/_home.html", shipments_panel, {Role.CLERK}, rank=15)
