"""JSON API v1 for planning: ask for a plan (202 with the job), follow the job."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from core.api import json_body
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok
from dispatch.planning import services
from dispatch.planning.schemas import JobSchema, PlanRequestSchema

bp = Blueprint("planning_api", __name__)
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.post("/incidents/<int:incident_id>/plans")
@allow(*PLANNERS)
@idempotent
def request_plan(incident_id: int):
    data = json_body(PlanRequestSchema())
    job = services.plan_incident(incident_id, current_user, data["demand_version_id"])
    return JobSchema().dump(job), 202, {"Location": url_for("planning_api.get_job", job_id=job.id)}


@bp.get("/jobs/<int:job_id>")
@allow()
def get_job(job_id: int):
    return JobSchema().dump(services.get_job(job_id))


document_schema("Job", JobSchema)
document_path("/incidents/{incident_id}/plans", {
    "parameters": [{"in": "path", "name": "incident_id", "required": True, "schema": {"type": "integer"}}],
    "post": {"summary": "Plan the incident's demand in the background; follow the job at /jobs/{id}",
             "parameters": [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}],
             "requestBody": body(PlanRequestSchema),
             "responses": {**ok("Job", 202), **errors(400, 401, 403, 404, 409, 422)}}})
document_path("/jobs/{job_id}", {
    "parameters": [{"in": "path", "name": "job_id", "required": True, "schema": {"type": "integer"}}],
    "get": {"summary": "A planning job: status, stage, progress, elapsed time, the plan or why it failed",
            "responses": {**ok("Job"), **errors(401, 404)}}})
