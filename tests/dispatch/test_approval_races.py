"""Approvals racing for the same stock on PostgreSQL, started at the same instant: two plans of different incidents,
two plans of one incident, and an approval against a clerk's issue of the same lot. However they interleave,
exactly one plan ends approved and no lot is ever promised beyond its balance."""
from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import clock, create_app, migrate
from core.db import Session
from core.errors import DomainError
from core.models import Role, User
from dispatch.demand.models import DemandLine, DemandVersion
from dispatch.fleet.models import Mode
from dispatch.incidents.models import AffectedArea, Incident, IncidentType
from dispatch.plans.models import Plan, PlanLine, PlanStatus, SourceKind
from dispatch.plans.services import StockChangedError, approve_plan, cancel_plan
from inventory.network.models import DepotLevel
from inventory.stock.models import Lot, Reservation
from inventory.stock.queries import ledger_mismatches
from inventory.stock.services import Issue, IssueLine, issue_stock
from tests.conftest import fresh_postgres_database, postgres_url
from tests.factories import region

pytestmark = pytest.mark.postgres
ROUNDS = 4
STOCK, WANTED, ISSUED = 100, 80, 50  # two of the three never fit together in one lot


@pytest.fixture
def app():
    """A throw-away PostgreSQL database (the conftest's app, on the server the races need)."""
    if not postgres_url():
        pytest.skip("no PostgreSQL server configured (DATABASE_URL or TEST_POSTGRES_URL)")
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "races", "TESTING": True})
        with app.app_context():
            from seed.loader import load_regions

            load_regions(Session)
            Session.commit()
        yield app
        Session.remove()
        app.extensions["db_engine"].dispose()


@pytest.fixture
def stock(make_depot, make_item, make_user, receive):
    depot, item = make_depot(DepotLevel.COUNTY), make_item()
    lot = receive(depot, item, STOCK)
    dispatcher, clerk = make_user(Role.DISPATCHER), make_user(Role.CLERK, depots=[depot])
    return {"depot": depot.id, "item": item.id, "lot": lot.id, "dispatcher": dispatcher.id, "clerk": clerk.id}


def a_plan(stock: dict, incident_id: int | None = None) -> int:
    """A proposed plan taking WANTED units from the depot to one area, as the planner would have saved it."""
    dispatcher = stock["dispatcher"]
    if incident_id is None:
        incident = Incident(kind=IncidentType.EARTHQUAKE, title="测试地震",
                            started_at=clock.utcnow() - timedelta(hours=1), created_by_id=dispatcher)
        Session.add(incident)
        Session.flush()
        incident_id = incident.id
        county = region("510107")
        Session.add(AffectedArea(incident_id=incident_id, name=county.name, region_id=county.id, latitude=30.6,
                                 longitude=104.0, affected_population=1000, displaced_population=500,
                                 created_by_id=dispatcher))
        Session.flush()
    area = Session.scalar(select(AffectedArea).where(AffectedArea.incident_id == incident_id))
    number = (Session.scalar(select(func.count(Plan.id)).where(Plan.incident_id == incident_id)) or 0) + 1
    version = DemandVersion(incident_id=incident_id, number=number, created_by_id=dispatcher)
    version.lines.append(DemandLine(area_id=area.id, item_id=stock["item"], quantity=WANTED,
                                    due_at=clock.utcnow() + timedelta(hours=9)))
    plan = Plan(incident_id=incident_id, number=number, demand_version=version, snapshot_at=clock.utcnow(),
                created_by_id=dispatcher, kpis={}, allocation_kpis={}, baseline_kpis={}, objectives={},
                open_levels=[], stats={})
    plan.lines.append(PlanLine(source_kind=SourceKind.DEPOT, depot_id=stock["depot"], source_level=DepotLevel.COUNTY,
                               area_id=area.id, item_id=stock["item"], mode=Mode.ROAD, quantity=WANTED, due_hours=9,
                               eta_hours=2, arrival_hours=2, on_time_quantity=WANTED, cost=Decimal("100.00"),
                               tonne_km=Decimal("12.000")))
    Session.add(plan)
    Session.commit()
    return plan.id


def at_once(app, *steps) -> list:
    """Run each step in its own thread and transaction, released together; what each returned or raised."""
    start, outcomes = threading.Barrier(len(steps)), [None] * len(steps)

    def run(index, step):
        with app.app_context():
            start.wait()
            try:
                outcomes[index] = step()
            except DomainError as refused:
                outcomes[index] = refused
            finally:
                Session.remove()

    threads = [threading.Thread(target=run, args=(index, step)) for index, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def approving(plan_id: int, user_id: int):
    return lambda: approve_plan(plan_id, Session.get(User, user_id)).status


def issuing(stock: dict):
    return lambda: issue_stock(Issue(stock["depot"], [IssueLine(stock["item"], ISSUED, lot_id=stock["lot"])],
                                     recipient="县民政局"), Session.get(User, stock["clerk"])).number


def the_lot(stock: dict) -> Lot:
    Session.expire_all()
    return Session.get(Lot, stock["lot"])


def held() -> int:
    return int(Session.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0))))


def reset(stock: dict) -> None:
    """Free the lot for the next round: cancelling the approved plan releases what it holds."""
    dispatcher = Session.get(User, stock["dispatcher"])
    for plan_id in Session.scalars(select(Plan.id).where(Plan.status == PlanStatus.APPROVED)).all():
        cancel_plan(plan_id, dispatcher, "next round")
    assert held() == 0


def test_two_approvals_for_the_same_stock_end_with_one_approved(app, stock):
    for _round in range(ROUNDS):
        first, second = a_plan(stock), a_plan(stock)
        outcomes = at_once(app, approving(first, stock["dispatcher"]), approving(second, stock["dispatcher"]))
        approved = [o for o in outcomes if o == PlanStatus.APPROVED]
        refused = [o for o in outcomes if isinstance(o, StockChangedError)]
        assert len(approved) == 1 and len(refused) == 1, outcomes
        lot = the_lot(stock)
        assert lot.reserved == WANTED == held() and lot.reserved <= lot.on_hand
        statuses = {Session.get(Plan, plan_id).status for plan_id in (first, second)}
        assert statuses == {PlanStatus.APPROVED, PlanStatus.PROPOSED}
        reset(stock)
    assert ledger_mismatches() == []


def test_two_approvals_of_one_incident_take_turns_and_the_later_supersedes(app, stock):
    first = a_plan(stock)
    incident_id = Session.get(Plan, first).incident_id
    second = a_plan(stock, incident_id)
    outcomes = at_once(app, approving(first, stock["dispatcher"]), approving(second, stock["dispatcher"]))
    # The incident's lock makes them take turns: the later approval supersedes the earlier, releasing its stock
    # first, so both succeed in turn and one plan is left approved.
    assert all(o == PlanStatus.APPROVED for o in outcomes), outcomes
    Session.expire_all()
    statuses = sorted(Session.get(Plan, plan_id).status.value for plan_id in (first, second))
    assert statuses == ["approved", "superseded"]
    lot = the_lot(stock)
    assert lot.reserved == WANTED == held()
    assert ledger_mismatches() == []


def test_an_approval_racing_a_clerks_issue_never_over_commits_the_lot(app, stock):
    for _round in range(ROUNDS):
        plan_id = a_plan(stock)
        approval, issue = at_once(app, approving(plan_id, stock["dispatcher"]), issuing(stock))
        lot = the_lot(stock)
        assert lot.reserved <= lot.on_hand and lot.on_hand >= 0
        if approval == PlanStatus.APPROVED:
            assert isinstance(issue, DomainError)  # the issue found the stock promised
            assert lot.reserved == WANTED == held()
        else:
            assert isinstance(approval, StockChangedError) and isinstance(issue, str)  # the issue came first
            assert lot.reserved == 0 == held()
        assert ledger_mismatches() == []
        reset(stock)
        top_up(stock, STOCK - the_lot(stock).on_hand)


def top_up(stock: dict, quantity: int) -> None:
    if quantity <= 0:
        return
    from inventory.stock.services import Receipt, ReceiptLine, receive_stock

    lot = the_lot(stock)
    receive_stock(Receipt(stock["depot"], [ReceiptLine(stock["item"], quantity, lot.batch_no, lot.unit_cost,
                                                       lot.funding_source.value, expiry_date=lot.expiry_date)]),
                  Session.get(User, stock["clerk"]))
