"""An administrator in a real browser: sign in, browse the network, add an item."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import Session
from inventory.network.models import Item
from seed import loader
from tests.browser.steps import follow_header_link

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    loader.load_items(Session)
    loader.load_network(Session, loader.Scale("51"))
    loader.load_demo_users(Session, [])


def sign_in(page, base: str, username: str = "admin") -> None:
    page.goto(base + "/depots")
    expect(page).to_have_url(re.compile(r"/login\?next=/depots$"))
    page.fill("#username", username)
    page.fill("#password", loader.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(base + "/depots")


def test_admin_browses_depots_by_level_and_region(demo, live_server, page, tmp_path):
    sign_in(page, live_server)
    page.select_option("#level", "county")
    page.select_option("#province", "510000")  # submits the form, then offers the prefectures
    page.select_option("#prefecture", "510100")
    page.click("text=Filter")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("County")
    assert all("County" in text for text in rows.all_inner_texts())
    expect(page.locator("tbody")).to_contain_text("武侯区")
    page.click("text=X-510107")
    expect(page.locator(".chain")).to_contain_text("四川省")
    expect(page.locator(".chain")).to_contain_text("成都市")
    expect(page.get_by_text("Neighbours within")).to_be_visible()
    page.screenshot(path=tmp_path / "depot.png", full_page=True)


def test_admin_adds_an_item_and_fixes_an_error_without_retyping(demo, live_server, page):
    sign_in(page, live_server)
    follow_header_link(page, "Network", "Items")
    page.click("text=New item")
    page.fill("#code", "JZ-BR-099")
    page.fill("#name", "儿童棉被")
    page.fill("#unit_weight_kg", "0")
    page.fill("#unit_volume_m3", "0.03")
    page.fill("#reference_price", "120")
    page.fill("#shelf_life_days", "1825")
    page.fill("#rotation_lead_days", "90")
    page.fill("#pack_units-0-name", "bale")
    page.fill("#pack_units-0-factor", "10")
    page.click("main button[type=submit]")
    expect(page.locator("#unit_weight_kg-error")).to_have_text("Must be more than 0.")
    expect(page.locator("#name")).to_have_value("儿童棉被")
    page.fill("#unit_weight_kg", "2.1")
    page.click("main button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("JZ-BR-099")
    expect(page.locator("tbody")).to_contain_text("儿童棉被")
    item = Session.scalar(select(Item).where(Item.code == "JZ-BR-099"))
    assert [(p.name, p.factor) for p in item.pack_units] == [("bale", 10)]


def test_a_clerk_sees_no_admin_controls(demo, live_server, page):
    sign_in(page, live_server, "clerk")
    expect(page.get_by_text("New depot")).to_have_count(0)
    page.goto(live_server + "/depots/new")
    expect(page.locator("h1")).to_have_text("Not allowed")
