"""The clerk's stock forms in a real browser: every error of a submit at once, lines added and removed in place,
a destination depot picked by typing part of its name, and selects wide enough to read."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core import clock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from tests.browser.steps import open_signed_in
from tests.browser.test_clerk_walkthrough import depot_with_clerk  # noqa: F401

pytestmark = pytest.mark.browser

# Whether every option of a select fits inside it: its text measured in the select's own font.
OPTIONS_FIT = """select => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
  return Array.from(select.options).filter(o => !o.hidden && context.measureText(o.text).width > room)
    .map(o => o.text);
}"""


@pytest.fixture
def wuhou(depot_with_clerk):  # noqa: F811  (the clerk walk-through's depot, tents, quilts and clerk)
    return depot_with_clerk


def test_a_field_error_and_a_cross_field_error_are_shown_together_on_the_first_submit(wuhou, live_server, page):
    depot, tents, blankets, clerk = wuhou
    open_signed_in(page, f"{live_server}/depots/{depot.id}/receipts/new", clerk.username)
    page.select_option("#lines-0-item_id", str(tents.id))  # no quantity: the form's own check
    page.fill("#lines-0-batch_no", "T-2026-01")
    page.fill("#lines-0-production_date", "2026-01-10")
    page.fill("#lines-0-unit_cost", "1200")
    page.select_option("#lines-1-item_id", str(blankets.id))
    page.fill("#lines-1-quantity", "3")
    page.select_option("#lines-1-unit", "bale")
    page.fill("#lines-1-batch_no", "Q-2026-07")
    page.fill("#lines-1-unit_cost", "180")
    page.fill("#lines-1-production_date", "2026-03-01")
    page.fill("#lines-1-expiry_date", "2026-02-01")  # the rule between two fields
    page.click("main button[type=submit]")

    expect(page.locator("#lines-0-quantity-error")).to_have_text("This field is required.")
    expect(page.locator("#lines-1-expiry_date-error")).to_have_text("Must be after the production date.")
    expect(page.locator("main")).not_to_contain_text("Expiry before production")
    expect(page.locator("main .flash-error")).to_have_text("Nothing was recorded: correct the entries marked below.")
    expect(page.locator("#lines-1-expiry_date")).to_have_value("2026-02-01")
    expect(page.locator("#lines-1-unit")).to_have_value("bale")
    expect(page.locator("#lines-0-batch_no")).to_have_value("T-2026-01")

    page.fill("#lines-0-quantity", "40")
    page.fill("#lines-1-expiry_date", "2029-03-01")
    page.click("main button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Receipt RK-\d{4}-000001 recorded"))
    expect(page.locator(".voucher-lines tbody tr").first).to_contain_text("County government")  # the depot's level


def test_adding_a_sixth_line_and_removing_one_in_place(wuhou, live_server, page):
    depot, tents, blankets, clerk = wuhou
    open_signed_in(page, f"{live_server}/depots/{depot.id}/receipts/new", clerk.username)
    lines = page.locator("fieldset.line")
    expect(lines).to_have_count(5)
    page.select_option("#lines-0-item_id", str(tents.id))
    page.fill("#lines-0-quantity", "40")
    page.fill("#lines-0-batch_no", "T-2026-01")
    page.fill("#lines-0-production_date", "2026-01-10")
    page.fill("#lines-0-unit_cost", "1200")

    page.click("[data-add-line]")
    expect(lines).to_have_count(6)
    expect(lines.nth(5).locator("legend")).to_have_text("Line 6")
    expect(page.locator("#lines-5-funding_source")).to_have_value("county")
    page.select_option("#lines-5-item_id", str(blankets.id))
    assert not page.eval_on_selector("#lines-5-unit option[value=bale]", "option => option.hidden")  # units.js
    page.fill("#lines-5-quantity", "3")
    page.select_option("#lines-5-unit", "bale")
    page.fill("#lines-5-batch_no", "Q-2026-07")
    page.fill("#lines-5-production_date", "2026-07-01")
    page.fill("#lines-5-unit_cost", "180")

    lines.nth(2).locator("[data-remove-line]").click()  # a blank line goes; the later ones move up
    expect(lines).to_have_count(5)
    expect(page.locator("#lines-4-batch_no")).to_have_value("Q-2026-07")
    expect(lines.nth(4).locator("legend")).to_have_text("Line 5")
    expect(page.locator("#lines-5-batch_no")).to_have_count(0)
    assert page.url.endswith("/receipts/new")  # nothing was sent

    page.click("main button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Receipt RK-\d{4}-000001 recorded"))
    expect(page.locator(".voucher-lines tbody tr")).to_have_count(2)
    expect(page.locator(".voucher-lines tbody tr").nth(1)).to_contain_text("Q-2026-07")


def test_the_selects_of_a_receipt_line_show_their_whole_text(wuhou, live_server, page):
    depot, tents, blankets, clerk = wuhou
    open_signed_in(page, f"{live_server}/depots/{depot.id}/receipts/new", clerk.username)
    for select in ("#lines-0-funding_source", "#lines-0-unit", "#lines-0-ownership"):
        assert page.eval_on_selector(select, OPTIONS_FIT) == [], select
    page.goto(f"{live_server}/depots/{depot.id}/issues/new")
    for select in ("#lines-0-unit", "#lines-0-lot_id"):
        assert page.eval_on_selector(select, OPTIONS_FIT) == [], select


def test_picking_a_destination_depot_by_typing_part_of_its_name(wuhou, make_depot, live_server, page):
    depot, tents, blankets, clerk = wuhou
    wenchuan = make_depot(name="汶川县应急物资储备库", code="X-513221")
    make_depot(name="成都市应急物资储备库", code="M-510100")
    line = ReceiptLine(tents.id, 50, "T-2026-01", Decimal(1200), "county",
                       production_date=clock.today() - timedelta(days=30))
    receive_stock(Receipt(depot.id, [line]), actor=clerk)

    open_signed_in(page, f"{live_server}/depots/{depot.id}/transfers/new", clerk.username)
    page.locator("#destination").press_sequentially("汶川", delay=50)
    options = page.locator("#destination-options option")
    expect(options).to_have_count(1)
    offered = options.first.get_attribute("value")
    assert offered == f"{wenchuan.code} — {wenchuan.name}"
    page.fill("#destination", offered)  # what choosing the suggestion puts in the field
    page.select_option("#lines-0-item_id", str(tents.id))
    page.fill("#lines-0-quantity", "20")
    page.click("main button[type=submit]")

    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Transfer DB-\d{4}-000001 drafted"))
    expect(page.locator(".voucher .facts")).to_contain_text(f"{wenchuan.code} {wenchuan.name}")


def test_an_unknown_destination_is_refused_beside_the_field(wuhou, live_server, page):
    depot, tents, blankets, clerk = wuhou
    open_signed_in(page, f"{live_server}/depots/{depot.id}/transfers/new", clerk.username)
    page.fill("#destination", "汶川不存在")
    page.select_option("#lines-0-item_id", str(tents.id))
    page.click("main button[type=submit]")
    expect(page.locator("#destination-error")).to_have_text("No depot has code 汶川不存在.")
    expect(page.locator("#lines-0-quantity-error")).to_have_text("This field is required.")
    expect(page.locator("#destination")).to_have_value("汶川不存在")


def test_without_javascript_the_line_buttons_send_the_form_back_with_the_change(wuhou, live_server, page):
    depot, tents, blankets, clerk = wuhou
    context = page.context.browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        plain = context.new_page()
        open_signed_in(plain, f"{live_server}/depots/{depot.id}/receipts/new", clerk.username)
        plain.fill("#supplier", "成都纺织厂")
        plain.fill("#lines-1-batch_no", "Q-2026-07")
        plain.click("[data-add-line]")
        expect(plain.locator("fieldset.line")).to_have_count(6)
        assert plain.url.endswith("/receipts/new#line-buttons")  # back where the clerk was
        expect(plain.locator("#supplier")).to_have_value("成都纺织厂")
        expect(plain.locator("#lines-1-batch_no")).to_have_value("Q-2026-07")
        expect(plain.locator(".error")).to_have_count(0)
        plain.locator("fieldset.line").nth(0).locator("[data-remove-line]").click()
        expect(plain.locator("fieldset.line")).to_have_count(5)
        expect(plain.locator("#lines-0-batch_no")).to_have_value("Q-2026-07")
        plain.locator("#lines-0-batch_no").press("Enter")  # Enter records the receipt, it removes no line
        expect(plain.locator("#lines-0-item_id-error")).to_have_text("This field is required.")
        expect(plain.locator("fieldset.line")).to_have_count(5)
    finally:
        context.close()
