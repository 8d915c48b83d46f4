"""The start page, and the panels inventory puts on it for each role."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from core import charts, clock, navigation
from core.auth import allow
from core.models import Role
from core.templating import format_number, format_percent, format_quantity
from inventory import labels
from inventory.agreements import queries as agreements
from inventory.approvals import queries as approvals
from inventory.home import queries
from inventory.network import queries as network
from inventory.network.models import DepotLevel
from inventory.reports import queries as reports
from inventory.stock import queries as stock

bp = Blueprint("home", __name__, template_folder="templates")

INBOX_SHOWN = 5        # the first documents waiting, on the administrator's start page
EXPIRING_SHOWN = 10    # the agreements soonest to run out
TREND_MONTHS = 12
LARGE_UNITS_ZH = ((100_000_000, "亿"), (10_000, "万"))
LARGE_UNITS_EN = ((1_000_000, "M"),)


@bp.route("/")
@allow()
def home():
    return render_template("home/home.html", panels=navigation.home_panels())


def register_panels(app) -> None:
    admin, clerk, finance, dispatcher = {Role.ADMIN}, {Role.CLERK}, {Role.FINANCE}, {Role.DISPATCHER}
    for template, load, roles, rank in (
        ("home/_clerk_depots.html", clerk_depots, clerk, 10),
        ("home/_inbox.html", inbox, admin, 10),
        ("home/_book_value.html", book_value, finance, 10),
        ("home/_rotation_cost.html", rotation_cost, finance, 20),
        ("home/_shortfalls.html", shortfalls, admin, 20),
        ("home/_coverage.html", coverage, admin | dispatcher, 30),
        ("home/_agreements.html", expiring_agreements, admin | dispatcher, 40),
        ("home/_network.html", network_counts, None, 90),
    ):
        navigation.add_home_panel(app, template, load, roles, rank)


def clerk_depots() -> dict:
    return {"work": queries.clerk_depot_work(current_user)}


def inbox() -> dict:
    page = approvals.list_waiting(current_user, per_page=INBOX_SHOWN)
    return {"page": page, "labels": labels}


def book_value() -> dict:
    trend = reports.book_value_trend(TREND_MONTHS)
    rows = [(_month(point.day, last=index == len(trend) - 1), point.value, format_number(point.value, 2))
            for index, point in enumerate(trend)]
    return {"trend": trend, "rows": rows, "chart": charts.line_chart(rows, tick_text=_short_money),
            "today": trend[-1]}


def _month(day: date, last: bool) -> str:
    """Month ends read as their month; the last point is today, read as its date."""
    return day.isoformat() if last else day.strftime("%Y-%m")


def _short_money(value: float) -> str:
    """Axis figures short enough for the axis, in the reader's own large units: Chinese counts in 万 and 亿
    (ten thousand, a hundred million), English in millions."""
    for size, unit in (LARGE_UNITS_ZH if str(get_locale()).startswith("zh") else LARGE_UNITS_EN):
        if value >= size:
            return format_decimal(value / size, format="#,##0.#") + unit
    return format_decimal(value, format="#,##0")


def rotation_cost() -> dict:
    today = clock.today()
    report = reports.rotation_report(date(today.year, 1, 1), today)
    return {"report": report, "total": report.total, "year": today.year}


def shortfalls() -> dict:
    rows = stock.shortfalls_by_province()
    chart = charts.bar_chart([(row.province_name, row.units_short, format_quantity(row.units_short))
                              for row in rows])
    return {"rows": rows, "chart": chart}


def coverage() -> dict:
    views = {}
    for by in agreements.GROUPINGS:
        shares = agreements.coverage_shares(by)
        names = [_group_name(by, share) for share in shares]
        chart = charts.bar_chart([(name, share.share_held, format_percent(share.share_held))
                                  for name, share in zip(names, shares)], scale_max=1)
        views[by] = {"shares": list(zip(names, shares)), "chart": chart}
    return {"views": views, "gaps": sum(share.gaps for _name, share in views["level"]["shares"])}


def _group_name(by: str, share) -> str:
    return str(labels.DEPOT_LEVEL_LABELS[DepotLevel(share.group)]) if by == "level" else share.group_name


def expiring_agreements() -> dict:
    page = agreements.list_agreements(per_page=EXPIRING_SHOWN, status="active",
                                      expiring_within_days=agreements.EXPIRY_WARNING_DAYS)
    return {"page": page, "days": agreements.EXPIRY_WARNING_DAYS}


def network_counts() -> dict | None:
    if current_user.role == Role.CLERK:
        return None  # a clerk's day is at their own depots, listed above
    return {"counts": network.count_depots_by_level(), "level_labels": labels.DEPOT_LEVEL_LABELS}
