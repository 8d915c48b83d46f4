"""JSON shapes for the rotation due list and rotation plans."""
from marshmallow import Schema, fields, validate

from core.bounds import DAY, ID, MONEY_MAX, PAGE, QUANTITY, QUANTITY_OR_ZERO, UNIT_MONEY, schema_range
from inventory.network.models import ItemCategory
from inventory.network.schemas import DEPOT_LEVELS, REGION_CODE
from inventory.rotation.models import ReplacementKind, RotationAction


class DueQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    level = fields.String(load_default=None, validate=DEPOT_LEVELS)
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    depot_id = fields.Integer(load_default=None, validate=schema_range(ID))
    category = fields.Enum(ItemCategory, by_value=True, load_default=None)
    within_days = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3650))


class RotationLineRequestSchema(Schema):
    lot_id = fields.Integer(required=True, strict=True, validate=schema_range(ID))
    quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    action = fields.Enum(RotationAction, by_value=True, required=True)
    replacement = fields.Enum(ReplacementKind, by_value=True, required=True)
    counterparty = fields.String(load_default=None, allow_none=True)
    destination_id = fields.Integer(load_default=None, allow_none=True, validate=schema_range(ID))
    expected_unit_proceeds = fields.Decimal(load_default=0, places=2, validate=schema_range(UNIT_MONEY))
    replacement_quantity = fields.Integer(load_default=0, strict=True, validate=schema_range(QUANTITY_OR_ZERO))
    replacement_unit_cost = fields.Decimal(load_default=None, allow_none=True, places=2,
                                           validate=schema_range(UNIT_MONEY))
    supplier = fields.String(load_default=None, allow_none=True)
    reduction_reason = fields.String(load_default=None, allow_none=True)


class CreateRotationPlanSchema(Schema):
    depot_id = fields.Integer(required=True, strict=True, validate=schema_range(ID))
    note = fields.String(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(RotationLineRequestSchema), required=True, validate=validate.Length(min=1))


class RotationOutSchema(Schema):
    line_id = fields.Integer(required=True, strict=True, validate=schema_range(ID))
    quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    proceeds = fields.Decimal(load_default=0, places=2, validate=schema_range((0, MONEY_MAX)))


class RotationInSchema(Schema):
    line_id = fields.Integer(required=True, strict=True, validate=schema_range(ID))
    quantity = fields.Integer(required=True, strict=True, validate=schema_range(QUANTITY))
    batch_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    unit_cost = fields.Decimal(required=True, places=2, validate=schema_range(UNIT_MONEY))
    production_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    expiry_date = fields.Date(load_default=None, allow_none=True, validate=DAY)


class ExecuteRotationSchema(Schema):
    outs = fields.List(fields.Nested(RotationOutSchema), load_default=list)
    ins = fields.List(fields.Nested(RotationInSchema), load_default=list)


class RotationLineSchema(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    batch_no = fields.Function(lambda line: line.lot.batch_no)
    item_code = fields.Function(lambda line: line.lot.item.code)
    quantity = fields.Integer()
    action = fields.Function(lambda line: line.action.value)
    counterparty = fields.String(allow_none=True)
    destination_id = fields.Integer(allow_none=True)
    expected_unit_proceeds = fields.Decimal(as_string=True)
    executed_quantity = fields.Integer()
    actual_proceeds = fields.Decimal(as_string=True)
    replacement = fields.Function(lambda line: line.replacement.value)
    replacement_quantity = fields.Integer()
    replacement_unit_cost = fields.Decimal(as_string=True, allow_none=True)
    supplier = fields.String(allow_none=True)
    reduction_reason = fields.String(allow_none=True)
    replacement_received = fields.Integer()


class RotationPlanSchema(Schema):
    id = fields.Integer()
    number = fields.Function(lambda plan: plan.document.number)
    depot_id = fields.Integer()
    status = fields.Function(lambda plan: plan.status.value)
    created_by = fields.Function(lambda plan: plan.document.created_by.username)
    approved_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(RotationLineSchema))


class DueLotSchema(Schema):
    lot_id = fields.Function(lambda due: due.lot.id)
    depot_id = fields.Function(lambda due: due.lot.depot_id)
    depot_code = fields.Function(lambda due: due.lot.depot.code)
    item_code = fields.Function(lambda due: due.lot.item.code)
    item_name = fields.Function(lambda due: due.lot.item.name)
    batch_no = fields.Function(lambda due: due.lot.batch_no)
    expiry_date = fields.Function(lambda due: due.lot.expiry_date.isoformat())
    days_left = fields.Integer()
    state = fields.String()
    on_hand = fields.Function(lambda due: due.lot.on_hand)
    reserved = fields.Function(lambda due: due.lot.reserved)
    book_value = fields.Decimal(as_string=True)
