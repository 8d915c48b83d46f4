"""`Idempotency-Key`: a retried write is applied once, and the retry gets the first answer.

The key is claimed in its own short transaction before the work starts, so two
copies of one request arriving together cannot both run: the second sees the
claim and is told to wait (409). A refused request gives its key back, since it
wrote nothing and may be retried as it is.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Response, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.db import Session
from core.errors import json_error
from core.models import IdempotencyKey

MAX_KEY_LENGTH = 100


def idempotent(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return json_error(_("Idempotency-Key may be at most %(limit)s characters.", limit=MAX_KEY_LENGTH), 400)
        fingerprint = _fingerprint()
        claim = _claim(key, fingerprint)
        if claim is not None:
            return _replay(claim, fingerprint)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _forget(key)
            raise
        _remember(key, response)
        return response

    return guarded


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _claim(key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claim the key for this request; returns the earlier claim when there is one."""
    Session.add(IdempotencyKey(user_id=current_user.id, key=key, fingerprint=fingerprint))
    try:
        Session.commit()
        return None
    except IntegrityError:
        Session.rollback()
        return Session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                           IdempotencyKey.key == key))


def _replay(claim: IdempotencyKey, fingerprint: str):
    if claim.fingerprint != fingerprint:
        return json_error(_("This Idempotency-Key was already used for a different request."), 422)
    if claim.status_code is None:
        return json_error("A request with this Idempotency-Key is still being processed; retry shortly.", 409)
    response = Response(claim.response_body, status=claim.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(key: str, response: Response) -> None:
    if response.status_code >= 400:
        _forget(key)
        return
    claim = Session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                        IdempotencyKey.key == key))
    claim.status_code, claim.response_body = response.status_code, response.get_data(as_text=True)
    Session.commit()


def _forget(key: str) -> None:
    Session.rollback()
    Session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                 IdempotencyKey.key == key))
    Session.commit()
