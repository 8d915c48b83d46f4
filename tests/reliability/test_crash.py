"""SIGKILL a gunicorn worker while its transaction is open: nothing of the request is left in the database, the
ledger reconciles, and the client's retry with the same Idempotency-Key applies the request once.

The worker is held by core.crashpoint just before it commits, with every write of the unit of work already sent
to PostgreSQL (the test sees its session 'idle in transaction'), so the kill lands inside the transaction.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date, timedelta

import pytest

from tests.load.ledger import reconcile
from tests.reliability.conftest import ledger_state, open_transactions

pytestmark = pytest.mark.postgres


def kill_inside_the_transaction(server, hold, url: str, send) -> BaseException | None:
    """Arm the pause, send the request from a thread, SIGKILL the worker that holds it; returns what the client got."""
    hold.arm()
    outcome = {}

    def request():
        try:
            outcome["answer"] = send()
        except ConnectionError as error:
            outcome["error"] = error

    client_thread = threading.Thread(target=request)
    client_thread.start()
    worker = hold.holder()
    assert open_transactions(url) == 1  # the request's writes are in PostgreSQL, uncommitted
    os.kill(worker, signal.SIGKILL)
    client_thread.join(30)
    assert "answer" not in outcome, f"the killed request was answered: {outcome}"
    _wait_until_rolled_back(url)
    return outcome.get("error")


def _wait_until_rolled_back(url: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while open_transactions(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_transactions(url) == 0


def assert_nothing_partial(url: str, before: dict) -> None:
    assert ledger_state(url) == before
    reconciled = reconcile(url)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr


def assert_applied_once(client, path: str, body: dict, key: str, status: int):
    first = client.post(path, body, key)
    again = client.post(path, body, key)
    assert first.status == again.status == status, first.text
    assert "idempotent-replayed" not in first.headers and again.headers.get("idempotent-replayed") == "true"
    assert again.body == first.body
    return first.body


def test_a_worker_killed_inside_a_multi_line_receipt_leaves_nothing_and_the_retry_applies_once(crash_server,
                                                                                               server_database):
    server, network, hold = crash_server
    client = server.client(network.clerk_tokens[0])
    depot = network.depots[0]
    body = {"depot_id": depot, "supplier": "crash test",
            "lines": [batch.receipt_line(10 + n) for n, batch in enumerate(network.batches)]}
    before = ledger_state(server_database)

    kill_inside_the_transaction(server, hold, server_database,
                                lambda: client.post("/api/v1/receipts", body, "receipt-1"))

    assert_nothing_partial(server_database, before)
    document = assert_applied_once(server.client(network.clerk_tokens[0]), "/api/v1/receipts", body, "receipt-1", 201)
    after = ledger_state(server_database)
    assert after["documents"] == before["documents"] + 1
    assert after["movements"] == before["movements"] + len(body["lines"]) == before["movements"] + 3
    received = sum(on_hand for _id, on_hand, _r in after["lots"]) - sum(on_hand for _id, on_hand, _r in before["lots"])
    assert received == sum(line["quantity"] for line in body["lines"]) == sum(m["quantity"]
                                                                             for m in document["movements"])
    assert reconcile(server_database).returncode == 0


def test_a_worker_killed_while_approving_a_transfer_leaves_it_a_draft_with_nothing_reserved(crash_server,
                                                                                           server_database):
    server, network, hold = crash_server
    preparer, approver = (server.client(token) for token in network.clerk_tokens[:2])
    draft = preparer.post("/api/v1/transfers", {"source_id": network.depots[0], "destination_id": network.depots[1],
                                                "lines": [{"item_id": network.items[0], "quantity": 200}]}, "draft-1")
    assert draft.status == 201, draft.text
    path = f"/api/v1/transfers/{draft.body['id']}/approve"
    before = ledger_state(server_database)

    kill_inside_the_transaction(server, hold, server_database, lambda: approver.post(path, {}, "approve-1"))

    assert_nothing_partial(server_database, before)
    assert preparer.get(f"/api/v1/transfers/{draft.body['id']}").body["status"] == "draft"
    approved = assert_applied_once(server.client(network.clerk_tokens[1]), path, {}, "approve-1", 200)
    assert approved["status"] == "approved"
    quantities = [line["quantity"] for line in approved["lines"]]
    assert len(quantities) == 2 and sum(quantities) == 200  # more than one lot holds: first expiring first
    reserved = sum(reserved for _id, _on_hand, reserved in ledger_state(server_database)["lots"])
    assert reserved == sum(reserved for _id, _on_hand, reserved in before["lots"]) + 200


def test_a_worker_killed_while_approving_a_rotation_plan_leaves_it_a_draft(crash_server, server_database):
    server, network, hold = crash_server
    preparer, approver = (server.client(token) for token in network.clerk_tokens[:2])
    depot, batch = network.depots[0], network.batches[0]
    due = {"item_id": batch.item_id, "quantity": 40, "batch_no": "DUE-1", "unit_cost": "150.00",
           "funding_source": "county", "expiry_date": (date.today() + timedelta(days=30)).isoformat()}
    received = preparer.post("/api/v1/receipts", {"depot_id": depot, "lines": [due]}, "due-1")
    lot = received.body["movements"][0]["lot_id"]
    plan = preparer.post("/api/v1/rotation-plans", {"depot_id": depot, "lines": [
        {"lot_id": lot, "quantity": 40, "action": "sell", "counterparty": "某商贸公司", "replacement": "reduction",
         "reduction_reason": "储备调减"}]}, "plan-1")
    assert plan.status == 201, plan.text
    path = f"/api/v1/rotation-plans/{plan.body['id']}/approve"
    before = ledger_state(server_database)

    kill_inside_the_transaction(server, hold, server_database, lambda: approver.post(path, {}, "approve-plan-1"))

    assert_nothing_partial(server_database, before)
    assert preparer.get(f"/api/v1/rotation-plans/{plan.body['id']}").body["status"] == "draft"
    approved = assert_applied_once(server.client(network.clerk_tokens[1]), path, {}, "approve-plan-1", 200)
    assert approved["status"] == "approved"
    assert {lot_id: reserved for lot_id, _on_hand, reserved in ledger_state(server_database)["lots"]}[lot] == 40
