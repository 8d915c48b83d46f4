"""API writes need a valid bearer token (issue #15, point 8): a signed-in cookie never makes up for a bad one."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.models import Role
from inventory.network.models import Depot
from tests.inventory.network.test_api import DEPOT

JUNK = ["Bearer junk", "Bearer ", "Bearer", "Basic YWRtaW46ZGVtbzEyMzQ=", "bearer x", ""]


def depots() -> int:
    return Session.scalar(select(func.count(Depot.id)))


@pytest.mark.parametrize("header", JUNK)
def test_a_signed_in_admin_with_a_junk_token_is_refused_writes_and_reads(client, make_user, login, header):
    login(make_user(Role.ADMIN))
    junk = {"Authorization": header}
    write = client.post("/api/v1/depots", json=DEPOT, headers=junk)
    assert write.status_code == 401 and write.get_json()["error"]
    assert depots() == 0
    assert client.get("/api/v1/depots", headers=junk).status_code == 401
    assert client.get("/api/v1/depots").status_code == 200  # the cookie alone still reads


def test_a_revoked_token_is_refused_even_beside_a_cookie(client, make_user, login):
    from core.services import issue_token, revoke_token

    admin = make_user(Role.ADMIN)
    token, raw = issue_token(admin.id, "old", actor=admin)
    revoke_token(token.id, actor=None)
    login(admin)
    assert client.post("/api/v1/depots", json=DEPOT, headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert depots() == 0


def test_the_cookie_alone_may_not_write(client, make_user, login):
    login(make_user(Role.ADMIN))
    assert client.post("/api/v1/depots", json=DEPOT).status_code == 401
    assert depots() == 0


def test_a_valid_token_acts_as_its_own_user_not_the_signed_in_one(client, make_user, login, api_token):
    login(make_user(Role.ADMIN))
    dispatcher = api_token(make_user(Role.DISPATCHER))
    assert client.post("/api/v1/depots", json=DEPOT, headers=dispatcher).status_code == 403
    admin = api_token(make_user(Role.ADMIN))
    assert client.post("/api/v1/depots", json=DEPOT, headers=admin).status_code == 201
    assert depots() == 1
