"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when DATABASE_URL says so).

SQLite: every test gets its own copy of one migrated template file.
PostgreSQL: the schema is migrated once; after each test the tables are emptied,
except the reference region tree that the template loads.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core import create_app, migrate
from core.db import Base, Session

KEEP_TABLES = {"regions"}


def pytest_configure(config):
    os.environ.setdefault("INSTANCE_PATH", str(Path(config.rootpath) / ".pytest_cache" / "instance"))


def configured_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return url if url and url.startswith("postgresql") else None


def postgres_url() -> str | None:
    """A PostgreSQL server for the tests that need one; they skip only when none is configured."""
    return configured_url() or os.environ.get("TEST_POSTGRES_URL")


@contextmanager
def fresh_postgres_database(server_url: str | None = None, template: str | None = None,
                            prefix: str = "relief_migrations"):
    """A throw-away database on the configured server (or `server_url`'s), so the test can empty it freely; a copy
    of the database `template` when given (CREATE DATABASE ... TEMPLATE).

    The administrative engine keeps no pooled connection: a demo template lives for the whole run, through the
    reliability test's PostgreSQL restart, and a connection pooled before it would be dead at the DROP."""
    server = make_url(server_url or postgres_url())
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
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


def load_reference_data(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        from seed.loader import load_regions

        load_regions(Session)
        Session.remove()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def template_url(tmp_path_factory) -> str:
    url = configured_url()
    if url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    migrate.upgrade(url)
    load_reference_data(url)
    return url


@pytest.fixture
def database_url(template_url, tmp_path) -> str:
    if template_url.startswith("sqlite"):
        target = tmp_path / "test.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    return template_url


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test-secret", "ROUTING_SECONDS": 1.0})
    # No app context is held open: each request must get its own `g` (and so its own signed-in user).
    # Tests and factories use the thread's scoped Session directly.
    yield app
    Session.remove()
    _empty_tables(app)
    app.extensions["db_engine"].dispose()


def _empty_tables(app) -> None:
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "postgresql":
        return
    # DELETE, children first, and a restart of the sequences that moved: a test leaves a few rows in a few tables,
    # and TRUNCATE of every table (new files for each table and index) cost a quarter of a second per test.
    tables = [table for table in reversed(Base.metadata.sorted_tables) if table.name not in KEEP_TABLES]
    with engine.begin() as connection:
        # The audit log refuses DELETE by a trigger (as it must); the test database's owner switches triggers off
        # for this cleanup only.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            connection.execute(table.delete())
        moved = connection.scalars(text("SELECT sequencename FROM pg_sequences "
                                        "WHERE schemaname = 'public' AND last_value IS NOT NULL")).all()
        ours = {f"{table.name}_id_seq" for table in tables}
        for sequence in sorted(ours.intersection(moved)):
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


pytest_plugins = ["tests.factories", "tests.demo"]
