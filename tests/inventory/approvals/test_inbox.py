"""The approvals inbox: what waits for a user's signature, and only what they may sign."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core import clock
from core.models import Role
from core.services import issue_token
from inventory.approvals.queries import WaitingKind, count_by_kind, count_waiting, list_waiting, waiting_depots
from inventory.rotation.services import approve_rotation_plan
from inventory.stock.services.counts import open_count, record_counts
from inventory.stock.services.issues import IssueLine
from inventory.stock.services.scraps import ScrapRequestLine, approve_scrap, request_scrap
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer
from tests.inventory.rotation.test_services import sale

pytestmark = pytest.mark.usefixtures("reconciled")


@pytest.fixture
def depot_work(make_depot, make_item, make_user, receive):
    """Two depots, one clerk at each, an admin; at the first depot one document of each kind drafted by its clerk."""
    from inventory.rotation.services import draft_rotation_plan

    depot, other = make_depot(), make_depot()
    item = make_item(shelf_life_days=730, rotation_lead_days=60)
    clerk, other_clerk = make_user(Role.CLERK, depots=[depot]), make_user(Role.CLERK, depots=[other])
    due = receive(depot, item, 10, "DUE", expiry=clock.today() + timedelta(days=30))
    spare = receive(depot, item, 40, "SPARE")
    receive(other, item, 5, "OTHER")
    transfer = draft_transfer(TransferRequest(depot.id, other.id, [IssueLine(item.id, 5, lot_id=spare.id)]), clerk)
    scrap = request_scrap(depot.id, [ScrapRequestLine(spare.id, 2)], "water damage", clerk)
    plan = draft_rotation_plan(depot.id, [sale(due)], clerk)
    count = open_count(depot.id, clerk)
    record_counts(count.id, {line.id: line.expected for line in count.lines}, clerk)
    numbers = {"transfer": transfer.document.number, "scrap": scrap.document.number}
    return {"numbers": numbers, "depot": depot, "other": other, "clerk": clerk, "other_clerk": other_clerk,
            "admin": make_user(Role.ADMIN), "transfer": transfer, "scrap": scrap, "plan": plan, "count": count,
            "item": item}


def kinds(user, **filters):
    return [waiting.kind for waiting in list_waiting(user, **filters).items]


def test_an_admin_sees_one_of_each_kind_oldest_first_with_who_drafted_it(depot_work):
    page = list_waiting(depot_work["admin"])
    assert [w.kind for w in page.items] == [WaitingKind.TRANSFER, WaitingKind.SCRAP, WaitingKind.ROTATION_PLAN,
                                            WaitingKind.COUNT]
    assert page.total == 4 and count_waiting(depot_work["admin"]) == 4
    assert {w.number for w in page.items} == {depot_work[key].document.number
                                             for key in ("transfer", "scrap", "plan", "count")}
    assert {w.drafted_by for w in page.items} == {f"Test User ({depot_work['clerk'].username})"}
    assert {w.depot_code for w in page.items} == {depot_work["depot"].code}


def test_nobody_is_asked_to_sign_what_they_drafted_or_counted(depot_work):
    assert list_waiting(depot_work["clerk"]).total == 0
    assert count_waiting(depot_work["clerk"]) == 0


def test_a_clerk_sees_only_their_own_depots(depot_work, make_user):
    colleague = make_user(Role.CLERK, depots=[depot_work["depot"]])
    assert len(kinds(colleague)) == 4
    assert kinds(depot_work["other_clerk"]) == []
    assert waiting_depots(depot_work["other_clerk"]) == []
    for role in (Role.DISPATCHER, Role.FINANCE):
        assert count_waiting(make_user(role)) == 0


def test_a_count_waits_only_once_every_lot_is_counted_and_not_for_a_counter(depot_work, make_user, receive):
    colleague = make_user(Role.CLERK, depots=[depot_work["other"]])
    count = open_count(depot_work["other"].id, depot_work["other_clerk"])
    assert WaitingKind.COUNT not in kinds(colleague)  # nothing counted yet
    record_counts(count.id, {count.lines[0].id: 5}, colleague)
    assert WaitingKind.COUNT not in kinds(colleague)  # the colleague counted: another person approves
    assert kinds(depot_work["admin"], depot_id=depot_work["other"].id) == [WaitingKind.COUNT]


def test_what_is_signed_leaves_the_inbox(depot_work):
    admin = depot_work["admin"]
    approve_transfer(depot_work["transfer"].id, admin)
    approve_scrap(depot_work["scrap"].id, admin)
    approve_rotation_plan(depot_work["plan"].id, admin)
    assert kinds(admin) == [WaitingKind.COUNT]


def test_filters_by_kind_and_depot_and_counts_each_kind(depot_work):
    admin = depot_work["admin"]
    assert kinds(admin, kind=WaitingKind.SCRAP) == [WaitingKind.SCRAP]
    assert kinds(admin, depot_id=depot_work["other"].id) == []
    assert count_by_kind(admin) == dict.fromkeys(WaitingKind, 1)
    assert count_by_kind(admin, depot_id=depot_work["other"].id) == dict.fromkeys(WaitingKind, 0)
    assert waiting_depots(admin) == [(depot_work["depot"].id, depot_work["depot"].code, depot_work["depot"].name)]


def test_a_service_accounts_drafts_wait_for_someone_other_than_who_issued_its_token(depot_work, make_user):
    from core.services import create_user
    from inventory.network.services import assign_clerk

    admin, colleague = depot_work["admin"], make_user(Role.ADMIN)
    robot = create_user("warehouse-system", "Warehouse system", None, Role.CLERK, actor=admin, service_account=True)
    assign_clerk(depot_work["other"].id, robot.username, actor=admin)
    issue_token(robot.id, "import", actor=admin)
    line = IssueLine(depot_work["item"].id, 1)
    draft_transfer(TransferRequest(depot_work["other"].id, depot_work["depot"].id, [line]), robot)
    assert kinds(admin, depot_id=depot_work["other"].id) == []
    assert kinds(colleague, depot_id=depot_work["other"].id) == [WaitingKind.TRANSFER]
    assert count_waiting(robot) == 0  # a service account approves nothing


def test_the_inbox_page_links_each_document_and_the_header_shows_the_count(depot_work, login):
    client = login(depot_work["admin"])
    html = client.get("/inbox").get_data(as_text=True)
    for key in ("transfer", "scrap"):
        assert f'href="/documents/{depot_work[key].document_id}"' in html
    assert f'href="/counts/{depot_work["count"].id}"' in html
    assert f'href="/rotation-plans/{depot_work["plan"].id}"' in html
    assert re.search(r'href="/inbox"[^>]*>Inbox <span class="count"[^>]*>4</span>', html)
    scraps = client.get("/inbox?kind=scrap").get_data(as_text=True)
    assert depot_work["numbers"]["scrap"] in scraps and depot_work["numbers"]["transfer"] not in scraps
    stale = client.get("/inbox?kind=nonsense&depot=99999999999999999999&page=-3")
    assert stale.status_code == 200 and "Nothing waits for your signature." not in stale.get_data(as_text=True)


def test_the_inbox_is_for_those_who_sign(depot_work, login, make_user):
    client = login(depot_work["clerk"])
    html = client.get("/inbox").get_data(as_text=True)
    assert "Nothing waits for your signature." in html and 'class="count"' not in html
    client.post("/logout")
    assert login(make_user(Role.FINANCE)).get("/inbox").status_code == 403
