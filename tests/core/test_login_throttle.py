"""Sign-in (issue #15, point 3): failed sign-ins are throttled per account and per address, unknown users are
answered in the time known ones are, and signing out, a new password or disabling ends every session at once."""
from __future__ import annotations

import statistics
import time

import pytest
import redis

from core import create_app
from core.db import Session
from core.models import Role, User
from core.services import end_sessions, set_user_active
from tests.factories import PASSWORD

LOCKED = "This account is locked after too many failed sign-ins."
ADDRESS_LOCKED = "Too many failed sign-ins from your address."
REDIS_URL = "redis://127.0.0.1:6379/5"


def sign_in(client, username: str, password: str = PASSWORD, address: str = "192.0.2.1", **headers):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_five_failures_lock_the_account_even_against_the_right_password(client, make_user):
    user = make_user(Role.CLERK)
    for _attempt in range(5):
        page = sign_in(client, user.username, "wrong")
        assert page.status_code == 200 and "Unknown username or wrong password." in page.get_data(as_text=True)
    locked = sign_in(client, user.username)
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    assert "Try again in 15 minutes." in locked.get_data(as_text=True)
    assert sign_in(client, f" {user.username.upper()} ").status_code == 429  # spelt otherwise, the same account
    assert sign_in(client, user.username, address="198.51.100.7").status_code == 429  # from anywhere
    other = make_user(Role.CLERK)
    assert sign_in(client, other.username).status_code == 302  # the address is not locked yet


def test_the_lock_is_said_in_chinese_too(client, make_user):
    user = make_user(Role.CLERK)
    for _attempt in range(5):
        sign_in(client, user.username, "wrong")
    page = sign_in(client, user.username, **{"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "该账户登录失败次数过多，已被锁定。请在 15 分钟后再试。" in page


def test_unknown_usernames_are_locked_alike(client):
    for _attempt in range(5):
        sign_in(client, "nobody-here", "wrong")
    assert LOCKED in sign_in(client, "nobody-here", "wrong").get_data(as_text=True)


def test_a_success_forgets_the_accounts_failures(client, make_user):
    user = make_user(Role.CLERK)
    for _attempt in range(4):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username).status_code == 302
    client.post("/logout")
    for _attempt in range(4):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username).status_code == 302


def test_an_address_trying_many_accounts_is_locked(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "3 per 15 minutes"
    for name in ("a1", "a2", "a3"):
        sign_in(client, name, "wrong", address="203.0.113.9")
    user = make_user(Role.CLERK)
    refused = sign_in(client, user.username, address="203.0.113.9")
    assert refused.status_code == 429 and ADDRESS_LOCKED in refused.get_data(as_text=True)
    assert sign_in(client, user.username, address="203.0.113.10").status_code == 302


def _answer_time(client, username: str) -> float:
    started = time.perf_counter()
    assert sign_in(client, username, "wrong").status_code == 200
    return time.perf_counter() - started


def test_an_unknown_user_is_answered_in_the_time_a_known_one_is(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "1000 per minute"
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "1000 per minute"
    user = make_user(Role.CLERK)
    _answer_time(client, user.username), _answer_time(client, "nobody")  # warm both paths up
    known, unknown = [], []
    for _round in range(7):  # interleaved, so a busy moment of the machine weighs on both
        known.append(_answer_time(client, user.username))
        unknown.append(_answer_time(client, "nobody"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


def test_failures_are_shared_through_redis_when_it_is_set(database_url, make_user):
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    user = make_user(Role.CLERK)
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "REDIS_URL": REDIS_URL}
    first, second = create_app(settings), create_app(settings)  # two web processes
    try:
        for _attempt in range(5):
            sign_in(first.test_client(), user.username, "wrong")
        assert LOCKED in sign_in(second.test_client(), user.username).get_data(as_text=True)
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()
        Session.remove()
        for app in (first, second):
            app.extensions["db_engine"].dispose()


# --- sessions end together ----------------------------------------------------------------------------------

def _copy_of_session(app, client):
    """Another browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_sign_out_no_longer_works_after_it(app, client, make_user, login):
    login(make_user(Role.DISPATCHER))
    copy = _copy_of_session(app, client)
    assert copy.get("/items").status_code == 200
    client.post("/logout")
    assert copy.get("/items").status_code == 302
    assert copy.get("/api/v1/items").status_code == 401


def test_signing_out_ends_the_users_other_sessions_too(app, make_user):
    user = make_user(Role.CLERK)
    office, phone = app.test_client(), app.test_client()
    for browser in (office, phone):
        assert sign_in(browser, user.username).status_code == 302
    office.post("/logout")
    assert phone.get("/").status_code == 302 and phone.get("/").location.startswith("/login")
    assert sign_in(phone, user.username).status_code == 302 and phone.get("/").status_code != 302


def test_a_new_password_or_disabling_ends_every_session(app, client, make_user, login):
    user = make_user(Role.CLERK)
    login(user)
    Session.get(User, user.id).set_password("another long password")
    Session.commit()
    assert client.get("/").status_code == 302
    assert sign_in(client, user.username, "another long password").status_code == 302
    set_user_active(user.id, False, actor=None)
    assert client.get("/").status_code == 302


def test_an_administrator_may_end_anyones_sessions_and_others_only_their_own(make_user):
    admin, clerk, other = make_user(Role.ADMIN), make_user(Role.CLERK), make_user(Role.CLERK)
    assert end_sessions(clerk.id, actor=admin).session_version == 1
    assert end_sessions(clerk.id, actor=clerk).session_version == 2
    from core.errors import PermissionDeniedError
    with pytest.raises(PermissionDeniedError):
        end_sessions(other.id, actor=clerk)
