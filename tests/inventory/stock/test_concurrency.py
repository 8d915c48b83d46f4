"""Real concurrency on PostgreSQL: many clients issue and receive against the same lots at once."""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core import create_app, migrate
from core.db import Session
from core.models import Role, User
from core.services import create_user, issue_token
from inventory.network.services import assign_clerk
from inventory.stock.models import Document, Lot, Movement
from inventory.stock.queries import ledger_mismatches
from inventory.stock.services import Receipt, ReceiptLine, receive_stock
from tests.conftest import fresh_postgres_database, postgres_url

WORKERS = 8
SECONDS = 4
BATCH_DAYS = (300, 600, 900)  # days to expiry of the three batches the clients top up and draw from
pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_app():
    if not postgres_url():
        pytest.skip("no PostgreSQL server configured (DATABASE_URL or TEST_POSTGRES_URL)")
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "concurrency", "TESTING": True})
        yield app
        Session.remove()
        app.extensions["db_engine"].dispose()


def _setup(app) -> dict:
    from seed.loader import load_regions
    from tests.factories import COUNTY

    load_regions(Session)
    client = app.test_client()
    admin = create_user("admin", "Admin", "long password", Role.ADMIN, actor=None)
    headers = {"Authorization": f"Bearer {issue_token(admin.id, 'setup', actor=admin)[1]}"}
    depot = client.post("/api/v1/depots", headers=headers, json={
        "code": "X-CONC", "name": "Concurrency depot", "level": "county", "region_code": COUNTY,
        "operator_type": "government", "capacity_volume_m3": "1", "capacity_weight_t": "1"}).get_json()["id"]
    item = client.post("/api/v1/items", headers=headers, json={
        "code": "CONC-1", "name": "棉被", "category": "living", "base_unit": "piece", "unit_weight_kg": "3",
        "unit_volume_m3": "0.04", "reference_price": "180", "shelf_life_days": 1825}).get_json()["id"]
    for n, days in enumerate(BATCH_DAYS):
        client.post("/api/v1/receipts", headers=headers, json=_receipt(depot, item, f"L{n}", 200, days))
    tokens = []
    for n in range(WORKERS):
        clerk = create_user(f"clerk{n}", "Clerk", "long password", Role.CLERK, actor=None)
        assign_clerk(depot, clerk.username, actor=None)
        tokens.append({"Authorization": f"Bearer {issue_token(clerk.id, 'load', actor=clerk)[1]}"})
    lots = list(Session.scalars(select(Lot.id).order_by(Lot.id)))
    Session.remove()
    return {"depot": depot, "item": item, "tokens": tokens, "lots": lots}


def _receipt(depot: int, item: int, batch: str, quantity: int, days: int = 300) -> dict:
    return {"depot_id": depot, "lines": [{"item_id": item, "quantity": quantity, "batch_no": batch,
                                          "expiry_date": (date.today() + timedelta(days=days)).isoformat(),
                                          "unit_cost": "180.00", "funding_source": "county"}]}


def _request(setting: dict, rng: random.Random) -> tuple[str, dict]:
    depot, item = setting["depot"], setting["item"]
    roll = rng.random()
    if roll < 0.35:
        batch = rng.randrange(3)
        return "/api/v1/receipts", _receipt(depot, item, f"L{batch}", rng.randint(1, 15), BATCH_DAYS[batch])
    line = {"item_id": item, "quantity": rng.randint(1, 25)}
    if roll > 0.8:
        line["lot_id"] = rng.choice(setting["lots"])
    return "/api/v1/issues", {"depot_id": depot, "recipient": "安置点", "lines": [line]}


def _worker(app, setting: dict, headers: dict, seed: int, deadline: float, log: list, lock: threading.Lock):
    client, rng = app.test_client(), random.Random(seed)
    while time.monotonic() < deadline:
        path, body = _request(setting, rng)
        key = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        response = client.post(path, json=body, headers=key)
        if response.status_code == 201 and rng.random() < 0.2:  # a client that did not hear the answer retries
            retry = client.post(path, json=body, headers=key)
            assert retry.get_json() == response.get_json()
        with lock:
            log.append((path, body, response.status_code, response.get_json()))


def test_concurrent_issues_and_receipts_keep_the_ledger_exact(postgres_app):
    with postgres_app.app_context():
        setting = _setup(postgres_app)
    log, lock = [], threading.Lock()
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=_worker, args=(postgres_app, setting, headers, n, deadline, log, lock))
               for n, headers in enumerate(setting["tokens"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = Counter(status for _path, _body, status, _json in log)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] > 50 and statuses[409] > 0, statuses  # real contention: some issues were refused
    accepted = [(path, body, json) for path, body, status, json in log if status == 201]
    _assert_each_accepted_request_booked_once(accepted)
    _assert_balances(setting, accepted)
    assert ledger_mismatches() == []
    Session.remove()


def _assert_each_accepted_request_booked_once(accepted: list) -> None:
    numbers = Counter(json["number"] for _path, _body, json in accepted)
    assert max(numbers.values()) == 1
    booked = dict(Session.execute(select(Document.number, func.sum(Movement.quantity))
                                  .join(Movement, Movement.document_id == Document.id)
                                  .group_by(Document.number)).all())
    for path, body, json in accepted:
        asked = sum(line["quantity"] for line in body["lines"])
        assert booked[json["number"]] == (asked if path.endswith("receipts") else -asked)
    assert Session.scalar(select(func.count(Document.id))) == len(accepted) + 3  # + the three set-up receipts


def _assert_balances(setting: dict, accepted: list) -> None:
    received = sum(b["lines"][0]["quantity"] for p, b, _j in accepted if p.endswith("receipts"))
    issued = sum(b["lines"][0]["quantity"] for p, b, _j in accepted if p.endswith("issues"))
    lots = Session.scalars(select(Lot).where(Lot.depot_id == setting["depot"])).all()
    assert all(lot.on_hand >= 0 and 0 <= lot.reserved <= lot.on_hand for lot in lots)
    assert sum(lot.on_hand for lot in lots) == 600 + received - issued


def test_a_receipt_locks_its_lots_in_one_order_whatever_the_order_of_its_lines(postgres_app):
    """Another transaction holds lot A and then takes lot B, in id order: a receipt listing B before A must wait
    for A before touching B, else the two would deadlock (PostgreSQL would abort one of them)."""
    with postgres_app.app_context():
        setting = _setup(postgres_app)
        first, second = setting["lots"][:2]
        batches = {lot.id: lot.batch_no for lot in Session.scalars(select(Lot))}
        admin = Session.scalar(select(User).where(User.role == Role.ADMIN))
        admin_id = admin.id
    Session.remove()
    engine = postgres_app.extensions["db_engine"]
    other = engine.connect()
    other.begin()
    other.execute(select(Lot.id).where(Lot.id == first).with_for_update())
    outcome = {}

    def receive_second_then_first():
        with postgres_app.app_context():
            lines = [ReceiptLine(setting["item"], 1, batches[lot], Decimal("180.00"), "county",
                                 expiry_date=Session.get(Lot, lot).expiry_date) for lot in (second, first)]
            outcome["document"] = receive_stock(Receipt(setting["depot"], lines), Session.get(User, admin_id)).number
            Session.remove()

    receipt = threading.Thread(target=receive_second_then_first)
    receipt.start()
    _wait_for_a_lock_wait(engine)
    other.execute(select(Lot.id).where(Lot.id == second).with_for_update(nowait=True))  # the receipt left B free
    other.commit()
    other.close()
    receipt.join(30)
    assert outcome.get("document", "").startswith("RK-")
    with postgres_app.app_context():
        assert ledger_mismatches() == []
    Session.remove()


def _wait_for_a_lock_wait(engine, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()"))
            watcher.rollback()  # a transaction sees one snapshot of pg_stat_activity: look again in a new one
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the receipt never waited for the held lot")
