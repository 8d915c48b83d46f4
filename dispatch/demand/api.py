"""JSON API v1 for demand: the current version, and saving a new one (typed, or estimated from the norms)."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from core.api import json_body
from core.auth import allow
from core.errors import NotFoundError
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok
from dispatch.demand import queries, services
from dispatch.demand.schemas import DemandVersionSchema, PutDemandSchema
from dispatch.incidents.queries import get_incident

bp = Blueprint("demand_api", __name__)
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.get("/incidents/<int:incident_id>/demand")
@allow()
def get_demand(incident_id: int):
    get_incident(incident_id)
    version = queries.current_version(incident_id)
    if version is None:
        raise NotFoundError(_("This incident has no demand yet."))
    return DemandVersionSchema().dump(version)


@bp.put("/incidents/<int:incident_id>/demand")
@allow(*PLANNERS)
@idempotent
def put_demand(incident_id: int):
    data = json_body(PutDemandSchema())
    if data["estimate"] is not None:
        estimate = data["estimate"]
        phasing = services.Phasing(estimate["peak_share"], estimate["tail_hours"]) \
            if estimate.get("peak_share") is not None else None
        version = services.estimate_demand(incident_id, current_user, phasing, data["note"])
    else:
        lines = [services.DemandLineRequest(**line) for line in data["lines"]]
        version = services.save_demand(incident_id, lines, current_user, data["note"])
    return DemandVersionSchema().dump(version), 201


_INCIDENT = [{"in": "path", "name": "incident_id", "required": True, "schema": {"type": "integer"}}]
document_schema("DemandVersion", DemandVersionSchema)
document_path("/incidents/{incident_id}/demand", {
    "parameters": _INCIDENT,
    "get": {"summary": "The incident's current demand version",
            "responses": {**ok("DemandVersion"), **errors(401, 404)}},
    "put": {"summary": "Save a new demand version: lines as typed, or an estimate from the norms",
            "parameters": [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}],
            "requestBody": body(PutDemandSchema),
            "responses": {**ok("DemandVersion", 201), **errors(400, 401, 403, 404, 409, 422)}},
})
