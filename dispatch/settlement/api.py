"""JSON API v1 for settlement: the report (or its CSV and XLSX download) and recording a payment.

Reading: finance, administrators and dispatchers. Paying: finance and administrators, with an Idempotency-Key.
The download's headers and words (mode, rate basis, status) are in the reader's language; its figures are the
JSON's, as numbers.
"""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import clock
from core.api import json_body, query_args
from core.auth import allow
from core.exports import table_response
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, ok_or_download, query
from dispatch import labels
from dispatch.settlement import queries, services
from dispatch.settlement.queries import SettlementFilters, SettlementReport, trip_ended_at
from dispatch.settlement.schemas import (
    PaidLinesSchema,
    PayLinesSchema,
    SettlementQuerySchema,
    SettlementReportSchema,
)

bp = Blueprint("settlement_api", __name__)
READERS = (Role.ADMIN, Role.FINANCE, Role.DISPATCHER)
PAYERS = (Role.ADMIN, Role.FINANCE)

COLUMNS = (_l("Waybill"), _l("Incident"), _l("Delivered"), _l("Carrier"), _l("Mode"), _l("Requisitioned"),
           _l("Distance (km)"), _l("Tonne-km"), _l("Rate basis"), _l("Rate (CNY)"), _l("Fixed fee (CNY)"),
           _l("Amount (CNY)"), _l("Status"), _l("Paid at"), _l("Payment reference"), _l("Paid by"))


@bp.get("/reports/settlement")
@allow(*READERS)
def settlement_report():
    args = query_args(SettlementQuerySchema())
    fmt = args.pop("format")
    report = queries.settlement_report(SettlementFilters(**args))
    if fmt != "json":
        return _download(report, fmt)
    return SettlementReportSchema().dump(report)


@bp.post("/settlement/payments")
@allow(*PAYERS)
@idempotent
def pay():
    data = json_body(PayLinesSchema())
    lines = services.mark_paid(data["line_ids"], current_user, data["reference"], data.get("paid_at"))
    return PaidLinesSchema().dump({"lines": lines})


def _download(report: SettlementReport, fmt: str):
    """One row per line, the totals row, then each carrier's totals and the reconciliation, like the page."""
    rows = [_line_row(line) for line in report.lines]
    totals = report.totals
    total = [_("Total"), "", "", "", "", "", totals.distance_km, totals.tonne_km, "", "", "", totals.amount]
    footer = [[_("Paid"), *[""] * 10, totals.paid], [_("Due"), *[""] * 10, totals.due]]
    footer += [[_("Carrier total"), "", "", figures.carrier, "", "", figures.distance_km, figures.tonne_km, "", "",
                "", figures.amount] for figures in report.by_carrier]
    footer += [[_("Lines"), totals.lines], [_("Trips ended"), report.finished_shipments],
               [_("Not yet settled"), len(report.unsettled)]]
    footer += [[_("Not yet settled"), shipment.number] for shipment in report.unsettled]
    return table_response(f"settlement-{clock.today().isoformat()}", list(COLUMNS), rows, fmt, total,
                          title=_("Transport settlement"), notes=footer)


def _line_row(line) -> list:
    """Instants stay datetimes (date-time cells in XLSX, local ISO text in CSV); people by name and login."""
    return [line.shipment.number, line.shipment.incident.title, trip_ended_at(line.shipment), line.carrier,
            str(labels.MODE_LABELS.get(line.mode, line.mode.value)), _("yes") if line.requisitioned else _("no"),
            line.distance_km, line.tonne_km, str(labels.RATE_BASIS_LABELS.get(line.rate_basis, line.rate_basis)),
            line.rate, line.fixed_fee, line.amount,
            str(labels.SETTLEMENT_STATUS_LABELS.get(line.status, line.status.value)), line.paid_at,
            line.payment_reference or "", line.paid_by.name_and_login if line.paid_by else ""]


_KEY = [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}]
document_schema("SettlementReport", SettlementReportSchema)
document_schema("PaidLines", PaidLinesSchema)
document_path("/reports/settlement", {"get": {
    "summary": "Carriers' settlement lines of the trips ended in a period, with totals, totals per carrier and "
               "the finished trips not yet settled (should be none). Decimals are strings. Add format=csv or "
               "format=xlsx for a download with the same figures.",
    "parameters": query(SettlementQuerySchema),
    "responses": {**ok_or_download("SettlementReport"), **errors(400, 401, 403)}}})
document_path("/settlement/payments", {"post": {
    "summary": "Finance records one payment for settlement lines still due; a line already paid refuses the "
               "whole payment (409)", "parameters": _KEY, "requestBody": body(PayLinesSchema),
    "responses": {**ok("PaidLines"), **errors(400, 401, 403, 404, 409, 422)}}})
