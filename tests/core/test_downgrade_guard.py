"""`flask db downgrade` refuses a database that holds data unless told --yes (issue #15, point 12)."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from core import create_app, migrate
from core.services import create_user
from tests.factories import PASSWORD


def _runner(url: str):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
    return app, app.test_cli_runner()


def _revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    return revision


def test_a_downgrade_with_data_is_refused_without_yes_and_runs_with_it(empty_database):
    migrate.upgrade(empty_database)
    head = _revision(empty_database)
    app, runner = _runner(empty_database)
    with app.app_context():
        create_user("keeper", "", PASSWORD, "admin", actor=None)
    refused = runner.invoke(args=["db", "downgrade", "base"])
    assert refused.exit_code != 0
    # creating the user was audited: the log is data too
    assert "holds data: audit_entries (1), users (1)" in refused.output and "--yes" in refused.output
    assert _revision(empty_database) == head  # nothing was undone
    done = runner.invoke(args=["db", "downgrade", "base", "--yes"])
    assert done.exit_code == 0, done.output
    engine = create_engine(empty_database)
    assert "users" not in inspect(engine).get_table_names()
    engine.dispose()
    app.extensions["db_engine"].dispose()


def test_an_empty_database_downgrades_without_asking(empty_database):
    migrate.upgrade(empty_database)
    app, runner = _runner(empty_database)
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert "Database at base." in result.output
    app.extensions["db_engine"].dispose()
