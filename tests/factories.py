"""Fixture callables that make users, depots and items with sensible defaults."""
from __future__ import annotations

import functools
import itertools
from decimal import Decimal
from unittest import mock

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from core import models as core_models
from core import services as core_services
from core.db import Session
from core.models import Role
from inventory.network.models import DepotLevel, OperatorType, Region
from inventory.network.services import assign_clerk, create_depot, create_item

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)

# A real county (Chengdu's Wuhou district) and its ancestors, from the seeded region tree.
COUNTY, PREFECTURE, PROVINCE = "510107", "510100", "510000"
REGION_FOR_LEVEL = {DepotLevel.CENTRAL: PREFECTURE, DepotLevel.PROVINCIAL: PROVINCE,
                    DepotLevel.MUNICIPAL: PREFECTURE, DepotLevel.COUNTY: COUNTY, DepotLevel.TOWNSHIP: COUNTY}


@functools.cache
def _hashed_once(password: str) -> str:
    """A real scrypt hash, made once per password: each takes 75 ms, and the suite makes about a thousand users."""
    return generate_password_hash(password)


@pytest.fixture
def make_user(app):
    def make(role: Role = Role.ADMIN, username: str | None = None, depots=()):
        with mock.patch.object(core_models, "generate_password_hash", _hashed_once):
            user = core_services.create_user(username or f"{role.value}{next(_sequence)}", "Test User", PASSWORD,
                                             role, actor=None)
        for depot in depots:
            assign_clerk(depot.id, user.username, actor=None)
        return user

    return make


@pytest.fixture
def make_depot(app):
    def make(level: DepotLevel = DepotLevel.COUNTY, region_code: str | None = None, **overrides):
        n = next(_sequence)
        data = {"code": f"T{n}-{level.value[:3].upper()}", "name": f"Test depot {n}", "level": level,
                "region_code": region_code or REGION_FOR_LEVEL[level], "latitude": None, "longitude": None,
                "operator_type": OperatorType.GOVERNMENT, "capacity_volume_m3": Decimal("1000"),
                "capacity_weight_t": Decimal("250")}
        data.update(overrides)
        return create_depot(data, actor=None)

    return make


@pytest.fixture
def make_item(app):
    def make(**overrides):
        n = next(_sequence)
        data = {"code": f"IT-{n:04d}", "name": f"测试物资{n}", "name_en": f"test item {n}", "category": "living",
                "base_unit": "piece", "unit_weight_kg": Decimal("3.000"), "unit_volume_m3": Decimal("0.0450"),
                "shelf_life_days": 1825, "rotation_lead_days": 90, "reference_price": Decimal("180.00"),
                "norm_per_person": Decimal("1"), "pack_units": [{"name": "bale", "factor": 10}]}
        data.update(overrides)
        return create_item(data, actor=None)

    return make


@pytest.fixture
def login(client):
    def sign_in(user):
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def api_token(app):
    def issue(user) -> dict:
        _token, raw = core_services.issue_token(user.id, "tests", actor=user)
        return {"Authorization": f"Bearer {raw}"}

    return issue


def region(code: str) -> Region:
    return Session.scalar(select(Region).where(Region.code == code))


@pytest.fixture
def receive(app):
    """Receive one batch into a depot (as an admin unless told) and return its lot."""
    from datetime import date, timedelta

    from inventory.stock.models import Lot
    from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock

    def make(depot, item, quantity: int, batch_no: str | None = None, actor=None, expiry=None, **line):
        actor = actor or core_services.create_user(f"receiver{next(_sequence)}", "Receiver", PASSWORD, Role.ADMIN,
                                                   actor=None)
        batch_no = batch_no or f"B{next(_sequence):05d}"
        expiry = expiry or date.today() + timedelta(days=400)
        fields = {"unit_cost": Decimal("10.00"), "funding_source": "central", **line}
        receive_stock(Receipt(depot.id, [ReceiptLine(item.id, quantity, batch_no, expiry_date=expiry, **fields)]),
                      actor)
        return Session.scalar(select(Lot).where(Lot.depot_id == depot.id, Lot.batch_no == batch_no))

    return make


@pytest.fixture
def expire(app):
    """Make a lot expired (test set-up: the services never write expired lots into the reserve)."""
    from datetime import date, timedelta

    from sqlalchemy import update

    from inventory.stock.models import Lot

    def make(lot, days_ago: int = 1):
        Session.execute(update(Lot).where(Lot.id == lot.id).values(expiry_date=date.today() - timedelta(days=days_ago)))
        Session.commit()

    return make


@pytest.fixture
def reconciled(app):
    """Fail the test if, after it, any lot's balance differs from the sum of its movements."""
    yield
    from inventory.stock.queries import ledger_mismatches

    Session.remove()
    assert ledger_mismatches() == []


@pytest.fixture
def make_history(make_depot, make_item, make_user):
    """A small ledger with every kind of document a depot writes daily: multi-line receipts, an issue taken over
    two lots, a transfer received short (a discrepancy), a reversal, a donation, an idempotency key."""
    from datetime import date, timedelta

    from inventory.stock.services import (
        Arrival,
        Issue,
        IssueLine,
        Receipt,
        ReceiptLine,
        ReceivedLine,
        TransferRequest,
        approve_transfer,
        draft_transfer,
        issue_stock,
        receive_stock,
        receive_transfer,
        reverse_movement,
        ship_transfer,
    )

    def make():
        source, destination = make_depot(), make_depot()
        tent, water = make_item(), make_item(shelf_life_days=365)
        preparer, approver = make_user(Role.ADMIN), make_user(Role.ADMIN)
        soon, later = date.today() + timedelta(days=100), date.today() + timedelta(days=300)
        receive_stock(Receipt(source.id, [
            ReceiptLine(tent.id, 40, "T-1", Decimal("180.00"), "central", expiry_date=soon),
            ReceiptLine(tent.id, 60, "T-2", Decimal("175.50"), "provincial", expiry_date=later),
            ReceiptLine(water.id, 5, "W-1", Decimal("3.20"), "donation", unit="bale", expiry_date=later,
                        donor="红十字会", donation_restriction="灾民饮用"),
        ], supplier="某厂"), preparer)
        issued = issue_stock(Issue(source.id, [IssueLine(tent.id, 50)], recipient="安置点"), preparer)
        reverse_movement(issued.movements[-1].id, approver, "录入错误")
        transfer = draft_transfer(TransferRequest(source.id, destination.id, [IssueLine(tent.id, 30)]), preparer)
        approve_transfer(transfer.id, approver)
        ship_transfer(transfer.id, preparer)
        line = transfer.lines[0]
        receive_transfer(transfer.id, Arrival([ReceivedLine(line.id, line.quantity - 2, damaged=1)]), approver)
        Session.add(core_models.IdempotencyKey(user_id=preparer.id, key="k-1", fingerprint="f" * 64,
                                               status_code=201, response_body='{"ok": true}'))
        Session.commit()
        Session.remove()

    return make
