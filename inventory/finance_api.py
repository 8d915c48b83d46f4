"""JSON API v1 for rotation (due list, plans) and the finance reports (JSON, CSV or XLSX)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint
from flask_login import current_user

from core.api import json_body, page_json, query_args
from core.auth import allow
from core.errors import NotFoundError, PermissionDeniedError
from core.exports import table_response
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from inventory import queries, reports, services
from inventory.finance_schemas import (CreateRotationPlanSchema, DueLotSchema, DueQuerySchema, ExecuteRotationSchema,
                                       PeriodSchema, RotationPlanSchema, ValuationQuerySchema)
from inventory.reports import JOURNAL_COLUMNS, ReportFilters

bp = Blueprint("finance_api", __name__)
READERS = (Role.ADMIN, Role.FINANCE)
WRITERS = (Role.ADMIN, Role.CLERK)


def _filters(args: dict) -> ReportFilters:
    return ReportFilters(args.pop("level", None), args.pop("region_code", None),
                         _value(args.pop("funding_source", None)), _value(args.pop("category", None)))


def _value(member):
    return member.value if member is not None else None


@bp.get("/rotation/due")
@allow()
def rotation_due():
    args = query_args(DueQuerySchema())
    if current_user.role == Role.CLERK:
        if not args["depot_id"] or not queries.can_act_at(current_user, args["depot_id"]):
            raise PermissionDeniedError("Clerks list the due lots of one of their depots: give its depot_id.")
    args["category"] = _value(args["category"])
    filters = {key: value for key, value in args.items() if key not in ("page", "per_page")}
    result = page_json(queries.list_rotation_due(args["page"], args["per_page"], **filters), DueLotSchema())
    totals = queries.rotation_due_totals(**filters)
    result["totals"] = {**totals, "book_value": str(totals["book_value"])}
    return result


@bp.post("/rotation-plans")
@allow(*WRITERS)
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
        raise NotFoundError(f"No rotation plan {plan_id}.")
    if current_user.role == Role.CLERK and not queries.can_act_at(current_user, plan.depot_id):
        raise PermissionDeniedError("This plan belongs to another depot.")
    return RotationPlanSchema().dump(plan)


@bp.post("/rotation-plans/<int:plan_id>/approve")
@allow(*WRITERS)
@idempotent
def approve_rotation_plan(plan_id: int):
    return RotationPlanSchema().dump(services.approve_rotation_plan(plan_id, current_user))


@bp.post("/rotation-plans/<int:plan_id>/execute")
@allow(*WRITERS)
@idempotent
def execute_rotation_plan(plan_id: int):
    data = json_body(ExecuteRotationSchema())
    plan = services.execute_rotation(plan_id, current_user, [services.RotationOut(**o) for o in data["outs"]],
                                     [services.RotationIn(**i) for i in data["ins"]])
    return RotationPlanSchema().dump(plan)


@bp.post("/rotation-plans/<int:plan_id>/cancel")
@allow(*WRITERS)
@idempotent
def cancel_rotation_plan(plan_id: int):
    return RotationPlanSchema().dump(services.cancel_rotation_plan(plan_id, current_user))


ROTATION_HEADERS = ["plan", "depot", "quantity_out", "book_value_out", "proceeds", "quantity_in", "replacement_cost",
                    "net_cost", "disposal_loss"]


def _rotation_row(figures) -> list:
    return [figures.plan, figures.depot, figures.quantity_out, figures.book_value_out, figures.proceeds,
            figures.quantity_in, figures.replacement_cost, figures.net_cost, figures.disposal_loss]


@bp.get("/reports/rotation")
@allow(*READERS)
def rotation_report():
    args = query_args(PeriodSchema())
    report = reports.rotation_report(args["date_from"], args["date_to"], _filters(args))
    rows, total = [_rotation_row(plan) for plan in report.plans], _rotation_row(report.total)
    if args["format"] != "json":
        footer = [["scrapped_value", report.scrapped_value], ["expired_value", report.expired_value],
                  ["write_offs", report.write_offs]]
        return table_response(f"rotation-{args['date_from']}-{args['date_to']}", ROTATION_HEADERS,
                              rows + [total] + footer, args["format"])
    return {"date_from": args["date_from"].isoformat(), "date_to": args["date_to"].isoformat(),
            "plans": [_as_json(ROTATION_HEADERS, row) for row in rows], "total": _as_json(ROTATION_HEADERS, total),
            "scrapped_value": str(report.scrapped_value), "expired_value": str(report.expired_value),
            "write_offs": str(report.write_offs)}


VALUATION_HEADERS = ["level", "category", "funding_source", "quantity", "value"]


@bp.get("/reports/valuation")
@allow(*READERS)
def valuation_report():
    args = query_args(ValuationQuerySchema())
    result = reports.valuation(args["as_of"], _filters(args))
    rows = [[r.level, r.category, r.funding_source, r.quantity, r.value] for r in result.rows]
    total = ["total", "", "", result.total_quantity, result.total_value]
    if args["format"] != "json":
        return table_response(f"valuation-{args['as_of']}", VALUATION_HEADERS, rows, args["format"], total)
    return {"as_of": args["as_of"].isoformat(), "rows": [_as_json(VALUATION_HEADERS, row) for row in rows],
            "total_quantity": result.total_quantity, "total_value": str(result.total_value)}


@bp.get("/reports/journal")
@allow(*READERS)
def journal_report():
    args = query_args(PeriodSchema())
    filters = _filters(args)
    if args["format"] != "json":
        rows, totals = reports.journal(args["date_from"], args["date_to"], filters)
        total = ["total", "", "", "", "", "", "", totals["net_quantity"], "", totals["net_value"]]
        return table_response(f"journal-{args['date_from']}-{args['date_to']}", JOURNAL_COLUMNS,
                              [[row.get(c) for c in JOURNAL_COLUMNS] for row in rows], args["format"], total)
    rows, totals = reports.journal(args["date_from"], args["date_to"], filters, limit=args["per_page"],
                                   offset=(args["page"] - 1) * args["per_page"])
    return {"items": [{key: _json_value(value) for key, value in row.items()} for row in rows],
            "page": args["page"], "per_page": args["per_page"], "total": totals["movements"],
            "net_quantity": totals["net_quantity"], "net_value": str(totals["net_value"])}


def _as_json(headers: list[str], row: list) -> dict:
    return {header: _json_value(value) for header, value in zip(headers, row)}


def _json_value(value):
    return str(value) if isinstance(value, Decimal) else value


for _name, _schema in (("RotationPlan", RotationPlanSchema), ("DueLot", DueLotSchema)):
    document_schema(_name, _schema)
_ID = {"in": "path", "required": True, "schema": {"type": "integer"}}
_KEY = {"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}
_FORMAT_NOTE = " Add format=csv or format=xlsx for a download with the same figures."
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
document_path("/reports/rotation", {"get": {"summary": "Rotation costs per plan and in total." + _FORMAT_NOTE,
                                            "parameters": query(PeriodSchema),
                                            "responses": {**ok({"type": "object"}), **errors(400, 401, 403)}}})
document_path("/reports/valuation", {"get": {"summary": "Stock value at the end of a day, from the ledger."
                                              + _FORMAT_NOTE, "parameters": query(ValuationQuerySchema),
                                              "responses": {**ok({"type": "object"}), **errors(400, 401, 403)}}})
document_path("/reports/journal", {"get": {"summary": "Every movement in a period with its document number."
                                           + _FORMAT_NOTE, "parameters": query(PeriodSchema),
                                           "responses": {**ok({"type": "object"}), **errors(400, 401, 403)}}})
