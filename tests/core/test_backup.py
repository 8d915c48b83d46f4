"""`flask backup create` and `flask backup restore`: the whole database to a portable file and back, across engines.

The source is the database the suite runs on; the target is an empty SQLite file and an empty PostgreSQL
database, so the SQLite run covers SQLite → both and the PostgreSQL run PostgreSQL → both.
"""
from __future__ import annotations

import gzip
import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, func, select, text

from core import create_app
from core.db import Base, Session
from core.models import Role, User
from inventory.stock.models import Document, Lot, Movement
from inventory.stock.services import Receipt, ReceiptLine, receive_stock

CHECKSUM = re.compile(r"Checksum of documents, lots, movements: ([0-9a-f]{64})")


def ledger_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of the ledger tables, compared value by value (not through the backup's own checksum)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {model.__tablename__: [tuple(row) for row in connection.execute(
            select(model.__table__).order_by(model.id))] for model in (Document, Lot, Movement)}
    engine.dispose()
    return rows


def restore_into(url: str, backup_file):
    target = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    return target, target.test_cli_runner().invoke(args=["backup", "restore", str(backup_file)])


def test_a_restored_database_holds_the_same_ledger_and_goes_on_numbering(app, runner, make_history, empty_database,
                                                                         tmp_path):
    make_history()
    backup_file = tmp_path / "relief.jsonl.gz"
    made = runner.invoke(args=["backup", "create", str(backup_file)])
    assert made.exit_code == 0, made.output
    source_rows = ledger_rows(app.config["DATABASE_URL"])

    target, restored = restore_into(empty_database, backup_file)

    assert restored.exit_code == 0, restored.output
    assert CHECKSUM.search(restored.output).group(1) == CHECKSUM.search(made.output).group(1)
    assert ledger_rows(empty_database) == source_rows
    reconciled = target.test_cli_runner().invoke(args=["stock", "reconcile"])
    assert reconciled.exit_code == 0, reconciled.output
    with target.app_context():  # new rows get new ids: PostgreSQL's sequences were moved past the restored ones
        admin = Session.scalar(select(User).where(User.role == Role.ADMIN))
        lot = Session.scalar(select(Lot).order_by(Lot.id))
        receive_stock(Receipt(lot.depot_id, [ReceiptLine(lot.item_id, 5, "AFTER-RESTORE", Decimal("1.00"), "county",
                                                         expiry_date=date.today() + timedelta(days=90))]), admin)
        assert Session.scalar(select(func.count(Movement.id))) == len(source_rows["movements"]) + 1
    Session.remove()
    target.extensions["db_engine"].dispose()


def test_the_backup_names_every_table_of_the_schema_with_its_row_count(app, runner, make_history, tmp_path):
    make_history()
    made = runner.invoke(args=["backup", "create", str(tmp_path / "relief.jsonl")])
    assert made.exit_code == 0, made.output
    end = (tmp_path / "relief.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    counts = dict(re.findall(r'"(\w+)":(\d+)', end.split('"checksum"')[0]))
    assert set(counts) == set(Base.metadata.tables)  # tables come from the models, none listed by hand
    with app.app_context():
        assert int(counts["movements"]) == Session.scalar(select(func.count(Movement.id))) > 0
    Session.remove()


def test_restore_refuses_a_database_that_holds_rows(app, runner, make_history, tmp_path):
    make_history()
    backup_file = tmp_path / "relief.jsonl"
    runner.invoke(args=["backup", "create", str(backup_file)])
    before = ledger_rows(app.config["DATABASE_URL"])
    refused = runner.invoke(args=["backup", "restore", str(backup_file)])
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert ledger_rows(app.config["DATABASE_URL"]) == before


def test_a_backup_cut_short_is_refused_and_leaves_the_database_empty(app, runner, make_history, empty_database,
                                                                     tmp_path):
    make_history()
    whole, cut = tmp_path / "whole.jsonl.gz", tmp_path / "cut.jsonl.gz"
    runner.invoke(args=["backup", "create", str(whole)])
    lines = gzip.decompress(whole.read_bytes()).splitlines(keepends=True)
    cut.write_bytes(gzip.compress(b"".join(lines[:-1])))

    target, refused = restore_into(empty_database, cut)

    assert refused.exit_code == 1 and "incomplete" in refused.output
    assert ledger_rows(empty_database) == {"documents": [], "lots": [], "movements": []}
    target.extensions["db_engine"].dispose()


def test_a_table_the_models_do_not_describe_stops_the_backup(app, runner, tmp_path):
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes_by_hand (id INTEGER PRIMARY KEY)"))
    try:
        refused = runner.invoke(args=["backup", "create", str(tmp_path / "relief.jsonl")])
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE notes_by_hand"))
    assert refused.exit_code == 1 and "notes_by_hand" in refused.output
    assert not (tmp_path / "relief.jsonl").exists()
