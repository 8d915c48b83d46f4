"""Closed periods: finance closes a month, after which the past stays as it was.

Nothing is dated in a closed month or before its lot's first movement, a back-dated issue never leaves a past
balance below zero, and corrections of a closed month go into the open one as reversals.
"""
from __future__ import annotations

import threading
import time as wall_clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core import clock
from core.db import Base, Session, transaction
from core.errors import DomainError
from core.models import Role
from inventory.reports.queries import valuation
from inventory.stock.models import ClosedPeriod, Lot, Movement
from inventory.stock.queries import depot_stock_as_of
from inventory.stock.services import (
    Arrival,
    Issue,
    IssueLine,
    Receipt,
    ReceiptLine,
    TransferRequest,
    approve_transfer,
    draft_transfer,
    issue_stock,
    receive_stock,
    receive_transfer,
    ship_transfer,
)
from inventory.stock.services.periods import close_period, label, month_of
from tests.inventory.stock.test_views import lines, receipt_line


def months_ago(count: int) -> date:
    month = month_of(clock.utcnow())
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def on(month: date, day: int) -> datetime:
    """Midday local time on a day of a past month, as the forms date a past day."""
    return datetime.combine(month.replace(day=day), time(12), tzinfo=clock.LOCAL_ZONE)


def iso(month: date, day: int) -> str:
    return on(month, day).isoformat()


def row_counts() -> dict[str, int]:
    Session.remove()
    return {table.name: Session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
            if table.name not in ("idempotency_keys", "closed_periods")}


@pytest.fixture
def depot_world(make_depot, make_item, make_user, api_token):
    depot, item = make_depot(), make_item()
    clerk, finance = make_user(Role.CLERK, depots=[depot]), make_user(Role.FINANCE)
    return {"depot": depot, "item": item, "clerk": clerk, "finance": finance, "clerk_api": api_token(clerk),
            "finance_api": api_token(finance), "finance_name": finance.username}


def receipt(world: dict, quantity: int, moment: datetime | None, batch: str = "P-1"):
    line = ReceiptLine(world["item"].id, quantity, batch, Decimal("10.00"), "central",
                       expiry_date=clock.today() + timedelta(days=400))
    return receive_stock(Receipt(world["depot"].id, [line], occurred_at=moment), world["clerk"])


def issue(world: dict, quantity: int, moment: datetime | None, lot_id: int | None = None):
    line = IssueLine(world["item"].id, quantity, lot_id=lot_id)
    return issue_stock(Issue(world["depot"].id, [line], "安置点", occurred_at=moment), world["clerk"])


def api_receipt(world: dict, quantity: int, moment: str | None, batch: str = "P-1") -> dict:
    body = {"depot_id": world["depot"].id, "lines": [{
        "item_id": world["item"].id, "quantity": quantity, "batch_no": batch, "unit_cost": "10.00",
        "funding_source": "central", "expiry_date": (clock.today() + timedelta(days=400)).isoformat()}]}
    return body | ({"occurred_at": moment} if moment else {})


def api_issue(world: dict, quantity: int, moment: str | None) -> dict:
    body = {"depot_id": world["depot"].id, "recipient": "安置点",
            "lines": [{"item_id": world["item"].id, "quantity": quantity}]}
    return body | ({"occurred_at": moment} if moment else {})


# Closing -----------------------------------------------------------------------------------------------------------

def test_finance_closes_an_ended_month_on_the_periods_page(client, login, depot_world):
    last = months_ago(1)
    receipt(depot_world, 10, on(last, 10))
    login(depot_world["finance"])
    page = client.get("/reports/periods").get_data(as_text=True)
    assert f"Close {label(last)}" in page and 'data-confirm="Close' in page and 'name="csrf_token"' in page
    assert f"Close {label(months_ago(0))}" not in page  # the current month has not ended

    response = client.post(f"/reports/periods/{label(last)}/close", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"The period {label(last)} is closed: nothing can be dated in it or before it any more." in page
    assert depot_world["finance_name"] in page.split(f'id="period-{label(last)}"')[1].split("</tr>")[0]
    closed = Session.get(ClosedPeriod, last)
    assert closed.closed_by_id == depot_world["finance"].id and closed.closed_at <= clock.utcnow()


def test_the_page_refuses_a_month_that_has_not_ended_and_says_why(client, login, depot_world):
    login(depot_world["finance"])
    response = client.post(f"/reports/periods/{label(months_ago(0))}/close")
    assert response.status_code == 422
    assert f"The period {label(months_ago(0))} has not ended yet" in response.get_data(as_text=True)
    assert client.post("/reports/periods/2026-13/close").status_code == 404
    assert Session.scalar(select(func.count()).select_from(ClosedPeriod)) == 0


def test_closing_a_month_through_the_api_closes_the_open_months_before_it(client, depot_world, make_user,
                                                                          api_token):
    three, two, last = months_ago(3), months_ago(2), months_ago(1)
    receipt(depot_world, 10, on(three, 10))
    receipt(depot_world, 5, on(last, 10), batch="P-2")
    finance, admin = depot_world["finance_api"], api_token(make_user(Role.ADMIN))

    assert client.post(f"/api/v1/periods/{label(months_ago(0))}/close", headers=finance).status_code == 422
    assert client.post("/api/v1/periods/2100-12/close", headers=finance).status_code == 422
    for malformed in ("2026-13", "1999-12", "26-1", "latest"):
        assert client.post(f"/api/v1/periods/{malformed}/close", headers=finance).status_code == 404
    assert client.post(f"/api/v1/periods/{label(three)}/close", headers=depot_world["clerk_api"]).status_code == 403

    closed = client.post(f"/api/v1/periods/{label(three)}/close", headers=finance)
    assert closed.status_code == 200
    assert closed.get_json() | {"closed_at": None} == {"period": label(three), "state": "closed", "closable": False,
                                                      "closed_at": None, "closed_by": depot_world["finance_name"]}
    assert client.post(f"/api/v1/periods/{label(three)}/close", headers=finance).status_code == 409
    # An administrator may do finance's work; the open month before closes with the month asked for.
    assert client.post(f"/api/v1/periods/{label(last)}/close", headers=admin).status_code == 200
    assert client.post(f"/api/v1/periods/{label(two)}/close", headers=finance).status_code == 409

    listed = {row["period"]: row for row in client.get("/api/v1/periods", headers=finance).get_json()["items"]}
    assert [listed[label(m)]["state"] for m in (three, two, last, months_ago(0))] == ["closed"] * 3 + ["open"]
    assert listed[label(months_ago(0))]["closable"] is False and listed[label(two)]["closed_by"] is not None
    assert client.get("/api/v1/periods", headers=depot_world["clerk_api"]).status_code == 403


def test_the_first_close_closes_every_month_since_the_ledgers_first_each_with_its_closer(client, depot_world):
    three, two, last = months_ago(3), months_ago(2), months_ago(1)
    receipt(depot_world, 10, on(three, 10))
    assert client.post(f"/api/v1/periods/{label(last)}/close", headers=depot_world["finance_api"]).status_code == 200
    rows = Session.scalars(select(ClosedPeriod).order_by(ClosedPeriod.month)).all()
    assert [row.month for row in rows] == [three, two, last]
    assert {row.closed_by.username for row in rows} == {depot_world["finance_name"]}
    refused = client.post("/api/v1/receipts", headers=depot_world["clerk_api"],
                          json=api_receipt(depot_world, 1, on(two, 12).isoformat(), batch="P-9"))
    assert refused.status_code == 422 and "occurred_at" in refused.get_json()["fields"]


def test_a_close_with_an_idempotency_key_is_applied_once(client, depot_world):
    last, headers = months_ago(1), {**depot_world["finance_api"], "Idempotency-Key": "close-last-month"}
    first = client.post(f"/api/v1/periods/{label(last)}/close", headers=headers)
    again = client.post(f"/api/v1/periods/{label(last)}/close", headers=headers)
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == again.get_json()
    assert client.post(f"/api/v1/periods/{label(last)}/close", headers=depot_world["finance_api"]).status_code == 409
    assert Session.scalar(select(func.count()).select_from(ClosedPeriod)) == 1


def test_the_periods_api_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    close = spec["paths"]["/periods/{period}/close"]
    assert {"Idempotency-Key", "period"} <= {p["name"] for p in close["parameters"] + close["post"]["parameters"]}
    assert {"200", "409", "422"} <= set(close["post"]["responses"])
    assert "AccountingPeriods" in spec["components"]["schemas"] and "get" in spec["paths"]["/periods"]


# The ledger refuses ------------------------------------------------------------------------------------------------

def test_a_receipt_form_dated_in_a_closed_period_is_refused_beside_the_day(client, login, depot_world):
    last = months_ago(1)
    close_period(last, depot_world["finance"])
    login(depot_world["clerk"])  # signing in writes its audit line; the refused receipt must write nothing
    before = row_counts()
    response = client.post(f"/depots/{depot_world['depot'].id}/receipts/new", data={
        "occurred_on": last.replace(day=15).isoformat(), **lines(receipt_line(depot_world["item"]))})
    page = response.get_data(as_text=True)
    message = f"The period {label(last)} is closed; record a correction in the open period."
    assert response.status_code == 200 and f'<span class="error" id="occurred_on-error">{message}</span>' in page
    assert row_counts() == before


def test_the_api_refuses_a_closed_period_with_the_field(client, depot_world):
    last = months_ago(1)
    receipt(depot_world, 10, on(last, 5))
    close_period(last, depot_world["finance"])
    before = row_counts()
    for path, body in (("/api/v1/receipts", api_receipt(depot_world, 5, iso(last, 20))),
                       ("/api/v1/receipts", api_receipt(depot_world, 5, "2000-01-03T12:00:00+08:00", "OLD")),
                       ("/api/v1/issues", api_issue(depot_world, 1, iso(last, 20)))):
        response = client.post(path, json=body, headers=depot_world["clerk_api"])
        assert response.status_code == 422, response.get_json()
        assert "is closed; record a correction in the open period" in response.get_json()["fields"]["occurred_at"][0]
    assert row_counts() == before
    assert client.post("/api/v1/issues", json=api_issue(depot_world, 1, None),
                       headers=depot_world["clerk_api"]).status_code == 201  # today's period is open


def test_a_movement_cannot_be_dated_before_its_lot(client, depot_world):
    two = months_ago(2)
    receipt(depot_world, 10, on(two, 20))
    before = row_counts()
    lot_id = Session.scalar(select(Lot.id).where(Lot.depot_id == depot_world["depot"].id))
    named = api_issue(depot_world, 1, iso(two, 10))
    named["lines"][0]["lot_id"] = lot_id
    for path, body in (("/api/v1/issues", named),
                       ("/api/v1/receipts", api_receipt(depot_world, 5, iso(two, 10)))):  # the same batch
        response = client.post(path, json=body, headers=depot_world["clerk_api"])
        assert response.status_code == 422
        assert response.get_json()["fields"]["occurred_at"][0].startswith("Not before ")
        assert "was not yet at" in response.get_json()["error"]
    # Unnamed, first expiring first finds no batch that was there on the 10th.
    response = client.post("/api/v1/issues", json=api_issue(depot_world, 1, iso(two, 10)),
                           headers=depot_world["clerk_api"])
    assert response.status_code == 409
    assert response.get_json()["fields"]["lines"]["0"]["quantity"] == [
        "Only 0 piece of the batches at the depot on that date are free."]
    assert row_counts() == before


def test_a_back_dated_issue_may_not_make_a_past_balance_negative(depot_world):
    two = months_ago(2)
    receipt(depot_world, 10, on(two, 5))
    issue(depot_world, 8, on(two, 20))
    receipt(depot_world, 10, on(two, 25))  # 12 on hand now: enough for the issue below today, not on the 20th
    with pytest.raises(DomainError) as refused:  # 10 - 5 on the 10th, then - 8 on the 20th: -3
        issue(depot_world, 5, on(two, 10))
    assert refused.value.status == 409
    assert refused.value.fields["occurred_at"] == [f"The batch would be below zero on {two.replace(day=20)}."]
    document = issue(depot_world, 2, on(two, 10))  # 8 on the 10th, 0 on the 20th: never below zero
    assert document.movements[0].quantity == -2
    assert [row.balance for row in _balances(depot_world)] == [10, 8, 0, 10]


def test_a_back_dated_issue_takes_first_expiring_among_the_batches_already_there(depot_world):
    two = months_ago(2)
    receipt(depot_world, 10, on(two, 5))  # P-1, expiring in 400 days
    later = ReceiptLine(depot_world["item"].id, 10, "P-2", Decimal("10.00"), "central",
                        expiry_date=clock.today() + timedelta(days=100))  # expires first, but came on the 20th
    receive_stock(Receipt(depot_world["depot"].id, [later], occurred_at=on(two, 20)), depot_world["clerk"])
    document = issue(depot_world, 4, on(two, 10))
    assert [movement.lot.batch_no for movement in document.movements] == ["P-1"]
    assert [movement.lot.batch_no for movement in issue(depot_world, 4, None).movements] == ["P-2"]  # today: FEFO


def _balances(world: dict) -> list:
    """The lot's balance after each of its movements, in date order."""
    movements = Session.scalars(select(Movement).where(Movement.depot_id == world["depot"].id)
                                .order_by(Movement.occurred_at, Movement.id)).all()
    balance, rows = 0, []
    for movement in movements:
        balance += movement.quantity
        rows.append(type("Step", (), {"balance": balance, "at": movement.occurred_at}))
    return rows


def test_stock_as_of_every_day_stays_at_or_above_zero_after_a_hostile_sequence(client, depot_world):
    two, last = months_ago(2), months_ago(1)
    post = {"receipts": lambda *args: api_receipt(depot_world, *args), "issues": lambda *args: api_issue(
        depot_world, *args)}
    # Issues dated before the batch came find nothing there then (409); year 1 is out of bounds (422).
    attempts = [("receipts", (10, iso(two, 15)), 201), ("issues", (3, iso(two, 1)), 409),
                ("issues", (1, "2000-01-01T12:00:00+08:00"), 409), ("issues", (1, "0001-01-01T00:00:00+00:00"), 422),
                ("issues", (12, iso(two, 20)), 409), ("issues", (6, iso(last, 20)), 201),
                ("issues", (5, iso(two, 16)), 409), ("receipts", (4, iso(two, 10)), 422),
                ("issues", (4, iso(two, 16)), 201), ("issues", (1, None), 409)]
    for kind, args, expected in attempts:
        response = client.post(f"/api/v1/{kind}", json=post[kind](*args), headers=depot_world["clerk_api"])
        assert response.status_code == expected, (kind, args, response.get_json())
    close_period(two, depot_world["finance"])
    reversal = client.post(f"/api/v1/movements/{_first_receipt(depot_world)}/reverse", json={"reason": "错"},
                           headers=depot_world["clerk_api"])
    assert reversal.status_code == 409  # nothing left to take back now
    day = two.replace(day=1) - timedelta(days=1)
    while day <= clock.today():
        figures = valuation(day)
        assert figures.total_quantity >= 0 and figures.total_value >= 0, day
        assert all(lot.on_hand >= 0 for stock in depot_stock_as_of(depot_world["depot"].id, day) for lot in stock.lots)
        day += timedelta(days=1)
    assert valuation(clock.today()).total_quantity == 0
    answer = client.get(f"/api/v1/reports/valuation?as_of={two.replace(day=17)}", headers=depot_world["finance_api"])
    assert answer.get_json()["total_quantity"] == 6


def _first_receipt(world: dict) -> int:
    return Session.scalar(select(func.min(Movement.id)).where(Movement.depot_id == world["depot"].id))


# Corrections and the other dated paths --------------------------------------------------------------------------

def test_a_reversal_of_a_closed_period_movement_lands_in_the_open_period(client, depot_world):
    last = months_ago(1)
    document = receipt(depot_world, 10, on(last, 10))
    close_period(last, depot_world["finance"])
    end_of_last = clock.end_of_day(months_ago(0) - timedelta(days=1))
    response = client.post(f"/api/v1/movements/{document.movements[0].id}/reverse", json={"reason": "录入错误"},
                           headers=depot_world["clerk_api"])
    assert response.status_code == 201
    reversal = Session.scalar(select(Movement).where(Movement.reverses_id == document.movements[0].id))
    assert month_of(reversal.occurred_at) == months_ago(0) and reversal.quantity == -10
    assert valuation(clock.local_date(end_of_last)).total_quantity == 10  # the closed month says what it said
    assert valuation(clock.today()).total_quantity == 0


def test_transfers_ship_and_arrive_now_after_a_close_but_not_back_into_it(client, depot_world, make_depot,
                                                                           make_user):
    last = months_ago(1)
    receipt(depot_world, 10, on(last, 10))
    close_period(last, depot_world["finance"])
    destination, approver = make_depot(), make_user(Role.ADMIN)
    transfer = draft_transfer(TransferRequest(depot_world["depot"].id, destination.id,
                                              [IssueLine(depot_world["item"].id, 4)]), depot_world["clerk"])
    approve_transfer(transfer.id, approver)
    ship_transfer(transfer.id, depot_world["clerk"])
    with pytest.raises(DomainError) as refused:
        receive_transfer(transfer.id, Arrival(occurred_at=on(last, 28)), approver)
    assert list(refused.value.fields) == ["occurred_at"]
    assert receive_transfer(transfer.id, Arrival(), approver).status.value == "received"


# Concurrency on PostgreSQL -----------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_a_back_dated_receipt_waiting_on_a_close_is_refused_once_it_commits(app, depot_world):
    """The close holds the ledger still: a receipt dated in the month being closed waits at its balance update,
    then sees the close and writes nothing."""
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    last, outcome = months_ago(1), {}
    receipt(depot_world, 10, on(last, 10))

    def late_receipt():
        with app.app_context():
            try:
                receipt(depot_world, 5, on(last, 25))
            except DomainError as error:
                outcome["fields"] = error.fields
            finally:
                Session.remove()

    with transaction():
        close_period(last, depot_world["finance"])
        worker = threading.Thread(target=late_receipt)
        worker.start()
        _wait_for_a_lock_wait()
    worker.join(timeout=30)
    assert list(outcome.get("fields", {})) == ["occurred_at"]
    assert Session.scalar(select(func.count()).select_from(Movement)) == 1


def _wait_for_a_lock_wait(seconds: float = 10) -> None:
    """Until another connection waits for a lock (the worker at its UPDATE), read from a connection of its own."""
    engine = Session.get_bind().engine
    deadline = wall_clock.monotonic() + seconds
    with engine.connect() as watcher:
        while wall_clock.monotonic() < deadline:
            waiting = watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                           "AND datname = current_database()")).scalar()
            if waiting:
                return
            wall_clock.sleep(0.05)
    raise AssertionError("the late receipt never waited for the close")
