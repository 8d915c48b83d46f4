"""The page header's links and menus, and the start page, registered by the domains that own them.

Core draws the header but knows no domain: each domain's `init_app` declares its menus and adds its links here,
with the roles that see them (None: everyone signed in). The header shows entries by rank (menus and top-level
links alike; equal ranks keep the order they were added in), and a menu's links in the order they were added.
A menu the reader would see with a single link is drawn as that link: a menu of one is a detour.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from core.models import Role


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    roles: frozenset[Role] | None = None
    menu: str | None = None          # the key of the menu it sits in; None: in the header itself
    rank: int = 50                   # a top-level link's place among the header's entries
    badge: Callable[[], int | None] | None = None  # a number beside the label (what waits), or None

    def visible(self) -> bool:
        return self.roles is None or current_user.role in self.roles


@dataclass(frozen=True)
class Menu:
    key: str
    label: str
    rank: int


@dataclass
class Entry:
    """One thing in the header as the reader sees it: a link (with `endpoint`) or a menu of links."""

    label: str
    endpoint: str | None = None
    links: list[Entry] = field(default_factory=list)
    badge: int | None = None

    @property
    def current(self) -> bool:
        here = self.endpoint is not None and request.endpoint == self.endpoint
        return here or any(link.current for link in self.links)

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


def add_menu(app: Flask, key: str, label: str, rank: int) -> None:
    app.extensions.setdefault("navigation_menus", {})[key] = Menu(key, label, rank)


def add_link(app: Flask, endpoint: str, label: str, roles: set[Role] | None = None, *, menu: str | None = None,
             rank: int = 50, badge: Callable[[], int | None] | None = None) -> None:
    link = Link(endpoint, label, frozenset(roles) if roles else None, menu, rank, badge)
    app.extensions.setdefault("navigation", []).append(link)


@dataclass(frozen=True)
class HomePanel:
    """A part of the start page: a template fed by `load` (its context, or None to leave the panel out)."""

    template: str
    load: Callable[[], dict | None]
    roles: frozenset[Role] | None = None
    rank: int = 50


def add_home_panel(app: Flask, template: str, load: Callable[[], dict | None], roles: set[Role] | None = None,
                   rank: int = 50) -> None:
    """Domains add what each role's start page shows (the clerk's depots, finance's book value, incidents …)."""
    panel = HomePanel(template, load, frozenset(roles) if roles else None, rank)
    app.extensions.setdefault("home_panels", []).append(panel)


def home_panels() -> list[tuple[str, dict]]:
    """The signed-in reader's start page: (template, context) per panel they see, by rank."""
    panels = sorted((panel for panel in current_app.extensions.get("home_panels", [])
                     if panel.roles is None or current_user.role in panel.roles), key=lambda panel: panel.rank)
    return [(panel.template, context) for panel in panels if (context := panel.load()) is not None]


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
    return {"navigation": header_entries()}


def header_entries() -> list[Entry]:
    """What the signed-in reader's header shows, in order."""
    menus = current_app.extensions.get("navigation_menus", {})
    ranked: list[tuple[int, Entry]] = []
    grouped: dict[str, Entry] = {}
    for link in current_app.extensions.get("navigation", []):
        if not link.visible():
            continue
        entry = Entry(str(link.label), link.endpoint, badge=link.badge() if link.badge else None)
        if link.menu is None:
            ranked.append((link.rank, entry))
        elif link.menu in grouped:
            grouped[link.menu].links.append(entry)
        else:
            grouped[link.menu] = Entry(str(menus[link.menu].label), links=[entry])
            ranked.append((menus[link.menu].rank, grouped[link.menu]))
    ranked.sort(key=lambda pair: pair[0])  # stable: equal ranks keep the order they were added in
    return [_single(entry) for _, entry in ranked]


def _single(entry: Entry) -> Entry:
    return entry.links[0] if len(entry.links) == 1 else entry
