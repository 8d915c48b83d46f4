"""Security headers and cookies, the request-size limit and NUL characters (issue #15, point 4).

Every page the roles reach is checked for the headers and for inline code by the crawl in
tests/test_chinese_pages.py; here: the templates themselves, answers that are not pages, and the settings.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import create_app
from core.db import Session
from core.models import Role
from inventory.network.models import Depot, Item
from tests.factories import PASSWORD
from tests.inventory.network.test_api import DEPOT

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(path for package in ("core", "inventory", "dispatch", "seed")
                   for path in (ROOT / package).rglob("templates/**/*.html"))
HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


# In a template's source (Jinja inside attributes defeats an HTML parser): a script element without src, an
# on<event>= handler, a style attribute or a javascript: URL.
INLINE_CODE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=\s*[\"']|\sstyle\s*=|javascript:", re.I)


def test_no_template_holds_inline_script_handlers_or_styles():
    assert len(TEMPLATES) > 50
    found = {}
    for path in TEMPLATES:
        source = path.read_text()
        hits = [f"line {source.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in INLINE_CODE.finditer(source)]
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert not found, f"the CSP would block these: {found}"


def assert_secure_headers(response) -> None:
    assert response.headers["Content-Security-Policy"] == STRICT_CSP
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name
    assert "Strict-Transport-Security" not in response.headers  # only under HTTPS_ONLY


def test_pages_errors_json_and_static_files_all_carry_the_headers(client, make_user, login):
    login(make_user(Role.CLERK))
    for url in ("/", "/login", "/no-such-page", "/api/v1/items", "/api/v1/no-such", "/static/app.css",
                "/static/forms.js", "/vendor/leaflet/leaflet.js", "/api/v1/openapi.json"):
        response = client.get(url)
        assert_secure_headers(response)
    assert client.get("/admin/users").status_code == 403
    assert_secure_headers(client.get("/admin/users"))


def test_signed_out_visitors_get_them_too(client):
    assert_secure_headers(client.get("/login"))
    assert_secure_headers(client.get("/items"))  # the redirect to the sign-in page


def test_the_map_tile_server_is_allowed_for_images_only(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x",
                      "TILE_URL": "https://{s}.tiles.example:8443/{z}/{x}/{y}.png"})
    policy = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example:8443;" in policy
    assert "script-src 'self';" in policy and policy.count("tiles.example") == 1
    app.extensions["db_engine"].dispose()


def test_the_session_cookie_is_samesite_lax_and_not_secure_by_default(client, make_user):
    user = make_user(Role.CLERK)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie


def test_https_only_adds_secure_cookies_and_hsts(database_url, monkeypatch):
    monkeypatch.setenv("HTTPS_ONLY", "1")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from core.services import create_user
        create_user("secure-clerk", "", PASSWORD, Role.CLERK, actor=None)
    client = app.test_client()
    response = client.post("/login", data={"username": "secure-clerk", "password": PASSWORD},
                           base_url="https://localhost")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    Session.remove()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def admin_token(make_user, api_token):
    return api_token(make_user(Role.ADMIN))


def test_a_body_over_the_limit_is_a_413_in_the_house_shape(client, admin_token):
    big = {**DEPOT, "name": "x" * (2 * 1024 * 1024)}
    response = client.post("/api/v1/depots", json=big, headers=admin_token)
    assert response.status_code == 413
    assert set(response.get_json()) == {"error", "fields"} and "2 MB" in response.get_json()["error"]
    assert Session.scalar(select(func.count(Depot.id))) == 0


def test_a_form_over_the_limit_gets_a_page(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post("/items/new", data={"code": "X", "name": "y" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "2 MB" in response.get_data(as_text=True)
    assert Session.scalar(select(func.count(Item.id))) == 0


def test_a_form_under_the_limit_is_read_whole(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post("/items/new", data={"code": "X", "name": "y" * (1024 * 1024)})
    # Read whole (not cut off as too large): the text is then refused on its field, as longer than any text we keep.
    assert response.status_code == 400 and "name: At most 10000 characters." in response.get_data(as_text=True)
    assert Session.scalar(select(func.count(Item.id))) == 0


def test_nul_in_json_is_refused_on_its_field(client, admin_token):
    response = client.post("/api/v1/depots", json={**DEPOT, "name": "武侯\x00区"}, headers=admin_token)
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"name": ["Text may not contain NUL characters."]}
    nested = client.post("/api/v1/items", json={"pack_units": [{"name": "b\x00ale"}]}, headers=admin_token)
    assert nested.status_code == 400 and list(nested.get_json()["fields"]) == ["pack_units.0.name"]
    assert Session.scalar(select(func.count(Depot.id))) == 0


def test_nul_in_a_form_or_query_is_a_400_naming_the_field(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post("/depots/new", data={"code": "X-1", "name": "a\x00b"})
    assert response.status_code == 400
    assert re.search(r"name: [^<]*NUL", response.get_data(as_text=True))  # the field, and what it may not hold
    assert client.get("/depots?q=%00").status_code == 400
    assert Session.scalar(select(func.count(Depot.id))) == 0
