"""A live server on a free local port and a headless Chromium driven by Playwright.

A page whose script, style or image the Content-Security-Policy blocks (Chromium says so on the console)
fails the test.
"""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from core import create_app
from core.db import Session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def serving(app):
    """The app on a real HTTP server in a thread, for the browser; its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        Session.remove()


@pytest.fixture
def live_server(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "browser-tests"})
    with serving(app) as address:
        yield address
    app.extensions["db_engine"].dispose()


@pytest.fixture
def demo_server(demo_app):
    """The demo network served for the browser."""
    with serving(demo_app) as address:
        yield address


@pytest.fixture
def new_page():
    """Open pages in separate browser contexts: each is a person at their own computer, signed in as themselves."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        contexts, blocked = [], []

        def open_page():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = context.new_page()
            page.on("console", lambda message: blocked.append(f"{page.url}: {message.text}")
                    if "Content Security Policy" in message.text else None)
            return page

        yield open_page
        for context in contexts:
            context.close()
        browser.close()
        assert not blocked, f"the Content-Security-Policy blocked something the pages need: {blocked}"


@pytest.fixture
def page(new_page):
    return new_page()
