"""The schema comes only from Alembic: models and migrations agree, and the history runs both ways."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, select, text

import core.audit.models  # noqa: F401
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
NO_TRANSIT_REVISION = "0006"  # the last revision before goods in transit had lots of their own
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


def test_tokens_made_before_service_accounts_stop_working(empty_database):
    """Until 0011 admins minted tokens for people, so any live one may have been seen by someone else."""
    migrate.upgrade(empty_database, "0010")
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (username, display_name, password_hash, role, active, "
                                "session_version, created_at) VALUES ('wang', 'Wang', 'x', 'clerk', true, 0, "
                                "CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO api_tokens (user_id, name, token_hash, created_at) SELECT id, 'gis', "
                                "'h', CURRENT_TIMESTAMP FROM users"))
    migrate.upgrade(empty_database)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT t.revoked_at, t.issued_by_id, u.service_account FROM api_tokens t "
                                      "JOIN users u ON u.id = t.user_id")).one()
    engine.dispose()
    assert row.revoked_at is not None and row.issued_by_id is None and not row.service_account


def test_history_is_one_line():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1 and len(script.get_bases()) == 1
    revisions = list(script.walk_revisions())
    assert all(len(r._versioned_down_revisions) <= 1 for r in revisions)


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


def reflected_checksum(url: str) -> str:
    """The backup's checksum over the ledger as the schema at the database's revision holds it."""
    engine = create_engine(url)
    with engine.connect() as connection:
        metadata = MetaData()
        metadata.reflect(connection, only=list(inventory.LEDGER_TABLES))
        digest = backup.checksum(connection, inventory.LEDGER_TABLES, metadata)
    engine.dispose()
    return digest


def stock_by_batch(url: str) -> dict[tuple, int]:
    """Each batch's balance, and the sum of its movements, per depot (goods in transit counted at their depot)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT l.depot_id, l.item_id, l.batch_no, SUM(l.on_hand), "
            "(SELECT COALESCE(SUM(m.quantity), 0) FROM movements m JOIN lots k ON k.id = m.lot_id "
            " WHERE k.depot_id = l.depot_id AND k.item_id = l.item_id AND k.batch_no = l.batch_no) "
            "FROM lots l GROUP BY l.depot_id, l.item_id, l.batch_no")).all()
    engine.dispose()
    return {(depot, item, batch): (int(on_hand), int(moved)) for depot, item, batch, on_hand, moved in rows}


def test_demo_data_keeps_its_ledger_through_migrating_down_and_up(empty_database):
    migrate.upgrade(empty_database)
    load_demo_with_history(empty_database)
    balances = stock_by_batch(empty_database)
    assert all(on_hand == moved for on_hand, moved in balances.values())

    # Below 0007 the ledger keeps no goods in transit: the transfer's passage through transit goes, its balances stay.
    migrate.downgrade(empty_database, NO_TRANSIT_REVISION)
    assert stock_by_batch(empty_database) == balances
    before = reflected_checksum(empty_database)

    migrate.downgrade(empty_database, LEDGER_REVISION)
    migrate.upgrade(empty_database, NO_TRANSIT_REVISION)
    assert reflected_checksum(empty_database) == before
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []
