"""Admin writes honour Idempotency-Key like the stock writes (issue #15, point 10): a retry gets the first
answer, and the write is applied once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.models import Role
from core.openapi import build_spec
from inventory.agreements.models import CapacityAgreement
from inventory.network.models import Depot, Item
from tests.inventory.agreements.test_agreements import agreement_data, as_json
from tests.inventory.network.test_api import DEPOT, ITEM


@pytest.fixture
def admin(make_user, api_token):
    return api_token(make_user(Role.ADMIN))


def count(model) -> int:
    return Session.scalar(select(func.count(model.id)))


def keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


@pytest.mark.parametrize("model, url, body, change", [
    (Depot, "/api/v1/depots", lambda item: DEPOT, {"name": "改名的储备库"}),
    (Item, "/api/v1/items", lambda item: ITEM, {"name": "改名的物资"}),
    (CapacityAgreement, "/api/v1/capacity-agreements", lambda item: as_json(agreement_data(item)),
     {"daily_capacity": 3000}),
], ids=["depot", "item", "agreement"])
def test_a_create_and_a_change_sent_twice_with_one_key_apply_once(client, admin, make_item, model, url, body, change):
    payload = body(make_item())
    before = count(model)
    first = client.post(url, json=payload, headers=keyed(admin, "create-1"))
    again = client.post(url, json=payload, headers=keyed(admin, "create-1"))
    assert first.status_code == again.status_code == 201, first.get_json()
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(model) == before + 1

    one = f"{url}/{first.get_json()['id']}"
    changed = client.patch(one, json=change, headers=keyed(admin, "change-1"))
    assert changed.status_code == 200, changed.get_json()
    field, value = next(iter(change.items()))
    later = client.patch(one, json={field: payload.get(field, first.get_json()[field])}, headers=keyed(admin, "c-2"))
    assert later.status_code == 200 and later.get_json()[field] != value
    replayed = client.patch(one, json=change, headers=keyed(admin, "change-1"))
    assert replayed.get_json() == changed.get_json() and replayed.headers["Idempotent-Replayed"] == "true"
    assert client.get(one, headers=admin).get_json()[field] == later.get_json()[field]  # not applied again


def test_a_key_reused_for_another_body_is_refused(client, admin):
    client.post("/api/v1/depots", json=DEPOT, headers=keyed(admin, "k"))
    other = client.post("/api/v1/depots", json={**DEPOT, "code": "X-2"}, headers=keyed(admin, "k"))
    assert other.status_code == 422 and count(Depot) == 1


def test_the_admin_writes_document_the_header(app):
    with app.app_context():
        paths = build_spec()["paths"]
    for path, method in (("/depots", "post"), ("/depots/{depot_id}", "patch"), ("/items", "post"),
                         ("/items/{item_id}", "patch"), ("/capacity-agreements", "post"),
                         ("/capacity-agreements/{agreement_id}", "patch")):
        names = [parameter["name"] for parameter in paths[path][method].get("parameters", [])]
        assert "Idempotency-Key" in names, (path, method)
