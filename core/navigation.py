"""The page header's links and the start page, registered by the domains that own them.

Core draws the header but knows no domain: each domain's `init_app` adds its links here, in the order they
should appear, with the roles that see them (None: everyone signed in).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_login import current_user

from core.models import Role


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    roles: frozenset[Role] | None = None


def add_link(app: Flask, endpoint: str, label: str, roles: set[Role] | None = None) -> None:
    app.extensions.setdefault("navigation", []).append(Link(endpoint, label, frozenset(roles) if roles else None))


def set_home(app: Flask, endpoint: str) -> None:
    """The start page: where the brand links to and where signing in leads."""
    app.config["HOME_ENDPOINT"] = endpoint


def home_url() -> str:
    return url_for(current_app.config["HOME_ENDPOINT"])


def init_app(app: Flask) -> None:
    app.context_processor(_navigation)
    app.jinja_env.globals["home_url"] = home_url


def _navigation() -> dict:
    if not current_user.is_authenticated:
        return {"navigation": []}
    links = current_app.extensions.get("navigation", [])
    return {"navigation": [(link.endpoint, link.label) for link in links
                           if link.roles is None or current_user.role in link.roles]}
