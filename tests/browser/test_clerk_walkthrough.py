"""A depot clerk in a real browser: receive two lines (one in packs), fix a mistake without retyping, see the stock."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.browser.steps import open_signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def depot_with_clerk(make_depot, make_item, make_user):
    depot = make_depot(name="武侯区救灾物资储备库")
    tents = make_item(name="帐篷", name_en="tent", base_unit="piece", pack_units=[])
    blankets = make_item(name="棉被", name_en="quilt", base_unit="piece", pack_units=[{"name": "bale", "factor": 10}])
    clerk = make_user(Role.CLERK, username="wuhou.clerk", depots=[depot])
    return depot, tents, blankets, clerk


def test_clerk_receives_stock_fixes_a_line_and_sees_it_on_the_dashboard(depot_with_clerk, live_server, page, tmp_path):
    depot, tents, blankets, clerk = depot_with_clerk
    open_signed_in(page, f"{live_server}/depots/{depot.id}/stock", clerk.username)

    page.click("main >> text=Receive")
    page.fill("#supplier", "成都纺织厂")
    page.select_option("#lines-0-item_id", str(tents.id))
    page.fill("#lines-0-quantity", "40")
    page.fill("#lines-0-batch_no", "T-2026-01")
    page.fill("#lines-0-production_date", "2026-01-10")
    page.fill("#lines-0-unit_cost", "1200")
    assert page.eval_on_selector("#lines-0-unit option[value=bale]", "option => option.hidden")  # tents: no packs
    page.select_option("#lines-1-item_id", str(blankets.id))
    assert not page.eval_on_selector("#lines-1-unit option[value=bale]", "option => option.hidden")
    page.fill("#lines-1-quantity", "3")
    page.select_option("#lines-1-unit", "bale")
    page.fill("#lines-1-batch_no", "Q-2026-07")
    page.fill("#lines-1-unit_cost", "180")  # no production or expiry date: the blankets expire
    page.click("main button[type=submit]")

    expect(page.locator("#lines-1-production_date-error")).to_have_text("Give the production date or the expiry date.")
    expect(page.locator("#lines-0-batch_no")).to_have_value("T-2026-01")
    expect(page.locator("#lines-1-quantity")).to_have_value("3")
    expect(page.locator("#lines-1-unit")).to_have_value("bale")
    expect(page.locator("#supplier")).to_have_value("成都纺织厂")
    page.screenshot(path=tmp_path / "receipt-error.png", full_page=True)
    page.fill("#lines-1-production_date", "2026-07-01")
    page.click("main button[type=submit]")

    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Receipt RK-\d{4}-000001 recorded"))
    expect(page.locator(".voucher-lines")).to_contain_text("Q-2026-07")
    expect(page.locator(".voucher-lines tbody tr").nth(1)).to_contain_text("30")  # 3 bales of 10
    expect(page.locator(".voucher-lines tfoot")).to_contain_text("53,400.00")
    page.screenshot(path=tmp_path / "voucher.png", full_page=True)

    page.click("text=Depot stock")
    rows = page.locator("table.stock")
    expect(rows).to_contain_text("T-2026-01")
    expect(rows).to_contain_text("Q-2026-07")
    expect(page.locator("tbody.item-stock").nth(1).locator(".item-row")).to_contain_text("30")
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
