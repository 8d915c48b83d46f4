"""JSON API v1 for the network and the catalog."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, ValidationError

from core.auth import allow
from core.errors import ConflictError, json_error
from core.models import Role
from core.openapi import document_path, document_schema
from core.pagination import Page
from inventory import queries, services
from inventory.models import DepotStatus
from inventory.schemas import (
    CreateDepotSchema,
    CreateItemSchema,
    DepotQuerySchema,
    DepotSchema,
    ItemQuerySchema,
    ItemSchema,
    RegionQuerySchema,
    RegionSchema,
    UpdateDepotSchema,
    UpdateItemSchema,
)

bp = Blueprint("inventory_api", __name__)


class BadRequestBody(Exception):
    pass


@bp.errorhandler(BadRequestBody)
def _bad_body(error):
    return json_error(str(error), 400)


def json_body(schema: Schema, partial: bool = False) -> dict:
    """The request's JSON object, validated; a 400 when it is not JSON, a 422 when fields are wrong."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequestBody("The body must be a JSON object (Content-Type: application/json).")
    data = schema.load(body, partial=partial)
    if partial:  # a PATCH changes only what it names, never a field's load default
        data = {key: value for key, value in data.items() if key in body}
    return data


def query_args(schema: Schema) -> dict:
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise _QueryError(error.messages) from error


class _QueryError(Exception):
    def __init__(self, fields):
        super().__init__("Invalid query parameters.")
        self.fields = fields


@bp.errorhandler(_QueryError)
def _bad_query(error):
    return json_error(str(error), 400, error.fields)


def page_json(page: Page, schema: Schema) -> dict:
    return {"items": schema.dump(page.items, many=True), "page": page.number, "per_page": page.per_page,
            "total": page.total, "pages": page.pages}


@bp.get("/depots")
@allow()
def list_depots():
    args = query_args(DepotQuerySchema())
    return page_json(queries.list_depots(**args), DepotSchema())


@bp.post("/depots")
@allow(Role.ADMIN)
def create_depot():
    depot = services.create_depot(json_body(CreateDepotSchema()))
    return DepotSchema().dump(depot), 201


@bp.get("/depots/<int:depot_id>")
@allow()
def get_depot(depot_id: int):
    return DepotSchema().dump(services.get_depot(depot_id))


@bp.patch("/depots/<int:depot_id>")
@allow(Role.ADMIN)
def update_depot(depot_id: int):
    changes = json_body(UpdateDepotSchema(), partial=True)
    status = changes.pop("status", None)
    if status == DepotStatus.ACTIVE and services.get_depot(depot_id).status == DepotStatus.CLOSED:
        raise ConflictError("A closed depot cannot be reopened; create a new one.", {"status": ["Cannot reopen."]})
    depot = services.update_depot(depot_id, changes) if changes else services.get_depot(depot_id)
    if status == DepotStatus.CLOSED:
        depot = services.close_depot(depot_id)
    return DepotSchema().dump(depot)


@bp.get("/items")
@allow()
def list_items():
    return page_json(queries.list_items(**query_args(ItemQuerySchema())), ItemSchema())


@bp.post("/items")
@allow(Role.ADMIN)
def create_item():
    return ItemSchema().dump(services.create_item(json_body(CreateItemSchema()))), 201


@bp.get("/items/<int:item_id>")
@allow()
def get_item(item_id: int):
    return ItemSchema().dump(services.get_item(item_id))


@bp.patch("/items/<int:item_id>")
@allow(Role.ADMIN)
def update_item(item_id: int):
    return ItemSchema().dump(services.update_item(item_id, json_body(UpdateItemSchema(), partial=True)))


@bp.get("/regions")
@allow()
def list_regions():
    return page_json(queries.list_regions(**query_args(RegionQuerySchema())), RegionSchema())


def _page_of(schema: str) -> dict:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "total": {"type": "integer"}, "pages": {"type": "integer"}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "Error", "content": {"application/json": {"schema": "Error"}}} for code in codes}


def _ok(schema, code: int = 200) -> dict:
    return {str(code): {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def _query(schema) -> list:
    return [{"in": "query", "schema": schema}]


for _name, _schema in (("Depot", DepotSchema), ("Item", ItemSchema), ("Region", RegionSchema)):
    document_schema(_name, _schema)
document_path("/depots", {
    "get": {"summary": "List depots (filter by level, region, text, status)", "parameters": _query(DepotQuerySchema),
            "responses": {**_ok(_page_of("Depot")), **_errors(400, 401)}},
    "post": {"summary": "Create a depot (admin)", "requestBody": {"content": {"application/json": {"schema": CreateDepotSchema}}},
             "responses": {**_ok("Depot", 201), **_errors(400, 401, 403, 409, 422)}},
})
document_path("/depots/{depot_id}", {
    "parameters": [{"in": "path", "name": "depot_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "One depot", "responses": {**_ok("Depot"), **_errors(401, 404)}},
    "patch": {"summary": "Change or close a depot (admin)",
              "requestBody": {"content": {"application/json": {"schema": UpdateDepotSchema}}},
              "responses": {**_ok("Depot"), **_errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/items", {
    "get": {"summary": "List catalog items", "parameters": _query(ItemQuerySchema),
            "responses": {**_ok(_page_of("Item")), **_errors(400, 401)}},
    "post": {"summary": "Add an item (admin)", "requestBody": {"content": {"application/json": {"schema": CreateItemSchema}}},
             "responses": {**_ok("Item", 201), **_errors(400, 401, 403, 409, 422)}},
})
document_path("/items/{item_id}", {
    "parameters": [{"in": "path", "name": "item_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "One item", "responses": {**_ok("Item"), **_errors(401, 404)}},
    "patch": {"summary": "Change an item (admin)",
              "requestBody": {"content": {"application/json": {"schema": UpdateItemSchema}}},
              "responses": {**_ok("Item"), **_errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/regions", {
    "get": {"summary": "List regions (province, prefecture, county)", "parameters": _query(RegionQuerySchema),
            "responses": {**_ok(_page_of("Region")), **_errors(400, 401)}},
})
