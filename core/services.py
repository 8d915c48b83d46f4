"""Users and API tokens: each public function is one unit of work."""
from __future__ import annotations

from sqlalchemy import select

from core.auth import new_token_value
from core.db import Session, utcnow
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import ApiToken, Role, User

MIN_PASSWORD_LENGTH = 8


def create_user(username: str, display_name: str, password: str, role: Role | str) -> User:
    """Create a user with a hashed password; refuses a taken username or a short password."""
    username = username.strip()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("Password too short.", {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]})
    if Session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError("Username taken.", {"username": [f"'{username}' is already a user."]})
    user = User(username=username, display_name=display_name.strip() or username, role=Role(role))
    user.set_password(password)
    Session.add(user)
    Session.commit()
    return user


def set_user_active(user_id: int, active: bool) -> User:
    user = get_user(user_id)
    user.active = active
    Session.commit()
    return user


def issue_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for a user. The raw value is returned once and never stored."""
    user = get_user(user_id)
    raw = new_token_value()
    token = ApiToken(user=user, name=name.strip() or "token", token_hash=ApiToken.hash(raw))
    Session.add(token)
    Session.commit()
    return token, raw


def revoke_token(token_id: int) -> ApiToken:
    token = Session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        Session.commit()
    return token


def get_user(user_id: int) -> User:
    user = Session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def get_user_by_username(username: str) -> User | None:
    return Session.scalar(select(User).where(User.username == username))


def list_users() -> list[User]:
    return list(Session.scalars(select(User).order_by(User.role, User.username)))


def authenticate(username: str, password: str) -> User | None:
    user = get_user_by_username(username.strip())
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def set_user_locale(user_id: int, locale: str | None) -> User:
    """Remember the language a user reads the pages in (None: follow the browser)."""
    user = get_user(user_id)
    user.locale = locale
    Session.commit()
    return user
