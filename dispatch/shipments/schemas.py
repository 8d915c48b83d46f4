"""JSON shapes of shipments: `<Noun>Schema` dumps, `<Verb><Noun>Schema` loads and validates."""
from marshmallow import Schema, fields, validate

from core import bounds
from core.bounds import DAY, schema_range
from dispatch.incidents.schemas import ID, local
from dispatch.shipments.models import RejectReason, ShipmentStatus
from inventory.network.schemas import PageQuerySchema

QUANTITY = schema_range(bounds.QUANTITY_OR_ZERO)
REASON = validate.OneOf([reason.value for reason in RejectReason])


def _text(limit: int, **kwargs):
    return fields.String(validate=validate.Length(max=limit), **kwargs)


class ShipmentLineSchema(Schema):
    id = fields.Integer()
    stop_id = fields.Integer()
    plan_line_id = fields.Integer()
    item_id = fields.Integer()
    item_code = fields.Function(lambda line: line.item.code)
    item_name = fields.Function(lambda line: line.item.name)
    base_unit = fields.Function(lambda line: line.item.base_unit)
    lot_id = fields.Integer(allow_none=True)
    batch_no = fields.Function(lambda line: line.lot.batch_no if line.lot else None)
    expiry_date = fields.Function(lambda line: line.lot.expiry_date.isoformat() if line.lot and line.lot.expiry_date
                                  else None)
    quantity = fields.Integer()
    weight_kg = fields.Decimal(as_string=True)
    volume_m3 = fields.Decimal(as_string=True)
    accepted = fields.Integer(allow_none=True)
    rejected = fields.Integer(allow_none=True)
    reject_reason = fields.Function(lambda line: line.reject_reason.value if line.reject_reason else None)
    note = fields.String(allow_none=True)


class ShipmentStopSchema(Schema):
    id = fields.Integer()
    sequence = fields.Integer()
    area_id = fields.Integer()
    area_name = fields.Function(lambda stop: stop.area.name)
    travel_hours = fields.Float(metadata={"description": "Hours from departure to the stop, as planned"})
    expected_arrival_at = fields.Function(lambda stop: local(stop.expected_arrival_at))
    received_at = fields.Function(lambda stop: local(stop.received_at), allow_none=True)
    signed_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class ShipmentSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "The waybill number"})
    plan_id = fields.Integer()
    incident_id = fields.Integer()
    source_kind = fields.Function(lambda s: s.source_kind.value)
    depot_id = fields.Integer(allow_none=True)
    depot_code = fields.Function(lambda s: s.depot.code if s.depot else None)
    agreement_id = fields.Integer(allow_none=True)
    source_name = fields.String()
    mode = fields.Function(lambda s: s.mode.value)
    status = fields.Function(lambda s: s.status.value)
    overdue = fields.Boolean()
    carrier = fields.String()
    vehicle = fields.String()
    plate = fields.String(allow_none=True)
    quantity = fields.Integer()
    weight_kg = fields.Decimal(as_string=True)
    expected_arrival_at = fields.Function(lambda s: local(s.expected_arrival_at),
                                          metadata={"description": "At the last stop"})
    dispatched_at = fields.Function(lambda s: local(s.dispatched_at), allow_none=True)
    delivered_at = fields.Function(lambda s: local(s.delivered_at), allow_none=True)


class ShipmentSchema(ShipmentSummarySchema):
    document_id = fields.Integer(allow_none=True)
    route_id = fields.Integer(allow_none=True)
    driver_name = fields.String(allow_none=True)
    driver_phone = fields.String(allow_none=True)
    requisitioned_vehicle_id = fields.Integer(allow_none=True)
    distance_km = fields.Decimal(as_string=True)
    volume_m3 = fields.Decimal(as_string=True)
    tonne_km = fields.Decimal(as_string=True)
    planned_cost = fields.Decimal(as_string=True)
    loading_at = fields.Function(lambda s: local(s.loading_at), allow_none=True)
    closed_at = fields.Function(lambda s: local(s.closed_at), allow_none=True)
    close_reason = fields.String(allow_none=True)
    stops = fields.List(fields.Nested(ShipmentStopSchema))
    lines = fields.List(fields.Nested(ShipmentLineSchema))


class ShipmentQuerySchema(PageQuerySchema):
    incident_id = fields.Integer(validate=ID)
    plan_id = fields.Integer(validate=ID)
    depot_id = fields.Integer(validate=ID)
    status = fields.String(validate=validate.OneOf([status.value for status in ShipmentStatus]))
    overdue = fields.Boolean()


class VehicleDetailsSchema(Schema):
    carrier = _text(200)
    vehicle = _text(120)
    plate = _text(20)
    driver_name = _text(80)
    driver_phone = _text(40)


class DispatchShipmentSchema(VehicleDetailsSchema):
    occurred_at = fields.AwareDateTime(metadata={"description": "When it left (default: now)"})


class ReceivedLineSchema(Schema):
    line_id = fields.Integer(required=True, validate=ID)
    accepted = fields.Integer(required=True, validate=QUANTITY)
    rejected = fields.Integer(validate=QUANTITY, metadata={"description": "Default: the rest of the line"})
    reason = fields.String(validate=REASON, metadata={"description": "Required when anything is rejected"})
    note = _text(1000)


class ReceiveShipmentSchema(Schema):
    stop_id = fields.Integer(validate=ID, metadata={"description": "Default: the first stop not yet received"})
    signed_by = _text(80, metadata={"description": "Who signed for the goods"})
    note = _text(1000)
    occurred_at = fields.AwareDateTime(validate=DAY)
    lines = fields.List(fields.Nested(ReceivedLineSchema), required=True, validate=validate.Length(min=1, max=2000))


class ReasonSchema(Schema):
    reason = _text(1000, required=True)
    occurred_at = fields.AwareDateTime(validate=DAY)
