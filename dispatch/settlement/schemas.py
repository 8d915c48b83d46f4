"""JSON shapes of the settlement report and of recording a payment.

Money and distances are exact decimals sent as strings ("1234.50"), and documented as strings: a JSON number
would pass through a float on the way.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.bounds import DAY
from dispatch.fleet.models import Mode
from dispatch.incidents.schemas import ID, local
from dispatch.settlement.models import SettlementStatus
from dispatch.settlement.queries import trip_ended_at
from dispatch.settlement.services import MAX_REFERENCE

FORMATS = validate.OneOf(["json", "csv", "xlsx"])
MAX_LINES = 1000


def _one_line(value: str) -> None:
    if not value.isprintable():  # the database refuses NUL outright; a carrier's name is one line
        raise ValidationError(_("Letters, digits and punctuation on one line only."))


def decimal(description: str):
    """A Decimal sent as a string, and said to be one in the OpenAPI document."""
    return fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal",
                                                    "description": description})


class SettlementLineSchema(Schema):
    id = fields.Integer()
    shipment_id = fields.Integer()
    waybill = fields.Function(lambda line: line.shipment.number, metadata={"type": "string"})
    incident_id = fields.Function(lambda line: line.shipment.incident_id, metadata={"type": "integer"})
    incident = fields.Function(lambda line: line.shipment.incident.title, metadata={"type": "string"})
    delivered_at = fields.Function(lambda line: local(trip_ended_at(line.shipment)), metadata={
        "type": "string", "description": "When the trip ended: delivered at the last stop, or turned back"})
    carrier = fields.String()
    mode = fields.Function(lambda line: line.mode.value, metadata={"type": "string"})
    requisitioned = fields.Boolean()
    distance_km = decimal("Route kilometres")
    tonne_km = decimal("Tonne-kilometres carried")
    rate_basis = fields.Function(lambda line: line.rate_basis.value, metadata={"type": "string",
                                                                               "enum": ["per_km", "per_tkm"]})
    rate = decimal("CNY per kilometre (per_km) or per tonne-kilometre (per_tkm)")
    fixed_fee = decimal("CNY per trip (vehicles)")
    amount = decimal("CNY due: fixed fee + rate x kilometres, or rate x tonne-kilometres")
    status = fields.Function(lambda line: line.status.value, metadata={"type": "string", "enum": ["due", "paid"]})
    paid_at = fields.Function(lambda line: local(line.paid_at), allow_none=True, metadata={"type": "string"})
    payment_reference = fields.String(allow_none=True)


class SettlementFiguresSchema(Schema):
    lines = fields.Integer()
    distance_km = decimal("Sum of route kilometres")
    tonne_km = decimal("Sum of tonne-kilometres")
    amount = decimal("CNY, paid and due")
    paid = decimal("CNY paid")
    due = decimal("CNY still due")


class CarrierFiguresSchema(SettlementFiguresSchema):
    carrier = fields.String()


class UnsettledShipmentSchema(Schema):
    id = fields.Integer()
    waybill = fields.String(attribute="number")
    status = fields.Function(lambda shipment: shipment.status.value, metadata={"type": "string"})
    carrier = fields.String()
    ended_at = fields.Function(lambda shipment: local(trip_ended_at(shipment)), metadata={"type": "string"})


class SettlementReportSchema(Schema):
    rows = fields.List(fields.Nested(SettlementLineSchema), attribute="lines")
    totals = fields.Nested(SettlementFiguresSchema)
    by_carrier = fields.List(fields.Nested(CarrierFiguresSchema))
    unsettled = fields.List(fields.Nested(UnsettledShipmentSchema), metadata={
        "description": "Trips ended under the filters (but the status) with no settlement line: should be none"})
    finished_shipments = fields.Integer(metadata={"description": "Trips ended under the filters (but the status)"})


class SettlementQuerySchema(Schema):
    delivered_from = fields.Date(load_default=None, validate=DAY,
                                 metadata={"description": "The day the trip ended, from"})
    delivered_to = fields.Date(load_default=None, validate=DAY,
                               metadata={"description": "The day the trip ended, up to"})
    incident_id = fields.Integer(load_default=None, validate=ID)
    carrier = fields.String(load_default=None, validate=[validate.Length(min=1, max=200), _one_line])
    mode = fields.String(load_default=None, validate=validate.OneOf([mode.value for mode in Mode]))
    status = fields.String(load_default=None, validate=validate.OneOf([status.value for status in SettlementStatus]))
    format = fields.String(load_default="json", validate=FORMATS)

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data.get("delivered_from") and data.get("delivered_to") and data["delivered_to"] < data["delivered_from"]:
            raise ValidationError(_("Must not be before delivered_from."), "delivered_to")


class PayLinesSchema(Schema):
    line_ids = fields.List(fields.Integer(validate=ID), required=True, validate=validate.Length(
        min=1, max=MAX_LINES, error=_l("Between 1 and 1000 lines.")))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REFERENCE),
                              metadata={"description": "The payment's voucher or transfer number"})
    paid_at = fields.AwareDateTime(metadata={"description": "When it was paid (default: now)"})


class PaidLinesSchema(Schema):
    lines = fields.List(fields.Nested(SettlementLineSchema))
