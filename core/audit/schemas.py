"""The audit log in the API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.audit.models import AuditAction, AuditSource
from core.audit.queries import AuditFilters, changes_of
from core.bounds import DAY, PAGE, schema_range


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.Enum(AuditAction, by_value=True)
    subject = fields.String()
    subject_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    changes = fields.Method("_changes", metadata={
        "description": "field -> [before, after]; secrets show as ***", "type": "object",
        "additionalProperties": {"type": "array", "items": {}}})
    source = fields.Enum(AuditSource, by_value=True)
    address = fields.String(allow_none=True)
    token_name = fields.String(allow_none=True)

    def _changes(self, entry) -> dict:
        return changes_of(entry)


class AuditQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    actor = fields.String(load_default=None, validate=validate.Length(max=200))
    action = fields.Enum(AuditAction, by_value=True, load_default=None)
    subject = fields.String(load_default=None, validate=validate.Length(max=40))
    subject_id = fields.String(load_default=None, validate=validate.Length(max=40))
    reference = fields.String(load_default=None, validate=validate.Length(max=200))
    date_from = fields.Date(load_default=None, validate=DAY)
    date_to = fields.Date(load_default=None, validate=DAY)


def filters_of(args: dict) -> AuditFilters:
    return AuditFilters(**{key: args[key] for key in AuditFilters.__dataclass_fields__})
