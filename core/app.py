"""The application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_wtf import CSRFProtect

from core import api, auth, db, i18n
from core.config import load_config
from core.errors import register_errorhandlers

csrf = CSRFProtect()


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then any overrides (tests use them)."""
    instance = os.environ.get("INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config_overrides or {})
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    api.register(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from core.openapi import bp as openapi_bp
    from core.views import bp as core_bp
    from inventory.agreements_api import bp as agreements_api
    from inventory.agreements_views import bp as agreements_bp
    from inventory.api import bp as inventory_api
    from inventory.finance_api import bp as finance_api
    from inventory.rotation_views import bp as rotation_bp
    from inventory.stock_api import bp as stock_api
    from inventory.stock_views import bp as stock_bp
    from inventory.views import bp as inventory_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(inventory_bp)
    app.register_blueprint(stock_bp)
    app.register_blueprint(inventory_api, url_prefix="/api/v1")
    app.register_blueprint(stock_api, url_prefix="/api/v1")
    app.register_blueprint(finance_api, url_prefix="/api/v1")
    app.register_blueprint(agreements_bp)
    app.register_blueprint(agreements_api, url_prefix="/api/v1")
    app.register_blueprint(rotation_bp)
    app.register_blueprint(openapi_bp, url_prefix="/api/v1")
    for blueprint in (inventory_api, stock_api, finance_api, agreements_api):
        csrf.exempt(blueprint)  # bearer tokens, not cookies, authorize API writes


def register_commands(app: Flask) -> None:
    from core.cli import db_cli, users_cli
    from inventory.cli import depots_cli, seed_cli, stock_cli

    for group in (db_cli, users_cli, depots_cli, seed_cli, stock_cli):
        app.cli.add_command(group)


def register_template_helpers(app: Flask) -> None:
    from core import templating

    templating.init_app(app)
