"""JSON API v1 for rotation (due list, plans) and the finance reports (JSON, CSV or XLSX).

JSON speaks in codes (`book_value_out`, `rotation_out`, `central`) whatever the reader's language; the CSV and
XLSX downloads are for people, so their headers and the words in them (movement kinds, levels, funding) come
in the requesting user's language, while the figures stay plain numbers.
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.api import json_body, page_json, query_args
from core.auth import allow
from core.errors import NotFoundError, PermissionDeniedError
from core.exports import table_response
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from inventory import labels, queries, reports, services
from inventory.finance_schemas import (CreateRotationPlanSchema, DueLotSchema, DueQuerySchema, ExecuteRotationSchema,
                                       PeriodSchema, RotationPlanSchema, ValuationQuerySchema)
from inventory.reports import ReportFilters

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
            raise PermissionDeniedError(_("Clerks list the due lots of one of their depots: give its depot_id."))
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
        raise NotFoundError(_("No rotation plan %(id)s.", id=plan_id))
    if current_user.role == Role.CLERK and not queries.can_act_at(current_user, plan.depot_id):
        raise PermissionDeniedError(_("This plan belongs to another depot."))
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


ROTATION_COLUMNS = {"plan": _l("Plan"), "depot": _l("Depot"), "quantity_out": _l("Quantity out"),
                    "book_value_out": _l("Book value out (CNY)"), "proceeds": _l("Proceeds (CNY)"),
                    "quantity_in": _l("Quantity in"), "replacement_cost": _l("Replacement cost (CNY)"),
                    "net_cost": _l("Net cost (CNY)"), "disposal_loss": _l("Disposal loss (CNY)")}
ROTATION_HEADERS = list(ROTATION_COLUMNS)


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
        footer = [[_("Scrapped (book value)"), report.scrapped_value],
                  [_("Expired while in stock"), report.expired_value], [_("Write-offs"), report.write_offs]]
        return table_response(f"rotation-{args['date_from']}-{args['date_to']}", _headers(ROTATION_COLUMNS),
                              rows + [[_("Total"), *total[1:]]] + footer, args["format"], title=_("Rotation costs"))
    return {"date_from": args["date_from"].isoformat(), "date_to": args["date_to"].isoformat(),
            "plans": [_as_json(ROTATION_HEADERS, row) for row in rows], "total": _as_json(ROTATION_HEADERS, total),
            "scrapped_value": str(report.scrapped_value), "expired_value": str(report.expired_value),
            "write_offs": str(report.write_offs)}


VALUATION_COLUMNS = {"level": _l("Level"), "category": _l("Category"), "funding_source": _l("Funding"),
                     "quantity": _l("Quantity"), "value": _l("Value (CNY)")}
VALUATION_HEADERS = list(VALUATION_COLUMNS)


@bp.get("/reports/valuation")
@allow(*READERS)
def valuation_report():
    args = query_args(ValuationQuerySchema())
    result = reports.valuation(args["as_of"], _filters(args))
    rows = [[r.level, r.category, r.funding_source, r.quantity, r.value] for r in result.rows]
    if args["format"] != "json":
        words = [[_word(labels.DEPOT_LEVEL_LABELS, level), _word(labels.CATEGORY_LABELS, category),
                  _word(labels.FUNDING_LABELS, funding), *figures] for level, category, funding, *figures in rows]
        total = [_("Total"), "", "", result.total_quantity, result.total_value]
        return table_response(f"valuation-{args['as_of']}", _headers(VALUATION_COLUMNS), words, args["format"],
                              total, title=_("Valuation"))
    return {"as_of": args["as_of"].isoformat(), "rows": [_as_json(VALUATION_HEADERS, row) for row in rows],
            "total_quantity": result.total_quantity, "total_value": str(result.total_value)}


JOURNAL_HEADERS = {  # the keys of reports.journal_row, in the order of the download
    "document": _l("Document"), "occurred_at": _l("Occurred"), "recorded_at": _l("Recorded"),
    "depot": _l("Depot"), "item": _l("Item"), "batch": _l("Batch"), "kind": _l("Kind"),
    "quantity": _l("Quantity"), "unit_cost": _l("Unit cost (CNY)"), "value": _l("Value (CNY)"),
    "proceeds": _l("Proceeds (CNY)"), "actor_id": _l("Recorded by (user id)"), "reason": _l("Reason"),
    "reverses": _l("Reverses movement")}


@bp.get("/reports/journal")
@allow(*READERS)
def journal_report():
    args = query_args(PeriodSchema())
    filters = _filters(args)
    if args["format"] != "json":
        rows, totals = reports.journal(args["date_from"], args["date_to"], filters)
        total = [_("Total"), "", "", "", "", "", "", totals["net_quantity"], "", totals["net_value"]]
        return table_response(f"journal-{args['date_from']}-{args['date_to']}", _headers(JOURNAL_HEADERS),
                              [_journal_line(row) for row in rows], args["format"], total, title=_("Movement journal"))
    rows, totals = reports.journal(args["date_from"], args["date_to"], filters, limit=args["per_page"],
                                   offset=(args["page"] - 1) * args["per_page"])
    return {"items": [{key: _json_value(value) for key, value in row.items()} for row in rows],
            "page": args["page"], "per_page": args["per_page"], "total": totals["movements"],
            "net_quantity": totals["net_quantity"], "net_value": str(totals["net_value"])}


def _headers(columns: dict) -> list:
    """Column headers in the reader's language (lazy: table_response renders them for the request)."""
    return list(columns.values())


def _word(labels_by_code: dict, code: str) -> str:
    """A code as the reader's word for it (the code itself when it has no label)."""
    return str(labels_by_code.get(code, code))


def _journal_line(row: dict) -> list:
    return [_word(labels.MOVEMENT_LABELS, row[key]) if key == "kind" else row.get(key) for key in JOURNAL_HEADERS]


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
