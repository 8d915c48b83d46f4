"""JSON API v1 for the finance reports: rotation costs, valuation at a day, the movement journal; closing periods.

JSON speaks in codes (`book_value_out`, `rotation_out`, `central`) whatever the reader's language; the CSV and
XLSX downloads are for people, so their headers and the words in them (movement kinds, levels, funding) come
in the requesting user's language, while the figures stay plain numbers.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import clock
from core.api import query_args
from core.auth import allow
from core.exports import Sheet, table_response, workbook_response
from core.idempotency import idempotent
from core.models import Role
from core.openapi import document_path, document_schema, errors, idempotency_key, ok, ok_or_download, query
from inventory import labels
from inventory.reports import queries
from inventory.reports.queries import ReportFilters
from inventory.reports.schemas import (
    AccountingPeriodSchema,
    AccountingPeriodsSchema,
    JournalQuerySchema,
    RotationQuerySchema,
    ValuationQuerySchema,
)
from inventory.stock.services import periods

bp = Blueprint("reports_api", __name__)
READERS = (Role.ADMIN, Role.FINANCE)


def _filters(args: dict) -> ReportFilters:
    return ReportFilters(args.pop("level", None), args.pop("region_code", None),
                         _value(args.pop("funding_source", None)), _value(args.pop("category", None)),
                         args.pop("depot_code", None), args.pop("item_code", None), _value(args.pop("kind", None)))


def _value(member):
    return member.value if member is not None else None


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
    args = query_args(RotationQuerySchema())
    report = queries.rotation_report(args["date_from"], args["date_to"], _filters(args))
    rows, total = [_rotation_row(plan) for plan in report.plans], _rotation_row(report.total)
    if args["format"] != "json":
        return _rotation_download(report, rows, total, args)
    return {"date_from": args["date_from"].isoformat(), "date_to": args["date_to"].isoformat(),
            "plans": [_as_json(ROTATION_HEADERS, row) for row in rows], "total": _as_json(ROTATION_HEADERS, total),
            "scrapped_value": str(report.scrapped_value), "expired_value": str(report.expired_value),
            "write_offs": str(report.write_offs)}


WRITE_OFF_COLUMNS = (_l("Write-off"), _l("Book value (CNY)"))


def _rotation_download(report, rows: list[list], total: list, args: dict):
    """The plans keep one column layout down to their totals row; the write-offs, which are not plans, are a table
    of their own: the XLSX's second sheet, or the CSV asked for with table=write_offs."""
    name = f"rotation-{args['date_from']}-{args['date_to']}"
    plans = Sheet(_("Rotation costs"), _headers(ROTATION_COLUMNS), rows, [_("Total"), "", *total[2:]])
    write_offs = Sheet(_("Write-offs in the period"), list(WRITE_OFF_COLUMNS),
                       [[_("Scrapped (book value)"), report.scrapped_value],
                        [_("Expired while in stock"), report.expired_value]], [_("Write-offs"), report.write_offs])
    if args["format"] == "xlsx":
        return workbook_response(name, [plans, write_offs])
    if args["table"] == "write_offs":
        return table_response(f"{name}-write-offs", write_offs.headers, write_offs.rows, "csv", write_offs.totals)
    return table_response(name, plans.headers, plans.rows, "csv", plans.totals)


VALUATION_COLUMNS = {"level": _l("Level"), "category": _l("Category"), "funding_source": _l("Funding"),
                     "quantity": _l("Quantity"), "value": _l("Value (CNY)")}
VALUATION_HEADERS = list(VALUATION_COLUMNS)


@bp.get("/reports/valuation")
@allow(*READERS)
def valuation_report():
    args = query_args(ValuationQuerySchema())
    result = queries.valuation(args["as_of"], _filters(args))
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
    "depot": _l("Depot"), "item": _l("Item"), "item_name": _l("Item name"), "batch": _l("Batch"),
    "kind": _l("Kind"), "quantity": _l("Quantity"), "unit_cost": _l("Unit cost (CNY)"), "value": _l("Value (CNY)"),
    "proceeds": _l("Proceeds (CNY)"), "recorded_by_name": _l("Recorded by"), "reason": _l("Reason"),
    "reverses": _l("Reverses movement")}


@bp.get("/reports/journal")
@allow(*READERS)
def journal_report():
    args = query_args(JournalQuerySchema())
    filters = _filters(args)
    if args["format"] != "json":
        rows, totals = queries.journal(args["date_from"], args["date_to"], filters)
        net = {"quantity": totals["net_quantity"], "value": totals["net_value"]}  # the other figures do not add up
        total = [_("Total"), *[net.get(key, "") for key in list(JOURNAL_HEADERS)[1:]]]
        return table_response(f"journal-{args['date_from']}-{args['date_to']}", _headers(JOURNAL_HEADERS),
                              [_journal_line(row) for row in rows], args["format"], total, title=_("Movement journal"))
    rows, totals = queries.journal(args["date_from"], args["date_to"], filters, limit=args["per_page"],
                                   offset=(args["page"] - 1) * args["per_page"])
    return {"items": [{key: _json_value(value) for key, value in row.items()} for row in rows],
            "page": args["page"], "per_page": args["per_page"], "total": totals["movements"],
            "net_quantity": totals["net_quantity"], "net_value": str(totals["net_value"])}


@bp.get("/periods")
@allow(*READERS)
def list_periods():
    return AccountingPeriodsSchema().dump({"items": queries.accounting_periods()})


@bp.post("/periods/<period>/close")
@allow(*periods.CLOSERS)
@idempotent
def close_period(period: str):
    closed = periods.close_period(periods.parse_period(period), current_user)
    return AccountingPeriodSchema().dump(queries.AccountingPeriod(closed.month, True, closed.closed_at, current_user))


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
    """Decimals as strings; instants as local ISO 8601 with their offset, like the pages' clock."""
    if isinstance(value, datetime):
        return clock.local_iso(value)
    return str(value) if isinstance(value, Decimal) else value


_REPORT_RESPONSES = {**ok_or_download({"type": "object"}), **errors(400, 401, 403)}
_FORMAT_NOTE = " Add format=csv or format=xlsx for a download with the same figures."
document_path("/reports/rotation", {"get": {"summary": "Rotation costs per plan and in total, and the write-offs."
                                            + _FORMAT_NOTE, "parameters": query(RotationQuerySchema),
                                            "responses": _REPORT_RESPONSES}})
document_path("/reports/valuation", {"get": {"summary": "Stock value at the end of a day, from the ledger."
                                              + _FORMAT_NOTE, "parameters": query(ValuationQuerySchema),
                                              "responses": _REPORT_RESPONSES}})
document_path("/reports/journal", {"get": {"summary": "Every movement in a period with its document number, "
                                           "optionally of one depot, one item or one kind. 400 names an unknown "
                                           "depot or item code." + _FORMAT_NOTE,
                                           "parameters": query(JournalQuerySchema),
                                           "responses": _REPORT_RESPONSES}})

document_schema("AccountingPeriod", AccountingPeriodSchema)
document_schema("AccountingPeriods", AccountingPeriodsSchema)
_PERIOD_PARAMETER = {"in": "path", "name": "period", "required": True,
                     "schema": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-10"},
                     "description": "The month, YYYY-MM, from 2000-01 to 2100-12"}
document_path("/periods", {"get": {"summary": "Every month of the ledger, newest first: closed (by whom, when) or "
                                              "open, and which may be closed now.",
                                   "responses": {**ok("AccountingPeriods"), **errors(401, 403)}}})
document_path("/periods/{period}/close", {"parameters": [_PERIOD_PARAMETER], "post": {
    "summary": "Finance closes a month that has ended, and every open month before it: nothing can be dated in "
               "them any more; corrections go into the open period as reversals. A close is final. 409 when the "
               "month is already closed, 422 for the current or a future month.",
    "parameters": idempotency_key(), "responses": {**ok("AccountingPeriod"), **errors(401, 403, 404, 409, 422)}}})
