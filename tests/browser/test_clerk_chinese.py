"""A depot clerk who switches to Chinese: the stock pages, their error messages and the voucher speak Chinese.

On each page the visible text, once the data the test typed or made (names, codes, batch and document
numbers) is taken out, must hold no English word apart from a few codes that read the same in Chinese.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.browser.steps import open_signed_in
from tests.chinese import english_words

pytestmark = pytest.mark.browser

# Words a Chinese page may still show: the language switch names English in English.
ALLOWED_WORDS = {"English", "CNY"}
SUPPLIER = "成都纺织厂"
BATCH = "Q-2026-07"
DOCUMENT_NUMBER = re.compile(r"RK-\d{4}-\d{6}")


@pytest.fixture
def clerk_depot(make_depot, make_item, make_user):
    depot = make_depot(name="武侯区救灾物资储备库")
    quilts = make_item(name="棉被", name_en="quilt", base_unit="piece", pack_units=[{"name": "bale", "factor": 10}])
    clerk = make_user(Role.CLERK, username="wuhou.clerk", depots=[depot])
    return depot, quilts, clerk


def english_left(page, data: list[str]) -> list[str]:
    """English words in the page's visible text once the known data strings are taken out."""
    return sorted(english_words(page.inner_text("body"), data, ALLOWED_WORDS, DOCUMENT_NUMBER))


def assert_all_chinese(page, data: list[str]) -> None:
    left = english_left(page, data)
    assert not left, f"English left on {page.url}: {left}\n--- visible text ---\n{page.inner_text('body')}"


def test_a_clerk_records_a_receipt_in_chinese(clerk_depot, live_server, page):
    depot, quilts, clerk = clerk_depot
    data = [depot.name, depot.code, quilts.code, quilts.name, clerk.username, clerk.display_name, BATCH, SUPPLIER]

    open_signed_in(page, f"{live_server}/depots/{depot.id}/stock", clerk.username)

    page.click("header form.language button[value=zh_CN]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_contain_text(f"{depot.name}库存")
    assert_all_chinese(page, data)

    page.click("main .actions >> text=入库")
    expect(page.locator("main h1")).to_contain_text(f"{depot.name}入库")
    assert_all_chinese(page, data)

    # The quilts expire, so the ledger wants a production or expiry date; this line gives neither.
    page.fill("#supplier", SUPPLIER)
    page.select_option("#lines-0-item_id", str(quilts.id))
    page.fill("#lines-0-quantity", "3")
    page.select_option("#lines-0-unit", "bale")
    page.fill("#lines-0-batch_no", BATCH)
    page.fill("#lines-0-unit_cost", "180")
    page.click("main button[type=submit]")

    expect(page.locator("#lines-0-production_date-error")).to_have_text("请填写生产日期或到期日期。")
    expect(page.locator(".flash-error")).to_have_text("未记录：请更正下面标出的各项。")  # said once, beside the date
    expect(page.locator("#supplier")).to_have_value(SUPPLIER)
    expect(page.locator("#lines-0-quantity")).to_have_value("3")
    expect(page.locator("#lines-0-unit")).to_have_value("bale")
    expect(page.locator("#lines-0-batch_no")).to_have_value(BATCH)
    assert_all_chinese(page, data)

    # A form check of its own (not the ledger's): a line without a quantity.
    page.fill("#lines-0-quantity", "")
    page.fill("#lines-0-production_date", "2026-07-01")
    page.click("main button[type=submit]")
    expect(page.locator("#lines-0-quantity-error")).to_have_text("此项必填。")
    expect(page.locator("#lines-0-batch_no")).to_have_value(BATCH)
    expect(page.locator("#lines-0-production_date")).to_have_value("2026-07-01")
    assert_all_chinese(page, data)

    page.fill("#lines-0-quantity", "3")
    page.click("main button[type=submit]")

    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"入库单 RK-\d{4}-000001 已登记。"))
    expect(page.locator(".voucher h1")).to_contain_text("入库单")
    expect(page.locator(".voucher-lines tbody tr").first).to_contain_text("30")  # 3 bales of 10 pieces
    expect(page.locator(".voucher-lines tbody tr").first).to_contain_text("件")
    expect(page.locator(".voucher-lines tfoot")).to_contain_text("5,400.00")
    expect(page.locator(".signatures")).to_contain_text("制单人")
    assert_all_chinese(page, data)
