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
def create_user(username: str, display_name: str, password: str | None, role: Role | str, actor: User | None,
                service_account: bool = False) -> User:
    """Create a user with a hashed password; refuses a taken username or a short password.

    A service account gets no password anyone knows (a random one, never shown): it works only with tokens."""
    ensure_role(actor, Role.ADMIN)
    username = username.strip()
    if service_account:
        password = secrets.token_urlsafe(32)
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Password too short."),
                          {"password": [_("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH)]})
    if Session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(_("Username taken."), {"username": [_("'%(username)s' is already a user.",
                                                                  username=username)]})
    user = User(username=username, display_name=display_name.strip() or username, role=Role(role),
                service_account=service_account)
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
    """Create a bearer token for a user. The raw value is returned once and never stored.

    A person's token is made only by that person: whoever sees a token's value can act as its user, so an admin
    who could mint one for a clerk could approve their own drafts as the clerk. Admins, and the operator at the
    command line, make tokens for service accounts only. (Point 5's audit log records each issue here.)"""
    user = get_user(user_id)
    ensure_may_issue(user, actor)
    raw = new_token_value()
    token = ApiToken(user=user, name=name.strip() or "token", token_hash=ApiToken.hash(raw),
                     issued_by_id=actor.id if actor is not None else None)
    Session.add(token)
    return token, raw


def ensure_may_issue(user: User, actor: User | None) -> None:
    """Refuse, with the reason, a token the actor may not make for this user."""
    if actor is not None and actor.id == user.id:
        return
    if user.service_account and (actor is None or actor.has_role(Role.ADMIN)):
        return
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError(_("Your role may not do this."))
    raise PermissionDeniedError(_("%(username)s is a person, not a service account: only they may make their own "
                                  "tokens, on their My API tokens page.", username=user.username))


@unit_of_work
def revoke_token(token_id: int, actor: User | None) -> ApiToken:
    """The owner revokes their own token; an admin, or the operator, anyone's (taking access away is safe)."""
    token = Session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(_("No such token."))
    if actor is None or actor.id != token.user_id:
        ensure_role(actor, Role.ADMIN)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def own_token(token_id: int, actor: User) -> ApiToken:
    """One of the actor's own tokens; someone else's is not found, so ids cannot be probed from the tokens page."""
    token = Session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFoundError(_("No such token."))
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


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(Session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def list_users() -> list[User]:
    return list(Session.scalars(select(User).order_by(User.role, User.username)))


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is, or None. Every answer costs one password hash, so how long the answer
    takes does not tell whether the username exists or is disabled. A service account never signs in here (its
    random password is known to nobody), and is answered as a wrong password is: the sign-in page does not tell
    an outsider which usernames exist, nor which of them are systems."""
    user = get_user_by_username(username.strip())
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active or user.service_account:
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
