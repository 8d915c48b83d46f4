"""The audit log: every state change and sign-in with who, when and from where; append-only; for admins only."""
from __future__ import annotations

import csv
import getpass
import io
import json

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DatabaseError

from core import migrate
from core.audit.models import AuditAction, AuditEntry, AuditSource
from core.db import Base, Session
from core.models import Role
from tests.factories import PASSWORD
from tests.inventory.stock.test_views import lines, receipt_line
from tests.test_chinese_pages import world  # noqa: F401  (a planned incident, among everything else)


def entries(**where) -> list[AuditEntry]:
    Session.remove()
    statement = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        statement = statement.where(getattr(AuditEntry, column) == value)
    return list(Session.scalars(statement))


def changes(entry: AuditEntry) -> dict:
    return json.loads(entry.changes) if entry.changes else {}


def test_every_model_says_whether_it_is_audited():
    undecided = sorted(mapper.class_.__name__ for mapper in Base.registry.mappers
                       if "__audit__" not in vars(mapper.class_))
    assert undecided == [], "declare __audit__ (a label, or None with the reason) on these models"


def test_a_clerks_receipt_is_logged_with_who_when_and_from_where(make_depot, make_item, make_user, login):
    depot, item = make_depot(), make_item()
    clerk = make_user(Role.CLERK, depots=[depot])
    response = login(clerk).post(f"/depots/{depot.id}/receipts/new",
                                 data={"supplier": "Chengdu Textiles", **lines(receipt_line(item))})
    assert response.status_code == 302
    [document] = entries(subject="documents")
    assert (document.action, document.actor_id, document.source) == (AuditAction.CREATE, clerk.id, AuditSource.WEB)
    assert document.actor_name == f"Test User ({clerk.username})" and document.address == "127.0.0.1"
    assert document.reference.startswith("RK-") and changes(document)["counterparty"] == [None, "Chengdu Textiles"]
    assert entries(subject="movements") == [] and entries(subject="lots") == []  # the ledger is its own record


def test_an_approval_through_the_api_names_the_token(make_depot, make_item, make_user, receive, client, api_token):
    depot, other, item = make_depot(), make_depot(), make_item()
    clerk, admin = make_user(Role.CLERK, depots=[depot]), make_user(Role.ADMIN)
    receive(depot, item, 20)
    transfer = client.post("/api/v1/transfers", json={"source_id": depot.id, "destination_id": other.id,
                                                      "lines": [{"item_id": item.id, "quantity": 8}]},
                           headers=api_token(clerk)).get_json()
    assert client.post(f"/api/v1/transfers/{transfer['id']}/approve", headers=api_token(admin)).status_code == 200
    approval = [entry for entry in entries(subject="transfers") if entry.action == AuditAction.UPDATE][-1]
    assert (approval.actor_id, approval.source, approval.token_name) == (admin.id, AuditSource.API, "tests")
    assert changes(approval)["status"] == ["draft", "approved"] and approval.reference == transfer["number"]


def test_secrets_are_never_written_and_a_clerks_assignment_is_named(make_depot, make_user, login):
    admin, depot = make_user(Role.ADMIN), make_depot()
    client = login(admin)
    client.post("/admin/users/new", data={"username": "wang.fang", "display_name": "王芳", "role": "clerk",
                                          "password": "long enough 123"})
    created = entries(subject="users", action=AuditAction.CREATE)[-1]
    assert created.reference == "wang.fang" and changes(created)["password_hash"] == [None, "***"]
    client.post(f"/depots/{depot.id}/clerks", data={"username": "wang.fang"})
    assigned = entries(subject="depots", action=AuditAction.UPDATE)[-1]
    assert changes(assigned) == {"clerks": [[], ["wang.fang"]]} and assigned.actor_id == admin.id
    client.post("/account/tokens", data={"name": "laptop"})
    token = entries(subject="api_tokens")[-1]
    assert changes(token)["token_hash"] == [None, "***"] and token.reference == "laptop"


def test_sign_ins_failed_sign_ins_and_sign_outs_are_logged(make_user, client):
    user = make_user(Role.FINANCE)
    client.post("/login", data={"username": user.username, "password": "wrong password"})
    client.post("/login", data={"username": "nobody-here", "password": "wrong password"})
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    client.post("/logout")
    logged = [(e.action, e.actor_id, e.reference) for e in entries(subject="users")
              if e.action != AuditAction.CREATE]
    assert logged == [(AuditAction.SIGN_IN_FAILED, user.id, user.username),
                      (AuditAction.SIGN_IN_FAILED, None, "nobody-here"),
                      (AuditAction.SIGN_IN, user.id, user.username), (AuditAction.SIGN_OUT, user.id, user.username)]


def test_a_refused_change_leaves_no_entry(make_depot, make_item, make_user, login):
    depot, item = make_depot(), make_item()
    client = login(make_user(Role.CLERK, depots=[depot]))
    before = len(entries())
    refused = client.post(f"/depots/{depot.id}/receipts/new",
                          data={"supplier": "x", **lines(receipt_line(item, production_date="", expiry_date=""))})
    assert refused.status_code in (200, 400, 422)
    assert len(entries()) == before


def test_a_command_line_change_is_logged_as_the_operator(app, runner, make_depot):
    depot = make_depot()
    result = runner.invoke(args=["users", "create", "ops.li", "--role", "clerk", "--name", "李运维"],
                           input="long enough 123\nlong enough 123\n")
    assert result.exit_code == 0, result.output
    created = entries(subject="users", reference="ops.li")
    assert created and created[0].source == AuditSource.CLI and created[0].actor_name == getpass.getuser()
    assert depot is not None


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET actor_name = 'someone else'",
                                       "DELETE FROM audit_entries"])
def test_nobody_can_change_or_delete_a_line_of_the_log(empty_database, statement):
    migrate.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_entries (at, actor_name, action, subject, source) "
                                "VALUES (CURRENT_TIMESTAMP, 'admin', 'sign_in', 'users', 'web')"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AuditEntry.__table__)) == 1
        assert connection.scalar(text("SELECT actor_name FROM audit_entries")) == "admin"
    engine.dispose()


def test_admins_browse_filter_and_export_the_log(make_depot, make_user, login):
    admin = make_user(Role.ADMIN)
    make_depot(name="芦山县储备库")
    client = login(admin)
    page = client.get("/admin/audit?subject=depots").get_data(as_text=True)
    assert "芦山县储备库" in page
    assert 'class="audit-sign_in"' not in page  # filtered to depots
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert 'class="audit-sign_in"' in everything and admin.username in everything
    exported = client.get("/admin/audit?format=csv&action=sign_in")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Time", "Who"] and len(rows) == 2 and admin.username in rows[1][1]
    bad = client.get("/admin/audit?date_from=not-a-date&action=nonsense&page=-4")
    assert bad.status_code == 200 and 'id="date_from-error"' in bad.get_data(as_text=True)


def test_the_api_lists_the_log_for_admins_only(make_user, client, api_token):
    admin, clerk = make_user(Role.ADMIN), make_user(Role.CLERK)
    answer = client.get("/api/v1/audit?subject=users&action=create", headers=api_token(admin))
    assert answer.status_code == 200
    references = {item["reference"] for item in answer.get_json()["items"]}
    assert {admin.username, clerk.username} <= references
    assert client.get("/api/v1/audit", headers=api_token(clerk)).status_code == 403
    assert client.get("/api/v1/audit?action=nonsense", headers=api_token(admin)).status_code == 400


def test_a_plan_made_by_a_planning_job_is_logged_as_made_for_the_dispatcher(world):  # noqa: F811
    dispatcher = world[Role.DISPATCHER]
    [plan] = entries(subject="plans", action=AuditAction.CREATE)
    assert (plan.actor_id, plan.source, plan.address) == (dispatcher.id, AuditSource.JOB, None)
    assert "kpis" not in changes(plan) and changes(plan)["status"][1] == "proposed"


def test_replacing_a_depots_fleet_logs_each_vehicle_removed_and_added(make_depot, make_user):
    from decimal import Decimal

    from dispatch.fleet.services import VehicleSpec, set_depot_fleet

    depot, dispatcher = make_depot(), make_user(Role.DISPATCHER)
    truck = VehicleSpec("厢式货车", 2000, Decimal(10), 60, Decimal(3), count=2)
    set_depot_fleet(depot.id, [truck], {"rail"}, dispatcher)
    set_depot_fleet(depot.id, [VehicleSpec("厢式货车", 5000, Decimal(30), 60, Decimal(4))], set(), dispatcher)
    logged = [(e.action, e.subject) for e in entries() if e.subject in ("depot_vehicles", "depot_access")]
    assert logged == [(AuditAction.CREATE, "depot_vehicles"), (AuditAction.CREATE, "depot_access"),
                      (AuditAction.DELETE, "depot_vehicles"), (AuditAction.CREATE, "depot_vehicles"),
                      (AuditAction.DELETE, "depot_access")]


@pytest.mark.parametrize(("proxies", "address"), [(0, "127.0.0.1"), (1, "10.20.30.40")])
def test_the_address_comes_from_the_proxy_only_when_one_is_trusted(database_url, make_user, proxies, address):
    from core import create_app

    user = make_user(Role.FINANCE)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test-secret", "TRUSTED_PROXIES": proxies})
    app.test_client().post("/login", data={"username": user.username, "password": PASSWORD},
                           headers={"X-Forwarded-For": "10.20.30.40"})
    [signed_in] = entries(action=AuditAction.SIGN_IN)
    assert signed_in.address == address
    app.extensions["db_engine"].dispose()
