"""`Idempotency-Key`: a retried write is applied once, and the retry gets the first answer.

The key, the write and the stored answer are one transaction: after a crash a retry finds either the stored
answer or nothing at all, and then applies once. Two copies of one request arriving together cannot both run:
the second one's claim of the key waits on the first one's (the unique index), fails when the first commits,
and replays its answer. A refused request (4xx) stores nothing, so it may be retried as it is.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Response, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.db import Session, transaction
from core.errors import json_error
from core.models import IdempotencyKey

MAX_KEY_LENGTH = 100


class _Refused(Exception):
    """The write answered 4xx: roll it back with the claim, and give the answer as it is."""

    def __init__(self, response: Response):
        self.response = response


def idempotent(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return json_error(_("Idempotency-Key may be at most %(limit)s characters.", limit=MAX_KEY_LENGTH), 400)
        fingerprint = _fingerprint()
        earlier = _claimed(key)
        if earlier is not None and earlier.status_code is not None:
            return _replay(earlier, fingerprint)
        try:
            return _apply_once(key, fingerprint, view, args, kwargs, unanswered=earlier is not None)
        except _Refused as refused:
            return refused.response
        except IntegrityError:
            earlier = _answered(key)  # a copy of this request committed first
            if earlier is None:
                raise
            return _replay(earlier, fingerprint)

    return guarded


def _apply_once(key: str, fingerprint: str, view, args, kwargs, unanswered: bool) -> Response:
    with transaction():
        if unanswered:
            _forget_unanswered(key)
        claim = IdempotencyKey(user_id=current_user.id, key=key, fingerprint=fingerprint)
        Session.add(claim)
        Session.flush()  # claims the key now: a concurrent copy waits here, not after doing the work
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            raise _Refused(response)
        store_response(claim, response)
    return response


def store_response(claim: IdempotencyKey, response: Response) -> None:
    """Keep the answer with the key, in the write's own transaction."""
    claim.status_code, claim.response_body = response.status_code, response.get_data(as_text=True)
    Session.flush()


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _claimed(key: str) -> IdempotencyKey | None:
    """The committed claim of this key, answered or (left by an older release) not."""
    return Session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                       IdempotencyKey.key == key))


def _answered(key: str) -> IdempotencyKey | None:
    return Session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                       IdempotencyKey.key == key,
                                                       IdempotencyKey.status_code.is_not(None)))


def _forget_unanswered(key: str) -> None:
    """A claim without an answer is one that never committed its write (left by an older release)."""
    Session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                 IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None)))


def _replay(claim: IdempotencyKey, fingerprint: str):
    if claim.fingerprint != fingerprint:
        return json_error(_("This Idempotency-Key was already used for a different request."), 422)
    response = Response(claim.response_body, status=claim.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response
