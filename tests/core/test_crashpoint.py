"""The crash tests' pause before commit can never hold a production process: it needs TESTING and its variable."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import create_app
from core.crashpoint import ARMED, HOLD_DIR_VARIABLE
from core.db import Session
from core.models import Role


@pytest.mark.parametrize("testing", [False, True], ids=["production settings, variable set", "TESTING, no variable"])
def test_an_armed_pause_is_ignored_without_both_testing_and_its_variable(testing, database_url, tmp_path,
                                                                         monkeypatch, make_depot, make_item,
                                                                         make_user, api_token):
    (tmp_path / ARMED).touch()
    if testing:
        monkeypatch.delenv(HOLD_DIR_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(HOLD_DIR_VARIABLE, str(tmp_path))
    depot, item = make_depot(), make_item()
    headers = api_token(make_user(Role.ADMIN))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": testing})
    response = app.test_client().post("/api/v1/receipts", headers=headers, json={"depot_id": depot.id, "lines": [
        {"item_id": item.id, "quantity": 1, "batch_no": "P-1", "unit_cost": "1.00", "funding_source": "county",
         "expiry_date": (date.today() + timedelta(days=90)).isoformat()}]})
    assert response.status_code == 201
    assert (tmp_path / ARMED).exists()  # nobody took the pause
    Session.remove()
    app.extensions["db_engine"].dispose()
