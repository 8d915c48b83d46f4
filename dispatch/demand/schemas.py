"""JSON shapes of demand: a version with its lines; saving a new version, typed or estimated from the norms."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import bounds
from core.bounds import DAY, schema_range
from dispatch.incidents.schemas import ID, local

QUANTITY = schema_range(bounds.QUANTITY)


class DemandLineSchema(Schema):
    area_id = fields.Integer()
    area_name = fields.Function(lambda line: line.area.name)
    item_id = fields.Integer()
    item_code = fields.Function(lambda line: line.item.code)
    quantity = fields.Integer()
    due_at = fields.Function(lambda line: local(line.due_at))
    tail_quantity = fields.Integer()
    tail_due_at = fields.Function(lambda line: local(line.tail_due_at))


class DemandVersionSchema(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    number = fields.Integer()
    note = fields.String(allow_none=True)
    created_at = fields.Function(lambda version: local(version.created_at))
    lines = fields.List(fields.Nested(DemandLineSchema))


class DemandLineRequestSchema(Schema):
    area_id = fields.Integer(required=True, strict=True, validate=ID)
    item_id = fields.Integer(required=True, strict=True, validate=ID)
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    due_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY,
                                  metadata={"description": "Default: the province's relief deadline for the item"})
    tail_quantity = fields.Integer(load_default=0, strict=True, validate=schema_range(bounds.QUANTITY_OR_ZERO))
    tail_due_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)


class EstimateSchema(Schema):
    peak_share = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True,
                                validate=validate.Range(min=0.01, max=1))
    tail_hours = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=1, max=720))


class PutDemandSchema(Schema):
    """Either `lines` (the demand as typed) or `estimate` (from the norms in force, optionally phased)."""

    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    lines = fields.List(fields.Nested(DemandLineRequestSchema), load_default=None,
                        validate=validate.Length(min=1, max=20_000))
    estimate = fields.Nested(EstimateSchema, load_default=None, allow_none=True)

    @validates_schema
    def _one_way(self, data, **_kwargs):
        if (data.get("lines") is None) == (data.get("estimate") is None):
            raise ValidationError(_l("Send either lines or estimate."), "lines")
        estimate = data.get("estimate") or {}
        if (estimate.get("peak_share") is None) != (estimate.get("tail_hours") is None):
            raise ValidationError(_l("Give both peak_share and tail_hours to phase the estimate."), "estimate")
