"""The schema comes only from Alembic: models and migrations agree, and the history runs both ways."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select

import core.models  # noqa: F401
import dispatch
import inventory

inventory.load_models()
dispatch.load_models()
from core import backup, create_app, migrate
from core.db import Base, Session
from core.models import Role, User
from core.services import create_user
from inventory.stock.models import Lot
from inventory.stock.services import (
    Arrival,
    Issue,
    IssueLine,
    TransferRequest,
    approve_transfer,
    draft_transfer,
    issue_stock,
    receive_transfer,
    ship_transfer,
)

LEDGER_REVISION = "0002"  # the revision that creates the ledger: below it there is no stock left to keep
DEMO_SCALE = "宁夏"  # the smallest demo province that still has every depot level


def differences(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_models_and_migrations_agree_and_history_runs_down_and_up(empty_database):
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []
    migrate.downgrade(empty_database, "base")
    assert tables(empty_database) <= {"alembic_version"}
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []
    assert {t.name for t in Base.metadata.sorted_tables} <= tables(empty_database)


def test_history_is_one_line():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1 and len(script.get_bases()) == 1
    revisions = list(script.walk_revisions())
    assert all(len(r._versioned_down_revisions) <= 1 for r in revisions)


def ledger_checksum(url: str) -> str:
    """The backup's own checksum over documents, lots and movements."""
    engine = create_engine(url)
    with engine.connect() as connection:
        digest = backup.checksum(connection, inventory.LEDGER_TABLES)
    engine.dispose()
    return digest


def load_demo_with_history(url: str) -> None:
    """The demo network and its opening stock, then an issue and a transfer received at its destination."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    seeded = app.test_cli_runner().invoke(args=["seed", "demo", "--scale", DEMO_SCALE])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        admin = Session.scalar(select(User).where(User.role == Role.ADMIN))
        approver = create_user("approver", "Approver", "long password", Role.ADMIN, actor=None)
        lot = Session.scalar(select(Lot).where(Lot.on_hand >= 10).order_by(Lot.id))
        destination = Session.scalar(select(Lot.depot_id).where(Lot.depot_id != lot.depot_id).limit(1))
        issue_stock(Issue(lot.depot_id, [IssueLine(lot.item_id, 3, lot_id=lot.id)], recipient="安置点"), admin)
        transfer = draft_transfer(TransferRequest(lot.depot_id, destination, [IssueLine(lot.item_id, 2)]), admin)
        approve_transfer(transfer.id, approver)
        ship_transfer(transfer.id, admin)
        receive_transfer(transfer.id, Arrival(), approver)
    Session.remove()
    app.extensions["db_engine"].dispose()


def test_demo_data_keeps_its_ledger_through_migrating_down_and_up(empty_database):
    migrate.upgrade(empty_database)
    load_demo_with_history(empty_database)
    before = ledger_checksum(empty_database)

    migrate.downgrade(empty_database, LEDGER_REVISION)
    migrate.upgrade(empty_database)

    assert ledger_checksum(empty_database) == before
    assert differences(empty_database) == []
