"""GET /api/v1/audit: the audit log for administrators' tools."""
from __future__ import annotations

from flask import Blueprint

from core.api import page_json, query_args
from core.audit import queries
from core.audit.schemas import AuditEntrySchema, AuditQuerySchema, filters_of
from core.auth import allow
from core.models import Role
from core.openapi import document_path, document_schema, errors, ok, page_of, query

bp = Blueprint("audit_api", __name__)


@bp.get("/audit")
@allow(Role.ADMIN)
def list_audit_entries():
    args = query_args(AuditQuerySchema())
    page = queries.list_entries(filters_of(args), args["page"], args["per_page"])
    return page_json(page, AuditEntrySchema())


document_schema("AuditEntry", AuditEntrySchema)
document_path("/audit", {
    "get": {"summary": "The audit log, newest first (admin)", "parameters": query(AuditQuerySchema),
            "responses": {**ok(page_of("AuditEntry")), **errors(400, 401, 403)}},
})
