"""The API description, assembled from the schemas and paths the domain packages register."""
from __future__ import annotations

import copy
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify
from marshmallow import fields, validate

from core.auth import public

bp = Blueprint("openapi", __name__)
_paths: list[tuple[str, dict]] = []
_schemas: dict[str, type] = {}


def document_schema(name: str, schema: type) -> None:
    """Register a schema under a name that paths can refer to as #/components/schemas/<name>."""
    _schemas[name] = schema


def document_path(path: str, operations: dict) -> None:
    """Register an API path (relative to /api/v1) with its operations, for the OpenAPI document."""
    _paths.append((path, operations))


def page_of(schema: str) -> dict:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "total": {"type": "integer"}, "pages": {"type": "integer"}}}


def errors(*codes: int) -> dict:
    return {str(code): {"description": "Error", "content": {"application/json": {"schema": "Error"}}} for code in codes}


def ok(schema, code: int = 200) -> dict:
    return {str(code): {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def ok_or_download(schema) -> dict:
    """A 200 that is JSON, or with format=csv / format=xlsx a download of the same figures."""
    return {"200": {"description": "OK", "content": {
        "application/json": {"schema": schema}, "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}}}


def query(schema) -> list:
    return [{"in": "query", "schema": schema}]



def idempotency_key() -> list:
    """The header that makes a write's retry safe (core.idempotency), as an operation parameter."""
    return [{"in": "header", "name": "Idempotency-Key", "required": False,
             "schema": {"type": "string", "maxLength": 100},
             "description": "A retry with the same key gets the first answer and is applied once."}]


def body(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def decimals_as_sent(self, field, ret, **kwargs) -> dict:
    """Decimals as they travel: a decimal sent as a string is documented as one; a range's ends are numbers.

    apispec writes a Decimal field's range through the field itself, which makes its ends strings ("0.00"), and
    documents every Decimal as a number, also those the API sends as strings."""
    if not isinstance(field, fields.Decimal):
        return {}
    if field.as_string:
        ret.pop("minimum", None), ret.pop("maximum", None)
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    attributes = {end: float(ret[end]) for end in ("minimum", "maximum") if end in ret}
    if any(isinstance(v, validate.Range) and v.min is not None and not v.min_inclusive for v in field.validators):
        attributes["exclusiveMinimum"] = True
    return attributes


@cache
def build_spec() -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Relief depots API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[plugin], servers=[{"url": "/api/v1"}])
    plugin.converter.add_attribute_function(decimals_as_sent)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"type": "object", "properties": {
        "error": {"type": "string"}, "fields": {"type": "object", "additionalProperties": True}}})
    for name, schema in _schemas.items():
        if name not in spec.components.schemas:  # nested schemas register themselves under the same name
            spec.components.schema(name, schema=schema)
    for path, operations in _paths:
        operations = copy.deepcopy(operations)  # apispec resolves schemas in place
        spec.path(path=path, parameters=operations.pop("parameters", None), operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.route("/openapi.json")
@public
def openapi_document():
    return jsonify(build_spec())
