"""Helpers shared by the JSON blueprints: reading bodies and query strings, shaping pages."""
from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from core import bounds
from core.auth import csrf
from core.errors import json_error
from core.field_messages import field_messages
from core.pagination import Page


class BadRequestBody(Exception):
    """The body is not a JSON object (400)."""


class BadQuery(Exception):
    """The query string has invalid parameters (400)."""

    def __init__(self, fields: dict):
        super().__init__(_("Invalid query parameters."))
        self.fields = fields


API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    app.register_error_handler(BadRequestBody, lambda error: json_error(str(error), 400))
    app.register_error_handler(BadQuery, lambda error: json_error(str(error), 400, error.fields))


def register_api(app: Flask, blueprint: Blueprint) -> None:
    """Serve a JSON blueprint under /api/v1. Bearer tokens, not cookies, authorize API writes: no CSRF token."""
    app.register_blueprint(blueprint, url_prefix=API_PREFIX)
    csrf.exempt(blueprint)


def json_body(schema: Schema, partial: bool = False) -> dict:
    """The request's JSON object, validated: a 400 when it is not JSON (or nests too deeply), a 422 when fields are
    wrong, also a number beyond any bound or text that cannot be stored in a field the schema does not bound."""
    if bounds.json_depth(request.get_data(as_text=True)) > bounds.JSON_DEPTH_MAX:
        raise BadRequestBody(_("The body nests more than %(depth)s levels deep.", depth=bounds.JSON_DEPTH_MAX))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequestBody(_("The body must be a JSON object (Content-Type: application/json)."))
    hostile = bounds.out_of_range_values(body)
    if hostile:
        raise ValidationError(hostile)
    data = schema.load(body, partial=partial)
    if partial:  # a PATCH changes only what it names, never a field's load default
        data = {key: value for key, value in data.items() if key in body}
    return data


def query_args(schema: Schema) -> dict:
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise BadQuery(field_messages(error.messages)) from error


def page_json(page: Page, schema: Schema) -> dict:
    return {"items": schema.dump(page.items, many=True), "page": page.number, "per_page": page.per_page,
            "total": page.total, "pages": page.pages}
