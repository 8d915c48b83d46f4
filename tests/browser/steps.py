"""Steps several browser walk-throughs take the same way."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def open_signed_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    """Open a page that needs signing in: the login page it redirects to brings the user back to it."""
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(url)


def follow_header_link(page: Page, menu: str | None, link: str) -> None:
    """Click a link of the page header, opening its menu first when it sits in one, as a person would."""
    nav = page.locator("header nav")
    if menu is not None:
        nav.locator("details.menu summary", has_text=menu).click()
    nav.get_by_role("link", name=link, exact=True).click()
