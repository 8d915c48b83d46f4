"""JSON shapes for the stock API."""
from marshmallow import Schema, fields, validate

from core.bounds import DAY, ID, PAGE, QUANTITY, QUANTITY_OR_ZERO, UNIT_MONEY, schema_range
from inventory.network.schemas import REGION_CODE
from inventory.stock.models import FundingSource, MovementKind, Ownership

POSITIVE = schema_range(QUANTITY)
COUNTED = schema_range(QUANTITY_OR_ZERO)
IDENTIFIED = schema_range(ID)


class ReceiptLineSchema(Schema):
    item_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    quantity = fields.Integer(required=True, strict=True, validate=POSITIVE)
    unit = fields.String(load_default=None, allow_none=True)
    batch_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    production_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    expiry_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    unit_cost = fields.Decimal(required=True, places=2, validate=schema_range(UNIT_MONEY))
    funding_source = fields.Enum(FundingSource, by_value=True, required=True)
    ownership = fields.Enum(Ownership, by_value=True, load_default=Ownership.GOVERNMENT)
    holder = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    donor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    donation_restriction = fields.String(load_default=None, allow_none=True)


class CreateReceiptSchema(Schema):
    depot_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    supplier = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    reason = fields.String(load_default=None, allow_none=True)
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)
    lines = fields.List(fields.Nested(ReceiptLineSchema), required=True, validate=validate.Length(min=1))


class IssueLineSchema(Schema):
    item_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    quantity = fields.Integer(required=True, strict=True, validate=POSITIVE)
    unit = fields.String(load_default=None, allow_none=True)
    lot_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=IDENTIFIED)


class CreateIssueSchema(Schema):
    depot_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(load_default=None, allow_none=True)
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)
    lines = fields.List(fields.Nested(IssueLineSchema), required=True, validate=validate.Length(min=1))


class CreateTransferSchema(Schema):
    source_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    destination_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    reason = fields.String(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(IssueLineSchema), required=True, validate=validate.Length(min=1))


class ReceivedLineSchema(Schema):
    line_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    received = fields.Integer(required=True, strict=True, validate=COUNTED)
    damaged = fields.Integer(load_default=0, strict=True, validate=COUNTED)
    note = fields.String(load_default=None, allow_none=True)


class ReceiveTransferSchema(Schema):
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)
    lines = fields.List(fields.Nested(ReceivedLineSchema), load_default=list)


class CreateCountSchema(Schema):
    depot_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    item_ids = fields.List(fields.Integer(strict=True, validate=IDENTIFIED), load_default=None, allow_none=True,
                          validate=validate.Length(max=10_000))


class CountedLineSchema(Schema):
    line_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    counted = fields.Integer(required=True, strict=True, validate=COUNTED)


class RecordCountsSchema(Schema):
    lines = fields.List(fields.Nested(CountedLineSchema), required=True, validate=validate.Length(min=1))


class ScrapLineSchema(Schema):
    lot_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    quantity = fields.Integer(required=True, strict=True, validate=POSITIVE)


class CreateScrapSchema(Schema):
    depot_id = fields.Integer(required=True, strict=True, validate=IDENTIFIED)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    lines = fields.List(fields.Nested(ScrapLineSchema), required=True, validate=validate.Length(min=1))


class ReverseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1))


class ResolveDiscrepancySchema(Schema):
    recovered = fields.Integer(load_default=0, strict=True, validate=COUNTED)
    note = fields.String(load_default=None, allow_none=True)


class StockQuerySchema(Schema):
    as_of = fields.Date(load_default=None, validate=DAY)


class MovementQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    depot_id = fields.Integer(load_default=None, validate=IDENTIFIED)
    item_id = fields.Integer(load_default=None, validate=IDENTIFIED)
    kind = fields.Enum(MovementKind, by_value=True, load_default=None)
    date_from = fields.Date(load_default=None, validate=DAY)
    date_to = fields.Date(load_default=None, validate=DAY)


class ShortfallQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    level = fields.String(load_default=None, validate=validate.OneOf(
        ["central", "provincial", "municipal", "county", "township"]))
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    item_id = fields.Integer(load_default=None, validate=IDENTIFIED)


class MovementSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(MovementKind, by_value=True)
    depot_id = fields.Integer()
    item_id = fields.Integer()
    item_code = fields.Function(lambda m: m.item.code)
    lot_id = fields.Integer()
    batch_no = fields.Function(lambda m: m.lot.batch_no)
    quantity = fields.Integer()
    unit_cost = fields.Decimal(as_string=True)
    document_number = fields.Function(lambda m: m.document.number)
    document_id = fields.Integer()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    actor = fields.Function(lambda m: m.actor.username)
    reason = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)


class DocumentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.Function(lambda d: d.kind.value)
    depot_id = fields.Integer()
    depot_code = fields.Function(lambda d: d.depot.code)
    occurred_at = fields.DateTime()
    created_at = fields.DateTime()
    created_by = fields.Function(lambda d: d.created_by.username)
    reason = fields.String(allow_none=True)
    counterparty = fields.String(allow_none=True)
    movements = fields.List(fields.Nested(MovementSchema))


class TransferLineSchema(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    quantity = fields.Integer()


class DiscrepancySchema(Schema):
    id = fields.Integer()
    source_lot_id = fields.Integer()
    shortage = fields.Integer()
    damaged = fields.Integer()
    note = fields.String(allow_none=True)
    status = fields.Function(lambda d: d.status.value)
    resolution_note = fields.String(allow_none=True)


class TransferSchema(Schema):
    id = fields.Integer()
    number = fields.Function(lambda t: t.document.number)
    status = fields.Function(lambda t: t.status.value)
    source_id = fields.Integer()
    destination_id = fields.Integer()
    evacuation = fields.Boolean()
    approved_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(TransferLineSchema))
    discrepancies = fields.List(fields.Nested(DiscrepancySchema))


class CountLineSchema(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    batch_no = fields.Function(lambda line: line.lot.batch_no)
    item_id = fields.Function(lambda line: line.lot.item_id)
    expected = fields.Integer()
    counted = fields.Integer(allow_none=True)


class CountSchema(Schema):
    id = fields.Integer()
    number = fields.Function(lambda c: c.document.number)
    depot_id = fields.Integer()
    status = fields.Function(lambda c: c.status.value)
    lines = fields.List(fields.Nested(CountLineSchema))


class ScrapSchema(Schema):
    id = fields.Integer()
    number = fields.Function(lambda s: s.document.number)
    depot_id = fields.Integer()
    status = fields.Function(lambda s: s.status.value)
    reason = fields.Function(lambda s: s.document.reason)
    lines = fields.Function(lambda s: [{"lot_id": line.lot_id, "quantity": line.quantity} for line in s.lines])


class LotStockSchema(Schema):
    lot_id = fields.Integer()
    batch_no = fields.String()
    production_date = fields.Date(allow_none=True)
    expiry_date = fields.Date(allow_none=True)
    unit_cost = fields.Decimal(as_string=True)
    funding_source = fields.Function(lambda line: line.funding_source.value)
    on_hand = fields.Integer(metadata={"description": "On hand; for a lot in transit, what is on the road"})
    reserved = fields.Integer()
    days_left = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": "ok, due (rotation), expired, or in_transit"})


class ItemStockSchema(Schema):
    item_id = fields.Function(lambda s: s.item.id)
    item_code = fields.Function(lambda s: s.item.code)
    item_name = fields.Function(lambda s: s.item.name)
    base_unit = fields.Function(lambda s: s.item.base_unit)
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()
    expired = fields.Integer()
    in_transit = fields.Integer(metadata={"description": "Shipped from this depot, not yet received or delivered"})
    value = fields.Decimal(as_string=True, metadata={"description": "On hand and in transit, at cost"})
    quota_target = fields.Integer(allow_none=True)
    quota_minimum = fields.Integer(allow_none=True)
    below_minimum = fields.Boolean()
    lots = fields.List(fields.Nested(LotStockSchema))


class ShortfallSchema(Schema):
    depot_id = fields.Function(lambda s: s.depot.id)
    depot_code = fields.Function(lambda s: s.depot.code)
    depot_level = fields.Function(lambda s: s.depot.level.value)
    region_code = fields.Function(lambda s: s.depot.region.code)
    item_id = fields.Function(lambda s: s.item.id)
    item_code = fields.Function(lambda s: s.item.code)
    minimum = fields.Integer()
    target = fields.Integer()
    available = fields.Integer()
    below_minimum = fields.Integer()
