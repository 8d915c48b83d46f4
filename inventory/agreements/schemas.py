"""JSON shapes for capacity agreements and reserve coverage."""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import clock
from core.bounds import DAY, HOURS, ID, QUANTITY, UNIT_MONEY, schema_range
from inventory.agreements.models import AgreementStatus
from inventory.agreements.queries import DEFAULT_HOURS, EFFECTIVE_STATUSES, GROUPINGS, expiring_soon
from inventory.network.schemas import LATITUDE, LONGITUDE, REGION_CODE, PageQuerySchema

MAX_HOURS = 720  # thirty days after activation


class CapacityAgreementSchema(Schema):
    id = fields.Integer()
    enterprise_name = fields.String()
    contact_person = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    region_code = fields.Function(lambda a: a.region.code)
    region_name = fields.Function(lambda a: a.region.name)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    item_id = fields.Integer()
    item_code = fields.Function(lambda a: a.item.code)
    item_name = fields.Function(lambda a: a.item.name)
    base_unit = fields.Function(lambda a: a.item.base_unit)
    daily_capacity = fields.Integer()
    lead_time_hours = fields.Integer()
    max_quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    valid_from = fields.Date()
    valid_to = fields.Date()
    status = fields.Enum(AgreementStatus, by_value=True)
    effective_status = fields.Function(lambda a: a.effective_status(clock.today()))
    expiring_soon = fields.Function(lambda a: expiring_soon(a))
    notes = fields.String(allow_none=True)


class CreateCapacityAgreementSchema(Schema):
    enterprise_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    region_code = fields.String(required=True, validate=REGION_CODE)
    latitude = fields.Float(load_default=None, allow_none=True, validate=LATITUDE)
    longitude = fields.Float(load_default=None, allow_none=True, validate=LONGITUDE)
    item_id = fields.Integer(required=True, strict=True, validate=schema_range(ID))
    daily_capacity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    lead_time_hours = fields.Integer(required=True, strict=True, validate=schema_range(HOURS))
    max_quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    unit_price = fields.Decimal(required=True, places=2, validate=schema_range(UNIT_MONEY))
    valid_from = fields.Date(required=True, validate=DAY)
    valid_to = fields.Date(required=True, validate=DAY)
    notes = fields.String(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _dates_in_order(self, data, **_kwargs):
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] <= data["valid_from"]:
            raise ValidationError(_("Must be after the start date."), "valid_to")


class UpdateCapacityAgreementSchema(CreateCapacityAgreementSchema):
    """Every field optional; `status` suspends or reactivates the agreement."""

    status = fields.Enum(AgreementStatus, by_value=True)


class AgreementQuerySchema(PageQuerySchema):
    item_id = fields.Integer(load_default=None, validate=schema_range(ID))
    status = fields.String(load_default=None, validate=validate.OneOf(EFFECTIVE_STATUSES))
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    expiring_within_days = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3650))
    q = fields.String(load_default=None)


class HoursField(fields.Field):
    """A comma-separated list of whole hours, e.g. 24,48,72."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            hours = tuple(int(part) for part in str(value).split(",") if part.strip())
        except ValueError as error:
            raise ValidationError(_("Whole hours separated by commas, e.g. 24,48,72.")) from error
        if not hours or len(hours) > 8 or not all(1 <= h <= MAX_HOURS for h in hours):
            raise ValidationError(_("One to eight values, each from 1 to %(max)s hours.", max=MAX_HOURS))
        return tuple(sorted(set(hours)))


class CapacityQuerySchema(Schema):
    hours = HoursField(load_default=DEFAULT_HOURS, metadata={"type": "string", "default": "24,48,72",
                                                            "description": "Hours after activation, comma-separated"})
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    item_id = fields.Integer(load_default=None, validate=schema_range(ID))


class ItemCapacitySchema(Schema):
    item_id = fields.Function(lambda c: c.item.id)
    item_code = fields.Function(lambda c: c.item.code)
    item_name = fields.Function(lambda c: c.item.name)
    base_unit = fields.Function(lambda c: c.item.base_unit)
    agreements = fields.Integer()
    deliverable = fields.Function(lambda c: {str(hours): units for hours, units in c.deliverable.items()})


class CoverageQuerySchema(Schema):
    by = fields.String(load_default="level", validate=validate.OneOf(GROUPINGS))
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    item_id = fields.Integer(load_default=None, validate=schema_range(ID))


class CoverageRowSchema(Schema):
    group = fields.String()
    group_name = fields.String()
    item_id = fields.Function(lambda r: r.item.id)
    item_code = fields.Function(lambda r: r.item.code)
    item_name = fields.Function(lambda r: r.item.name)
    base_unit = fields.Function(lambda r: r.item.base_unit)
    physical = fields.Integer()
    agreement = fields.Integer()
    capacity_72h = fields.Integer(attribute="capacity")
    quota_target = fields.Integer()
    quota_minimum = fields.Integer()
    shortfall = fields.Integer()
    uncovered_after_capacity = fields.Integer(attribute="uncovered")
    verdict = fields.String()


def _local(moment):
    return clock.local_iso(moment) if moment else None


class AgreementOutputSchema(Schema):
    id = fields.Integer()
    quantity = fields.Integer()
    received_at = fields.Function(lambda o: _local(o.received_at))
    reference = fields.String(allow_none=True, metadata={"description": "The waybill or delivery note"})
    note = fields.String(allow_none=True)


class AgreementActivationSchema(Schema):
    id = fields.Integer()
    agreement_id = fields.Integer()
    quantity = fields.Integer(metadata={"description": "Units ordered"})
    received = fields.Integer(metadata={"description": "Units received so far"})
    activated_at = fields.Function(lambda a: _local(a.activated_at))
    first_output_at = fields.Function(lambda a: _local(a.first_output_at))
    schedule = fields.List(fields.Dict(), metadata={"description": "Expected output per local day: date, quantity"})
    requested_for = fields.String()
    plan_id = fields.Integer(allow_none=True)
    status = fields.Function(lambda a: a.status.value)
    closed_at = fields.Function(lambda a: _local(a.closed_at), allow_none=True)
    note = fields.String(allow_none=True)
    outputs = fields.List(fields.Nested(AgreementOutputSchema))


class CreateActivationSchema(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    requested_for = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class CreateOutputSchema(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    received_at = fields.AwareDateTime(load_default=None, allow_none=True)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
