"""Fixtures with the demo data: reference data (catalog, norms, modes, deadlines) and the demo network of one
province, for the dispatch tests and the dispatcher's browser walk-through."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from core import clock, create_app
from core.db import Session
from seed import dispatch as dispatch_seed
from seed import loader

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
def demo_template(template_url, tmp_path_factory) -> str | None:
    """On SQLite, one migrated database holding the demo network of one province, copied for each test."""
    if not template_url.startswith("sqlite"):
        return None
    target = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
    _seed_demo(f"sqlite:///{target}")
    return str(target)


@pytest.fixture
def demo_app(demo_template, database_url, tmp_path):
    """An app on the demo network (Sichuan: 333 depots, stock, fleet, the demo users); planning routes briefly."""
    if demo_template:
        target = tmp_path / "demo.db"
        shutil.copyfile(demo_template, target)
        url = f"sqlite:///{target}"
    else:
        url = database_url
        _seed_demo(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret",
                      "ROUTING_SECONDS": 2.0})
    yield app
    Session.remove()
    if not demo_template:
        _empty(url)
    app.extensions["db_engine"].dispose()


def _empty(url: str) -> None:
    from core.db import Base

    engine = create_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "regions")
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def an_hour_ago() -> str:
    return (clock.utcnow() - timedelta(hours=1)).isoformat()
