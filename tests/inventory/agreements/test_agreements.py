"""Capacity reserve agreements and reserve coverage: the delivery rule, services, API, pages and demo data."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from core import clock
from core.db import Session
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import Role
from inventory.agreements.models import AgreementStatus, CapacityAgreement
from inventory.agreements.queries import capacity_by_item, coverage, expiring_soon, list_agreements
from inventory.agreements.services import (
    check_terms,
    create_agreement,
    deliverable_by,
    reactivate_agreement,
    suspend_agreement,
    update_agreement,
)
from inventory.network.models import DepotLevel, DepotStatus
from inventory.network.services import set_quota
from inventory.stock.models import Lot
from tests.factories import COUNTY, PREFECTURE
from tests.inventory.network.test_api import assert_error_shape

TODAY = date(2026, 11, 25)
HUBEI_WUHAN = "420100"


def terms(**overrides) -> SimpleNamespace:
    values = {"daily_capacity": 2400, "lead_time_hours": 24, "max_quantity": 5000, "status": "active",
              "valid_from": TODAY - timedelta(days=10), "valid_to": TODAY + timedelta(days=10)}
    return SimpleNamespace(**{**values, **overrides})


# --- deliverable_by: a pure rule, no database -------------------------------------------------------------------

@pytest.mark.parametrize("hours, expected", [
    (0, 0), (23, 0), (24, 0),        # nothing until the lead time has passed
    (25, 100),                       # 2,400 a day is 100 an hour
    (36.5, 1250),                    # pro rata, rounded down
    (48, 2400), (72, 4800),          # a full day, two days
    (73, 4900), (96, 5000), (1000, 5000),  # capped at the agreed maximum
])
def test_deliverable_by_counts_from_the_end_of_the_lead_time_at_the_daily_rate_up_to_the_cap(hours, expected):
    assert deliverable_by(terms(), hours, at=TODAY) == expected


def test_deliverable_by_rounds_down_a_fraction_of_a_unit():
    assert deliverable_by(terms(daily_capacity=1000, lead_time_hours=0), 1, at=TODAY) == 41  # 41.67
    assert deliverable_by(terms(daily_capacity=23, lead_time_hours=0), 1, at=TODAY) == 0


def test_deliverable_by_is_zero_when_suspended_or_outside_the_validity():
    assert deliverable_by(terms(status="suspended"), 72, at=TODAY) == 0
    assert deliverable_by(terms(status=AgreementStatus.SUSPENDED), 72, at=TODAY) == 0
    agreement = terms()
    assert deliverable_by(agreement, 72, at=agreement.valid_from - timedelta(days=1)) == 0
    assert deliverable_by(agreement, 72, at=agreement.valid_to + timedelta(days=1)) == 0
    assert deliverable_by(agreement, 72, at=agreement.valid_from) == 4800  # the first and last days count
    assert deliverable_by(agreement, 72, at=agreement.valid_to) == 4800


def test_deliverable_by_checks_validity_on_today_by_default():
    today = clock.today()
    assert deliverable_by(terms(valid_from=today, valid_to=today + timedelta(days=1)), 48) == 2400
    assert deliverable_by(terms(valid_from=today - timedelta(days=9), valid_to=today - timedelta(days=1)), 48) == 0


def test_check_terms_names_each_wrong_field():
    errors = check_terms({"enterprise_name": " ", "item_id": 1, "daily_capacity": 0, "lead_time_hours": -1,
                          "max_quantity": 0, "unit_price": Decimal(-1), "valid_from": TODAY, "valid_to": TODAY})
    assert set(errors) == {"enterprise_name", "daily_capacity", "lead_time_hours", "max_quantity", "unit_price",
                           "valid_to"}
    assert errors["valid_to"] == ["Must be after the start date."]


# --- services ----------------------------------------------------------------------------------------------------

def agreement_data(item, **overrides) -> dict:
    today = clock.today()
    data = {"enterprise_name": "南充丝纺被服有限公司", "contact_person": "张建国", "phone": "13800001234",
            "region_code": "511300", "latitude": None, "longitude": None, "item_id": item.id, "daily_capacity": 2400,
            "lead_time_hours": 24, "max_quantity": 50000, "unit_price": Decimal("175.00"),
            "valid_from": today - timedelta(days=100), "valid_to": today + timedelta(days=900), "notes": None}
    return {**data, **overrides}


@pytest.fixture
def make_agreement(app, make_item):
    def make(item=None, status: str = "active", **overrides):
        agreement = create_agreement(agreement_data(item or make_item(), **overrides), actor=None)
        if status == "suspended":
            suspend_agreement(agreement.id, actor=None)
        return agreement

    return make


def test_an_agreement_without_coordinates_takes_its_regions_point(make_agreement):
    agreement = make_agreement()
    assert agreement.region.code == "511300" and agreement.status == AgreementStatus.ACTIVE
    assert (agreement.latitude, agreement.longitude) == (agreement.region.latitude, agreement.region.longitude)
    assert agreement.effective_status(clock.today()) == "active"


@pytest.mark.parametrize("overrides, field", [
    ({"daily_capacity": 0}, "daily_capacity"),
    ({"max_quantity": 0}, "max_quantity"),
    ({"lead_time_hours": -1}, "lead_time_hours"),
    ({"valid_to": date(2020, 1, 1), "valid_from": date(2020, 1, 1)}, "valid_to"),
    ({"region_code": "999999"}, "region_code"),
    ({"item_id": 999999}, "item_id"),
    ({"latitude": 30.5}, "longitude"),
])
def test_invalid_agreements_are_refused_on_the_field_and_nothing_is_written(make_item, overrides, field):
    with pytest.raises(DomainError) as refused:
        create_agreement(agreement_data(make_item(), **overrides), actor=None)
    assert field in refused.value.fields
    assert Session.scalar(select(func.count(CapacityAgreement.id))) == 0


def test_an_update_is_checked_against_the_fields_it_leaves_alone(make_agreement):
    agreement = make_agreement()
    with pytest.raises(DomainError) as refused:
        update_agreement(agreement.id, {"valid_to": agreement.valid_from - timedelta(days=1)}, actor=None)
    assert set(refused.value.fields) == {"valid_to"}
    Session.remove()
    assert Session.get(CapacityAgreement, agreement.id).valid_to == agreement.valid_to


def test_moving_an_agreement_to_another_region_moves_its_point_unless_coordinates_are_given(make_agreement):
    agreement = make_agreement()
    moved = update_agreement(agreement.id, {"region_code": HUBEI_WUHAN}, actor=None)
    assert (moved.latitude, moved.longitude) == (moved.region.latitude, moved.region.longitude)
    placed = update_agreement(agreement.id, {"region_code": "511300", "latitude": 30.8, "longitude": 106.1}, actor=None)
    assert (placed.region.code, placed.latitude, placed.longitude) == ("511300", 30.8, 106.1)


def test_suspend_and_reactivate(make_agreement):
    agreement = make_agreement()
    assert suspend_agreement(agreement.id, actor=None).status == AgreementStatus.SUSPENDED
    with pytest.raises(ConflictError):
        suspend_agreement(agreement.id, actor=None)
    assert reactivate_agreement(agreement.id, actor=None).status == AgreementStatus.ACTIVE
    with pytest.raises(ConflictError):
        reactivate_agreement(agreement.id, actor=None)
    with pytest.raises(NotFoundError):
        suspend_agreement(999999, actor=None)


def test_an_expired_agreement_is_reactivated_only_with_a_new_end_date(make_agreement):
    today = clock.today()
    agreement = make_agreement(status="suspended", valid_from=today - timedelta(days=400),
                               valid_to=today - timedelta(days=1))
    assert agreement.effective_status(today) == "expired"
    with pytest.raises(ConflictError):
        reactivate_agreement(agreement.id, actor=None)
    renewed = update_agreement(agreement.id, {"valid_to": today + timedelta(days=365), "status": "active"}, actor=None)
    assert renewed.effective_status(today) == "active"


# --- API ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def admin(make_user, api_token):
    return api_token(make_user(Role.ADMIN))


@pytest.fixture
def dispatcher(make_user, api_token):
    return api_token(make_user(Role.DISPATCHER))


def as_json(data: dict) -> dict:
    return {key: (str(value) if isinstance(value, (date, Decimal)) else value) for key, value in data.items()}


def test_api_creates_reads_and_patches_an_agreement(client, admin, make_item):
    item = make_item()
    created = client.post("/api/v1/capacity-agreements", json=as_json(agreement_data(item)), headers=admin)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["region_code"] == "511300" and body["item_code"] == item.code and body["unit_price"] == "175.00"
    assert body["status"] == "active" and body["effective_status"] == "active" and body["expiring_soon"] is False
    url = f"/api/v1/capacity-agreements/{body['id']}"
    assert client.get(url, headers=admin).get_json()["enterprise_name"] == "南充丝纺被服有限公司"
    patched = client.patch(url, json={"status": "suspended", "daily_capacity": 3000}, headers=admin).get_json()
    assert patched["status"] == "suspended" and patched["daily_capacity"] == 3000
    assert client.patch(url, json={"status": "active"}, headers=admin).get_json()["effective_status"] == "active"


def test_api_lists_wrong_fields_with_422(client, admin, make_item):
    body = assert_error_shape(client.post("/api/v1/capacity-agreements", json={
        "enterprise_name": "", "daily_capacity": 0, "max_quantity": 0, "region_code": "51",
        "valid_from": "2026-01-01", "valid_to": "2025-01-01"}, headers=admin), 422)
    assert {"enterprise_name", "daily_capacity", "max_quantity", "region_code", "item_id", "lead_time_hours",
            "unit_price", "valid_to"} <= set(body["fields"])
    unknown = as_json(agreement_data(make_item(), region_code="990000", item_id=999999))
    body = assert_error_shape(client.post("/api/v1/capacity-agreements", json=unknown, headers=admin), 422)
    assert set(body["fields"]) == {"region_code", "item_id"}
    assert Session.scalar(select(func.count(CapacityAgreement.id))) == 0


def test_api_patch_is_checked_against_the_stored_dates(client, admin, make_agreement):
    agreement = make_agreement()
    url, valid_from = f"/api/v1/capacity-agreements/{agreement.id}", agreement.valid_from
    body = assert_error_shape(client.patch(url, json={"valid_to": str(valid_from)}, headers=admin), 422)
    assert set(body["fields"]) == {"valid_to"}
    body = assert_error_shape(client.patch(url, json={"status": "expired"}, headers=admin), 422)
    assert "status" in body["fields"]


def test_api_reactivating_an_expired_agreement_is_a_conflict(client, admin, make_agreement):
    today = clock.today()
    agreement = make_agreement(status="suspended", valid_from=today - timedelta(days=400),
                               valid_to=today - timedelta(days=1))
    body = assert_error_shape(client.patch(f"/api/v1/capacity-agreements/{agreement.id}",
                                           json={"status": "active"}, headers=admin), 409)
    assert "status" in body["fields"]


def test_api_unknown_agreement_is_404(client, admin):
    assert_error_shape(client.get("/api/v1/capacity-agreements/999999", headers=admin), 404)
    assert_error_shape(client.patch("/api/v1/capacity-agreements/999999", json={"notes": "x"}, headers=admin), 404)


def test_a_dispatcher_reads_but_may_not_write(client, dispatcher, make_agreement, make_item):
    agreement = make_agreement()
    assert client.get("/api/v1/capacity-agreements", headers=dispatcher).status_code == 200
    assert_error_shape(client.post("/api/v1/capacity-agreements", json=as_json(agreement_data(make_item())),
                                   headers=dispatcher), 403)
    assert_error_shape(client.patch(f"/api/v1/capacity-agreements/{agreement.id}", json={"status": "suspended"},
                                    headers=dispatcher), 403)
    assert Session.get(CapacityAgreement, agreement.id).status == AgreementStatus.ACTIVE


def test_api_list_filters_and_paginates(client, admin, make_agreement, make_item):
    today = clock.today()
    quilts, water = make_item(), make_item()
    make_agreement(quilts)
    make_agreement(quilts, status="suspended", region_code=HUBEI_WUHAN)
    make_agreement(water, valid_to=today + timedelta(days=30))
    make_agreement(water, valid_from=today - timedelta(days=800), valid_to=today - timedelta(days=5))

    def listed(query: str) -> dict:
        response = client.get(f"/api/v1/capacity-agreements?{query}", headers=admin)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert listed(f"item_id={quilts.id}")["total"] == 2
    assert [a["region_code"] for a in listed("status=suspended")["items"]] == [HUBEI_WUHAN]
    assert listed("status=expired")["items"][0]["effective_status"] == "expired"
    assert listed("status=active")["total"] == 2
    assert listed("region_code=420000")["total"] == 1
    soon = listed("expiring_within_days=60")["items"]
    assert len(soon) == 1 and soon[0]["expiring_soon"] is True
    page = listed("per_page=3&page=2")
    assert page["total"] == 4 and page["pages"] == 2 and len(page["items"]) == 1
    assert_error_shape(client.get("/api/v1/capacity-agreements?status=dormant", headers=admin), 400)


def test_capacity_totals_within_24_48_and_72_hours(client, admin, make_agreement, make_item):
    tents, water = make_item(), make_item()
    make_agreement(tents, daily_capacity=2400, lead_time_hours=24, max_quantity=3000)   # 0, 2400, 3000 (cap)
    make_agreement(tents, daily_capacity=480, lead_time_hours=0, max_quantity=100000)   # 480, 960, 1440
    make_agreement(tents, status="suspended", daily_capacity=99999)                     # counts for nothing
    make_agreement(water, daily_capacity=240000, lead_time_hours=12, max_quantity=10**7)  # 120k, 360k, 600k
    body = client.get("/api/v1/capacity-agreements/capacity?hours=72,24,48", headers=admin).get_json()
    assert body["hours"] == [24, 48, 72]
    totals = {row["item_id"]: (row["agreements"], row["deliverable"]) for row in body["items"]}
    assert totals[tents.id] == (2, {"24": 480, "48": 3360, "72": 4440})
    assert totals[water.id] == (1, {"24": 120000, "48": 360000, "72": 600000})
    assert capacity_by_item((36,))[0].deliverable == {36: 1200 + 720}
    assert_error_shape(client.get("/api/v1/capacity-agreements/capacity?hours=24,abc", headers=admin), 400)
    assert_error_shape(client.get("/api/v1/capacity-agreements/capacity?hours=0", headers=admin), 400)


def test_sql_totals_agree_with_the_pure_rule(make_agreement, make_item):
    item = make_item()
    agreements = [make_agreement(item, daily_capacity=d, lead_time_hours=h, max_quantity=m)
                  for d, h, m in ((1000, 5, 700), (37, 11, 10**6), (500000, 0, 10**9), (7, 71, 3))]
    for hours in (1, 6, 12, 24, 71, 72, 200, 720):
        expected = sum(deliverable_by(a, hours) for a in agreements)
        assert capacity_by_item((hours,))[0].deliverable[hours] == expected, hours


# --- coverage ----------------------------------------------------------------------------------------------------

@pytest.fixture
def situation(make_depot, make_item, make_agreement, receive, expire):
    """Quilts in Sichuan (a county and a municipal depot) and in Wuhan; capacity agreements in both provinces."""
    quilts, tents = make_item(), make_item()
    county = make_depot(DepotLevel.COUNTY, COUNTY)
    city = make_depot(DepotLevel.MUNICIPAL, PREFECTURE)
    wuhan = make_depot(DepotLevel.MUNICIPAL, HUBEI_WUHAN)
    reserved = receive(county, quilts, 100)
    Session.execute(update(Lot).where(Lot.id == reserved.id).values(reserved=10))  # promised to a plan
    Session.commit()
    expire(receive(county, quilts, 50))                                          # expired: not usable
    receive(county, quilts, 40, ownership="agreement", holder="际华集团股份有限公司")
    receive(city, quilts, 500)
    receive(wuhan, quilts, 70)
    closed = make_depot(DepotLevel.COUNTY, COUNTY)
    receive(closed, quilts, 999)
    set_quota(closed.id, quilts.id, 999, 999, actor=None)
    Session.execute(update(type(closed)).where(type(closed).id == closed.id).values(status=DepotStatus.CLOSED))
    Session.commit()
    set_quota(county.id, quilts.id, 300, 200, actor=None)
    set_quota(county.id, tents.id, 1500, 1000, actor=None)
    set_quota(city.id, quilts.id, 400, 300, actor=None)
    set_quota(wuhan.id, quilts.id, 150, 100, actor=None)
    make_agreement(quilts, region_code="510100", daily_capacity=240, lead_time_hours=24, max_quantity=10000)  # 480
    make_agreement(quilts, region_code=HUBEI_WUHAN, daily_capacity=24, lead_time_hours=0, max_quantity=50)  # 50
    make_agreement(quilts, region_code=HUBEI_WUHAN, status="suspended", daily_capacity=9999)  # nothing
    return SimpleNamespace(quilts=quilts, tents=tents)


def figures(row) -> tuple:
    return (row.physical, row.agreement, row.capacity, row.quota_target, row.quota_minimum, row.shortfall,
            row.verdict)


def test_coverage_by_level(situation):
    rows = {(r.group, r.item.id): r for r in coverage("level")}
    quilts, tents = situation.quilts.id, situation.tents.id
    assert figures(rows[("county", quilts)]) == (90, 40, 530, 300, 200, 70, "capacity")
    assert figures(rows[("municipal", quilts)]) == (570, 0, 530, 550, 400, 0, "stock")
    assert figures(rows[("county", tents)]) == (0, 0, 0, 1500, 1000, 1000, "short")
    assert rows[("county", tents)].uncovered == 1000
    assert [r.group for r in coverage("level")] == ["municipal", "county", "county"]


def test_coverage_by_level_within_a_province(situation):
    rows = {(r.group, r.item.id): r for r in coverage("level", region_code="510000")}
    assert figures(rows[("county", situation.quilts.id)]) == (90, 40, 480, 300, 200, 70, "capacity")
    assert figures(rows[("municipal", situation.quilts.id)]) == (500, 0, 480, 400, 300, 0, "stock")


def test_coverage_by_province(situation):
    rows = {(r.group, r.item.id): r for r in coverage("province")}
    assert figures(rows[("51", situation.quilts.id)]) == (590, 40, 480, 700, 500, 0, "stock")
    assert figures(rows[("42", situation.quilts.id)]) == (70, 0, 50, 150, 100, 30, "capacity")
    assert rows[("51", situation.quilts.id)].group_name == "四川省"
    assert rows[("42", situation.quilts.id)].group_name == "湖北省"


def test_coverage_api(client, dispatcher, situation):
    body = client.get("/api/v1/coverage?by=province&region_code=420000", headers=dispatcher).get_json()
    assert body["by"] == "province" and body["capacity_hours"] == 72
    assert [(r["group"], r["physical"], r["capacity_72h"], r["quota_minimum"], r["shortfall"],
             r["uncovered_after_capacity"], r["verdict"]) for r in body["rows"]] == [
        ("42", 70, 50, 100, 30, 0, "capacity")]
    level = client.get(f"/api/v1/coverage?item_id={situation.tents.id}", headers=dispatcher).get_json()
    assert [(r["group"], r["verdict"], r["uncovered_after_capacity"]) for r in level["rows"]] == [
        ("county", "short", 1000)]
    assert_error_shape(client.get("/api/v1/coverage?by=district", headers=dispatcher), 400)


# --- pages -------------------------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(login, make_user):
    return login(make_user(Role.ADMIN))


def form_data(item, **overrides) -> dict:
    data = agreement_data(item, latitude="", longitude="", notes="")
    return {key: str(value) for key, value in {**data, **overrides}.items() if value is not None}


def test_admin_records_an_agreement_through_the_form(admin_client, make_item):
    item = make_item()
    response = admin_client.post("/agreements/new", data=form_data(item))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = admin_client.get("/agreements").get_data(as_text=True)
    assert "南充丝纺被服有限公司" in page and item.code in page


def test_form_shows_the_services_errors_beside_the_fields(admin_client, make_item):
    item = make_item()
    valid = form_data(item)
    response = admin_client.post("/agreements/new", data={**valid, "region_code": "990000", "valid_to": "2020-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("region_code", "valid_to"):
        assert f'id="{field}-error"' in html, field
    assert "Must be after the start date." in html
    out_of_range = admin_client.post("/agreements/new", data={**valid, "daily_capacity": "0"}).get_data(as_text=True)
    assert 'id="daily_capacity-error"' in out_of_range and "Must be more than 0." in out_of_range
    assert Session.scalar(select(func.count(CapacityAgreement.id))) == 0


def test_admin_edits_suspends_and_reactivates(admin_client, make_agreement):
    agreement = make_agreement()
    agreement_id, data = agreement.id, form_data(agreement.item, daily_capacity="3000")
    edit = admin_client.get(f"/agreements/{agreement_id}/edit")
    assert edit.status_code == 200 and "南充丝纺被服有限公司" in edit.get_data(as_text=True)
    assert admin_client.post(f"/agreements/{agreement_id}/edit", data=data).status_code == 302
    suspended = admin_client.post(f"/agreements/{agreement_id}/suspend", data={"back": "edit"})
    assert suspended.status_code == 302 and suspended.location.endswith(f"/agreements/{agreement_id}/edit")
    Session.remove()
    stored = Session.get(CapacityAgreement, agreement_id)
    assert stored.daily_capacity == 3000 and stored.status == AgreementStatus.SUSPENDED
    assert "Reactivate" in admin_client.get(f"/agreements/{agreement_id}/edit").get_data(as_text=True)
    admin_client.post(f"/agreements/{agreement_id}/reactivate")
    Session.remove()
    assert Session.get(CapacityAgreement, agreement_id).status == AgreementStatus.ACTIVE


def test_list_flags_agreements_expiring_within_60_days_and_shows_capacity(login, make_user, make_agreement,
                                                                           make_item):
    today = clock.today()
    item = make_item()
    soon = make_agreement(item, enterprise_name="临期企业", valid_to=today + timedelta(days=20))
    make_agreement(item, enterprise_name="长期企业", daily_capacity=480, lead_time_hours=0)
    assert expiring_soon(soon)
    page = login(make_user(Role.FINANCE)).get("/agreements").get_data(as_text=True)
    listing = page.split('<table id="agreements">')[1]
    assert "expires in 20 d" in listing and "New agreement" not in page and "Suspend<" not in listing
    # within 72 h: 2,400 a day for the 48 h after the 24 h lead time, plus 480 a day for three days
    assert "6,240" in page.split('<table id="capacity">')[1].split("</table>")[0]
    only_soon = login(make_user(Role.DISPATCHER)).get("/agreements?expiring=1").get_data(as_text=True)
    assert "临期企业" in only_soon and "长期企业" not in only_soon


def test_coverage_page_answers_the_level_two_question(login, make_user, situation):
    client = login(make_user(Role.DISPATCHER))
    by_level = client.get("/coverage").get_data(as_text=True)
    assert "Covered once capacity runs 72 h" in by_level and "Short: 1,000" in by_level
    by_province = client.get("/coverage?by=province&province=510000").get_data(as_text=True)
    table = by_province.split('<table id="coverage">')[1]
    assert "四川省" in table and "湖北省" not in table
    assert client.get("/coverage?by=nonsense&province=xx&item_id=abc").status_code == 200
    gaps = client.get("/coverage?gaps=1").get_data(as_text=True).split('<table id="coverage">')[1]
    assert "Short: 1,000" in gaps and "Covered by held stock" not in gaps


def test_the_agreement_and_coverage_pages_speak_chinese(login, make_user, make_agreement, situation):
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
    client = login(make_user(Role.ADMIN))
    coverage_page = client.get("/coverage", headers=chinese).get_data(as_text=True)
    assert "储备保障能力" in coverage_page and "启动产能 72 小时后可满足" in coverage_page
    assert "不足：1,000" in coverage_page and "Short" not in coverage_page
    agreement = make_agreement(enterprise_name="临期企业")
    agreement_id, data = agreement.id, form_data(agreement.item, daily_capacity="0")
    suspended = client.post(f"/agreements/{agreement_id}/suspend", headers=chinese, follow_redirects=True)
    listing = suspended.get_data(as_text=True)
    assert "与临期企业签订的协议已暂停。" in listing and "已暂停</span>" in listing and ">恢复</button>" in listing
    refused = client.post(f"/agreements/{agreement_id}/suspend", headers=chinese, follow_redirects=True)
    assert "该协议已处于暂停状态。" in refused.get_data(as_text=True)
    form = client.post("/agreements/new", headers=chinese, data=data)
    assert form.status_code == 200 and 'id="daily_capacity-error">必须大于 0。' in form.get_data(as_text=True)


# --- demo data ---------------------------------------------------------------------------------------------------

def test_demo_agreements_load_once_and_cover_the_provinces(app):
    from seed.agreements import load_agreements
    from seed.loader import load_items

    load_items(Session)
    assert load_agreements(Session) >= 38
    assert load_agreements(Session) == 0
    rows = list(Session.scalars(select(CapacityAgreement)))
    today = clock.today()
    assert len({a.region.code[:2] for a in rows}) >= 25
    assert 3 <= sum(expiring_soon(a, today) for a in rows) <= 6
    states = [a.effective_status(today) for a in rows]
    assert {"active", "suspended", "expired", "pending"} <= set(states)
    assert all(check_terms({c.key: getattr(a, c.key) for c in CapacityAgreement.__table__.columns}) == {}
               for a in rows)
    assert list_agreements(per_page=10, status="active").total == states.count("active")
    assert sum(entry.deliverable[72] for entry in capacity_by_item()) > 0
