"""Demo stock and the reconciliation command."""
from __future__ import annotations

from sqlalchemy import func, select, update

from core import clock
from core.db import Session
from inventory.network.models import Depot, DepotLevel
from inventory.stock.models import Lot
from inventory.stock.queries import depot_stock


def test_demo_stock_follows_levels_has_due_and_expired_lots_and_reconciles(app, runner):
    result = runner.invoke(args=["seed", "demo", "--scale", "四川"])
    assert result.exit_code == 0, result.output
    per_depot = dict(Session.execute(
        select(Depot.level, func.sum(Lot.on_hand) / func.count(func.distinct(Depot.id)))
        .join(Lot, Lot.depot_id == Depot.id).group_by(Depot.level)).all())
    assert per_depot["central"] > per_depot["provincial"] > per_depot["municipal"] > per_depot["county"] \
        > per_depot["township"]
    today = clock.today()
    states = [line.state for entry in depot_stock(_provincial_depot(), today) for line in entry.lots]
    assert {"ok", "due", "expired"} <= set(states)
    check = runner.invoke(args=["stock", "reconcile"])
    assert check.exit_code == 0 and "Ledger reconciles" in check.output


def _provincial_depot() -> int:
    return Session.scalar(select(Depot.id).where(Depot.level == DepotLevel.PROVINCIAL))


def test_reconcile_names_a_lot_whose_balance_drifted_and_fails(app, runner, make_depot, make_item, receive):
    lot = receive(make_depot(), make_item(), 10)
    assert runner.invoke(args=["stock", "reconcile"]).exit_code == 0
    Session.execute(update(Lot).where(Lot.id == lot.id).values(on_hand=9))  # a balance edited behind the ledger
    Session.commit()
    result = runner.invoke(args=["stock", "reconcile"])
    assert result.exit_code == 1
    assert f"MISMATCH lot_id={lot.id}" in result.output and "on_hand=9" in result.output and "ledger=10" in result.output
