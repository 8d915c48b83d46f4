"""The approvals inbox and the header's menus in a real browser: an administrator finds one of each kind of
document waiting, opens one from the inbox and approves it; every role's header fits a 1280-pixel screen and its
menus open, close on Escape and lead where they say. Set SCREENSHOTS=<dir> to keep the inbox and an open menu."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.db import Session
from core.models import Role
from tests.browser.steps import open_signed_in
from tests.inventory.approvals.test_inbox import depot_work  # noqa: F401  (the fixture: one of each kind waiting)

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS"]) / f"{name}.png"), full_page=True)


def test_an_admin_finds_each_kind_waiting_in_the_inbox_and_signs_one(depot_work, live_server, page):  # noqa: F811
    open_signed_in(page, live_server + "/inbox", depot_work["admin"].username)
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(4)
    for kind in ("transfer", "count", "scrap", "rotation_plan"):
        expect(page.locator(f"tr.waiting-{kind}")).to_have_count(1)
    expect(page.locator("header nav a[href='/inbox'] .count")).to_have_text("4")
    shot(page, "inbox")
    page.click("nav.tabs >> text=Scrap request to decide")
    expect(rows).to_have_count(1)
    page.click(f"text={depot_work['numbers']['scrap']}")
    page.click("button:has-text('Approve scrapping')")
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(live_server + "/inbox")
    expect(rows).to_have_count(3)
    expect(page.locator("tr.waiting-scrap")).to_have_count(0)
    expect(page.locator("header nav a[href='/inbox'] .count")).to_have_text("3")


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_header_fits_1280_pixels_and_its_menus_work(depot_work, live_server, page, make_user,  # noqa: F811
                                                               role):
    user = depot_work["clerk"] if role == Role.CLERK else make_user(role)
    user.display_name = "演示管理员 Demo administrator of the network"  # as long as the demo's names, and longer
    Session.commit()
    open_signed_in(page, live_server + "/", user.username)
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] < 60, "the header wraps onto a second line"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    menus = page.locator("header details.menu")
    assert menus.count() >= 2
    first, second = menus.nth(0), menus.nth(1)
    first.locator("summary").click()
    expect(first.locator(".menu-links")).to_be_visible()
    second.locator("summary").click()  # opening one closes the other
    expect(first.locator(".menu-links")).to_be_hidden()
    expect(second.locator(".menu-links")).to_be_visible()
    shot(page, f"menu-{role.value}")
    page.keyboard.press("Escape")
    expect(second.locator(".menu-links")).to_be_hidden()
    first.locator("summary").click()
    link = first.locator(".menu-links a").first
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(live_server + href)
    expect(page.locator("header details.menu summary.current")).to_have_count(1)
    page.click("header details.account summary")  # the account menu: tokens and signing out
    page.click("header details.account >> text=Sign out")
    expect(page).to_have_url(re.compile(r"/login"))
