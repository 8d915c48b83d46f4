"""Fixture callables that make users, depots and items with sensible defaults."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import services as core_services
from core.db import Session
from core.models import Role
from inventory import services
from inventory.models import DepotLevel, OperatorType, Region

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)

# A real county (Chengdu's Wuhou district) and its ancestors, from the seeded region tree.
COUNTY, PREFECTURE, PROVINCE = "510107", "510100", "510000"
REGION_FOR_LEVEL = {DepotLevel.CENTRAL: PREFECTURE, DepotLevel.PROVINCIAL: PROVINCE,
                    DepotLevel.MUNICIPAL: PREFECTURE, DepotLevel.COUNTY: COUNTY, DepotLevel.TOWNSHIP: COUNTY}


@pytest.fixture
def make_user(app):
    def make(role: Role = Role.ADMIN, username: str | None = None, depots=()):
        user = core_services.create_user(username or f"{role.value}{next(_sequence)}", "Test User", PASSWORD, role)
        for depot in depots:
            services.assign_clerk(depot.id, user.username)
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
        return services.create_depot(data)

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
        return services.create_item(data)

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
        _token, raw = core_services.issue_token(user.id, "tests")
        return {"Authorization": f"Bearer {raw}"}

    return issue


def region(code: str) -> Region:
    return Session.scalar(select(Region).where(Region.code == code))
