"""Users and API tokens. Each public function is one unit of work and takes the acting user (`actor`; None is
the operator at the command line)."""
from __future__ import annotations

import secrets
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core.access import ensure_role
from core.auth import new_token_value
from core.db import Session, unit_of_work, utcnow
from core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from core.models import ApiToken, Role, User

MIN_PASSWORD_LENGTH = 8


@unit_of_work
def create_user(username: str, display_name: str, password: str, role: Role | str, actor: User | None) -> User:
    """Create a user with a hashed password; refuses a taken username or a short password."""
    ensure_role(actor, Role.ADMIN)
    username = username.strip()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Password too short."),
                          {"password": [_("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH)]})
    if Session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(_("Username taken."), {"username": [_("'%(username)s' is already a user.",
                                                                  username=username)]})
    user = User(username=username, display_name=display_name.strip() or username, role=Role(role))
    user.set_password(password)
    Session.add(user)
    return user


@unit_of_work
def set_user_active(user_id: int, active: bool, actor: User | None) -> User:
    ensure_role(actor, Role.ADMIN)
    user = get_user(user_id)
    if user.active and not active:
        user.end_sessions()  # a disabled user is signed out at once, not at their next sign-in
    user.active = active
    return user


@unit_of_work
def issue_token(user_id: int, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """Create a bearer token for a user. The raw value is returned once and never stored."""
    ensure_role(actor, Role.ADMIN)
    user = get_user(user_id)
    raw = new_token_value()
    token = ApiToken(user=user, name=name.strip() or "token", token_hash=ApiToken.hash(raw))
    Session.add(token)
    return token, raw


@unit_of_work
def revoke_token(token_id: int, actor: User | None) -> ApiToken:
    ensure_role(actor, Role.ADMIN)
    token = Session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


@unit_of_work
def set_user_locale(user_id: int, locale: str | None, actor: User) -> User:
    """Remember the language a user reads the pages in (None: follow the browser); each user sets their own."""
    if actor.id != user_id:
        raise PermissionDeniedError(_("Your role may not do this."))
    user = get_user(user_id)
    user.locale = locale
    return user


def get_user(user_id: int) -> User:
    user = Session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("No such user."))
    return user


def get_user_by_username(username: str) -> User | None:
    return Session.scalar(select(User).where(User.username == username))


def list_users() -> list[User]:
    return list(Session.scalars(select(User).order_by(User.role, User.username)))


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is, or None. Every answer costs one password hash, so how long the answer
    takes does not tell whether the username exists or is disabled."""
    user = get_user_by_username(username.strip())
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    """A hash made the way real ones are (werkzeug's default method), to check unknown usernames against."""
    return generate_password_hash(secrets.token_hex(16))


@unit_of_work
def end_sessions(user_id: int, actor: User | None) -> User:
    """Sign a user out everywhere: every session cookie issued so far stops working. Each user may end their own
    sessions; an administrator anyone's."""
    if actor is not None and actor.id != user_id:
        ensure_role(actor, Role.ADMIN)
    user = get_user(user_id)
    user.end_sessions()
    return user
