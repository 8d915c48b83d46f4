"""JSON API v1: happy paths and the error shape {"error", "fields"} with fitting statuses."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.models import Role
from inventory.network.models import Depot, DepotStatus, Item
from tests.factories import COUNTY, PREFECTURE

DEPOT = {"code": "X-510107", "name": "武侯区救灾物资储备库", "level": "county", "region_code": COUNTY,
         "operator_type": "government", "capacity_volume_m3": "2000", "capacity_weight_t": "500"}
ITEM = {"code": "JZ-BR-009", "name": "棉被", "category": "living", "base_unit": "piece", "unit_weight_kg": "3",
        "unit_volume_m3": "0.045", "shelf_life_days": 1825, "rotation_lead_days": 90, "reference_price": "180",
        "pack_units": [{"name": "bale", "factor": 10}]}


@pytest.fixture
def admin(make_user, api_token):
    return api_token(make_user(Role.ADMIN))


@pytest.fixture
def dispatcher(make_user, api_token):
    return api_token(make_user(Role.DISPATCHER))


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error", "fields"} and isinstance(body["error"], str) and isinstance(body["fields"], dict)
    return body


def test_create_then_read_a_depot(client, admin):
    created = client.post("/api/v1/depots", json=DEPOT, headers=admin)
    assert created.status_code == 201
    body = client.get(f"/api/v1/depots/{created.get_json()['id']}", headers=admin).get_json()
    assert body["code"] == "X-510107" and body["region_code"] == COUNTY and body["status"] == "active"
    assert body["capacity_volume_m3"] == "2000.0"


def test_missing_and_wrong_fields_are_listed_with_422(client, admin):
    body = assert_error_shape(client.post("/api/v1/depots", json={"code": "x", "level": "galactic",
                                                                  "capacity_volume_m3": -1}, headers=admin), 422)
    assert {"code", "name", "level", "region_code", "operator_type", "capacity_volume_m3",
            "capacity_weight_t"} <= set(body["fields"])
    assert Session.scalar(select(func.count(Depot.id))) == 0


def test_unknown_fields_are_refused(client, admin):
    body = assert_error_shape(client.post("/api/v1/depots", json={**DEPOT, "colour": "red"}, headers=admin), 422)
    assert "colour" in body["fields"]


def test_a_rule_needing_the_database_is_a_422_on_the_field(client, admin):
    body = assert_error_shape(client.post("/api/v1/depots", json={**DEPOT, "region_code": PREFECTURE},
                                          headers=admin), 422)
    assert body["fields"] == {"region_code": ["A county depot must stand in a county."]}


def test_duplicate_code_is_a_409(client, admin, make_depot):
    make_depot(code="X-510107")
    body = assert_error_shape(client.post("/api/v1/depots", json=DEPOT, headers=admin), 409)
    assert "code" in body["fields"]


@pytest.mark.parametrize("payload, content_type", [("not json", "application/json"), ("[1, 2]", "application/json"),
                                                   ("code=x", "application/x-www-form-urlencoded")])
def test_a_body_that_is_not_a_json_object_is_a_400(client, admin, payload, content_type):
    assert_error_shape(client.post("/api/v1/depots", data=payload, content_type=content_type, headers=admin), 400)


def test_unknown_depot_is_a_404(client, admin):
    assert_error_shape(client.get("/api/v1/depots/999999", headers=admin), 404)
    assert_error_shape(client.patch("/api/v1/depots/999999", json={"name": "x"}, headers=admin), 404)
    assert_error_shape(client.get("/api/v1/nothing-here", headers=admin), 404)


def test_anonymous_gets_401_and_wrong_role_403(client, dispatcher):
    assert_error_shape(client.get("/api/v1/depots"), 401)
    assert_error_shape(client.get("/api/v1/depots", headers={"Authorization": "Bearer forged"}), 401)
    assert_error_shape(client.post("/api/v1/depots", json=DEPOT, headers=dispatcher), 403)


def test_wrong_method_is_a_json_405(client, admin):
    assert_error_shape(client.delete("/api/v1/depots", headers=admin), 405)


def test_bad_query_parameters_are_a_400_with_fields(client, admin):
    body = assert_error_shape(client.get("/api/v1/depots?level=galactic&page=0", headers=admin), 400)
    assert {"level", "page"} <= set(body["fields"])


def test_list_filters_and_paginates(client, admin, make_depot):
    for _ in range(3):
        make_depot()
    make_depot(region_code="420106")
    body = client.get("/api/v1/depots?region_code=510000&per_page=2&page=2", headers=admin).get_json()
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (3, 2, 2, 1)


def test_patch_changes_only_named_fields_and_can_close(client, admin, make_depot):
    depot = make_depot(latitude=30.7, longitude=104.1)
    body = client.patch(f"/api/v1/depots/{depot.id}", json={"name": "新名字"}, headers=admin).get_json()
    assert body["name"] == "新名字" and body["latitude"] == 30.7
    body = client.patch(f"/api/v1/depots/{depot.id}", json={"status": "closed"}, headers=admin).get_json()
    assert body["status"] == "closed"
    assert_error_shape(client.patch(f"/api/v1/depots/{depot.id}", json={"status": "active"}, headers=admin), 409)
    assert Session.scalar(select(Depot.status).where(Depot.id == depot.id)) == DepotStatus.CLOSED


def test_items_create_read_patch(client, admin):
    created = client.post("/api/v1/items", json=ITEM, headers=admin)
    assert created.status_code == 201
    item_id = created.get_json()["id"]
    patched = client.patch(f"/api/v1/items/{item_id}", json={"reference_price": "199.50"}, headers=admin).get_json()
    assert patched["reference_price"] == "199.50"
    assert patched["pack_units"] == [{"name": "bale", "factor": 10}]  # untouched by a PATCH that does not name them


@pytest.mark.parametrize("change, field", [
    ({"unit_weight_kg": 0}, "unit_weight_kg"),
    ({"shelf_life_days": "long"}, "shelf_life_days"),
    ({"rotation_lead_days": 4000}, "rotation_lead_days"),
    ({"pack_units": [{"name": "bale", "factor": 1}]}, "pack_units"),
    ({"category": "toys"}, "category"),
])
def test_bad_item_input_is_a_422_naming_the_field(client, admin, change, field):
    body = assert_error_shape(client.post("/api/v1/items", json={**ITEM, **change}, headers=admin), 422)
    assert field in body["fields"]
    assert Session.scalar(select(func.count(Item.id))) == 0


def test_regions_filter_by_parent_and_text(client, admin):
    body = client.get(f"/api/v1/regions?parent_code={PREFECTURE}&per_page=100", headers=admin).get_json()
    assert body["total"] > 10 and all(r["parent_code"] == PREFECTURE for r in body["items"])
    body = client.get("/api/v1/regions?q=武侯", headers=admin).get_json()
    assert [r["code"] for r in body["items"]] == [COUNTY]


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")} - {"/openapi.json"}
    assert routes == set(document["paths"])
    assert {"Depot", "Item", "Region", "Error"} <= set(document["components"]["schemas"])


BAD_DEPOT = {"code": "x", "level": "galactic", "name": "n" * 121, "capacity_volume_m3": -1, "colour": "red"}


@pytest.mark.parametrize("locale, expected", [
    ("en", {"region_code": "Missing data for required field.", "code": "Capital letters, digits and dashes only.",
            "level": "Must be one of: central, provincial, municipal, county, township.",
            "name": "Length must be between 1 and 120.", "capacity_volume_m3": "Cannot be negative.",
            "colour": "Unknown field."}),
    ("zh_CN", {"region_code": "缺少必填字段。", "code": "只能使用大写字母、数字和短横线。",
               "level": "须为以下之一：central, provincial, municipal, county, township。",
               "name": "长度须在 1 到 120 之间。", "capacity_volume_m3": "不能为负数。", "colour": "未知字段。"}),
])
def test_field_messages_speak_the_token_owners_language(client, make_user, api_token, locale, expected):
    owner = make_user(Role.ADMIN)
    owner.locale = locale
    Session.commit()
    body = assert_error_shape(client.post("/api/v1/depots", json=BAD_DEPOT, headers=api_token(owner)), 422)
    assert {field: body["fields"][field] for field in expected} == {f: [m] for f, m in expected.items()}


def test_query_and_cross_field_messages_speak_the_token_owners_language(client, make_user, api_token):
    owner = make_user(Role.FINANCE)
    owner.locale = "zh_CN"
    Session.commit()
    headers = api_token(owner)
    body = assert_error_shape(client.get("/api/v1/reports/rotation?date_from=someday&date_to=2026-01-01",
                                         headers=headers), 400)
    assert body["fields"] == {"date_from": ["不是有效的日期。"]}
    body = assert_error_shape(client.get("/api/v1/reports/rotation?date_from=2026-02-01&date_to=2026-01-01",
                                         headers=headers), 400)
    assert body["fields"] == {"date_to": ["不能早于 date_from。"]}
