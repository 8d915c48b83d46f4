"""Inventory: the stockpile network, stock as a ledger, rotation, capacity agreements, finance reports.

One package per feature (network, stock, rotation, agreements, reports; over them the approvals inbox and the
start page), each with the same module names.
`init_app` registers their blueprints, commands, header links and template helpers.
"""
from __future__ import annotations

from importlib import import_module

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import backup, navigation
from core.access import STOCK_KEEPERS
from core.api import register_api
from core.models import Role

FEATURES = ("network", "stock", "rotation", "agreements", "reports")
MODELS = ("network", "stock", "rotation", "agreements")  # the features that own tables
LEDGER_TABLES = ("documents", "lots", "movements")  # what a backup's checksum covers: the ledger, row for row


def load_models() -> None:
    """Import every model, so the mapper and Alembic see the whole schema."""
    for feature in MODELS:
        import_module(f"inventory.{feature}.models")


def init_app(app: Flask) -> None:
    from inventory.cli import depots_cli, stock_cli
    from inventory.labels import unit_label
    from inventory.reports.views import finance_reports

    load_models()
    backup.checksum_tables(app, *LEDGER_TABLES)
    for feature in FEATURES:
        app.register_blueprint(import_module(f"inventory.{feature}.views").bp)
        register_api(app, import_module(f"inventory.{feature}.api").bp)
    for page in ("approvals", "home"):  # pages over the other features: no API of their own
        app.register_blueprint(import_module(f"inventory.{page}.views").bp)
    import_module("inventory.home.views").register_panels(app)
    for group in (depots_cli, stock_cli):
        app.cli.add_command(group)
    app.jinja_env.filters["unit"] = unit_label  # `{{ item.base_unit|unit }}`: a unit in the reader's language
    app.jinja_env.globals["finance_reports"] = finance_reports
    _add_links(app)
    _add_reports(app)


NETWORK_MENU, STOCK_MENU = "network", "stock"  # header menus dispatch adds to (its map, its stock finder)


def _add_links(app: Flask) -> None:
    from inventory.approvals.views import inbox_badge
    from inventory.reports.views import REPORTS_MENU

    everyone_but_clerks = {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}
    navigation.set_home(app, "home.home")
    for key, label, rank in ((NETWORK_MENU, _l("Network"), 20), (STOCK_MENU, _l("Stock"), 30),
                             (REPORTS_MENU, _l("Reports"), 80)):
        navigation.add_menu(app, key, label, rank)
    navigation.add_link(app, "home.home", _l("Home"), rank=0)
    navigation.add_link(app, "approvals.inbox", _l("Inbox"), set(STOCK_KEEPERS), rank=10, badge=inbox_badge)
    for endpoint, label, roles, menu in (
        ("network.depots", _l("Depots"), None, NETWORK_MENU),
        ("network.items", _l("Items"), None, NETWORK_MENU),
        ("agreements.agreements", _l("Agreements"), everyone_but_clerks, NETWORK_MENU),
        ("agreements.coverage", _l("Coverage"), everyone_but_clerks, NETWORK_MENU),
        ("stock.donations", _l("Donations"), None, STOCK_MENU),
        ("stock.shortfalls", _l("Shortfalls"), {Role.ADMIN, Role.DISPATCHER}, STOCK_MENU),
        ("rotation.due", _l("Rotation"), None, STOCK_MENU),
    ):
        navigation.add_link(app, endpoint, label, roles, menu=menu)


def _add_reports(app: Flask) -> None:
    from inventory.reports.views import READERS, register_report

    for endpoint, label in (("reports.rotation_report", _l("Rotation costs")),
                            ("reports.valuation_report", _l("Valuation")),
                            ("reports.journal_report", _l("Movement journal")),
                            ("reports.periods", _l("Accounting periods"))):
        register_report(app, endpoint, label, READERS)
