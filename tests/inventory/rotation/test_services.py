"""Rotation: the due list, four-eyes plans, partial execution, and refusal to rotate what is promised."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import clock
from core.db import Session
from core.errors import DomainError, FourEyesError
from core.models import Role
from inventory.rotation.models import RotationPlanStatus
from inventory.rotation.queries import list_rotation_due, rotation_due_totals
from inventory.rotation.services import (
    RotationIn,
    RotationLineRequest,
    RotationOut,
    approve_rotation_plan,
    cancel_rotation_plan,
    draft_rotation_plan,
    execute_rotation,
)
from inventory.stock.models import Lot, Movement, MovementKind
from inventory.stock.services.errors import InsufficientStockError
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer

pytestmark = pytest.mark.usefixtures("reconciled")


@pytest.fixture
def setting(make_depot, make_item, make_user, receive):
    depot = make_depot()
    item = make_item(shelf_life_days=730, rotation_lead_days=60)
    clerk = make_user(Role.CLERK, depots=[depot])
    due = receive(depot, item, 10, "DUE", expiry=clock.today() + timedelta(days=30), unit_cost=Decimal("100"))
    fine = receive(depot, item, 10, "FINE", expiry=clock.today() + timedelta(days=300))
    return {"depot": depot, "item": item, "clerk": clerk, "admin": make_user(Role.ADMIN), "due": due, "fine": fine}


def sale(lot, quantity=10, **change):
    request = RotationLineRequest(lot.id, quantity, "sell", "purchase", counterparty="某超市",
                                  expected_unit_proceeds=Decimal("60"), replacement_quantity=10,
                                  replacement_unit_cost=Decimal("110"), supplier="际华集团")
    for name, value in change.items():
        setattr(request, name, value)
    return request


def balance(lot_id):
    return tuple(Session.execute(select(Lot.on_hand, Lot.reserved).where(Lot.id == lot_id)).one())


def test_the_due_list_holds_due_and_expired_lots_most_urgent_first(setting, receive, expire):
    stale = receive(setting["depot"], setting["item"], 4, "STALE")
    expire(stale, days_ago=3)
    page = list_rotation_due()
    assert [(due.lot.batch_no, due.state) for due in page.items] == [("STALE", "expired"), ("DUE", "due")]
    assert page.items[1].book_value == Decimal("1000.00")
    totals = rotation_due_totals()
    assert (totals["lots"], totals["quantity"], totals["expired_lots"]) == (2, 14, 1)
    assert [d.lot.batch_no for d in list_rotation_due(within_days=400).items] == ["STALE", "DUE", "FINE"]


def test_a_plan_needs_a_second_person_and_then_holds_its_stock(setting):
    plan = draft_rotation_plan(setting["depot"].id, [sale(setting["due"])], setting["clerk"])
    assert plan.document.number.startswith("LH-")
    with pytest.raises(FourEyesError):
        approve_rotation_plan(plan.id, setting["clerk"])
    approve_rotation_plan(plan.id, setting["admin"])
    assert balance(setting["due"].id) == (10, 10)
    with pytest.raises(InsufficientStockError):
        issue_stock(Issue(setting["depot"].id, [IssueLine(setting["item"].id, 1,
                                                                             lot_id=setting["due"].id)], "x"),
                             setting["clerk"])


def test_execution_may_be_partial_and_is_visible(setting):
    plan = draft_rotation_plan(setting["depot"].id, [sale(setting["due"])], setting["clerk"])
    approve_rotation_plan(plan.id, setting["admin"])
    line_id = plan.lines[0].id
    plan = execute_rotation(plan.id, setting["clerk"], outs=[RotationOut(line_id, 4, Decimal("240"))])
    assert plan.status == RotationPlanStatus.PARTIALLY_EXECUTED and balance(setting["due"].id) == (6, 6)
    with pytest.raises(DomainError):
        execute_rotation(plan.id, setting["clerk"], outs=[RotationOut(line_id, 7)])
    arrival = RotationIn(line_id, 10, "NEW-1", Decimal("110"), production_date=clock.today())
    plan = execute_rotation(plan.id, setting["clerk"], outs=[RotationOut(line_id, 6, Decimal("360"))],
                                     ins=[arrival])
    assert plan.status == RotationPlanStatus.EXECUTED and plan.lines[0].actual_proceeds == Decimal("600")
    kinds = Session.scalars(select(Movement.kind).where(Movement.rotation_plan_id == plan.id)).all()
    assert sorted(kinds) == [MovementKind.ROTATION_IN, MovementKind.ROTATION_OUT, MovementKind.ROTATION_OUT]
    new = Session.scalar(select(Lot).where(Lot.batch_no == "NEW-1"))
    assert new.on_hand == 10 and new.expiry_date == clock.today() + timedelta(days=730)


def test_reserved_or_missing_stock_cannot_be_put_in_a_plan(setting, make_depot):
    transfer = draft_transfer(TransferRequest(setting["depot"].id, make_depot().id,
                                                       [IssueLine(setting["item"].id, 7, lot_id=setting["due"].id)]),
                                       setting["clerk"])
    approve_transfer(transfer.id, setting["admin"])
    with pytest.raises(InsufficientStockError) as refused:
        draft_rotation_plan(setting["depot"].id, [sale(setting["due"], 4)], setting["clerk"])
    assert "quantity" in refused.value.fields["lines"][0]
    with pytest.raises(DomainError) as refused:
        draft_rotation_plan(setting["depot"].id, [sale(setting["fine"], 1)], setting["clerk"])
    assert "not due" in refused.value.fields["lines"][0]["lot_id"][0]


@pytest.mark.parametrize("change, field", [
    ({"action": "transfer"}, "destination_id"),
    ({"counterparty": ""}, "counterparty"),
    ({"replacement": "reduction"}, "reduction_reason"),
    ({"replacement_quantity": 0}, "replacement_quantity"),
])
def test_plan_lines_are_checked_beside_their_fields(setting, change, field):
    with pytest.raises(DomainError) as refused:
        draft_rotation_plan(setting["depot"].id, [sale(setting["due"], **change)], setting["clerk"])
    assert field in refused.value.fields["lines"][0]


def test_transfer_to_a_depot_using_it_sooner_keeps_the_batch(setting, make_depot):
    destination = make_depot()
    line = sale(setting["due"], 5, action="transfer", destination_id=destination.id, replacement="reduction",
                reduction_reason="县里改储方便食品")
    plan = draft_rotation_plan(setting["depot"].id, [line], setting["clerk"])
    approve_rotation_plan(plan.id, setting["admin"])
    plan = execute_rotation(plan.id, setting["clerk"], outs=[RotationOut(plan.lines[0].id, 5)])
    assert plan.status == RotationPlanStatus.EXECUTED
    moved = Session.scalar(select(Lot).where(Lot.depot_id == destination.id))
    assert (moved.batch_no, moved.on_hand, moved.unit_cost) == ("DUE", 5, Decimal("100.00"))


def test_cancelling_gives_back_what_was_not_executed(setting):
    plan = draft_rotation_plan(setting["depot"].id, [sale(setting["due"])], setting["clerk"])
    approve_rotation_plan(plan.id, setting["admin"])
    execute_rotation(plan.id, setting["clerk"], outs=[RotationOut(plan.lines[0].id, 3)])
    cancel_rotation_plan(plan.id, setting["clerk"])
    assert balance(setting["due"].id) == (7, 0)
