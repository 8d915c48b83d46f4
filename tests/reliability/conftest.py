"""Fixtures for the tests that run the app in real gunicorn workers on PostgreSQL and harm it: kill a worker inside
its transaction, restart the database under load.

They run when DATABASE_URL points at PostgreSQL (CI's PostgreSQL pass), each in a throw-away database, and print
their figures in a section at the end of the test session.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from core.crashpoint import ARMED, HOLD_DIR_VARIABLE
from inventory.stock.models import Document, Lot, Movement
from tests.conftest import configured_url
from tests.load.network import build_network, throwaway_database
from tests.load.server import TESTING_APP, gunicorn

FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def figures() -> list[str]:
    """Lines a test wants printed after the session (outage lengths, statuses during a restart)."""
    return FIGURES


@pytest.fixture(scope="module")
def server_database():
    url = configured_url()
    if not url:
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL pointing at PostgreSQL)")
    with throwaway_database(url, "crash") as database_url:
        yield database_url


class Hold:
    """The test-only pause of core.crashpoint: arm it, wait until a worker holds inside its transaction."""

    def __init__(self, directory: Path):
        self.directory = directory

    def arm(self) -> None:
        (self.directory / ARMED).touch()

    def holder(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            holding = list(self.directory.glob("holding-*"))
            if holding:
                holding[0].unlink()
                return int(holding[0].name.removeprefix("holding-"))
            time.sleep(0.05)
        raise AssertionError("no worker reached the pause before commit")


@pytest.fixture(scope="module")
def crash_server(server_database, tmp_path_factory):
    """Gunicorn (2 workers, 2 threads) built with TESTING and a hold directory, on a small network of depots;
    the tests of a module share it, each measuring what its own request changed."""
    network = build_network(server_database, clerks=2, depots=2, items=1)
    workdir = tmp_path_factory.mktemp("crash")
    hold_dir = workdir / "hold"
    hold_dir.mkdir()
    with gunicorn(server_database, workdir, workers=2, threads=2, app=TESTING_APP,
                  env={HOLD_DIR_VARIABLE: str(hold_dir)}) as server:
        yield server, network, Hold(hold_dir)


def ledger_state(url: str) -> dict:
    """What a crash must not change: documents, movements, idempotency keys, balances and reservations."""
    engine = create_engine(url)
    with engine.connect() as connection:
        state = {
            "documents": connection.scalar(select(func.count(Document.id))),
            "movements": connection.scalar(select(func.count(Movement.id))),
            "keys": connection.scalar(text("SELECT count(*) FROM idempotency_keys")),
            "lots": [tuple(row) for row in connection.execute(select(Lot.id, Lot.on_hand, Lot.reserved)
                                                              .order_by(Lot.id))],
        }
    engine.dispose()
    return state


def open_transactions(url: str) -> int:
    """Sessions of this database holding a transaction open while waiting for their client."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"))
    engine.dispose()
    return count
