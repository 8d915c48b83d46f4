"""Writing the audit log: every audited row a flush creates, changes or deletes, and the sign-in events.

Who acted comes from where the work runs: the signed-in user (or the API token's) in a request, the user a
background job runs for (`acting_as`), or the operator at the command line. The entries go in with the change's
own transaction, by one INSERT at the end of each flush.
"""
from __future__ import annotations

import getpass
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import g, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import RelationshipProperty

from core.audit.models import AuditAction, AuditEntry, AuditSource
from core.db import Session, transaction, utcnow
from core.models import User

REFERENCE_COLUMNS = ("number", "code", "username", "title", "enterprise_name", "name", "month")
SECRET = "***"  # what the log says for a secret that changed (a password hash, a token hash)
MAX_TEXT = 500  # a longer value (a reason, a note) is cut in the log: the record itself keeps it whole


@dataclass(frozen=True)
class Actor:
    actor_id: int | None
    actor_name: str
    source: AuditSource
    address: str | None = None
    token_name: str | None = None


_acting: ContextVar[tuple[User | None, AuditSource] | None] = ContextVar("audit_acting", default=None)


@contextmanager
def acting_as(user: User | None, source: AuditSource = AuditSource.JOB):
    """Work done outside a request on someone's behalf (a planning job) is logged as theirs."""
    token = _acting.set((user, source))
    try:
        yield
    finally:
        _acting.reset(token)


def init_app(app) -> None:
    if not event.contains(Session, "after_flush", _record_flush):  # one listener however many apps are made
        event.listen(Session, "after_flush", _record_flush)


def name_of(user: User | None) -> str:
    return user.name_and_login if user is not None else ""


def current_actor() -> Actor:
    acting = _acting.get()
    if acting is not None:
        user, source = acting
        return Actor(user.id if user else None, name_of(user) or source.value, source)
    if has_request_context():
        token = g.get("api_token")
        user = g.get("_login_user")  # already loaded by the request's sign-in check: no query inside a flush
        user = user if getattr(user, "is_authenticated", False) else None
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        return Actor(user.id if user else None, name_of(user), source, request.remote_addr,
                     token.name if token is not None else None)
    return Actor(None, _os_user(), AuditSource.CLI)  # the operator's login on the server; the source says where


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container without a passwd entry for its user
        return "unknown"


def record_sign_in(action: AuditAction, username: str, user: User | None) -> None:
    """A sign-in, a failed or refused one, or a sign-out, in a transaction of its own: a failed sign-in writes
    nothing else, and must be kept all the same."""
    actor = current_actor()
    entry = {**_actor_columns(actor), "actor_id": user.id if user else None, "actor_name": name_of(user) or username,
             "action": action, "subject": "users", "subject_id": str(user.id) if user else None,
             "reference": username[:200], "changes": None}
    with transaction():
        Session.execute(insert(AuditEntry), [entry])


def _record_flush(session, _flush_context) -> None:
    entries = [entry for entry in _flushed(session) if entry is not None]
    if entries:
        actor = _actor_columns(current_actor())
        session.connection().execute(insert(AuditEntry.__table__), [{**actor, **entry} for entry in entries])


def _flushed(session):
    for obj in session.new:
        if audited(obj) and getattr(type(obj), "__audit_create__", True):
            yield _entry(AuditAction.CREATE, obj, _created(obj))
    for obj in session.dirty:
        if audited(obj) and (changes := _changed(obj)):
            yield _entry(AuditAction.UPDATE, obj, changes)
    for obj in session.deleted:
        if audited(obj):
            yield _entry(AuditAction.DELETE, obj, None)


def audited(obj) -> bool:
    return getattr(type(obj), "__audit__", None) is not None


def _entry(action: AuditAction, obj, changes: dict | None) -> dict:
    state = inspect(obj)
    key = state.mapper.primary_key_from_instance(obj)
    return {"at": utcnow(), "action": action, "subject": state.mapper.local_table.name,
            "subject_id": "/".join(str(part) for part in key) if all(p is not None for p in key) else None,
            "reference": _reference(obj), "changes": json.dumps(changes, ensure_ascii=False) if changes else None}


def _created(obj) -> dict:
    state = inspect(obj)
    return {attr.key: [None, _shown(obj, attr.key, getattr(obj, attr.key))] for attr in state.mapper.column_attrs
            if attr.key not in _ignored(obj) and getattr(obj, attr.key) is not None}


def _changed(obj) -> dict:
    state, changes = inspect(obj), {}
    for attr in state.mapper.attrs:
        if attr.key in _ignored(obj):
            continue
        if isinstance(attr, RelationshipProperty) and attr.secondary is None:
            continue  # a child row or a link by foreign key: its own column says it
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        if isinstance(attr, RelationshipProperty):  # a many-to-many link: who was added and removed
            changes[attr.key] = [[_name(o) for o in history.deleted], [_name(o) for o in history.added]]
        else:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[attr.key] = [_shown(obj, attr.key, before), _shown(obj, attr.key, after)]
    return changes


def _ignored(obj) -> set[str]:
    return set(getattr(type(obj), "__audit_ignore__", ()))


def _shown(obj, key: str, value):
    if value is not None and key in getattr(type(obj), "__audit_secret__", ()):
        return SECRET
    return plain(value)


def plain(value):
    """A value as JSON can hold it, as a reader would want it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _name(obj) -> str:
    return str(_reference(obj) or inspect(obj).identity or obj)


def _reference(obj) -> str | None:
    """What people call the record: its own `audit_reference()`, else its number, code, username, title or name."""
    if hasattr(obj, "audit_reference"):
        reference = obj.audit_reference()
    else:
        reference = next((getattr(obj, column) for column in REFERENCE_COLUMNS
                          if getattr(obj, column, None) not in (None, "")), None)
    return str(plain(reference))[:200] if reference is not None else None


def _actor_columns(actor: Actor) -> dict:
    return {"actor_id": actor.actor_id, "actor_name": actor.actor_name[:200], "source": actor.source,
            "address": actor.address, "token_name": actor.token_name}
