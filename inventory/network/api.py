"""JSON API v1 for the network and the catalog."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from core.api import json_body, page_json, query_args
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import document_path, document_schema, errors, idempotency_key, ok, page_of, query
from inventory.network import queries, services
from inventory.network.schemas import (
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

bp = Blueprint("network_api", __name__)


@bp.get("/depots")
@allow()
def list_depots():
    args = query_args(DepotQuerySchema())
    return page_json(queries.list_depots(**args), DepotSchema())


@bp.post("/depots")
@allow(Role.ADMIN)
@idempotent
def create_depot():
    depot = services.create_depot(json_body(CreateDepotSchema()), actor=current_user)
    return DepotSchema().dump(depot), 201


@bp.get("/depots/<int:depot_id>")
@allow()
def get_depot(depot_id: int):
    return DepotSchema().dump(queries.get_depot(depot_id))


@bp.patch("/depots/<int:depot_id>")
@allow(Role.ADMIN)
@idempotent
def update_depot(depot_id: int):
    changes = json_body(UpdateDepotSchema(), partial=True)
    depot = services.update_depot(depot_id, changes, actor=current_user)
    return DepotSchema().dump(depot)


@bp.get("/items")
@allow()
def list_items():
    return page_json(queries.list_items(**query_args(ItemQuerySchema())), ItemSchema())


@bp.post("/items")
@allow(Role.ADMIN)
@idempotent
def create_item():
    return ItemSchema().dump(services.create_item(json_body(CreateItemSchema()), actor=current_user)), 201


@bp.get("/items/<int:item_id>")
@allow()
def get_item(item_id: int):
    return ItemSchema().dump(queries.get_item(item_id))


@bp.patch("/items/<int:item_id>")
@allow(Role.ADMIN)
@idempotent
def update_item(item_id: int):
    return ItemSchema().dump(services.update_item(item_id, json_body(UpdateItemSchema(), partial=True),
                                                actor=current_user))


@bp.get("/regions")
@allow()
def list_regions():
    return page_json(queries.list_regions(**query_args(RegionQuerySchema())), RegionSchema())


for _name, _schema in (("Depot", DepotSchema), ("Item", ItemSchema), ("Region", RegionSchema)):
    document_schema(_name, _schema)
document_path("/depots", {
    "get": {"summary": "List depots (filter by level, region, text, status)", "parameters": query(DepotQuerySchema),
            "responses": {**ok(page_of("Depot")), **errors(400, 401)}},
    "post": {"summary": "Create a depot (admin)", "parameters": idempotency_key(),
             "requestBody": {"content": {"application/json": {"schema": CreateDepotSchema}}},
             "responses": {**ok("Depot", 201), **errors(400, 401, 403, 409, 422)}},
})
document_path("/depots/{depot_id}", {
    "parameters": [{"in": "path", "name": "depot_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "One depot", "responses": {**ok("Depot"), **errors(401, 404)}},
    "patch": {"summary": "Change or close a depot (admin)", "parameters": idempotency_key(),
              "requestBody": {"content": {"application/json": {"schema": UpdateDepotSchema}}},
              "responses": {**ok("Depot"), **errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/items", {
    "get": {"summary": "List catalog items", "parameters": query(ItemQuerySchema),
            "responses": {**ok(page_of("Item")), **errors(400, 401)}},
    "post": {"summary": "Add an item (admin)", "parameters": idempotency_key(),
             "requestBody": {"content": {"application/json": {"schema": CreateItemSchema}}},
             "responses": {**ok("Item", 201), **errors(400, 401, 403, 409, 422)}},
})
document_path("/items/{item_id}", {
    "parameters": [{"in": "path", "name": "item_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "One item", "responses": {**ok("Item"), **errors(401, 404)}},
    "patch": {"summary": "Change an item (admin)", "parameters": idempotency_key(),
              "requestBody": {"content": {"application/json": {"schema": UpdateItemSchema}}},
              "responses": {**ok("Item"), **errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/regions", {
    "get": {"summary": "List regions (province, prefecture, county)", "parameters": query(RegionQuerySchema),
            "responses": {**ok(page_of("Region")), **errors(400, 401)}},
})
