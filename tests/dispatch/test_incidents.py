"""Incidents: responses open source levels by the rule of the design, areas are placed and checked, and nothing
bad is written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.models import Role
from dispatch.incidents.models import AffectedArea, IncidentResponse
from tests.demo import an_hour_ago
from tests.inventory.network.test_api import assert_error_shape


@pytest.fixture
def dispatcher(make_user, api_token):
    return api_token(make_user(Role.DISPATCHER))


@pytest.fixture
def incident(client, dispatcher) -> int:
    created = client.post("/api/v1/incidents", json={"kind": "flood", "title": "成都洪涝", "started_at": an_hour_ago(),
                                                     "description": "锦江漫堤"}, headers=dispatcher)
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def respond(client, headers, incident_id, **response):
    return client.post(f"/api/v1/incidents/{incident_id}/responses", json=response, headers=headers)


def open_levels(client, headers, incident_id) -> set[tuple]:
    body = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).get_json()
    return {(o["level"], o["region_prefix"], o["via"], o["releases_protected"]) for o in body["open_levels"]}


def test_each_response_opens_its_own_level_and_those_below_inside_its_region(client, dispatcher, incident):
    assert open_levels(client, dispatcher, incident) == set()
    raised = respond(client, dispatcher, incident, authority="county", region_code="510107", level="III")
    assert raised.status_code == 201
    assert open_levels(client, dispatcher, incident) == {("county", "510107", "response", False),
                                                         ("township", "510107", "response", False)}
    respond(client, dispatcher, incident, authority="provincial", region_code="510000", level="II")
    levels = open_levels(client, dispatcher, incident)
    assert {("provincial", "51", "response", True), ("municipal", "51", "response", True)} <= levels
    assert not any(level == "central" for level, *_rest in levels)
    respond(client, dispatcher, incident, authority="national", level="IV")
    assert ("central", None, "response", False) in open_levels(client, dispatcher, incident)


def test_a_request_for_support_opens_the_level_above_and_says_who_asked(client, dispatcher, incident):
    respond(client, dispatcher, incident, authority="county", region_code="510107", level="II")
    asked = client.post(f"/api/v1/incidents/{incident}/support-requests", json={
        "authority": "county", "region_code": "510107", "asked_by": "武侯区应急管理局 王局长"}, headers=dispatcher)
    assert asked.status_code == 201 and asked.get_json()["asked_by"] == "武侯区应急管理局 王局长"
    assert ("municipal", "5101", "support", False) in open_levels(client, dispatcher, incident)
    national = client.post(f"/api/v1/incidents/{incident}/support-requests", json={
        "authority": "national", "region_code": "510000", "asked_by": "x"}, headers=dispatcher)
    assert assert_error_shape(national, 422)["fields"]["authority"]


def test_lowering_and_ending_a_response_changes_what_is_open(client, dispatcher, incident):
    respond(client, dispatcher, incident, authority="provincial", region_code="510000", level="I")
    respond(client, dispatcher, incident, authority="provincial", region_code="510000", level="III")
    assert ("provincial", "51", "response", False) in open_levels(client, dispatcher, incident)
    respond(client, dispatcher, incident, authority="provincial", region_code="510000", level=None)
    assert open_levels(client, dispatcher, incident) == set()
    ended_twice = respond(client, dispatcher, incident, authority="provincial", region_code="510000", level=None)
    assert assert_error_shape(ended_twice, 409)["fields"]["level"]
    history = client.get(f"/api/v1/incidents/{incident}", headers=dispatcher).get_json()["responses"]
    assert [step["level"] for step in history] == ["I", "III", None]


@pytest.mark.parametrize("response, field", [
    ({"authority": "county", "region_code": "510000", "level": "II"}, "region_code"),  # a province, not a county
    ({"authority": "national", "region_code": "510000", "level": "II"}, "region_code"),
    ({"authority": "provincial", "region_code": None, "level": "II"}, "region_code"),
    ({"authority": "provincial", "region_code": "510000", "level": "V"}, "level"),
])
def test_a_response_that_does_not_fit_its_government_is_refused(client, dispatcher, incident, response, field):
    body = assert_error_shape(respond(client, dispatcher, incident, **response), 422)
    assert field in body["fields"]
    assert Session.scalar(select(func.count(IncidentResponse.id))) == 0


def test_areas_are_placed_at_a_county_seat_or_in_the_county_nearest_a_point(client, dispatcher, incident):
    seat = client.post(f"/api/v1/incidents/{incident}/areas", json={
        "region_code": "510107", "affected_population": 5000, "displaced_population": 1200}, headers=dispatcher)
    assert seat.status_code == 201 and seat.get_json()["name"] == seat.get_json()["region_name"]
    point = client.post(f"/api/v1/incidents/{incident}/areas", json={
        "name": "安置点 A", "latitude": 30.63, "longitude": 104.05, "affected_population": 800,
        "displaced_population": 800, "road_cut": True, "priority": 5}, headers=dispatcher).get_json()
    assert point["region_code"].startswith("5101") and point["latitude"] == 30.63
    assert (point["road"], point["rail"], point["air"]) == (False, False, True)


@pytest.mark.parametrize("area, field", [
    ({"region_code": "510107", "affected_population": 100, "displaced_population": 500}, "displaced_population"),
    ({"region_code": "510100", "affected_population": 100, "displaced_population": 5}, "region_code"),  # a prefecture
    ({"latitude": 30.6, "affected_population": 100, "displaced_population": 5}, "longitude"),
    ({"latitude": 10.0, "longitude": 75.0, "affected_population": 100, "displaced_population": 5}, "latitude"),
    ({"region_code": "510107", "affected_population": 2**63, "displaced_population": 5}, "affected_population"),
    ({"region_code": "510107", "affected_population": 100, "displaced_population": 5, "priority": 9}, "priority"),
    ({"region_code": "510107", "affected_population": 100, "displaced_population": 5, "road": False}, "road"),
])
def test_a_bad_area_is_refused_beside_its_field_and_nothing_is_written(client, dispatcher, incident, area, field):
    body = assert_error_shape(client.post(f"/api/v1/incidents/{incident}/areas", json=area, headers=dispatcher), 422)
    assert field in body["fields"], body
    assert Session.scalar(select(func.count(AffectedArea.id))) == 0


def test_an_incident_cannot_start_in_the_future_and_a_closed_one_takes_nothing_more(client, dispatcher, incident):
    later = (clock.utcnow() + timedelta(days=2)).isoformat()
    future = client.post("/api/v1/incidents", json={"kind": "fire", "title": "x", "started_at": later},
                         headers=dispatcher)
    assert assert_error_shape(future, 422)["fields"]["started_at"]
    closed = client.patch(f"/api/v1/incidents/{incident}", json={"status": "closed"}, headers=dispatcher)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    refused = respond(client, dispatcher, incident, authority="county", region_code="510107", level="II")
    assert assert_error_shape(refused, 409)["error"]


def test_the_incident_page_records_a_response_and_shows_why_levels_are_open(client, make_user, login, incident):
    login(make_user(Role.DISPATCHER))
    page = client.post(f"/incidents/{incident}/responses", data={
        "response-authority": "county", "response-region_code": "510107", "response-level": "II",
        "response-note": "县政府启动Ⅱ级响应"}, follow_redirects=True).get_data(as_text=True)
    assert "Response recorded." in page and "protected minimums released" in page
    refused = client.post(f"/incidents/{incident}/responses", data={
        "response-authority": "county", "response-region_code": "510000", "response-level": "II"})
    assert refused.status_code == 422 and "governs a county" in refused.get_data(as_text=True)


def test_a_point_placed_on_the_map_page_becomes_an_area(client, make_user, login, incident):
    login(make_user(Role.DISPATCHER))
    added = client.post(f"/incidents/{incident}/areas", data={
        "area-latitude": "30.64", "area-longitude": "104.06", "area-affected_population": "300",
        "area-displaced_population": "120", "area-priority": "4", "area-road": "y"}, follow_redirects=True)
    assert added.status_code == 200 and Session.scalar(select(func.count(AffectedArea.id))) == 1
    bad = client.post(f"/incidents/{incident}/areas", data={
        "area-region_code": "510107", "area-affected_population": "-3", "area-displaced_population": "x",
        "area-priority": "4", "area-road": "y"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="area-affected_population-error"' in html
    assert 'id="area-displaced_population-error"' in html and Session.scalar(select(func.count(AffectedArea.id))) == 1
