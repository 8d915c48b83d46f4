"""Four eyes means two people (issue #15, point 6): a person's token is made only by that person, admins and the
operator make tokens only for service accounts, and an approval is refused when the approving person drafted it,
whichever account, session or token they come with."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.errors import FourEyesError, PermissionDeniedError
from core.models import ApiToken, Role, User
from core.services import create_user, issue_token
from inventory.stock.models import Transfer
from tests.factories import PASSWORD

FAR = (date.today() + timedelta(days=700)).isoformat()


def tokens() -> int:
    return Session.scalar(select(func.count(ApiToken.id)))


def service_account(role: Role = Role.ADMIN, username: str = "gis") -> User:
    return create_user(username, "GIS integration", None, role, actor=None, service_account=True)


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def depot_with_stock(client, make_depot, make_item, make_user, api_token):
    """A depot holding 20 of an item, its clerk (id and token) and a second depot to send to."""
    depot, other, item = make_depot(), make_depot(), make_item()
    clerk = make_user(Role.CLERK, depots=[depot])
    clerk_token = api_token(clerk)
    receipt = {"depot_id": depot.id, "supplier": "际华集团", "lines": [
        {"item_id": item.id, "quantity": 20, "batch_no": "B-1", "expiry_date": FAR, "unit_cost": "180.00",
         "funding_source": "central"}]}
    assert client.post("/api/v1/receipts", json=receipt, headers=clerk_token).status_code == 201
    return {"depot": depot.id, "other": other.id, "item": item.id, "clerk": clerk, "clerk_token": clerk_token}


def draft(client, world, headers) -> int:
    body = {"source_id": world["depot"], "destination_id": world["other"],
            "lines": [{"item_id": world["item"], "quantity": 5}]}
    response = client.post("/api/v1/transfers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def approve(client, transfer_id: int, headers):
    return client.post(f"/api/v1/transfers/{transfer_id}/approve", headers=headers)


def status(transfer_id: int) -> str:
    Session.remove()
    return Session.get(Transfer, transfer_id).status.value


def test_the_issues_attack_an_admin_cannot_mint_a_token_for_a_clerk(client, make_user, login):
    admin, clerk = make_user(Role.ADMIN), make_user(Role.CLERK)
    with pytest.raises(PermissionDeniedError):
        issue_token(clerk.id, "borrowed", actor=admin)
    with pytest.raises(PermissionDeniedError):
        issue_token(clerk.id, "borrowed", actor=None)  # nor the operator at the command line
    with pytest.raises(PermissionDeniedError):
        issue_token(admin.id, "borrowed", actor=clerk)  # nor anyone for someone else
    login(admin)
    page = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert "only they make their own tokens" in page and 'name="name"' not in page
    refused = client.post(f"/admin/users/{clerk.id}", data={"name": "borrowed"})
    assert refused.status_code == 403 and "is a person, not a service account" in refused.get_data(as_text=True)
    assert tokens() == 0


def test_a_clerk_may_not_approve_their_own_draft_with_their_token_nor_their_session(client, depot_with_stock,
                                                                                   login):
    world = depot_with_stock
    transfer_id = draft(client, world, world["clerk_token"])
    refused = approve(client, transfer_id, world["clerk_token"])
    assert refused.status_code == 403 and "another person must approve" in refused.get_json()["error"]
    second_token = issue_token(world["clerk"].id, "second", actor=world["clerk"])[1]
    assert approve(client, transfer_id, bearer(second_token)).status_code == 403
    login(world["clerk"])
    page = client.post(f"/transfers/{transfer_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "You drafted this transfer; another person must approve it." in page
    assert status(transfer_id) == "draft"


def test_an_admins_draft_is_approved_by_the_clerk_a_real_second_person(client, depot_with_stock, make_user,
                                                                        api_token):
    world = depot_with_stock
    transfer_id = draft(client, world, api_token(make_user(Role.ADMIN)))
    assert approve(client, transfer_id, world["clerk_token"]).status_code == 200
    assert status(transfer_id) == "approved"


def test_a_service_account_never_counts_as_the_second_person(client, depot_with_stock, make_user, api_token):
    world = depot_with_stock
    admin = make_user(Role.ADMIN)
    robot = service_account()
    robot_token = bearer(issue_token(robot.id, "integration", actor=admin)[1])
    transfer_id = draft(client, world, api_token(admin))
    refused = approve(client, transfer_id, robot_token)
    assert refused.status_code == 403 and "service account may not approve" in refused.get_json()["error"]
    assert status(transfer_id) == "draft"


def test_whoever_issued_a_service_accounts_token_may_not_approve_what_it_drafted(client, depot_with_stock,
                                                                                make_user, api_token):
    world = depot_with_stock
    issuer, colleague = make_user(Role.ADMIN), make_user(Role.ADMIN)
    robot = service_account()
    transfer_id = draft(client, world, bearer(issue_token(robot.id, "integration", actor=issuer)[1]))
    refused = approve(client, transfer_id, api_token(issuer))
    assert refused.status_code == 403 and "You issued a token" in refused.get_json()["error"]
    assert approve(client, transfer_id, api_token(colleague)).status_code == 200


def test_the_four_eyes_rule_holds_for_counts_and_scraps_too(depot_with_stock, make_user):
    from inventory.stock.models import Lot
    from inventory.stock.services import approve_count, approve_scrap, open_count, request_scrap
    from inventory.stock.services.scraps import ScrapRequestLine

    world, admin = depot_with_stock, make_user(Role.ADMIN)
    robot = service_account(Role.ADMIN)
    issue_token(robot.id, "integration", actor=admin)
    count = open_count(world["depot"], robot)
    with pytest.raises(FourEyesError):
        approve_count(count.id, admin)
    lot_id = Session.scalar(select(Lot.id).where(Lot.depot_id == world["depot"]))
    scrap = request_scrap(world["depot"], [ScrapRequestLine(lot_id, 1)], "damaged", world["clerk"])
    with pytest.raises(FourEyesError):
        approve_scrap(scrap.id, robot)


def test_each_person_makes_lists_and_revokes_their_own_tokens(client, make_user, login):
    clerk, other = make_user(Role.CLERK), make_user(Role.CLERK)
    theirs, _raw = issue_token(other.id, "theirs", actor=other)
    login(clerk)
    assert 'href="/account/tokens"' in client.get("/").get_data(as_text=True)
    html = client.post("/account/tokens", data={"name": "spreadsheet"}).get_data(as_text=True)
    raw = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert client.application.test_client().get("/api/v1/items", headers=bearer(raw)).status_code == 200
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "spreadsheet" in listed and raw not in listed and "theirs" not in listed
    mine = Session.scalar(select(ApiToken).where(ApiToken.user_id == clerk.id))
    assert mine.issued_by_id == clerk.id
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 302
    assert client.application.test_client().get("/api/v1/items", headers=bearer(raw)).status_code == 401
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert client.post("/account/tokens", data={"name": ""}).status_code == 200 and tokens() == 2


def test_an_admin_may_revoke_a_persons_token(client, make_user, login):
    clerk = make_user(Role.CLERK)
    token, raw = issue_token(clerk.id, "laptop", actor=clerk)
    login(make_user(Role.ADMIN))
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert client.application.test_client().get("/api/v1/items", headers=bearer(raw)).status_code == 401


def test_a_service_account_is_made_on_the_new_user_page_and_never_signs_in(client, make_user, login):
    login(make_user(Role.ADMIN))
    created = client.post("/admin/users/new", data={"username": "gis", "display_name": "GIS integration",
                                                    "role": "dispatcher", "service_account": "y"})
    assert created.status_code == 302
    assert "service account" in client.get("/admin/users").get_data(as_text=True)
    person = client.post("/admin/users/new", data={"username": "wang", "display_name": "王", "role": "clerk"})
    assert person.status_code == 200 and 'id="password-error">This field is required.' in person.get_data(as_text=True)
    gis = Session.scalar(select(User).where(User.username == "gis"))
    assert gis.service_account and gis.role == Role.DISPATCHER
    page = client.get(f"/admin/users/{gis.id}").get_data(as_text=True)
    assert 'name="name"' in page
    visitor = client.application.test_client()
    refused = visitor.post("/login", data={"username": "gis", "password": PASSWORD})
    unknown = visitor.post("/login", data={"username": "nobody", "password": PASSWORD})
    assert refused.status_code == unknown.status_code == 200  # answered as an unknown user: no username oracle
    assert "Unknown username or wrong password." in refused.get_data(as_text=True)
    assert visitor.get("/").status_code == 302
