"""JSON API v1 for following an incident's relief: demand, planned, in transit and delivered per area and item,
the timeline, the basic-living share delivered within its due time, and the overdue shipments. Everyone who reads
the incident reads its progress."""
from __future__ import annotations

from flask import Blueprint

from core.auth import allow
from core.openapi import document_path, document_schema, errors, ok
from dispatch.progress import queries
from dispatch.progress.schemas import ProgressSchema

bp = Blueprint("progress_api", __name__)


@bp.get("/incidents/<int:incident_id>/progress")
@allow()
def get_progress(incident_id: int):
    return ProgressSchema().dump(queries.incident_progress(incident_id))


document_schema("Progress", ProgressSchema)
document_path("/incidents/{incident_id}/progress", {
    "parameters": [{"in": "path", "name": "incident_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "How the incident's relief is going: per area and item the demand (latest version), the "
                       "approved plan's quantities, what is in transit and what was delivered (accepted at the "
                       "stop); cumulative units dispatched and delivered over time; the share of basic-living "
                       "demand delivered within its due time, overall and per area; the overdue shipments",
            "responses": {**ok("Progress"), **errors(401, 404)}}})
