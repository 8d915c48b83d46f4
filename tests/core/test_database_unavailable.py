"""When the database cannot be reached, requests get a quick 503 (JSON for the API, a page for people), not a 500.

The server here is a real address where nothing answers: the connection is refused, as while PostgreSQL restarts.
The restart itself, under load, is tests/reliability/test_outage.py.
"""
from __future__ import annotations

import socket

import pytest

from core import create_app
from core.db import Session


@pytest.fixture
def unreachable_app():
    """An app whose PostgreSQL address refuses connections (a bound port that nobody listens on)."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        app = create_app({"DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/relief",
                          "SECRET_KEY": "test", "TESTING": True})
        yield app
        Session.remove()
        app.extensions["db_engine"].dispose()


def test_api_answers_503_with_the_json_error_shape(unreachable_app):
    response = unreachable_app.test_client().post("/api/v1/receipts", json={"depot_id": 1, "lines": []},
                                                  headers={"Authorization": "Bearer some-token",
                                                           "Idempotency-Key": "k1"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    body = response.get_json()
    assert set(body) == {"error", "fields"} and body["fields"] == {}
    assert "database is unavailable" in body["error"]


def test_pages_answer_503_with_an_error_page_in_the_browsers_language(unreachable_app):
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"  # a signed-in user (id:session version), whom nobody can look up now
    response = client.get("/depots", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "<h1>暂时无法使用</h1>" in html and "数据库暂时无法访问" in html


@pytest.mark.postgres
def test_a_connection_lost_after_the_answer_was_made_leaves_the_answer_and_the_next_request_works(tmp_path):
    """PostgreSQL ends the session between a read and the end of its request (as a restart does): the read's
    answer stands, and the thread's next request gets a fresh connection."""
    from sqlalchemy import create_engine, text

    from core import migrate
    from tests.conftest import fresh_postgres_database, postgres_url

    if not postgres_url():
        pytest.skip("no PostgreSQL server configured (DATABASE_URL or TEST_POSTGRES_URL)")
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
        killer = create_engine(url, isolation_level="AUTOCOMMIT")

        @app.get("/read-then-lose-the-connection")
        def read_then_lose_the_connection():
            pid = Session.scalar(text("SELECT pg_backend_pid()"))
            with killer.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return {"pid": pid}

        client = app.test_client()
        assert client.get("/read-then-lose-the-connection").status_code == 200
        assert client.get("/read-then-lose-the-connection").status_code == 200
        Session.remove()
        killer.dispose()
        app.extensions["db_engine"].dispose()
