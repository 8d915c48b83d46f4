"""Who may use what: sessions for people, bearer tokens for other systems.

Every view declares its audience with `@allow(...)` or `@public`; a test walks the
URL map and fails on any view that declares nothing.
"""
from __future__ import annotations

import secrets
from functools import wraps

from flask import Flask, abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.db import Session
from core.errors import is_api_request, json_error
from core.models import ApiToken, Role, User

ALL_ROLES = frozenset(Role)
login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "core.login"
    login_manager.user_loader(_load_user)
    app.before_request(_authenticate_api_token)


def _load_user(session_id: str) -> User | None:
    """The session's user while the session version it was signed in with is still the user's (User.get_id)."""
    user_id, _colon, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None  # a cookie from before session versions, or forged
    user = Session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or user.service_account:
        return None  # a service account never holds a session, whatever cookie is shown for it
    return user


def _authenticate_api_token():
    """An API request that sends Authorization acts as that token's user, or is refused: a signed-in browser's
    cookie never stands in for a bad token (else a forged header would turn a cookie into write access)."""
    header = request.headers.get("Authorization")
    if header is None or not is_api_request():
        return None
    token = _valid_token(header)
    if token is None:
        return json_error(_("The bearer token is not valid."), 401)
    g.api_token = token
    login_manager._update_request_context_with_user(token.user)  # flask-login's way to set the request's user
    return None


def _valid_token(header: str) -> ApiToken | None:
    scheme, _space, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():  # the scheme is case-insensitive (RFC 7235)
        return None
    token = Session.scalar(select(ApiToken).options(joinedload(ApiToken.user))  # one query per API request
                           .where(ApiToken.token_hash == ApiToken.hash(raw.strip())))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def new_token_value() -> str:
    return secrets.token_urlsafe(32)


def allow(*roles: Role):
    """Let signed-in users with one of these roles through (all roles when none are named)."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return _unauthenticated()
            if is_api_request() and not _api_auth_acceptable():
                return json_error(_("Writes through the API need a bearer token."), 401)
            if current_user.role not in allowed:
                return _forbidden()
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorator


def public(view):
    """Open to anyone, signed in or not (the login page, the API description)."""
    view.allowed_roles = None
    view.is_public = True
    return view


def _api_auth_acceptable() -> bool:
    # A browser session may read the API (the pages' own scripts do), but only a
    # bearer token may write: the API is exempt from CSRF, so cookies must not suffice.
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    return g.get("api_token") is not None


def _unauthenticated():
    if is_api_request():
        return json_error(_("Sign in or send a bearer token."), 401)
    return redirect(url_for("core.login", next=request.full_path.rstrip("?")))


def _forbidden():
    if is_api_request():
        return json_error(_("Your role may not use this."), 403)
    abort(403, _("Your role may not use this page."))
