"""Rotation in a real browser: a clerk drafts a plan, an administrator approves and records it, finance reads the
cost. Set SCREENSHOTS=<dir> to keep the screenshots of the due list, the plan and the report."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import clock
from core.models import Role
from tests.browser.steps import follow_header_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(make_depot, make_item, make_user, receive, expire):
    depot = make_depot(name="武侯区救灾物资储备库")
    quilt = make_item(name="棉被", name_en="quilt", shelf_life_days=1825, rotation_lead_days=90)
    water = make_item(name="瓶装饮用水", category="food_water", shelf_life_days=730, rotation_lead_days=60)
    receive(depot, quilt, 120, "MB-2021-07", expiry=clock.today() + timedelta(days=40), unit_cost=Decimal(180))
    stale = receive(depot, water, 300, "SS-2024-02", unit_cost=Decimal("1.50"))
    expire(stale, days_ago=5)
    receive(depot, quilt, 80, "MB-2025-01", expiry=clock.today() + timedelta(days=1500))
    return {"clerk": make_user(Role.CLERK, username="clerk_wuhou", depots=[depot]),
            "admin": make_user(Role.ADMIN, username="admin_lead"), "finance": make_user(Role.FINANCE, username="auditor")}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".whoami")).to_be_visible()


def sign_out(page) -> None:
    page.click("header details.account summary")
    page.click("header details.account >> text=Sign out")


def test_a_plan_from_draft_to_the_finance_report(people, live_server, page, tmp_path):
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "clerk_wuhou")
    follow_header_link(page, "Stock", "Rotation")
    rows = page.locator("table.due tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_class(re.compile("state-expired"))
    expect(page.locator("table.due")).not_to_contain_text("MB-2025-01")
    page.screenshot(path=shots / "due-list.png", full_page=True)

    rows.filter(has_text="MB-2021-07").get_by_role("link", name="Plan rotation").click()
    expect(page.locator("#lines-0-lot_id")).to_have_value(re.compile(r"\d+"))
    page.fill("#lines-0-quantity", "120")
    page.select_option("#lines-0-action", "sell")
    page.fill("#lines-0-counterparty", "成都市某商贸公司")
    page.fill("#lines-0-expected_unit_proceeds", "70")
    page.select_option("#lines-0-replacement", "purchase")
    page.fill("#lines-0-replacement_quantity", "120")
    page.fill("#lines-0-replacement_unit_cost", "185")
    page.fill("#lines-0-supplier", "际华集团")
    page.click("button:has-text('Draft plan')")
    expect(page.locator("#plan-status")).to_have_text("draft")
    plan_url = page.url
    number = page.locator("h1 .number").inner_text()
    assert number.startswith("LH-")
    sign_out(page)

    sign_in(page, live_server, "admin_lead")
    page.goto(plan_url)
    page.click("button:has-text('Approve')")
    expect(page.locator("#plan-status")).to_have_text("approved")
    page.fill("input[name='lines-0-out_quantity']", "120")
    page.fill("input[name='lines-0-proceeds']", "8400")
    page.fill("input[name='lines-0-in_quantity']", "60")
    page.fill("input[name='lines-0-batch_no']", "MB-2026-11")
    page.fill("input[name='lines-0-production_date']", clock.today().isoformat())
    page.click("button:has-text('Record execution')")
    expect(page.locator("#plan-status")).to_have_text("partially executed")
    expect(page.locator("td.actual")).to_have_text("8,400.00")
    expect(page.locator("td.received")).to_have_text("60")
    page.screenshot(path=shots / "plan.png", full_page=True)
    sign_out(page)

    sign_in(page, live_server, "auditor")
    follow_header_link(page, "Reports", "Rotation costs")
    expect(page.locator("table.rotation-report tbody")).to_contain_text(number)
    expect(page.locator("#total-proceeds")).to_have_text("8,400.00")
    expect(page.locator("#total-net-cost")).to_have_text("2,700.00")  # 60 × 185 − 8,400
    expect(page.get_by_role("link", name="Download XLSX")).to_have_attribute("href", re.compile("format=xlsx"))
    page.screenshot(path=shots / "rotation-report.png", full_page=True)
