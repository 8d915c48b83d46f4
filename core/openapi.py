"""The API description, assembled from the schemas and paths the domain packages register."""
from __future__ import annotations

import copy
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

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


def query(schema) -> list:
    return [{"in": "query", "schema": schema}]



def idempotency_key() -> list:
    """The header that makes a write's retry safe (core.idempotency), as an operation parameter."""
    return [{"in": "header", "name": "Idempotency-Key", "required": False,
             "schema": {"type": "string", "maxLength": 100},
             "description": "A retry with the same key gets the first answer and is applied once."}]


def body(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


@cache
def build_spec() -> dict:
    spec = APISpec(title="Relief depots API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": "/api/v1"}])
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
