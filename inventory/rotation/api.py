"""JSON API v1 for rotation: the due list and rotation plans (draft, approve, execute, cancel)."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from core.access import STOCK_KEEPERS, ensure_can_see, ensure_depot_named
from core.api import json_body, page_json, query_args
from core.auth import allow
from core.errors import NotFoundError
from core.idempotency import idempotent
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from inventory.rotation import queries, services
from inventory.rotation.schemas import (
    CreateRotationPlanSchema,
    DueLotSchema,
    DueQuerySchema,
    ExecuteRotationSchema,
    RotationPlanSchema,
)

bp = Blueprint("rotation_api", __name__)


@bp.get("/rotation/due")
@allow()
def rotation_due():
    args = query_args(DueQuerySchema())
    ensure_depot_named(current_user, args["depot_id"])
    args["category"] = args["category"].value if args["category"] is not None else None
    filters = {key: value for key, value in args.items() if key not in ("page", "per_page")}
    result = page_json(queries.list_rotation_due(args["page"], args["per_page"], **filters), DueLotSchema())
    totals = queries.rotation_due_totals(**filters)
    result["totals"] = {**totals, "book_value": str(totals["book_value"])}
    return result


@bp.post("/rotation-plans")
@allow(*STOCK_KEEPERS)
@idempotent
def create_rotation_plan():
    data = json_body(CreateRotationPlanSchema())
    lines = [services.RotationLineRequest(**line) for line in data["lines"]]
    plan = services.draft_rotation_plan(data["depot_id"], lines, current_user, data["note"])
    return RotationPlanSchema().dump(plan), 201


@bp.get("/rotation-plans/<int:plan_id>")
@allow()
def get_rotation_plan(plan_id: int):
    plan = queries.get_rotation_plan(plan_id)
    if plan is None:
        raise NotFoundError(_("No rotation plan %(id)s.", id=plan_id))
    ensure_can_see(current_user, plan.depot)
    return RotationPlanSchema().dump(plan)


@bp.post("/rotation-plans/<int:plan_id>/approve")
@allow(*STOCK_KEEPERS)
@idempotent
def approve_rotation_plan(plan_id: int):
    return RotationPlanSchema().dump(services.approve_rotation_plan(plan_id, current_user))


@bp.post("/rotation-plans/<int:plan_id>/execute")
@allow(*STOCK_KEEPERS)
@idempotent
def execute_rotation_plan(plan_id: int):
    data = json_body(ExecuteRotationSchema())
    plan = services.execute_rotation(plan_id, current_user, [services.RotationOut(**o) for o in data["outs"]],
                                     [services.RotationIn(**i) for i in data["ins"]])
    return RotationPlanSchema().dump(plan)


@bp.post("/rotation-plans/<int:plan_id>/cancel")
@allow(*STOCK_KEEPERS)
@idempotent
def cancel_rotation_plan(plan_id: int):
    return RotationPlanSchema().dump(services.cancel_rotation_plan(plan_id, current_user))


for _name, _schema in (("RotationPlan", RotationPlanSchema), ("DueLot", DueLotSchema)):
    document_schema(_name, _schema)
_ID = {"in": "path", "required": True, "schema": {"type": "integer"}}
_KEY = {"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}
document_path("/rotation/due", {"get": {"summary": "Lots due for rotation or expired, most urgent first",
                                        "parameters": query(DueQuerySchema),
                                        "responses": {**ok(page_of("DueLot")), **errors(400, 401, 403)}}})
document_path("/rotation-plans", {"post": {"summary": "Draft a rotation plan", "parameters": [_KEY],
                                           "requestBody": body(CreateRotationPlanSchema),
                                           "responses": {**ok("RotationPlan", 201), **errors(400, 401, 403, 409, 422)}}})
document_path("/rotation-plans/{plan_id}", {"parameters": [{**_ID, "name": "plan_id"}], "get": {
    "summary": "One rotation plan", "responses": {**ok("RotationPlan"), **errors(401, 403, 404)}}})
for _verb, _schema in (("approve", None), ("execute", ExecuteRotationSchema), ("cancel", None)):
    _operation = {"summary": f"{_verb.title()} a rotation plan", "parameters": [_KEY],
                  "responses": {**ok("RotationPlan"), **errors(400, 401, 403, 404, 409, 422)}}
    if _schema is not None:
        _operation["requestBody"] = body(_schema)
    document_path(f"/rotation-plans/{{plan_id}}/{_verb}", {"parameters": [{**_ID, "name": "plan_id"}],
                                                           "post": _operation})
