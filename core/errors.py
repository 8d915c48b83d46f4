"""Domain errors and their mapping to HTTP at the edge.

Services raise these; views turn them into form errors, API handlers into JSON
`{"error": ..., "fields": {...}}` with a fitting status.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from core.field_messages import field_messages


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


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def json_error(message: str, status: int, fields: dict | None = None):
    return jsonify({"error": message, "fields": fields or {}}), status


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)


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
