"""Every list a clerk can open shows only their depots (issue #15, point 9); another depot's records are 403."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import Session
from core.models import Role
from inventory.stock.models import Document
from inventory.stock.services.issues import IssueLine
from inventory.stock.services.transfers import TransferRequest, draft_transfer


@pytest.fixture
def two_depots(make_depot, make_item, make_user, receive):
    own, other, third = make_depot(name="本库"), make_depot(name="他库"), make_depot(name="第三库")
    item = make_item()
    soon = date.today() + timedelta(days=20)
    receive(own, item, 40, "OWN-1", funding_source="donation", donor="甲基金会", expiry=soon)
    receive(other, item, 60, "OTHER-1", funding_source="donation", donor="乙基金会", expiry=soon)
    admin = make_user(Role.ADMIN)
    transfer = draft_transfer(TransferRequest(other.id, third.id, [IssueLine(item.id, 5)]), admin)
    clerk = make_user(Role.CLERK, depots=[own])
    return {"own": own, "other": other, "clerk": clerk, "admin": admin, "transfer": transfer}


def test_a_clerk_sees_only_their_depots_donations(client, login, two_depots):
    login(two_depots["clerk"])
    html = client.get("/donations").get_data(as_text=True)
    assert "甲基金会" in html and "乙基金会" not in html and "OTHER-1" not in html
    assert "乙基金会" not in client.get("/donations?donor=乙").get_data(as_text=True)


def test_an_admin_still_sees_every_donation(client, login, two_depots):
    login(two_depots["admin"])
    html = client.get("/donations").get_data(as_text=True)
    assert "甲基金会" in html and "乙基金会" in html


def test_a_clerks_rotation_due_list_holds_only_their_lots(client, login, two_depots, api_token):
    login(two_depots["clerk"])
    html = client.get("/rotation/due").get_data(as_text=True)
    assert "OWN-1" in html and "OTHER-1" not in html
    assert "OTHER-1" not in client.get(f"/rotation/due?depot={two_depots['other'].code}").get_data(as_text=True)
    token = api_token(two_depots["clerk"])
    assert client.get(f"/api/v1/rotation/due?depot_id={two_depots['other'].id}", headers=token).status_code == 403
    own = client.get(f"/api/v1/rotation/due?depot_id={two_depots['own'].id}", headers=token).get_json()
    assert [lot["batch_no"] for lot in own["items"]] == ["OWN-1"]


def test_another_depots_stock_journal_documents_and_transfers_are_refused(client, login, two_depots, api_token):
    other = two_depots["other"]
    login(two_depots["clerk"])
    foreign_document = Session.scalar(select(Document.id).where(Document.depot_id == other.id))
    for url in (f"/depots/{other.id}/stock", f"/depots/{other.id}/movements", f"/documents/{foreign_document}"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/depots/{two_depots['own'].id}/movements").status_code == 200
    token = api_token(two_depots["clerk"])
    for url in ("/api/v1/movements", f"/api/v1/movements?depot_id={other.id}", f"/depots/{other.id}/stock",
                f"/api/v1/transfers/{two_depots['transfer'].id}", f"/api/v1/depots/{other.id}/stock"):
        assert client.get(url, headers=token).status_code == 403, url
    assert client.get("/reports/journal").status_code == 403  # the network's journal is finance's


def test_a_clerk_finds_stock_only_at_their_own_depots(client, login, api_token, make_depot, make_item, make_user,
                                                     receive):
    from inventory.network.models import DepotLevel

    item = make_item()
    own = make_depot(DepotLevel.COUNTY, region_code="510107")
    other = make_depot(DepotLevel.MUNICIPAL, region_code="510100", latitude=30.9, longitude=104.3)
    receive(own, item, 40)
    receive(other, item, 500)
    clerk = make_user(Role.CLERK, depots=[own])
    query = f"item_id={item.id}&region_code=510107&radius_km=300"
    body = client.get(f"/api/v1/stock/nearby?{query}", headers=api_token(clerk)).get_json()
    assert [d["depot_code"] for d in body["depots"]] == [own.code]
    html = login(clerk).get(f"/stock/nearby?{query}&min_quantity=1").get_data(as_text=True)
    assert own.code in html and other.code not in html
    dispatcher = client.get(f"/api/v1/stock/nearby?{query}", headers=api_token(make_user(Role.DISPATCHER)))
    assert [d["depot_code"] for d in dispatcher.get_json()["depots"]] == [own.code, other.code]


def test_a_clerk_reads_only_their_own_depots_fleet(client, login, two_depots):
    login(two_depots["clerk"])
    assert client.get(f"/fleet/depots/{two_depots['own'].id}").status_code == 200
    assert client.get(f"/fleet/depots/{two_depots['other'].id}").status_code == 403
