"""Fixtures with the demo data: reference data (catalog, norms, modes, deadlines) and the demo network of one
province, for the dispatch tests and the dispatcher's browser walk-through."""
from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

from core import clock, create_app, migrate
from core.db import Session
from seed import dispatch as dispatch_seed
from seed import loader
from tests.conftest import load_reference_data

DEMO_SCALE = "四川"


@pytest.fixture
def reference(app):
    """The seeded catalog with its demand norms, the transport modes and Beijing's deadline."""
    loader.load_items(Session)
    dispatch_seed.load_norms(Session)
    dispatch_seed.load_deadlines_and_modes(Session)
    Session.remove()


def _seed_demo(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--scale", DEMO_SCALE])
    assert result.exit_code == 0, result.output
    Session.remove()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def demo_template(template_url, tmp_path_factory):
    """One migrated database holding the demo network of one province, seeded once and copied for each test: a
    file on SQLite, a template database on PostgreSQL (CREATE DATABASE ... TEMPLATE copies it in a second, where
    seeding takes many)."""
    if template_url.startswith("sqlite"):
        target = tmp_path_factory.mktemp("demo") / "demo.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
        _seed_demo(f"sqlite:///{target}")
        yield f"sqlite:///{target}"
        return
    name = f"relief_demo_{uuid.uuid4().hex[:8]}"
    _create_database(template_url, name)
    url = make_url(template_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    load_reference_data(url)
    _seed_demo(url)
    yield url
    _drop_database(template_url, name)


@pytest.fixture
def demo_app(demo_template, tmp_path):
    """An app on a copy of the demo network (Sichuan: 333 depots, stock, fleet, the demo users); planning routes
    briefly."""
    if demo_template.startswith("sqlite"):
        target = tmp_path / "demo.db"
        shutil.copyfile(demo_template.removeprefix("sqlite:///"), target)
        url, copy = f"sqlite:///{target}", None
    else:
        copy = f"relief_demo_{uuid.uuid4().hex[:8]}"
        _create_database(demo_template, copy, template=make_url(demo_template).database)
        url = make_url(demo_template).set(database=copy).render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret",
                      "ROUTING_SECONDS": 2.0})
    yield app
    Session.remove()
    app.extensions["db_engine"].dispose()
    if copy:
        _drop_database(demo_template, copy)


def _create_database(server_url: str, name: str, template: str | None = None) -> None:
    with _server(server_url) as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))


def _drop_database(server_url: str, name: str) -> None:
    with _server(server_url) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _server(url: str):
    """A connection to the PostgreSQL server of `url` (its maintenance database), for creating and dropping."""
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def an_hour_ago() -> str:
    return (clock.utcnow() - timedelta(hours=1)).isoformat()
