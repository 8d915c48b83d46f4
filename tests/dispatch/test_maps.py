"""The dispatcher's one map through its API: depots coloured by their usable stock of an item against its quota,
narrowed to a province; the shipments on the road, which leave the map once delivered; hostile query strings."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from core.db import Session
from core.models import Role
from dispatch.shipments.models import Shipment
from inventory.network.models import DepotLevel
from inventory.network.services import set_quota
from inventory.stock.services.issues import IssueLine
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer, ship_transfer
from tests.dispatch.test_planning import dispatcher_token
from tests.dispatch.test_shipments import PLATE, a_plan, approve, keyed, receive_all

BEIJING_DISTRICT = "110101"  # 东城区


@pytest.fixture
def network(app, make_depot, make_item, make_user, receive, expire, api_token):
    """Four Sichuan county depots holding a quilt at each quota state, and one Beijing depot."""
    quilt, admin, approver = make_item(name="棉被"), make_user(Role.ADMIN), make_user(Role.ADMIN)
    depots = {name: make_depot(DepotLevel.COUNTY, name=name) for name in ("full", "short", "empty", "unquoted")}
    depots["beijing"] = make_depot(DepotLevel.COUNTY, region_code=BEIJING_DISTRICT, name="东城区储备库")
    for name in ("full", "short", "empty"):
        set_quota(depots[name].id, quilt.id, target=20, minimum=10, actor=admin)
    receive(depots["full"], quilt, 20)
    receive(depots["short"], quilt, 25)
    expire(receive(depots["empty"], quilt, 50), days_ago=3)  # expired stock is no stock
    receive(depots["empty"], quilt, 4)
    receive(depots["unquoted"], quilt, 7)
    receive(depots["beijing"], quilt, 9)
    # Ten quilts leave "short" for "full": on the road they stay on short's books, but are no stock to draw on.
    transfer = draft_transfer(TransferRequest(depots["short"].id, depots["full"].id, [IssueLine(quilt.id, 10)]),
                              admin)
    approve_transfer(transfer.id, approver)
    ship_transfer(transfer.id, admin)
    headers = api_token(make_user(Role.DISPATCHER))
    ids = {name: depot.id for name, depot in depots.items()}
    Session.remove()
    return {"item_id": quilt.id, "depots": ids, "headers": headers}


def by_depot(client, headers, **query) -> dict[int, dict]:
    answer = client.get("/api/v1/map/depots", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["type"] == "FeatureCollection"
    return {feature["properties"]["id"]: feature for feature in body["features"]}


def test_depots_are_coloured_by_their_usable_stock_against_the_quota(client, network):
    depots = network["depots"]
    features = by_depot(client, network["headers"], item_id=network["item_id"])
    expected = {"full": ("at_quota", 20), "short": ("below_target", 15), "empty": ("below_minimum", 4),
                "unquoted": ("no_quota", 7), "beijing": ("no_quota", 9)}
    for name, (state, stock) in expected.items():
        properties = features[depots[name]]["properties"]
        assert (properties["state"], properties["stock"]) == (state, stock), name
    full = features[depots["full"]]
    assert full["geometry"]["type"] == "Point" and len(full["geometry"]["coordinates"]) == 2
    assert full["properties"]["level"] == "county" and full["properties"]["label"].endswith("full")
    assert (full["properties"]["quota_minimum"], full["properties"]["quota_target"]) == (10, 20)
    assert features[depots["unquoted"]]["properties"]["quota_minimum"] is None


def test_without_an_item_depots_carry_only_their_level(client, network):
    features = by_depot(client, network["headers"])
    assert set(network["depots"].values()) <= set(features)
    assert all("state" not in feature["properties"] for feature in features.values())


def test_the_province_narrows_every_layer(client, network):
    depots, headers = network["depots"], network["headers"]
    sichuan = by_depot(client, headers, item_id=network["item_id"], province="510000")
    assert depots["beijing"] not in sichuan and depots["full"] in sichuan
    beijing = by_depot(client, headers, province="110000")
    assert set(beijing) == {depots["beijing"]}
    for layer in ("incidents", "shipments"):
        answer = client.get(f"/api/v1/map/{layer}?province=110000", headers=headers)
        assert answer.status_code == 200 and answer.get_json()["features"] == []


HOSTILE = [("item_id=abc", "item_id"), ("item_id=0", "item_id"), ("item_id=-5", "item_id"), ("item_id=1.5", "item_id"),
           ("item_id=99999999999999999999999", "item_id"), ("item_id=999999", "item_id"),
           ("province=51", "province"), ("province=510100", "province"), ("province=990000", "province"),
           ("province=%27%3B%20drop%20table%20depots%3B--", "province"), ("province=%00%00", "province"),
           ("color=red", "color")]


def test_hostile_query_values_are_refused_beside_their_field(client, network):
    for query, field in HOSTILE:
        for layer in ("depots",) if field == "item_id" else ("depots", "incidents", "shipments"):
            answer = client.get(f"/api/v1/map/{layer}?{query}", headers=network["headers"])
            assert answer.status_code == 400, (layer, query, answer.get_data(as_text=True))
            assert answer.get_json()["fields"][field], answer.get_json()


def test_the_map_page_keeps_to_its_query_string_and_shows_bad_choices_beside_the_field(client, network, login,
                                                                                      make_user):
    login(make_user(Role.DISPATCHER))
    page = client.get(f"/map?province=510000&item_id={network['item_id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    layers = json.loads(unescape(re.search(r'data-layers="([^"]*)"', html).group(1)))
    assert layers == [f"/api/v1/map/depots?province=510000&item_id={network['item_id']}",
                      "/api/v1/map/incidents?province=510000", "/api/v1/map/shipments?province=510000"]
    assert '<option selected value="510000">' in html
    assert "Below the minimum" in html  # the counts by state, readable without the map
    refused = client.get("/map?province=999999&item_id=abc")
    assert refused.status_code == 200
    assert refused.get_data(as_text=True).count('class="error"') == 2


def test_a_dispatched_shipment_is_on_the_map_until_it_is_delivered(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    _incident_id, plan_id = a_plan(demo_app, client, headers)
    shipments = approve(client, headers, plan_id).get_json()["shipments"]
    road = next(s for s in shipments if s["mode"] == "road" and s["source_kind"] == "depot")
    assert on_the_map(client, headers) == {}  # loaded, not yet left

    sent = client.post(f"/api/v1/shipments/{road['id']}/dispatch", json=PLATE, headers=keyed(headers, "go"))
    assert sent.status_code == 200, sent.get_json()
    line = on_the_map(client, headers)[road["id"]]
    assert line["geometry"]["type"] == "LineString"
    assert len(line["geometry"]["coordinates"]) == 1 + len(sent.get_json()["stops"])
    assert line["properties"]["url"] == f"/shipments/{road['id']}" and line["properties"]["overdue"] is False
    assert road["id"] in on_the_map(client, headers, province="510000")
    assert on_the_map(client, headers, province="110000") == {}

    demo_app.config["SHIPMENT_OVERDUE_HOURS"] = -1000  # as if the stops were long past their expected arrival
    assert on_the_map(client, headers)[road["id"]]["properties"]["overdue"] is True
    demo_app.config["SHIPMENT_OVERDUE_HOURS"] = 2

    receive_all(client, headers, [road])
    assert on_the_map(client, headers) == {}
    with demo_app.app_context():
        assert Session.scalar(select(Shipment.status).where(Shipment.id == road["id"])) == "delivered"
        Session.remove()


def on_the_map(client, headers, **query) -> dict[int, dict]:
    answer = client.get("/api/v1/map/shipments", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return {feature["properties"]["id"]: feature for feature in answer.get_json()["features"]}


def test_the_incident_layer_shows_active_areas_in_the_province(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    from tests.dispatch.test_planning import an_incident

    incident_id = an_incident(client, headers)
    areas = client.get("/api/v1/map/incidents?province=510000", headers=headers).get_json()["features"]
    assert areas and all(area["properties"]["incident_id"] == incident_id for area in areas)
    assert client.get("/api/v1/map/incidents?province=110000", headers=headers).get_json()["features"] == []
