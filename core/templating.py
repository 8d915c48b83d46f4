"""Template filters: quantities, decimals and local times in the reader's format; page links."""
from __future__ import annotations

from decimal import Decimal

from flask import Flask, request, url_for
from flask_babel import format_decimal
from markupsafe import Markup

from core import clock


def init_app(app: Flask) -> None:
    app.jinja_env.filters["qty"] = format_quantity
    app.jinja_env.filters["num"] = format_number
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["map_labels"] = plain_labels
    app.jinja_env.filters["nowrap"] = nowrap
    app.jinja_env.globals["page_url"] = page_url


def local_time(moment) -> str:
    """A timestamp as the depots' wall clock shows it."""
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else "—"


def nowrap(text) -> Markup:
    """A code, number or date kept on one line: a line break at its hyphens would misread it. For text only; inside
    a sentence, `_("… %(code)s", code=depot.code|nowrap)`; never in an attribute."""
    return Markup('<span class="nowrap">%s</span>') % text


def plain_labels(labels: dict) -> dict[str, str]:
    """Enum-keyed labels as plain strings, for a page's script (`{{ labels|map_labels|tojson }}`)."""
    return {str(getattr(key, "value", key)): str(label) for key, label in labels.items()}


def format_percent(share, places: int = 1) -> str:
    """A share of 1 as a percentage in the reader's format (0.8216 → 82.2 %)."""
    if share is None:
        return "—"
    return format_decimal(Decimal(str(share)) * 100, format="#,##0." + "0" * places) + " %"


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
