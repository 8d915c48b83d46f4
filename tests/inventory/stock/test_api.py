"""The stock API: the same rules as the services, the foundation's error shape, safe retries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.models import Role
from inventory.stock.models import Document, Lot, Movement

pytestmark = pytest.mark.usefixtures("reconciled")
FAR = (date.today() + timedelta(days=700)).isoformat()


@pytest.fixture
def world(make_depot, make_item, make_user, api_token):
    depot, other = make_depot(), make_depot()
    item = make_item(pack_units=[{"name": "bale", "factor": 10}])
    clerk = make_user(Role.CLERK, depots=[depot])
    # ids, not objects: a refused request rolls back and the request's teardown ends the session
    return {"depot": depot.id, "other": other.id, "item": item.id, "clerk": api_token(clerk),
            "admin": api_token(make_user(Role.ADMIN)), "dispatcher": api_token(make_user(Role.DISPATCHER))}


def receipt(world, quantity=5, unit=None, batch="B-1", depot=None):
    return {"depot_id": depot or world["depot"], "supplier": "际华集团", "lines": [
        {"item_id": world["item"], "quantity": quantity, "unit": unit, "batch_no": batch, "expiry_date": FAR,
         "unit_cost": "180.00", "funding_source": "central"}]}


def documents() -> int:
    return Session.scalar(select(func.count(Document.id)))


def test_receipt_then_issue_then_stock(client, world):
    created = client.post("/api/v1/receipts", json=receipt(world, 3, "bale"), headers=world["clerk"])
    assert created.status_code == 201
    body = created.get_json()
    assert body["number"] == f"RK-{clock.today().year}-000001" and body["movements"][0]["quantity"] == 30
    issued = client.post("/api/v1/issues", json={"depot_id": world["depot"], "recipient": "安置点",
                                                  "lines": [{"item_id": world["item"], "quantity": 12}]},
                         headers=world["clerk"])
    assert issued.status_code == 201 and issued.get_json()["movements"][0]["quantity"] == -12
    stock = client.get(f"/api/v1/depots/{world['depot']}/stock", headers=world["dispatcher"]).get_json()
    assert [(i["item_id"], i["on_hand"], i["available"]) for i in stock["items"]] == [(world["item"], 18, 18)]


def test_line_errors_come_back_per_line_with_422(client, world):
    payload = receipt(world)
    payload["lines"].append({"item_id": world["item"], "quantity": -1, "batch_no": "", "unit_cost": "x",
                             "funding_source": "grant"})
    body = client.post("/api/v1/receipts", json=payload, headers=world["clerk"]).get_json()
    assert set(body["fields"]["lines"]["1"]) == {"quantity", "batch_no", "unit_cost", "funding_source"}
    assert documents() == 0


def test_an_issue_beyond_stock_is_a_409_that_names_what_is_available(client, world):
    client.post("/api/v1/receipts", json=receipt(world, 5), headers=world["clerk"])
    response = client.post("/api/v1/issues", json={"depot_id": world["depot"], "recipient": "x",
                                                    "lines": [{"item_id": world["item"], "quantity": 6}]},
                           headers=world["clerk"])
    assert response.status_code == 409
    body = response.get_json()
    assert "available 5" in body["error"] and body["fields"]["lines"]["0"]["quantity"]


def test_a_clerk_is_refused_at_another_depot(client, world):
    response = client.post("/api/v1/receipts", json=receipt(world, depot=world["other"]), headers=world["clerk"])
    assert response.status_code == 403 and documents() == 0
    assert client.get(f"/api/v1/depots/{world['other']}/stock", headers=world["clerk"]).status_code == 403


def test_a_retried_write_with_the_same_key_is_applied_once(client, world):
    headers = {**world["clerk"], "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/receipts", json=receipt(world), headers=headers)
    again = client.post("/api/v1/receipts", json=receipt(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert documents() == 1 and Session.scalar(select(Lot.on_hand)) == 5
    other = client.post("/api/v1/receipts", json=receipt(world, 6), headers=headers)
    assert other.status_code == 422 and "different request" in other.get_json()["error"]


def test_a_write_whose_answer_cannot_be_stored_rolls_back_and_its_retry_applies_once(client, world, monkeypatch):
    from core import idempotency

    def crash(_claim, _response):
        raise RuntimeError("the process died before the answer was kept")

    headers = {**world["clerk"], "Idempotency-Key": "crash-1"}
    monkeypatch.setattr(idempotency, "store_response", crash)
    with pytest.raises(RuntimeError):
        client.post("/api/v1/receipts", json=receipt(world), headers=headers)
    assert documents() == 0 and Session.scalar(select(func.count(Movement.id))) == 0
    monkeypatch.undo()
    retried = client.post("/api/v1/receipts", json=receipt(world), headers=headers)
    replayed = client.post("/api/v1/receipts", json=receipt(world), headers=headers)
    assert retried.status_code == replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert documents() == 1 and Session.scalar(select(Lot.on_hand)) == 5


def test_a_transfer_drafted_with_a_key_answers_as_one_drafted_without(client, world):
    client.post("/api/v1/receipts", json=receipt(world, 20), headers=world["clerk"])
    draft = {"source_id": world["depot"], "destination_id": world["other"],
             "lines": [{"item_id": world["item"], "quantity": 4}]}
    plain = client.post("/api/v1/transfers", json=draft, headers=world["clerk"])
    keyed = client.post("/api/v1/transfers", json=draft, headers={**world["clerk"], "Idempotency-Key": "draft-1"})
    assert plain.status_code == keyed.status_code == 201
    assert keyed.get_json()["number"].startswith("DB-") and keyed.get_json()["lines"][0]["id"] is not None
    assert set(keyed.get_json()) == set(plain.get_json())


def test_a_refused_request_gives_its_key_back(client, world):
    headers = {**world["clerk"], "Idempotency-Key": "k-2"}
    issue = {"depot_id": world["depot"], "recipient": "x", "lines": [{"item_id": world["item"], "quantity": 5}]}
    assert client.post("/api/v1/issues", json=issue, headers=headers).status_code == 409
    client.post("/api/v1/receipts", json=receipt(world, 5), headers=world["clerk"])
    assert client.post("/api/v1/issues", json=issue, headers=headers).status_code == 201


def test_transfer_count_scrap_and_reversal_through_the_api(client, world, make_user, api_token):
    depot, other = world["depot"], world["other"]
    receiver = make_user(Role.CLERK)
    from inventory.network.services import assign_clerk

    assign_clerk(other, receiver.username, actor=None)
    receiver = api_token(receiver)
    client.post("/api/v1/receipts", json=receipt(world, 20), headers=world["clerk"])
    transfer = client.post("/api/v1/transfers", json={"source_id": depot, "destination_id": other,
                                                      "lines": [{"item_id": world["item"], "quantity": 8}]},
                           headers=world["clerk"]).get_json()
    assert client.post(f"/api/v1/transfers/{transfer['id']}/approve", headers=world["clerk"]).status_code == 403
    assert client.post(f"/api/v1/transfers/{transfer['id']}/approve", headers=world["admin"]).status_code == 200
    assert client.post(f"/api/v1/transfers/{transfer['id']}/ship", headers=world["clerk"]).get_json()["status"] \
        == "shipped"
    line_id = transfer["lines"][0]["id"]
    received = client.post(f"/api/v1/transfers/{transfer['id']}/receive",
                           json={"lines": [{"line_id": line_id, "received": 7, "damaged": 1}]}, headers=receiver)
    assert received.status_code == 200, received.get_json()
    assert received.get_json()["discrepancies"][0]["damaged"] == 1

    count = client.post("/api/v1/counts", json={"depot_id": depot}, headers=world["clerk"]).get_json()
    client.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [{"line_id": count["lines"][0]["id"],
                                                                        "counted": 11}]}, headers=world["clerk"])
    assert client.post(f"/api/v1/counts/{count['id']}/approve", headers=world["admin"]).status_code == 200

    lot_id = count["lines"][0]["lot_id"]
    scrap = client.post("/api/v1/scraps", json={"depot_id": depot, "reason": "rats",
                                                "lines": [{"lot_id": lot_id, "quantity": 1}]},
                        headers=world["clerk"]).get_json()
    assert client.post(f"/api/v1/scraps/{scrap['id']}/approve", headers=world["admin"]).get_json()["status"] \
        == "approved"
    history = client.get(f"/api/v1/movements?depot_id={depot}", headers=world["clerk"]).get_json()
    kinds = [m["kind"] for m in history["items"]]
    # The transfer's goods went into transit at the source (+8) and 7 came off it when received; the damaged one
    # stays in transit, on the source's books, until its discrepancy is resolved.
    assert kinds == ["scrap", "count_adjustment", "transit", "transit", "transfer_out", "receipt"]
    adjustment = history["items"][1]
    reversed_ = client.post(f"/api/v1/movements/{adjustment['id']}/reverse", json={"reason": "recount"},
                            headers=world["clerk"])
    assert reversed_.status_code == 201 and reversed_.get_json()["number"].startswith("CX-")
    assert Session.scalar(select(Lot.on_hand).where(Lot.id == lot_id)) == 11


def test_stock_as_of_a_past_date(client, world):
    client.post("/api/v1/receipts", json=receipt(world, 5), headers=world["clerk"])
    yesterday = clock.today() - timedelta(days=1)
    body = client.get(f"/api/v1/depots/{world['depot']}/stock?as_of={yesterday}", headers=world["admin"])
    assert body.get_json()["items"] == [] and body.get_json()["as_of"] == yesterday.isoformat()
    bad = client.get(f"/api/v1/depots/{world['depot']}/stock?as_of=yesterday", headers=world["admin"])
    assert bad.status_code == 400 and "as_of" in bad.get_json()["fields"]


def test_movements_filter_by_kind_and_clerks_must_name_their_depot(client, world):
    client.post("/api/v1/receipts", json=receipt(world, 5), headers=world["clerk"])
    assert client.get("/api/v1/movements", headers=world["clerk"]).status_code == 403
    body = client.get("/api/v1/movements?kind=issue", headers=world["admin"]).get_json()
    assert body["total"] == 0
    assert client.get("/api/v1/movements?kind=receipt", headers=world["admin"]).get_json()["total"] == 1


def test_shortfalls_are_for_admins_and_dispatchers(client, world):
    from inventory.network.services import set_quota

    set_quota(world["depot"], world["item"], 100, 50, actor=None)
    body = client.get("/api/v1/quotas/shortfalls", headers=world["dispatcher"]).get_json()
    assert [(s["depot_id"], s["below_minimum"]) for s in body["items"]] == [(world["depot"], 50)]
    assert client.get("/api/v1/quotas/shortfalls", headers=world["clerk"]).status_code == 403
    assert Session.scalar(select(func.count(Movement.id))) == 0


def test_a_movement_dated_in_the_future_is_refused(client, world):
    tomorrow = f"{clock.today() + timedelta(days=2)}T10:00:00+08:00"
    response = client.post("/api/v1/receipts", json={**receipt(world), "occurred_at": tomorrow},
                           headers=world["clerk"])
    assert response.status_code == 422 and "occurred_at" in response.get_json()["fields"]
    assert documents() == 0
