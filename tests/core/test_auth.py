"""Signing in and out, bearer tokens, CSRF and the users CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core import create_app
from core.db import Session
from core.models import ApiToken, Role, User
from core.services import create_user, issue_token, revoke_token, set_user_active
from tests.factories import PASSWORD


def test_sign_in_sends_to_the_page_asked_for_and_sign_out_ends_the_session(client, make_user):
    user = make_user(Role.DISPATCHER)
    first = client.get("/items")
    assert first.status_code == 302 and first.location == "/login?next=/items"
    response = client.post("/login?next=/items", data={"username": user.username, "password": PASSWORD})
    assert response.location == "/items"
    assert client.get("/items").status_code == 200
    client.post("/logout")
    assert client.get("/items").status_code == 302


def test_wrong_password_is_shown_beside_the_field(client, make_user):
    user = make_user(Role.CLERK)
    html = client.post("/login", data={"username": user.username, "password": "nope"}).get_data(as_text=True)
    assert 'id="password-error">Unknown username or wrong password.' in html
    assert f'value="{user.username}"' in html


def test_next_may_not_leave_the_site(client, make_user):
    user = make_user(Role.CLERK)
    response = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD})
    assert response.location == "/"


def test_passwords_are_stored_hashed(make_user):
    user = make_user(Role.FINANCE)
    stored = Session.scalar(select(User.password_hash).where(User.id == user.id))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_a_disabled_user_cannot_sign_in_nor_use_a_token(client, make_user):
    user = make_user(Role.CLERK)
    _token, raw = issue_token(user.id, "x", actor=user)
    set_user_active(user.id, False, actor=None)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 200
    assert client.get("/api/v1/items", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_revoked_token_no_longer_works(client, make_user):
    user = make_user(Role.DISPATCHER)
    token, raw = issue_token(user.id, "gis", actor=user)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/items", headers=headers).status_code == 200
    revoke_token(token.id, actor=None)
    assert client.get("/api/v1/items", headers=headers).status_code == 401


def test_only_the_token_hash_is_stored(make_user):
    user = make_user(Role.DISPATCHER)
    _token, raw = issue_token(user.id, "gis", actor=user)
    assert Session.scalar(select(ApiToken.token_hash)) == ApiToken.hash(raw) != raw


def test_a_browser_session_may_read_the_api_but_not_write_it(client, make_user, login):
    login(make_user(Role.ADMIN))
    assert client.get("/api/v1/items").status_code == 200
    response = client.post("/api/v1/items", json={})
    assert response.status_code == 401 and "bearer token" in response.get_json()["error"]


def test_admin_issues_a_token_for_a_service_account_on_its_page_and_it_works(client, make_user, login):
    login(make_user(Role.ADMIN))
    gis = create_user("gis", "GIS integration", None, Role.DISPATCHER, actor=None, service_account=True)
    html = client.post(f"/admin/users/{gis.id}", data={"name": "GIS integration"}).get_data(as_text=True)
    raw = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert client.application.test_client().get("/api/v1/depots",
                                                 headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_admin_creates_a_user_and_errors_stay_beside_fields(client, make_user, login):
    login(make_user(Role.ADMIN))
    make_user(Role.CLERK, username="taken")
    html = client.post("/admin/users/new", data={"username": "taken", "display_name": "X", "role": "clerk",
                                                 "password": "short"}).get_data(as_text=True)
    assert 'id="password-error">At least 8 characters.' in html
    html = client.post("/admin/users/new", data={"username": "taken", "display_name": "X", "role": "clerk",
                                                 "password": "long enough"}).get_data(as_text=True)
    assert "&#39;taken&#39; is already a user." in html or "'taken' is already a user." in html
    response = client.post("/admin/users/new", data={"username": "new.clerk", "display_name": "New Clerk",
                                                     "role": "clerk", "password": "long enough"})
    assert response.status_code == 302
    assert Session.scalar(select(User.role).where(User.username == "new.clerk")) == Role.CLERK


def test_forms_need_a_csrf_token(database_url, make_user):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "TESTING": True})
    user = make_user(Role.ADMIN)
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    app.extensions["db_engine"].dispose()


def test_cli_creates_users_and_tokens(app, runner):
    result = runner.invoke(args=["users", "create", "wang", "--role", "clerk", "--name", "王保管",
                                 "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "wang", "--role", "clerk", "--password", "s3cret-pass"])
    assert result.exit_code != 0 and "already a user" in result.output
    refused = runner.invoke(args=["users", "token", "wang"])
    assert refused.exit_code != 0 and "is a person, not a service account" in refused.output
    assert Session.scalar(select(ApiToken.id)) is None
    result = runner.invoke(args=["users", "create", "gis", "--role", "dispatcher", "--service-account"])
    assert result.exit_code == 0 and "Created service account gis (dispatcher)." in result.output
    token = runner.invoke(args=["users", "token", "gis", "--name", "GIS integration"]).output.strip()
    assert app.test_client().get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with_password = runner.invoke(args=["users", "create", "gis2", "--role", "clerk", "--service-account",
                                        "--password", "s3cret-pass"])
    assert with_password.exit_code != 0 and "has no password" in with_password.output


@pytest.mark.parametrize("role", [Role.CLERK, Role.FINANCE])
def test_users_page_link_only_for_admins(client, make_user, login, role):
    login(make_user(role))
    assert "/admin/users" not in client.get("/").get_data(as_text=True)
