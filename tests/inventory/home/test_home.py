"""Each role's start page shows the work waiting for it, and every chart draws the figures of the table beside it."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from core import clock
from core.models import Role
from dispatch.incidents.services import create_incident
from inventory.agreements.services import create_agreement
from inventory.network.services import set_quota
from inventory.reports.queries import book_value_trend, valuation
from inventory.stock.services.issues import IssueLine
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer, ship_transfer
from tests.inventory.agreements.test_agreements import agreement_data
from tests.inventory.approvals.test_inbox import depot_work  # noqa: F401  (one of each kind waiting at a depot)

pytestmark = pytest.mark.usefixtures("reconciled")


@pytest.fixture
def day(depot_work, make_user):  # noqa: F811
    """depot_work, with a transfer shipped to the clerk's depot, a quota it misses, an agreement running out and
    an active incident."""
    admin, depot, other, item = depot_work["admin"], depot_work["depot"], depot_work["other"], depot_work["item"]
    arriving = draft_transfer(TransferRequest(other.id, depot.id, [IssueLine(item.id, 2)]), depot_work["other_clerk"])
    approve_transfer(arriving.id, admin)
    ship_transfer(arriving.id, depot_work["other_clerk"])
    set_quota(depot.id, item.id, target=500, minimum=300, actor=admin)
    create_agreement(agreement_data(item, enterprise_name="即将到期被服厂",
                                    valid_to=clock.today() + timedelta(days=20)), actor=admin)
    dispatcher = make_user(Role.DISPATCHER)
    create_incident({"kind": "earthquake", "title": "武侯区地震", "started_at": clock.utcnow() - timedelta(hours=1)},
                    dispatcher)
    return {**depot_work, "dispatcher": dispatcher, "finance": make_user(Role.FINANCE)}


def chart_and_table(html: str, section: str, table_class: str | None = None) -> tuple[list, list]:
    """(label, value) pairs of a section's chart marks, and of its table rows, in order."""
    body = re.search(rf'<section class="panel {section}.*?</section>', html, re.S).group(0)
    chart = re.findall(r'<g class="(?:bar|point)" data-label="([^"]*)" data-value="([^"]*)"', body)
    rows = re.findall(r'<tr data-label="([^"]*)" data-value="([^"]*)"', body)
    return chart, rows


def test_a_clerks_home_counts_what_waits_at_each_of_their_depots(day, login, make_user):
    colleague = make_user(Role.CLERK, depots=[day["depot"]])
    html = login(colleague).get("/").get_data(as_text=True)
    row = re.search(rf'<tr data-depot="{day["depot"].code}">(.*?)</tr>', html, re.S).group(1)
    figures = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]
    # waiting for the colleague: the four the clerk drafted; none of the colleague's own; one transfer on its way;
    # one lot due for rotation (DUE); one item below its minimum
    assert figures == ["4", "0", "1", "1", "1"]
    assert f'href="/inbox?depot={day["depot"].id}"' in row
    assert "Shipments to load and dispatch" in html and "Stockpile network" not in html


def test_a_clerk_sees_their_own_drafts_waiting_for_someone_else(day, login):
    html = login(day["clerk"]).get("/").get_data(as_text=True)
    row = re.search(rf'<tr data-depot="{day["depot"].code}">(.*?)</tr>', html, re.S).group(1)
    figures = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]
    assert figures[:2] == ["0", "4"]


def test_an_admins_home_has_the_inbox_shortfalls_by_province_and_expiring_agreements(day, login):
    html = login(day["admin"]).get("/").get_data(as_text=True)
    assert day["numbers"]["scrap"] in html and "The whole inbox (4)" in html
    chart, rows = chart_and_table(html, "shortfalls")
    assert chart == rows and len(rows) == 1
    assert rows[0][1] == str(300 - 10 - 40)  # DUE and SPARE are free: drafts and requests reserve nothing
    assert "即将到期被服厂" in html
    chart, rows = chart_and_table(html, "coverage")
    assert chart == rows and rows
    assert "武侯区地震" in html


def test_a_finance_home_shows_the_book_value_trend_that_the_valuation_gives(day, login):
    html = login(day["finance"]).get("/").get_data(as_text=True)
    chart, rows = chart_and_table(html, "book-value")
    assert chart == rows and len(rows) == 13
    today_value = valuation(clock.today()).total_value
    assert Decimal(rows[-1][1]) == today_value > 0
    trend = book_value_trend(12)
    month_end = trend[-2].day
    assert trend[-2].value == valuation(month_end).total_value
    assert "Rotation cost in" in html and "Active incidents" not in html


def test_a_dispatchers_home_has_active_incidents_and_coverage(day, login):
    html = login(day["dispatcher"]).get("/").get_data(as_text=True)
    assert "武侯区地震" in html and "Level II reserve coverage" in html
    assert "Waiting for your signature" not in html
