"""Each role's start page in a real browser: the panels of its work, and on finance's the book-value chart drawn
with the figures of the table beside it. Set SCREENSHOTS=<dir> to keep each start page."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.browser.steps import open_signed_in
from tests.inventory.approvals.test_inbox import depot_work  # noqa: F401  (the fixtures the start pages read)
from tests.inventory.home.test_home import day  # noqa: F401

pytestmark = pytest.mark.browser

PANELS = {
    Role.CLERK: ["Your depots", "Shipments to load and dispatch"],
    Role.ADMIN: ["Active incidents", "Waiting for your signature", "Shortfalls by province",
                 "Level II reserve coverage", "Agreements expiring within 60 days", "Stockpile network"],
    Role.FINANCE: ["Book value of the reserve", "Rotation cost in", "Stockpile network"],
    Role.DISPATCHER: ["Active incidents", "Level II reserve coverage", "Agreements expiring within 60 days",
                      "Stockpile network"],
}


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_home_page_shows_its_work(day, live_server, page, role):  # noqa: F811
    open_signed_in(page, live_server + "/", day[role.value].username)
    headings = page.locator("main section.panel > h2").all_inner_texts()
    assert len(headings) == len(PANELS[role]), headings
    assert all(heading.startswith(title) for heading, title in zip(headings, PANELS[role])), headings
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS"]) / f"home-{role.value}.png"), full_page=True)


def test_the_finance_home_page_draws_the_book_value_the_table_gives(day, live_server, page):  # noqa: F811
    open_signed_in(page, live_server + "/", day["finance"].username)
    chart = page.locator("section.book-value figure.chart svg")
    expect(chart).to_be_visible()
    points = page.locator("section.book-value g.point")
    expect(points).to_have_count(13)
    drawn = [(p.get_attribute("data-label"), p.get_attribute("data-value")) for p in points.all()]
    table = [(row.get_attribute("data-label"), row.get_attribute("data-value"))
             for row in page.locator("section.book-value table.trend tbody tr").all()]
    assert drawn == table
    heights = [float(circle.get_attribute("cy")) for circle in page.locator("section.book-value g.point circle").all()]
    values = [Decimal(value) for _label, value in drawn]
    # a higher value sits higher on the screen (smaller y), as the eye reads it
    assert all((a < b) == (ya > yb) for a, b, ya, yb in zip(values, values[1:], heights, heights[1:]) if a != b)
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
