"""Portable backups: every table of the schema as JSON lines, readable by SQLite and PostgreSQL alike.

A backup file holds one JSON document per line:

    {"format": "relief-depots backup", "version": 1, "revision": "0005", "engine": "postgresql", "created_at": …}
    {"table": "regions", "columns": ["id", "code", …]}
    [1, "110000", …]                       one line per row, in primary-key order
    …                                      every table, parents before children
    {"end": true, "rows": {"regions": 3208, …}, "checksum": "…"}

The tables come from the models' metadata, so a table a later release adds is backed up without anyone listing
it. The last line proves the file is whole (a file cut short is refused) and carries the checksum over the tables
the domains name (`checksum_tables`: the ledger), which a restore recomputes from the restored rows.
A `.gz` file name writes and reads gzip.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    create_engine,
    event,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from core import migrate
from core.db import Base, make_engine

FORMAT, VERSION = "relief-depots backup", 1
BATCH_ROWS = 2000
CHECKSUMMED = "backup_checksummed_tables"


class BackupError(Exception):
    """The backup cannot be made or restored; nothing was written to the database."""


@dataclass
class Summary:
    """What a backup holds: rows per table, and the checksum over the checksummed tables."""

    rows: dict[str, int]
    checksum: str


def checksum_tables(app: Flask, *names: str) -> None:
    """A domain names the tables whose rows the printed checksum covers (inventory: its ledger)."""
    app.extensions.setdefault(CHECKSUMMED, []).extend(names)


def checksummed(app: Flask | None = None) -> list[str]:
    """The tables the domains named for the checksum, in the order the checksum takes them."""
    return sorted((app or current_app).extensions.get(CHECKSUMMED, []))


def create_backup(database_url: str, path: Path, names: Iterable[str], metadata: MetaData = Base.metadata) -> Summary:
    """Write every table to `path` from one consistent snapshot; `names` are the tables the checksum covers."""
    engine = _snapshot_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            revision = _revision_at_head(connection, database_url)
            _refuse_unknown_tables(connection, metadata)
            return _write(connection, path, metadata, set(names), revision)
    finally:
        engine.dispose()


def restore_backup(database_url: str, path: Path, metadata: MetaData = Base.metadata) -> Summary:
    """Load a backup into an empty database (migrated to the newest schema first); all or nothing."""
    header = _read_header(path)
    head = _head(database_url)
    if header["revision"] != head:
        raise BackupError(f"The backup is of schema revision {header['revision']}, this release's is {head}: "
                          "restore it with the release that made it, then upgrade.")
    engine = make_engine(database_url)
    try:
        _refuse_non_empty(engine, metadata)
        migrate.upgrade(database_url)
        with engine.connect() as connection, connection.begin():
            return _load(connection, path, metadata)
    finally:
        engine.dispose()


def checksum(connection: Connection, names: Iterable[str], metadata: MetaData = Base.metadata) -> str:
    """A digest of every row of the named tables, the same on SQLite and PostgreSQL (and in a backup file)."""
    digests = {}
    for name in sorted(names):
        digest = hashlib.sha256()
        for line in _row_lines(connection, metadata.tables[name]):
            digest.update(line.encode())
        digests[name] = digest.hexdigest()
    return _combine(digests)


def _combine(digests: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{name}:{digests[name]}\n" for name in sorted(digests)).encode()).hexdigest()


# --- creating ---------------------------------------------------------------------------------------------------

def _snapshot_engine(database_url: str) -> Engine:
    """An engine whose transactions see one snapshot for every table they read."""
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, isolation_level="REPEATABLE READ",
                             execution_options={"postgresql_readonly": True})
    engine = create_engine(database_url)
    # pysqlite opens no transaction for SELECTs, so each would see a newer state: begin one explicitly.
    event.listen(engine, "connect", lambda dbapi_connection, _record: setattr(dbapi_connection, "isolation_level",
                                                                               None))
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _write(connection: Connection, path: Path, metadata: MetaData, names: set[str], revision: str) -> Summary:
    rows, digests = {}, {}
    partial = path.with_name(path.name + ".partial")  # renamed when whole: a crash never leaves a half backup
    with _open(partial, "wt", gzipped=_gzipped(path)) as out:
        out.write(_dumps({"format": FORMAT, "version": VERSION, "revision": revision,
                          "engine": connection.dialect.name, "created_at": datetime.now(timezone.utc).isoformat()}))
        for table in metadata.sorted_tables:
            out.write(_dumps({"table": table.name, "columns": [column.name for column in table.columns]}))
            digest, count = hashlib.sha256(), 0
            for line in _row_lines(connection, table):
                out.write(line)
                digest.update(line.encode())
                count += 1
            rows[table.name] = count
            if table.name in names:
                digests[table.name] = digest.hexdigest()
        summary = Summary(rows, _combine(digests))
        out.write(_dumps({"end": True, "rows": rows, "checksum": summary.checksum, "checksummed": sorted(names)}))
    partial.replace(path)
    return summary


def _row_lines(connection: Connection, table: Table) -> Iterator[str]:
    query = select(table).order_by(*table.primary_key.columns)
    for row in connection.execution_options(yield_per=BATCH_ROWS).execute(query):
        yield _dumps([_encode(value) for value in row])


def _encode(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return (value.astimezone(timezone.utc) if value.tzinfo else value).isoformat()
    if isinstance(value, date | Decimal):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- checks -----------------------------------------------------------------------------------------------------

def _head(database_url: str) -> str:
    return ScriptDirectory.from_config(migrate.alembic_config(database_url)).get_current_head()


def _revision_at_head(connection: Connection, database_url: str) -> str:
    revision, head = MigrationContext.configure(connection).get_current_revision(), _head(database_url)
    if revision != head:
        raise BackupError(f"The database is at schema revision {revision}, this release's is {head}: "
                          "run `flask db upgrade` first.")
    return revision


def _refuse_unknown_tables(connection: Connection, metadata: MetaData) -> None:
    """A table the models do not describe would be left out silently: refuse instead."""
    unknown = set(inspect(connection).get_table_names()) - set(metadata.tables) - {"alembic_version"}
    if unknown:
        raise BackupError(f"The database has tables this release does not know: {', '.join(sorted(unknown))}.")


def _refuse_non_empty(engine: Engine, metadata: MetaData) -> None:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        filled = [table.name for table in metadata.sorted_tables if table.name in present
                  and connection.scalar(select(literal(1)).select_from(table).limit(1)) is not None]
    if filled:
        raise BackupError(f"The database is not empty (rows in {', '.join(filled)}): restore only into an empty one.")


# --- restoring --------------------------------------------------------------------------------------------------

def _read_header(path: Path) -> dict:
    with _open(path, "rt") as lines:
        try:
            header = json.loads(lines.readline())
        except ValueError as error:
            raise BackupError(f"{path} is not a backup file.") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError(f"{path} is not a backup file of version {VERSION}.")
    return header


def _load(connection: Connection, path: Path, metadata: MetaData) -> Summary:
    rows: dict[str, int] = {}
    with _open(path, "rt") as lines:
        lines.readline()  # the header, already checked
        end = _load_tables(connection, lines, metadata, rows)
    if end is None:
        raise BackupError(f"{path} ends early: the backup is incomplete.")
    if rows != end["rows"]:
        raise BackupError(f"Rows read {rows} differ from the rows the backup lists {end['rows']}.")
    _reset_sequences(connection, metadata)
    restored = checksum(connection, end["checksummed"], metadata)
    if restored != end["checksum"]:
        raise BackupError(f"The restored rows' checksum {restored} differs from the backup's {end['checksum']}.")
    return Summary(rows, restored)


def _load_tables(connection: Connection, lines, metadata: MetaData, rows: dict[str, int]) -> dict | None:
    """Insert each table's rows in batches; returns the closing line, or None when the file stops before it."""
    table, columns, decoders, batch = None, [], [], []
    for line in lines:
        document = json.loads(line)
        if isinstance(document, list):
            batch.append({name: decode(value) for name, decode, value in zip(columns, decoders, document)})
            if len(batch) >= BATCH_ROWS:
                _insert(connection, table, batch, rows)
            continue
        _insert(connection, table, batch, rows)
        if document.get("end"):
            return document
        table = _table(metadata, document["table"])
        columns = document["columns"]
        decoders = [_decoder(table.columns[name]) for name in columns]
        rows[table.name] = 0
    return None


def _table(metadata: MetaData, name: str) -> Table:
    if name not in metadata.tables:
        raise BackupError(f"The backup has a table this release does not know: {name}.")
    return metadata.tables[name]


def _insert(connection: Connection, table: Table | None, batch: list[dict], rows: dict[str, int]) -> None:
    if table is not None and batch:
        connection.execute(table.insert(), batch)
        rows[table.name] += len(batch)
    batch.clear()


def _decoder(column):
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        return lambda value: None if value is None else datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return lambda value: None if value is None else date.fromisoformat(value)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return lambda value: None if value is None else Decimal(value)
    if isinstance(kind, LargeBinary):
        return lambda value: None if value is None else base64.b64decode(value)
    return lambda value: value


def _reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """PostgreSQL hands out ids from sequences, which the explicit ids of a restore do not advance."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        highest = select(func.coalesce(func.max(keys[0]), 0) + 1).scalar_subquery()
        connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, keys[0].name), highest,
                                              False)))


def _gzipped(path: Path) -> bool:
    return path.name.endswith(".gz")


def _open(path: Path, mode: str, gzipped: bool | None = None):
    if _gzipped(path) if gzipped is None else gzipped:
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")
