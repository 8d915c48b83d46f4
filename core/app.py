"""The application factory: core's own parts first, then each domain's `init_app`."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from core import api, assets, auth, bounds, crashpoint, db, i18n, navigation, security, templating, throttle
from core.audit import services as audit
from core.config import load_config
from core.errors import register_errorhandlers
from core.models import Role


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then any overrides (tests use them)."""
    instance = os.environ.get("INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config_overrides or {})
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_domains(app)
    return app


def register_extensions(app: Flask) -> None:
    bounds.init_app(app)
    db.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    navigation.init_app(app)
    api.init_app(app)
    assets.init_app(app)
    crashpoint.init_app(app)
    audit.init_app(app)


ADMIN_MENU = "admin"


def register_blueprints(app: Flask) -> None:
    from core.audit.api import bp as audit_api_bp
    from core.audit.views import bp as audit_bp
    from core.openapi import bp as openapi_bp
    from core.views import bp as core_bp

    for blueprint in (core_bp, audit_bp):
        app.register_blueprint(blueprint)
    for blueprint in (openapi_bp, audit_api_bp):
        api.register_api(app, blueprint)
    navigation.add_menu(app, ADMIN_MENU, _l("Administration"), 90)
    navigation.add_link(app, "core.users", _l("Users"), {Role.ADMIN}, menu=ADMIN_MENU)
    navigation.add_link(app, "audit.audit_log", _l("Audit log"), {Role.ADMIN}, menu=ADMIN_MENU)


def register_commands(app: Flask) -> None:
    from core.cli import backup_cli, db_cli, users_cli

    for group in (db_cli, users_cli, backup_cli):
        app.cli.add_command(group)


def register_domains(app: Flask) -> None:
    """The composition root: each domain registers its blueprints, commands, links and template helpers."""
    import dispatch
    import inventory
    import seed

    for domain in (inventory, dispatch, seed):
        domain.init_app(app)
