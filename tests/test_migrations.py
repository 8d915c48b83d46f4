"""The schema comes only from Alembic: models and migrations agree, and the history runs both ways."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import core.models  # noqa: F401
import dispatch
import inventory
from core import migrate
from core.db import Base
from tests.conftest import postgres_url

inventory.load_models()
dispatch.load_models()


@contextmanager
def fresh_postgres_database():
    """A throw-away database on the configured server, so the test can empty it freely."""
    server = make_url(postgres_url())
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"relief_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    if not postgres_url():
        pytest.skip("no PostgreSQL server configured (DATABASE_URL or TEST_POSTGRES_URL)")
    with fresh_postgres_database() as url:
        yield url


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
