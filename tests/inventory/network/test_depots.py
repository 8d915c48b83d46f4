"""Depot administration through the pages: create, validate, filter, edit, close, neighbours."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.access import can_act_at
from core.db import Session
from core.models import Role
from inventory.network.models import Depot, DepotLevel, DepotStatus
from inventory.network.queries import list_depots, list_neighbours
from tests.factories import COUNTY, PREFECTURE, PROVINCE

VALID_FORM = {"code": "X-510107", "name": "武侯区救灾物资储备库", "level": "county", "region_code": COUNTY,
              "latitude": "30.64", "longitude": "104.04", "operator_type": "government",
              "capacity_volume_m3": "2000", "capacity_weight_t": "500"}


def error_beside(html: str, field: str) -> str:
    """The error text rendered next to a form field, or '' when there is none."""
    match = re.search(rf'<span class="error" id="{field}-error">([^<]*)</span>', html)
    return match.group(1) if match else ""


def depot_count() -> int:
    return Session.scalar(select(func.count(Depot.id)))


@pytest.fixture
def admin_client(make_user, login):
    return login(make_user(Role.ADMIN))


def test_admin_creates_a_depot_and_sees_its_page(admin_client):
    response = admin_client.post("/depots/new", data=VALID_FORM)
    assert response.status_code == 302
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "武侯区救灾物资储备库" in page
    assert "四川省" in page and "成都市" in page  # the region chain up to the province


@pytest.mark.parametrize("field, value, message", [
    ("code", "x 1", "Capital letters, digits and dashes only."),
    ("name", "", "This field is required."),
    ("region_code", "5101", "Six digits, e.g. 510104."),
    ("region_code", "519999", "No region has code 519999."),
    ("region_code", PROVINCE, "A county depot must stand in a county."),
    ("latitude", "80", "China lies between 3° and 54° north."),
    ("capacity_volume_m3", "-5", "Cannot be negative."),
    ("capacity_weight_t", "heavy", "Not a valid decimal value."),
])
def test_bad_depot_input_is_shown_beside_the_field_and_nothing_is_written(admin_client, field, value, message):
    before = depot_count()
    response = admin_client.post("/depots/new", data={**VALID_FORM, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in error_beside(html, field)
    assert depot_count() == before
    assert 'value="武侯区救灾物资储备库"' in html or field == "name"  # what the admin typed is kept


def test_duplicate_code_is_refused_beside_the_code(admin_client, make_depot):
    make_depot(code="X-510107")
    html = admin_client.post("/depots/new", data=VALID_FORM).get_data(as_text=True)
    assert "Code X-510107 is already used." in error_beside(html, "code")


def test_depot_without_coordinates_takes_its_regions_point(make_depot):
    depot = make_depot(DepotLevel.COUNTY)
    assert depot.latitude == depot.region.latitude and depot.longitude == depot.region.longitude


def test_list_filters_by_level_and_region(admin_client, make_depot):
    county = make_depot(DepotLevel.COUNTY, name="Wuhou county depot")
    make_depot(DepotLevel.MUNICIPAL, name="Chengdu municipal depot")
    make_depot(DepotLevel.COUNTY, region_code="420106", name="Wuchang county depot")  # Wuhan, Hubei
    html = admin_client.get("/depots?level=county&province=510000").get_data(as_text=True)
    assert county.name in html
    assert "Chengdu municipal depot" not in html and "Wuchang county depot" not in html
    html = admin_client.get(f"/depots?province=510000&prefecture={PREFECTURE}").get_data(as_text=True)
    assert "Chengdu municipal depot" in html and "Wuchang county depot" not in html


def test_list_is_paginated_in_the_database(app, make_depot):
    for _ in range(30):
        make_depot()
    first = list_depots(page=1, per_page=25)
    second = list_depots(page=2, per_page=25)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (30, 2, 25, 5)
    assert not {d.id for d in first.items} & {d.id for d in second.items}


def test_the_list_runs_from_central_to_township_then_by_region(app, make_depot):
    for level in (DepotLevel.TOWNSHIP, DepotLevel.PROVINCIAL, DepotLevel.COUNTY, DepotLevel.CENTRAL):
        make_depot(level)
    make_depot(DepotLevel.MUNICIPAL, region_code="420100")  # Wuhan (420100) before Chengdu (510100) within a level
    make_depot(DepotLevel.MUNICIPAL)
    listed = list_depots(page=1, per_page=25).items
    assert [(depot.level, depot.region.code) for depot in listed] == [
        (DepotLevel.CENTRAL, PREFECTURE), (DepotLevel.PROVINCIAL, PROVINCE), (DepotLevel.MUNICIPAL, "420100"),
        (DepotLevel.MUNICIPAL, PREFECTURE), (DepotLevel.COUNTY, COUNTY), (DepotLevel.TOWNSHIP, COUNTY)]


def test_unknown_filter_values_are_ignored_not_an_error(admin_client):
    assert admin_client.get("/depots?level=galactic&province=xx&page=abc").status_code == 200


def test_edit_changes_the_depot(admin_client, make_depot):
    depot = make_depot()
    response = admin_client.post(f"/depots/{depot.id}/edit", data={**VALID_FORM, "code": depot.code,
                                                                   "name": "Renamed depot"})
    assert response.status_code == 302
    Session.expire_all()
    assert Session.get(Depot, depot.id).name == "Renamed depot"


def test_closing_a_depot_keeps_it_listed_as_closed_and_frozen(admin_client, make_depot):
    depot = make_depot()
    admin_client.post(f"/depots/{depot.id}/close")
    Session.expire_all()
    assert Session.get(Depot, depot.id).status == DepotStatus.CLOSED
    html = admin_client.post(f"/depots/{depot.id}/edit", data={**VALID_FORM, "code": depot.code}).get_data(as_text=True)
    assert "closed and can no longer be edited" in html
    assert depot.code in admin_client.get("/depots?status=closed").get_data(as_text=True)


def test_depot_page_lists_neighbours_within_the_radius_nearest_first(admin_client, make_depot):
    here = make_depot(latitude=30.60, longitude=104.00)
    near = make_depot(latitude=30.65, longitude=104.05, name="Near depot")        # ~7 km
    farther = make_depot(latitude=30.90, longitude=104.30, name="Farther depot")  # ~44 km
    make_depot(DepotLevel.COUNTY, region_code="420106", name="Wuhan depot")     # ~1000 km
    neighbours = list_neighbours(here, radius_km=100)
    assert [n.depot.id for n in neighbours] == [near.id, farther.id]
    assert 6 < neighbours[0].distance_km < 8
    html = admin_client.get(f"/depots/{here.id}").get_data(as_text=True)
    assert "Near depot" in html and "Wuhan depot" not in html


def test_clerk_acts_only_at_bound_depots(app, make_user, make_depot):
    mine, other = make_depot(), make_depot()
    clerk = make_user(Role.CLERK, depots=[mine])
    assert can_act_at(clerk, mine.id) and not can_act_at(clerk, other.id)
    assert can_act_at(make_user(Role.ADMIN), other.id)
    assert not can_act_at(make_user(Role.DISPATCHER), mine.id)


def test_only_clerks_can_be_bound_to_a_depot(admin_client, make_user, make_depot):
    depot = make_depot().id
    finance = make_user(Role.FINANCE).username
    response = admin_client.post(f"/depots/{depot}/clerks", data={"username": finance}, follow_redirects=True)
    assert f"{finance} is not a clerk." in response.get_data(as_text=True)
    assert Session.get(Depot, depot).clerks == []
