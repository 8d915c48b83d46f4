"""JSON API v1 for incidents: record and read them, their responses, support requests and affected areas.

Dispatchers and administrators write (with a bearer token; every write takes an Idempotency-Key); everyone reads.
"""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from core.api import json_body, page_json, query_args
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from dispatch.incidents import queries, services
from dispatch.incidents.schemas import (
    AreaSchema,
    CreateAreaSchema,
    CreateIncidentSchema,
    CreateResponseSchema,
    CreateSupportRequestSchema,
    IncidentQuerySchema,
    IncidentSchema,
    IncidentSummarySchema,
    OpeningSchema,
    ResponseSchema,
    SupportRequestSchema,
    UpdateAreaSchema,
    UpdateIncidentSchema,
)

bp = Blueprint("incidents_api", __name__)
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.get("/incidents")
@allow()
def list_incidents():
    return page_json(queries.list_incidents(**query_args(IncidentQuerySchema())), IncidentSummarySchema())


@bp.post("/incidents")
@allow(*PLANNERS)
@idempotent
def create_incident():
    incident = services.create_incident(json_body(CreateIncidentSchema()), actor=current_user)
    return _incident(incident.id), 201


@bp.get("/incidents/<int:incident_id>")
@allow()
def get_incident(incident_id: int):
    return _incident(incident_id)


def _incident(incident_id: int) -> dict:
    incident = queries.get_incident(incident_id)
    return {**IncidentSchema().dump(incident),
            "open_levels": OpeningSchema().dump(queries.source_openings(incident), many=True)}


@bp.patch("/incidents/<int:incident_id>")
@allow(*PLANNERS)
@idempotent
def update_incident(incident_id: int):
    services.update_incident(incident_id, json_body(UpdateIncidentSchema(), partial=True), actor=current_user)
    return _incident(incident_id)


@bp.post("/incidents/<int:incident_id>/responses")
@allow(*PLANNERS)
@idempotent
def record_response(incident_id: int):
    data = json_body(CreateResponseSchema())
    change = services.ResponseChange(data["authority"], data["level"], data["region_code"], data["changed_at"],
                                     data["note"])
    return ResponseSchema().dump(services.record_response(incident_id, change, actor=current_user)), 201


@bp.post("/incidents/<int:incident_id>/support-requests")
@allow(*PLANNERS)
@idempotent
def request_support(incident_id: int):
    data = json_body(CreateSupportRequestSchema())
    asked = services.SupportAsked(data["authority"], data["region_code"], data["asked_by"], data["requested_at"],
                                  data["note"])
    return SupportRequestSchema().dump(services.request_support(incident_id, asked, actor=current_user)), 201


@bp.post("/incidents/<int:incident_id>/areas")
@allow(*PLANNERS)
@idempotent
def add_area(incident_id: int):
    area = services.add_area(incident_id, json_body(CreateAreaSchema()), actor=current_user)
    return AreaSchema().dump(area), 201


@bp.patch("/incidents/<int:incident_id>/areas/<int:area_id>")
@allow(*PLANNERS)
@idempotent
def update_area(incident_id: int, area_id: int):
    changes = json_body(UpdateAreaSchema(), partial=True)
    return AreaSchema().dump(services.update_area(incident_id, area_id, changes, actor=current_user))


@bp.get("/incidents/<int:incident_id>/map")
@allow()
def incident_map(incident_id: int):
    """The affected areas as GeoJSON, sized by displaced people."""
    incident = queries.get_incident(incident_id)
    return {"type": "FeatureCollection", "features": [area_feature(area) for area in incident.areas]}


def area_feature(area, demand: int | None = None, planned: int | None = None) -> dict:
    """An area as a GeoJSON point, sized by its displaced people (or, on a plan's map, by its demand)."""
    size = (area.displaced_population ** 0.5) / 12 if demand is None else (demand ** 0.5) / 20
    lines = [_("%(people)s displaced", people=f"{area.displaced_population:,}")]
    if demand is not None:
        lines.append(_("%(planned)s of %(demand)s units planned", planned=f"{planned or 0:,}", demand=f"{demand:,}"))
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [area.longitude, area.latitude]},
            "properties": {"kind": "area", "id": area.id, "label": area.name, "size": round(size, 1),
                           "lines": lines}}


_INCIDENT = [{"in": "path", "name": "incident_id", "required": True, "schema": {"type": "integer"}}]
_KEY = [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}]
for _name, _schema in (("Incident", IncidentSchema), ("IncidentSummary", IncidentSummarySchema),
                       ("Response", ResponseSchema), ("SupportRequest", SupportRequestSchema), ("Area", AreaSchema)):
    document_schema(_name, _schema)
document_path("/incidents", {
    "get": {"summary": "List incidents (filter by status and title)", "parameters": query(IncidentQuerySchema),
            "responses": {**ok(page_of("IncidentSummary")), **errors(400, 401)}},
    "post": {"summary": "Record an incident (dispatcher, admin)", "parameters": _KEY,
             "requestBody": body(CreateIncidentSchema),
             "responses": {**ok("Incident", 201), **errors(400, 401, 403, 422)}},
})
document_path("/incidents/{incident_id}", {
    "parameters": _INCIDENT,
    "get": {"summary": "One incident with its responses, support requests, areas and the source levels they open",
            "responses": {**ok("Incident"), **errors(401, 404)}},
    "patch": {"summary": "Change an incident, or close or reopen it with status", "parameters": _KEY,
              "requestBody": body(UpdateIncidentSchema),
              "responses": {**ok("Incident"), **errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/incidents/{incident_id}/responses", {"parameters": _INCIDENT, "post": {
    "summary": "Raise, lower (level) or end (level null) a government's response", "parameters": _KEY,
    "requestBody": body(CreateResponseSchema),
    "responses": {**ok("Response", 201), **errors(400, 401, 403, 404, 409, 422)}}})
document_path("/incidents/{incident_id}/support-requests", {"parameters": _INCIDENT, "post": {
    "summary": "Record a request for support from the level above", "parameters": _KEY,
    "requestBody": body(CreateSupportRequestSchema),
    "responses": {**ok("SupportRequest", 201), **errors(400, 401, 403, 404, 409, 422)}}})
document_path("/incidents/{incident_id}/areas", {"parameters": _INCIDENT, "post": {
    "summary": "Add an affected area: a county by region_code, or a point", "parameters": _KEY,
    "requestBody": body(CreateAreaSchema), "responses": {**ok("Area", 201), **errors(400, 401, 403, 404, 409, 422)}}})
document_path("/incidents/{incident_id}/areas/{area_id}", {
    "parameters": [*_INCIDENT, {"in": "path", "name": "area_id", "required": True, "schema": {"type": "integer"}}],
    "patch": {"summary": "Change an area's figures", "parameters": _KEY, "requestBody": body(UpdateAreaSchema),
              "responses": {**ok("Area"), **errors(400, 401, 403, 404, 409, 422)}}})
document_path("/incidents/{incident_id}/map", {"parameters": _INCIDENT, "get": {
    "summary": "The affected areas as GeoJSON", "responses": {**ok({"type": "object"}), **errors(401, 404)}}})
