"""Demand: estimated from the norms, due by the province's deadline, saved as versions, refused cell by cell."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.models import Role
from dispatch.demand.models import DemandVersion
from dispatch.demand.queries import norms_in_force
from inventory.network.models import Item
from tests.demo import an_hour_ago
from tests.inventory.network.test_api import assert_error_shape


@pytest.fixture
def dispatcher(make_user, api_token):
    return api_token(make_user(Role.DISPATCHER))


@pytest.fixture
def incident(client, dispatcher, reference) -> dict:
    """Two areas: 1,000 displaced in Chengdu (Sichuan), 500 in Beijing's Chaoyang district."""
    incident_id = client.post("/api/v1/incidents", json={"kind": "earthquake", "title": "演练", "started_at":
                                                         an_hour_ago()}, headers=dispatcher).get_json()["id"]
    areas = [client.post(f"/api/v1/incidents/{incident_id}/areas", json={
        "region_code": code, "affected_population": displaced * 2, "displaced_population": displaced},
        headers=dispatcher).get_json()["id"] for code, displaced in (("510107", 1000), ("110105", 500))]
    return {"id": incident_id, "areas": areas}


def item_id(code: str) -> int:
    return Session.scalar(select(Item.id).where(Item.code == code))


def test_the_estimate_multiplies_the_norms_by_the_displaced_and_takes_each_provinces_deadline(client, dispatcher,
                                                                                             incident):
    saved = client.put(f"/api/v1/incidents/{incident['id']}/demand", json={"estimate": {}}, headers=dispatcher)
    version = saved.get_json()
    assert saved.status_code == 201 and version["number"] == 1
    lines = {(line["area_id"], line["item_code"]): line for line in version["lines"]}
    chengdu, beijing = incident["areas"]
    assert lines[(chengdu, "JZ-BR-001")]["quantity"] == 1000      # one quilt a person
    assert lines[(chengdu, "SP-YS-001")]["quantity"] == 18000     # six bottles a day for three days
    assert lines[(chengdu, "JZ-ZP-001")]["quantity"] == 200       # a tent for five
    started = datetime.fromisoformat(client.get(f"/api/v1/incidents/{incident['id']}",
                                                headers=dispatcher).get_json()["started_at"])
    due = {key: datetime.fromisoformat(line["due_at"]) - started for key, line in lines.items()}
    assert due[(chengdu, "JZ-BR-001")] == timedelta(hours=10)   # basic living, national deadline
    assert due[(beijing, "JZ-BR-001")] == timedelta(hours=6)    # Beijing's own
    assert due[(chengdu, "JZ-JT-001")] == timedelta(hours=24)   # not basic living: the later deadline


def test_a_phased_estimate_keeps_a_tail_for_later(client, dispatcher, incident):
    version = client.put(f"/api/v1/incidents/{incident['id']}/demand", json={
        "estimate": {"peak_share": "0.6", "tail_hours": 48}}, headers=dispatcher).get_json()
    water = next(line for line in version["lines"] if line["item_code"] == "SP-YS-001"
                 and line["area_id"] == incident["areas"][0])
    assert water["tail_quantity"] == 18000 - 10800 and water["tail_due_at"]


def test_every_save_is_a_new_version(client, dispatcher, incident):
    quilts, chengdu = item_id("JZ-BR-001"), incident["areas"][0]
    for quantity in (100, 150):
        saved = client.put(f"/api/v1/incidents/{incident['id']}/demand", json={
            "lines": [{"area_id": chengdu, "item_id": quilts, "quantity": quantity}]}, headers=dispatcher)
        assert saved.status_code == 201
    current = client.get(f"/api/v1/incidents/{incident['id']}/demand", headers=dispatcher).get_json()
    assert current["number"] == 2 and current["lines"][0]["quantity"] == 150


@pytest.mark.parametrize("line, field", [
    ({"quantity": -5}, "quantity"),
    ({"quantity": 10**12}, "quantity"),
    ({"quantity": "many"}, "quantity"),
    ({"item_id": 999999}, "item_id"),
    ({"area_id": 999999}, "area_id"),
    ({"quantity": 100, "tail_quantity": 50, "tail_due_at": None}, "tail_due_at"),
    ({"due_at": "2001-01-01T00:00:00+08:00"}, "due_at"),
])
def test_a_bad_line_is_refused_beside_its_cell_and_no_version_is_saved(client, dispatcher, incident, line, field):
    good = {"area_id": incident["areas"][0], "item_id": item_id("JZ-BR-001"), "quantity": 10}
    lines = [good, {**good, "item_id": item_id("SP-YS-001"), **line}]
    body = assert_error_shape(client.put(f"/api/v1/incidents/{incident['id']}/demand", json={"lines": lines},
                                         headers=dispatcher), 422)
    assert field in body["fields"]["lines"]["1"], body
    assert "0" not in body["fields"]["lines"]
    assert Session.scalar(select(func.count(DemandVersion.id))) == 0


def test_the_demand_table_shows_an_estimate_and_a_bad_cell_keeps_everything_typed(client, make_user, login, incident):
    login(make_user(Role.DISPATCHER))
    page = client.get(f"/incidents/{incident['id']}/demand").get_data(as_text=True)
    assert 'value="18000"' in page and "Nothing saved yet" in page
    chengdu, quilts = incident["areas"][0], item_id("JZ-BR-001")
    form = {"lines-0-area_id": chengdu, "lines-0-item_id": quilts, "lines-0-quantity": "1200",
            "lines-1-area_id": chengdu, "lines-1-item_id": item_id("SP-YS-001"), "lines-1-quantity": "-4",
            "lines-2-area_id": chengdu, "lines-2-item_id": "", "lines-2-quantity": "7", "note": "现场核实"}
    refused = client.post(f"/incidents/{incident['id']}/demand", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="lines-1-quantity-error"' in html and 'id="lines-2-item_id-error"' in html
    assert 'value="1200"' in html and 'value="现场核实"' in html
    assert Session.scalar(select(func.count(DemandVersion.id))) == 0
    form.update({"lines-1-quantity": "", "lines-2-quantity": ""})
    saved = client.post(f"/incidents/{incident['id']}/demand", data=form)
    assert saved.status_code == 302
    assert client.get(f"/api/v1/incidents/{incident['id']}/demand").get_json()["lines"][0]["quantity"] == 1200


def test_an_incidents_own_norm_changes_its_estimate(client, make_user, login, incident):
    login(make_user(Role.DISPATCHER))
    page = client.get(f"/incidents/{incident['id']}/norms").get_data(as_text=True)
    assert "Sphere" in page
    form = {}
    for row, norm in enumerate(norms_in_force(incident["id"])):
        form.update({f"lines-{row}-item_id": norm.item.id, f"lines-{row}-per_person": str(norm.per_person),
                     f"lines-{row}-days_of_cover": str(norm.days_of_cover)})
        form |= {f"lines-{row}-per_day": "y"} if norm.per_day else {}
        form |= {f"lines-{row}-basic_living": "y"} if norm.basic_living else {}
        if norm.item.code == "JZ-BR-001":
            quilts_row = row
    form[f"lines-{quilts_row}-per_person"] = "2"  # a cold wave: two quilts a person
    assert client.post(f"/incidents/{incident['id']}/norms", data=form).status_code == 302
    estimate = client.get(f"/incidents/{incident['id']}/demand?estimate=1").get_data(as_text=True)
    assert 'value="2000"' in estimate
