"""JSON API v1 for capacity reserve agreements and reserve coverage. Admins write; dispatch and finance read."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from core.api import json_body, page_json, query_args
from core.auth import allow
from core.idempotency import idempotent
from core.models import Role
from core.openapi import body, document_path, document_schema, errors, idempotency_key, ok, page_of, query
from inventory.agreements import queries as agreement_queries
from inventory.agreements import services as agreement_services
from inventory.agreements.queries import COVERAGE_HOURS, coverage
from inventory.agreements.schemas import (
    AgreementActivationSchema,
    AgreementQuerySchema,
    CapacityAgreementSchema,
    CapacityQuerySchema,
    CoverageQuerySchema,
    CoverageRowSchema,
    CreateActivationSchema,
    CreateCapacityAgreementSchema,
    CreateOutputSchema,
    ItemCapacitySchema,
    UpdateCapacityAgreementSchema,
)

bp = Blueprint("agreements_api", __name__)
READERS = (Role.ADMIN, Role.DISPATCHER, Role.FINANCE)


@bp.get("/capacity-agreements")
@allow(*READERS)
def list_agreements():
    args = query_args(AgreementQuerySchema())
    return page_json(agreement_queries.list_agreements(**args), CapacityAgreementSchema())


@bp.post("/capacity-agreements")
@allow(Role.ADMIN)
@idempotent
def create_agreement():
    agreement = agreement_services.create_agreement(json_body(CreateCapacityAgreementSchema()), actor=current_user)
    return CapacityAgreementSchema().dump(agreement), 201


@bp.get("/capacity-agreements/<int:agreement_id>")
@allow(*READERS)
def get_agreement(agreement_id: int):
    return CapacityAgreementSchema().dump(agreement_services.get_agreement(agreement_id))


@bp.patch("/capacity-agreements/<int:agreement_id>")
@allow(Role.ADMIN)
@idempotent
def update_agreement(agreement_id: int):
    changes = json_body(UpdateCapacityAgreementSchema(), partial=True)
    agreement = agreement_services.update_agreement(agreement_id, changes, actor=current_user)
    return CapacityAgreementSchema().dump(agreement)


@bp.get("/capacity-agreements/<int:agreement_id>/activations")
@allow(*READERS)
def list_activations(agreement_id: int):
    agreement_services.get_agreement(agreement_id)
    activations = agreement_queries.agreement_activations(agreement_id)
    return {"items": AgreementActivationSchema().dump(activations, many=True)}


@bp.post("/capacity-agreements/<int:agreement_id>/activations")
@allow(*agreement_services.ACTIVATORS)
@idempotent
def activate(agreement_id: int):
    data = json_body(CreateActivationSchema())
    activation = agreement_services.activate_agreement(agreement_id, data["quantity"], current_user,
                                                       data["requested_for"], data["note"])
    return AgreementActivationSchema().dump(activation), 201


@bp.post("/activations/<int:activation_id>/outputs")
@allow(*agreement_services.ACTIVATORS)
@idempotent
def receive_output(activation_id: int):
    data = json_body(CreateOutputSchema())
    output = agreement_services.receive_output(activation_id, data["quantity"], current_user, data["received_at"],
                                               data["reference"], data["note"])
    return AgreementActivationSchema().dump(output.activation), 201


@bp.get("/capacity-agreements/capacity")
@allow(*READERS)
def capacity():
    args = query_args(CapacityQuerySchema())
    totals = agreement_queries.capacity_by_item(**args)
    return {"hours": list(args["hours"]), "items": ItemCapacitySchema().dump(totals, many=True)}


@bp.get("/coverage")
@allow(*READERS)
def get_coverage():
    args = query_args(CoverageQuerySchema())
    return {**args, "capacity_hours": COVERAGE_HOURS, "rows": CoverageRowSchema().dump(coverage(**args), many=True)}


_ID = {"parameters": [{"in": "path", "name": "agreement_id", "required": True, "schema": {"type": "integer"}}]}
for _name, _schema in (("CapacityAgreement", CapacityAgreementSchema), ("ItemCapacity", ItemCapacitySchema),
                       ("CoverageRow", CoverageRowSchema)):
    document_schema(_name, _schema)
document_path("/capacity-agreements", {
    "get": {"summary": "List capacity reserve agreements (filter by item, effective status, region, expiry)",
            "parameters": query(AgreementQuerySchema),
            "responses": {**ok(page_of("CapacityAgreement")), **errors(400, 401, 403)}},
    "post": {"summary": "Record a capacity reserve agreement (admin)", "parameters": idempotency_key(),
             "requestBody": body(CreateCapacityAgreementSchema),
             "responses": {**ok("CapacityAgreement", 201), **errors(400, 401, 403, 422)}},
})
document_path("/capacity-agreements/{agreement_id}", {**_ID,
    "get": {"summary": "One capacity agreement", "responses": {**ok("CapacityAgreement"), **errors(401, 403, 404)}},
    "patch": {"summary": "Change an agreement, or suspend/reactivate it with status (admin)",
              "parameters": idempotency_key(),
              "requestBody": body(UpdateCapacityAgreementSchema),
              "responses": {**ok("CapacityAgreement"), **errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/capacity-agreements/capacity", {"get": {
    "summary": "Per item, what active agreements deliver within each given number of hours after activation",
    "parameters": query(CapacityQuerySchema),
    "responses": {**ok({"type": "object", "properties": {
        "hours": {"type": "array", "items": {"type": "integer"}},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ItemCapacity"}}}}),
        **errors(400, 401, 403)}}})
document_path("/coverage", {"get": {
    "summary": "Reserve coverage per item and depot level or province: held stock, 72-hour capacity, quota minimums",
    "parameters": query(CoverageQuerySchema),
    "responses": {**ok({"type": "object", "properties": {
        "by": {"type": "string"}, "region_code": {"type": "string", "nullable": True},
        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/CoverageRow"}}}}),
        **errors(400, 401, 403)}}})
_KEY = [{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}]
document_schema("AgreementActivation", AgreementActivationSchema)
document_path("/capacity-agreements/{agreement_id}/activations", {**_ID,
    "get": {"summary": "The agreement's activations, newest first: time, order, expected output per day, receipts",
            "responses": {**ok({"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/AgreementActivation"}}}}),
                **errors(401, 403, 404)}},
    "post": {"summary": "Activate the agreement outside a relief plan (dispatcher, admin)", "parameters": _KEY,
             "requestBody": body(CreateActivationSchema),
             "responses": {**ok("AgreementActivation", 201), **errors(400, 401, 403, 404, 409, 422)}},
})
document_path("/activations/{activation_id}/outputs", {
    "parameters": [{"in": "path", "name": "activation_id", "required": True, "schema": {"type": "integer"}}],
    "post": {"summary": "Record output received against an activation (dispatcher, admin)", "parameters": _KEY,
             "requestBody": body(CreateOutputSchema),
             "responses": {**ok("AgreementActivation", 201), **errors(400, 401, 403, 404, 409, 422)}}})
