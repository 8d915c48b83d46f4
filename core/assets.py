"""Front-end libraries served by the app itself from their Python packages (XStatic), never from a CDN:
depot networks often run on isolated government intranets."""
from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for

from core.auth import public

# name in URLs -> the XStatic package that ships it
PACKAGES = {"leaflet": "xstatic.pkg.leaflet", "leaflet-markercluster": "xstatic.pkg.leaflet_markercluster"}
ONE_WEEK = 7 * 24 * 3600

bp = Blueprint("vendor", __name__)


@bp.route("/vendor/<package>/<path:filename>")
@public
def asset(package: str, filename: str):
    if package not in PACKAGES:
        abort(404)
    return send_from_directory(import_module(PACKAGES[package]).BASE_DIR, filename, max_age=ONE_WEEK)


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; the same file the base template links."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=ONE_WEEK)


def vendor_url(package: str, filename: str) -> str:
    return url_for("vendor.asset", package=package, filename=filename)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor_url"] = vendor_url
