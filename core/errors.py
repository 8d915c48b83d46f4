"""Domain errors and their mapping to HTTP at the edge.

Services raise these; views turn them into form errors, API handlers into JSON
`{"error": ..., "fields": {...}}` with a fitting status.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from core.field_messages import field_messages

# The database cannot answer now (restarting, unreachable, every pooled connection busy): the request may be retried.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    """A business rule refused the operation; nothing was written."""

    status = 422

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFoundError(DomainError):
    status = 404


class ConflictError(DomainError):
    """The request clashes with existing data (a duplicate code, a closed depot)."""

    status = 409


class PermissionDeniedError(DomainError):
    status = 403


class FourEyesError(PermissionDeniedError):
    """The same person may not both prepare and approve."""


@dataclass
class LinePath:
    """Where a per-line error belongs: `lines.<index>.<field>` in forms and JSON alike."""

    index: int

    def error(self, field: str, message: str) -> dict:
        return {"lines": {self.index: {field: [message]}}}


def refuse_lines(errors: list[DomainError]) -> DomainError:
    """One refusal for every line that failed, each line's messages kept beside its fields.

    The refusal is of the lines' own kind when they agree; mixed kinds give the first conflict (409) among them,
    else a plain DomainError.
    """
    fields: dict = {}
    for error in errors:
        for index, line_fields in error.fields.get("lines", {}).items():
            fields.setdefault("lines", {}).setdefault(index, {}).update(line_fields)
        fields.update({name: messages for name, messages in error.fields.items() if name != "lines"})
    kinds = {type(error) for error in errors}
    kind = kinds.pop() if len(kinds) == 1 else next((type(e) for e in errors if e.status == 409), DomainError)
    return kind(" ".join(error.message for error in errors), fields)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def json_error(message: str, status: int, fields: dict | None = None):
    return jsonify({"error": message, "fields": fields or {}}), status


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)


def _domain_error(error: DomainError):
    if is_api_request():
        return json_error(error.message, error.status, error.fields)
    return render_template("error.html", status=error.status, message=error.message), error.status


def _validation_error(error: ValidationError):
    return json_error(_("The request has invalid fields."), 422, field_messages(error.messages))


def _http_error(error: HTTPException):
    if is_api_request():
        return json_error(error.description or error.name, error.code or 500)
    return render_template("error.html", status=error.code, message=error.description), error.code


def _database_unavailable(error: Exception):
    """A 503 the client may retry, never a traceback; an API write with an Idempotency-Key is then applied once.

    Nobody can be looked up without the database, so the answer is rendered as for a visitor (flask-login's own
    way of setting the request's user), in the language the browser asks for.
    """
    current_app.logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
    current_app.login_manager._update_request_context_with_user()
    message = _("The database is unavailable at the moment; please try again shortly.")
    if is_api_request():
        response, status = json_error(message, 503)
    else:
        response, status = render_template("error.html", status=503, message=message), 503
    return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
