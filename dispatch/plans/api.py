"""JSON API v1 for plans: one plan whole, and its map (sources, areas, routes) as GeoJSON."""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint
from flask_login import current_user
from marshmallow import Schema, fields, validate

from core.api import json_body
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok
from dispatch.incidents.api import area_feature
from dispatch.plans import queries, services
from dispatch.plans.schemas import PlanSchema

bp = Blueprint("plans_api", __name__)


@bp.get("/plans/<int:plan_id>")
@allow()
def get_plan(plan_id: int):
    return PlanSchema().dump(queries.get_plan(plan_id))


class CancelPlanSchema(Schema):
    reason = fields.String(validate=validate.Length(max=services.MAX_NOTE))


@bp.post("/plans/<int:plan_id>/approve")
@allow(Role.ADMIN, Role.DISPATCHER)
@idempotent
def approve(plan_id: int):
    """Reserve the plan's lots and make its shipments; 409 with the lines stock no longer covers."""
    services.approve_plan(plan_id, current_user)
    return _approved(plan_id)


@bp.post("/plans/<int:plan_id>/cancel")
@allow(Role.ADMIN, Role.DISPATCHER)
@idempotent
def cancel(plan_id: int):
    services.cancel_plan(plan_id, current_user, json_body(CancelPlanSchema()).get("reason"))
    return _approved(plan_id)


def _approved(plan_id: int) -> dict:
    from dispatch.shipments.queries import list_shipments  # shipments build on plans
    from dispatch.shipments.schemas import ShipmentSummarySchema

    plan = queries.get_plan(plan_id)
    shipments = list_shipments(plan_id=plan_id, per_page=200)
    return {**PlanSchema(only=("id", "incident_id", "number", "status", "approved_at", "closed_at",
                               "close_reason")).dump(plan),
            "shipments": ShipmentSummarySchema().dump(shipments.items, many=True), "shipment_count": shipments.total}


@bp.get("/plans/<int:plan_id>/map")
@allow()
def plan_map(plan_id: int):
    """Sources coloured by level, areas sized by their demand, vehicle routes and rail or air legs as lines."""
    plan = queries.get_plan(plan_id)
    demanded, received = defaultdict(int), defaultdict(int)
    for line in plan.demand_version.lines:
        demanded[line.area_id] += line.quantity
    for line in plan.lines:
        received[line.area_id] += line.quantity
    features = [area_feature(area, demanded[area.id], received[area.id]) for area in plan.incident.areas
                if area.id in demanded]
    features += _sources(plan) + _routes(plan) + _direct_legs(plan)
    return {"type": "FeatureCollection", "features": features}


def _sources(plan) -> list[dict]:
    seen = {}
    for line in plan.lines:
        if line.depot is not None and line.depot_id not in seen:
            seen[line.depot_id] = _point(line.depot.longitude, line.depot.latitude, "source",
                                         f"{line.depot.code} {line.depot.name}", level=line.source_level.value)
        elif line.agreement is not None and -line.agreement_id not in seen:
            seen[-line.agreement_id] = _point(line.agreement.longitude, line.agreement.latitude, "source",
                                              line.agreement.enterprise_name, level="agreement")
    return list(seen.values())


def _routes(plan) -> list[dict]:
    features = []
    for route in plan.routes:
        path = [[route.depot.longitude, route.depot.latitude]] + [[s.area.longitude, s.area.latitude]
                                                                 for s in route.stops]
        late = any(load.line.on_time_quantity < load.line.quantity for stop in route.stops for load in stop.loads)
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": path},
                         "properties": {"kind": "route", "mode": "road", "late": late,
                                        "label": f"{route.depot.code} · {route.vehicle_label}",
                                        "lines": [f"{s.sequence}. {s.area.name}" for s in route.stops]}})
    return features


def _direct_legs(plan) -> list[dict]:
    """Rail and air legs, one line per source and area."""
    legs = {}
    for line in plan.lines:
        if line.mode.value != "road" and line.depot is not None:
            legs[(line.depot_id, line.area_id, line.mode.value)] = {
                "type": "Feature", "geometry": {"type": "LineString", "coordinates": [
                    [line.depot.longitude, line.depot.latitude], [line.area.longitude, line.area.latitude]]},
                "properties": {"kind": "route", "mode": line.mode.value, "late": line.late,
                               "label": f"{line.depot.code} → {line.area.name}"}}
    return list(legs.values())


def _point(lon: float, lat: float, kind: str, label: str, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": kind, "label": label, **properties}}


_PLAN = [{"in": "path", "name": "plan_id", "required": True, "schema": {"type": "integer"}}]
document_schema("Plan", PlanSchema)
document_path("/plans/{plan_id}", {"parameters": _PLAN, "get": {
    "summary": "A plan: KPIs as routed beside the allocation's and the greedy baseline's, open levels, lines, unmet "
               "demand with reasons, routes with stops", "responses": {**ok("Plan"), **errors(401, 404)}}})
document_path("/plans/{plan_id}/map", {"parameters": _PLAN, "get": {
    "summary": "The plan's sources, areas and routes as GeoJSON", "responses": {**ok({"type": "object"}),
                                                                                **errors(401, 404)}}})
_KEY = [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}]
_PLAN_STATE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "incident_id": {"type": "integer"}, "number": {"type": "integer"},
    "status": {"type": "string"}, "approved_at": {"type": "string", "nullable": True},
    "closed_at": {"type": "string", "nullable": True}, "close_reason": {"type": "string", "nullable": True},
    "shipments": {"type": "array", "items": {"$ref": "#/components/schemas/ShipmentSummary"}},
    "shipment_count": {"type": "integer"}}}
document_path("/plans/{plan_id}/approve", {"parameters": _PLAN, "post": {
    "summary": "Approve a proposed plan: reserve its lots first-expiring-first, make its shipments, activate its "
               "agreements, supersede the incident's approved plan. 409 lists the lines stock no longer covers",
    "parameters": _KEY, "responses": {**ok(_PLAN_STATE), **errors(401, 403, 404, 409, 422)}}})
document_path("/plans/{plan_id}/cancel", {"parameters": _PLAN, "post": {
    "summary": "Cancel a plan: shipments not yet left release their stock; those on the road go on",
    "parameters": _KEY, "requestBody": body(CancelPlanSchema),
    "responses": {**ok(_PLAN_STATE), **errors(400, 401, 403, 404, 409, 422)}}})
