"""Fixtures with the demo data: reference data (catalog, norms, modes, deadlines) and the demo network of one
province, for the dispatch tests and the dispatcher's browser walk-through."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import make_url

from core import clock, create_app, migrate
from core.db import Session
from seed import dispatch as dispatch_seed
from seed import loader
from tests.conftest import fresh_postgres_database, load_reference_data

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
    with fresh_postgres_database(template_url, prefix="relief_demo") as url:
        migrate.upgrade(url)
        load_reference_data(url)
        _seed_demo(url)
        yield url


@pytest.fixture
def demo_app(demo_template, tmp_path):
    """An app on a copy of the demo network (Sichuan: 333 depots, stock, fleet, the demo users); planning routes
    briefly."""
    with _copy_of(demo_template, tmp_path) as url:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "SECRET_KEY": "test-secret", "ROUTING_SECONDS": 2.0})
        yield app
        Session.remove()
        app.extensions["db_engine"].dispose()


@contextmanager
def _copy_of(template: str, tmp_path):
    if template.startswith("sqlite"):
        target = tmp_path / "demo.db"
        shutil.copyfile(template.removeprefix("sqlite:///"), target)
        yield f"sqlite:///{target}"
        return
    with fresh_postgres_database(template, template=make_url(template).database, prefix="relief_demo") as url:
        yield url


def an_hour_ago() -> str:
    return (clock.utcnow() - timedelta(hours=1)).isoformat()
