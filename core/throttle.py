"""Sign-in throttling: too many failed sign-ins lock the account, and the address they came from, for a while.

Failures are counted per account (the username typed, known or not, so a lock tells nothing about who exists)
and per client address, in Flask-Limiter's storage: in memory in each process, or on Redis when `REDIS_URL` is
set, so every web process and host shares the counts. A successful sign-in forgets the account's failures.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

ACCOUNT, ADDRESS = "login-account", "login-address"


def init_app(app: Flask) -> None:
    app.config.setdefault("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes")
    app.config.setdefault("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes")
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    app.extensions["login_limiter"] = Limiter(get_remote_address, app=app, storage_uri=storage,
                                              key_prefix="relief", default_limits=[])


def refusal(username: str) -> str | None:
    """Why this sign-in may not be tried now (the account or the address is locked), or None."""
    if not _strategy().test(_limit(ACCOUNT), ACCOUNT, _account(username)):
        return _("This account is locked after too many failed sign-ins. Try again in %(minutes)s minutes.",
                 minutes=_minutes_left(ACCOUNT, _account(username)))
    if not _strategy().test(_limit(ADDRESS), ADDRESS, _address()):
        return _("Too many failed sign-ins from your address. Try again in %(minutes)s minutes.",
                 minutes=_minutes_left(ADDRESS, _address()))
    return None


def record_failure(username: str) -> None:
    _strategy().hit(_limit(ACCOUNT), ACCOUNT, _account(username))
    _strategy().hit(_limit(ADDRESS), ADDRESS, _address())


def forget_failures(username: str) -> None:
    _strategy().clear(_limit(ACCOUNT), ACCOUNT, _account(username))


def _strategy():
    return current_app.extensions["login_limiter"].limiter


def _limit(kind: str) -> RateLimitItem:
    setting = "LOGIN_FAILURES_PER_ACCOUNT" if kind == ACCOUNT else "LOGIN_FAILURES_PER_ADDRESS"
    return parse(current_app.config[setting])


def _account(username: str) -> str:
    return (username or "").strip().lower()  # "Admin" and "admin " are the same account's attempts


def _address() -> str:
    return get_remote_address() or "unknown"


def _minutes_left(kind: str, identifier: str) -> int:
    reset_at = _strategy().get_window_stats(_limit(kind), kind, identifier).reset_time
    return max(1, math.ceil((reset_at - time.time()) / 60))

