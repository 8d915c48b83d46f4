"""JSON API v1 for shipments: list and read them, dispatch, receive at a stop, turn back, cancel.

Loading and dispatching: the source depot's clerks or a dispatcher. Receiving: a dispatcher, or the clerks of the
depot an area's goods are received into. Turning back and cancelling: dispatchers. Every write takes an
Idempotency-Key.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from core.access import actable_depot_ids
from core.api import json_body, page_json, query_args
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from dispatch.shipments import queries, services
from dispatch.shipments.schemas import (
    DispatchShipmentSchema,
    ReasonSchema,
    ReceiveShipmentSchema,
    ShipmentQuerySchema,
    ShipmentSchema,
    ShipmentSummarySchema,
    VehicleDetailsSchema,
)

bp = Blueprint("shipments_api", __name__)
LOADERS = (Role.ADMIN, Role.DISPATCHER, Role.CLERK)
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.get("/shipments")
@allow()
def list_shipments():
    """Clerks see the shipments leaving their own depots."""
    args = query_args(ShipmentQuerySchema())
    depot_ids = actable_depot_ids(current_user) if current_user.role == Role.CLERK else None
    page = queries.list_shipments(depot_ids=sorted(depot_ids) if depot_ids is not None else None, **args)
    return page_json(page, ShipmentSummarySchema())


@bp.get("/shipments/<int:shipment_id>")
@allow()
def get_shipment(shipment_id: int):
    return ShipmentSchema().dump(queries.get_shipment(shipment_id, reader=current_user))


@bp.post("/shipments/<int:shipment_id>/loading")
@allow(*LOADERS)
@idempotent
def start_loading(shipment_id: int):
    details = services.VehicleDetails(**json_body(VehicleDetailsSchema()))
    return ShipmentSchema().dump(services.start_loading(shipment_id, current_user, details))


@bp.post("/shipments/<int:shipment_id>/dispatch")
@allow(*LOADERS)
@idempotent
def dispatch(shipment_id: int):
    data = json_body(DispatchShipmentSchema())
    occurred_at = data.pop("occurred_at", None)
    shipment = services.dispatch_shipment(shipment_id, current_user, services.VehicleDetails(**data), occurred_at)
    return ShipmentSchema().dump(shipment)


@bp.post("/shipments/<int:shipment_id>/receive")
@allow(*LOADERS)
@idempotent
def receive(shipment_id: int):
    data = json_body(ReceiveShipmentSchema())
    receipt = services.StopReceipt(lines=[services.ReceivedLine(**line) for line in data.pop("lines")], **data)
    return ShipmentSchema().dump(services.receive_stop(shipment_id, receipt, current_user))


@bp.post("/shipments/<int:shipment_id>/return")
@allow(*PLANNERS)
@idempotent
def turn_back(shipment_id: int):
    data = json_body(ReasonSchema())
    return ShipmentSchema().dump(services.return_shipment(shipment_id, current_user, data["reason"],
                                                          data.get("occurred_at")))


@bp.post("/shipments/<int:shipment_id>/cancel")
@allow(*PLANNERS)
@idempotent
def cancel(shipment_id: int):
    data = json_body(ReasonSchema())
    return ShipmentSchema().dump(services.cancel_shipment(shipment_id, current_user, data["reason"]))


_SHIPMENT = [{"in": "path", "name": "shipment_id", "required": True, "schema": {"type": "integer"}}]
_KEY = [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}]
_WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)
document_schema("Shipment", ShipmentSchema)
document_schema("ShipmentSummary", ShipmentSummarySchema)
document_path("/shipments", {"get": {
    "summary": "Shipments, newest first (clerks: those leaving their depots); filter by incident, plan, depot, "
               "status, overdue", "parameters": query(ShipmentQuerySchema),
    "responses": {**ok(page_of("ShipmentSummary")), **errors(400, 401)}}})
document_path("/shipments/{shipment_id}", {"parameters": _SHIPMENT, "get": {
    "summary": "One shipment: its waybill figures, stops and lines with their lots and what each stop received",
    "responses": {**ok("Shipment"), **errors(401, 404)}}})
for _path, _schema, _summary in (
        ("loading", VehicleDetailsSchema, "The vehicle is being loaded: name it, its driver and the carrier"),
        ("dispatch", DispatchShipmentSchema, "The shipment leaves: its reserved stock goes into transit (the source "
                                             "depot's clerks or a dispatcher)"),
        ("receive", ReceiveShipmentSchema, "A stop confirms, line by line, what it accepted and what it rejected "
                                           "with a reason; the last stop delivers the shipment"),
        ("return", ReasonSchema, "A shipment on the road turns back; the goods not yet received return to stock"),
        ("cancel", ReasonSchema, "A shipment not yet left is called off and releases its stock")):
    document_path(f"/shipments/{{shipment_id}}/{_path}", {"parameters": _SHIPMENT, "post": {
        "summary": _summary, "parameters": _KEY, "requestBody": body(_schema),
        "responses": {**ok("Shipment"), **_WRITE_ERRORS}}})
