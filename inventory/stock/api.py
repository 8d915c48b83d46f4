"""JSON API v1 for stock: receipts, issues, transfers, counts, scrapping, reversals, history, shortfalls.

Every write accepts an `Idempotency-Key` header. Depot scope is checked by the services
(a clerk acts only at their depots); reading a depot's stock follows the same rule for clerks.
"""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from core.access import STOCK_KEEPERS, ensure_can_see, ensure_depot_named
from core.api import json_body, page_json, query_args
from core.auth import allow
from core.errors import NotFoundError
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, ok, page_of, query
from inventory.network.queries import get_depot
from inventory.stock import queries, services
from inventory.stock.schemas import (
    CountSchema,
    CreateCountSchema,
    CreateIssueSchema,
    CreateReceiptSchema,
    CreateScrapSchema,
    CreateTransferSchema,
    DiscrepancySchema,
    DocumentSchema,
    ItemStockSchema,
    MovementQuerySchema,
    MovementSchema,
    ReceiveTransferSchema,
    RecordCountsSchema,
    ResolveDiscrepancySchema,
    ReverseSchema,
    ScrapSchema,
    ShortfallQuerySchema,
    ShortfallSchema,
    StockQuerySchema,
    TransferSchema,
)

bp = Blueprint("stock_api", __name__)


@bp.get("/depots/<int:depot_id>/stock")
@allow()
def depot_stock(depot_id: int):
    ensure_can_see(current_user, get_depot(depot_id))
    as_of = query_args(StockQuerySchema())["as_of"]
    stock = queries.depot_stock_as_of(depot_id, as_of) if as_of else queries.depot_stock(depot_id)
    return {"depot_id": depot_id, "as_of": as_of.isoformat() if as_of else None,
            "items": ItemStockSchema().dump(stock, many=True)}


@bp.post("/receipts")
@allow(*STOCK_KEEPERS)
@idempotent
def create_receipt():
    data = json_body(CreateReceiptSchema())
    lines = [services.ReceiptLine(**line) for line in data.pop("lines")]
    document = services.receive_stock(services.Receipt(lines=lines, **data), current_user)
    return DocumentSchema().dump(document), 201


@bp.post("/issues")
@allow(*STOCK_KEEPERS)
@idempotent
def create_issue():
    data = json_body(CreateIssueSchema())
    lines = [services.IssueLine(**line) for line in data.pop("lines")]
    document = services.issue_stock(services.Issue(lines=lines, **data), current_user)
    return DocumentSchema().dump(document), 201


@bp.post("/transfers")
@allow(*STOCK_KEEPERS)
@idempotent
def create_transfer():
    data = json_body(CreateTransferSchema())
    lines = [services.IssueLine(**line) for line in data.pop("lines")]
    transfer = services.draft_transfer(services.TransferRequest(lines=lines, **data), current_user)
    return TransferSchema().dump(transfer), 201


@bp.get("/transfers/<int:transfer_id>")
@allow()
def get_transfer(transfer_id: int):
    transfer = _found(queries.get_transfer(transfer_id), _("No transfer %(id)s.", id=transfer_id))
    ensure_can_see(current_user, transfer.source, transfer.destination)
    return TransferSchema().dump(transfer)


@bp.post("/transfers/<int:transfer_id>/approve")
@allow(*STOCK_KEEPERS)
@idempotent
def approve_transfer(transfer_id: int):
    return TransferSchema().dump(services.approve_transfer(transfer_id, current_user))


@bp.post("/transfers/<int:transfer_id>/ship")
@allow(*STOCK_KEEPERS)
@idempotent
def ship_transfer(transfer_id: int):
    return TransferSchema().dump(services.ship_transfer(transfer_id, current_user))


@bp.post("/transfers/<int:transfer_id>/receive")
@allow(*STOCK_KEEPERS)
@idempotent
def receive_transfer(transfer_id: int):
    data = json_body(ReceiveTransferSchema())
    arrival = services.Arrival([services.ReceivedLine(**line) for line in data["lines"]], data["occurred_at"])
    return TransferSchema().dump(services.receive_transfer(transfer_id, arrival, current_user))


@bp.post("/transfers/<int:transfer_id>/cancel")
@allow(*STOCK_KEEPERS)
@idempotent
def cancel_transfer(transfer_id: int):
    return TransferSchema().dump(services.cancel_transfer(transfer_id, current_user))


@bp.post("/discrepancies/<int:discrepancy_id>/resolve")
@allow(Role.ADMIN)
@idempotent
def resolve_discrepancy(discrepancy_id: int):
    data = json_body(ResolveDiscrepancySchema())
    return DiscrepancySchema().dump(services.resolve_discrepancy(discrepancy_id, current_user, **data))


@bp.post("/counts")
@allow(*STOCK_KEEPERS)
@idempotent
def open_count():
    data = json_body(CreateCountSchema())
    return CountSchema().dump(services.open_count(data["depot_id"], current_user, data["item_ids"])), 201


@bp.get("/counts/<int:count_id>")
@allow()
def get_count(count_id: int):
    count = _found(queries.get_count(count_id), _("No stock count %(id)s.", id=count_id))
    ensure_can_see(current_user, count.depot)
    return CountSchema().dump(count)


@bp.post("/counts/<int:count_id>/lines")
@allow(*STOCK_KEEPERS)
@idempotent
def record_counts(count_id: int):
    lines = json_body(RecordCountsSchema())["lines"]
    counted = {line["line_id"]: line["counted"] for line in lines}
    return CountSchema().dump(services.record_counts(count_id, counted, current_user))


@bp.post("/counts/<int:count_id>/approve")
@allow(*STOCK_KEEPERS)
@idempotent
def approve_count(count_id: int):
    return CountSchema().dump(services.approve_count(count_id, current_user))


@bp.post("/scraps")
@allow(*STOCK_KEEPERS)
@idempotent
def request_scrap():
    data = json_body(CreateScrapSchema())
    lines = [services.ScrapRequestLine(**line) for line in data["lines"]]
    return ScrapSchema().dump(services.request_scrap(data["depot_id"], lines, data["reason"], current_user)), 201


@bp.post("/scraps/<int:scrap_id>/approve")
@allow(*STOCK_KEEPERS)
@idempotent
def approve_scrap(scrap_id: int):
    return ScrapSchema().dump(services.approve_scrap(scrap_id, current_user))


@bp.post("/scraps/<int:scrap_id>/reject")
@allow(*STOCK_KEEPERS)
@idempotent
def reject_scrap(scrap_id: int):
    return ScrapSchema().dump(services.reject_scrap(scrap_id, current_user))


@bp.post("/movements/<int:movement_id>/reverse")
@allow(*STOCK_KEEPERS)
@idempotent
def reverse_movement(movement_id: int):
    reason = json_body(ReverseSchema())["reason"]
    return DocumentSchema().dump(services.reverse_movement(movement_id, current_user, reason)), 201


@bp.get("/movements")
@allow()
def list_movements():
    args = query_args(MovementQuerySchema())
    ensure_depot_named(current_user, args["depot_id"])
    return page_json(queries.list_movements(**args), MovementSchema())


@bp.get("/quotas/shortfalls")
@allow(Role.ADMIN, Role.DISPATCHER)
def list_shortfalls():
    return page_json(queries.list_shortfalls(**query_args(ShortfallQuerySchema())), ShortfallSchema())


def _found(thing, message: str):
    if thing is None:
        raise NotFoundError(message)
    return thing


def _write(summary: str, request_schema=None, response="Document", code: int = 200, path_param: str | None = None):
    operation = {"summary": summary + " Send an Idempotency-Key header to make retries safe.",
                 "parameters": [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}],
                 "responses": {**ok(response, code), **errors(400, 401, 403, 404, 409, 422)}}
    if request_schema is not None:
        operation["requestBody"] = body(request_schema)
    return {"post": operation, **_path(path_param)}


def _path(name: str | None) -> dict:
    return {"parameters": [{"in": "path", "name": name, "required": True, "schema": {"type": "integer"}}]} if name else {}


for _name, _schema in (("Document", DocumentSchema), ("Transfer", TransferSchema), ("Count", CountSchema),
                       ("Scrap", ScrapSchema), ("Movement", MovementSchema), ("ItemStock", ItemStockSchema),
                       ("Shortfall", ShortfallSchema), ("Discrepancy", DiscrepancySchema)):
    document_schema(_name, _schema)
document_path("/depots/{depot_id}/stock", {**_path("depot_id"), "get": {
    "summary": "A depot's stock by item and lot, now or at the end of a past day (as_of, from the ledger)",
    "parameters": query(StockQuerySchema), "responses": {**ok({"type": "object"}), **errors(400, 401, 403, 404)}}})
document_path("/receipts", _write("Receive stock (one or several lines).", CreateReceiptSchema, code=201))
document_path("/issues", _write("Issue stock, first expiring first unless a lot is named.", CreateIssueSchema,
                                code=201))
document_path("/transfers", _write("Draft a transfer.", CreateTransferSchema, "Transfer", 201))
document_path("/transfers/{transfer_id}", {**_path("transfer_id"), "get": {
    "summary": "One transfer", "responses": {**ok("Transfer"), **errors(401, 403, 404)}}})
for _verb in ("approve", "ship", "cancel"):
    document_path(f"/transfers/{{transfer_id}}/{_verb}", _write(f"{_verb.title()} a transfer.", None, "Transfer",
                                                                path_param="transfer_id"))
document_path("/transfers/{transfer_id}/receive", _write("Receive a shipped transfer; lines not named arrived whole.",
                                                         ReceiveTransferSchema, "Transfer", path_param="transfer_id"))
document_path("/discrepancies/{discrepancy_id}/resolve", _write("Resolve a transfer discrepancy (supervisor).",
                                                                ResolveDiscrepancySchema, "Discrepancy",
                                                                path_param="discrepancy_id"))
document_path("/counts", _write("Open a stock count.", CreateCountSchema, "Count", 201))
document_path("/counts/{count_id}", {**_path("count_id"), "get": {
    "summary": "One stock count", "responses": {**ok("Count"), **errors(401, 403, 404)}}})
document_path("/counts/{count_id}/lines", _write("Enter counted quantities.", RecordCountsSchema, "Count",
                                                 path_param="count_id"))
document_path("/counts/{count_id}/approve", _write("Approve a count (another person).", None, "Count",
                                                   path_param="count_id"))
document_path("/scraps", _write("Ask to scrap lots.", CreateScrapSchema, "Scrap", 201))
for _verb in ("approve", "reject"):
    document_path(f"/scraps/{{scrap_id}}/{_verb}", _write(f"{_verb.title()} a scrap request (another person).",
                                                          None, "Scrap", path_param="scrap_id"))
document_path("/movements/{movement_id}/reverse", _write("Reverse one movement.", ReverseSchema, code=201,
                                                         path_param="movement_id"))
document_path("/movements", {"get": {"summary": "The ledger, filtered and paginated",
                                     "parameters": query(MovementQuerySchema),
                                     "responses": {**ok(page_of("Movement")), **errors(400, 401, 403)}}})
document_path("/quotas/shortfalls", {"get": {"summary": "Depots holding less than their minimum",
                                             "parameters": query(ShortfallQuerySchema),
                                             "responses": {**ok(page_of("Shortfall")), **errors(400, 401, 403)}}})
