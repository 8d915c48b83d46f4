"""JSON shapes for the API: `<Noun>Schema` dumps, `<Verb><Noun>Schema` loads and validates."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.bounds import CAPACITY, DAYS, PAGE, PER_PERSON, QUANTITY_MAX, UNIT_MEASURE, UNIT_MONEY, schema_range
from inventory.network.models import DepotLevel, DepotStatus, ItemCategory, OperatorType, RegionLevel

CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9-]*$", error=_l("Capital letters, digits and dashes only."))
NOT_NEGATIVE = validate.Range(min=0, error=_l("Cannot be negative."))
MORE_THAN_ZERO = validate.Range(min=0, min_inclusive=False, error=_l("Must be more than 0."))
REGION_CODE = validate.Regexp(r"^\d{6}$", error=_l("Six digits, e.g. 510104."))
LATITUDE = validate.Range(min=3, max=54, error=_l("China lies between 3° and 54° north."))
LONGITUDE = validate.Range(min=73, max=136, error=_l("China lies between 73° and 136° east."))
DEPOT_LEVELS = validate.OneOf([level.value for level in DepotLevel])


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.Enum(RegionLevel, by_value=True)
    parent_code = fields.Function(lambda region: region.parent.code if region.parent else None)
    latitude = fields.Float()
    longitude = fields.Float()


class DepotSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.Enum(DepotLevel, by_value=True)
    region_code = fields.Function(lambda depot: depot.region.code)
    region_name = fields.Function(lambda depot: depot.region.name)
    latitude = fields.Float()
    longitude = fields.Float()
    operator_type = fields.Enum(OperatorType, by_value=True)
    capacity_volume_m3 = fields.Decimal(as_string=True)
    capacity_weight_t = fields.Decimal(as_string=True)
    status = fields.Enum(DepotStatus, by_value=True)
    generated = fields.Boolean()


class CreateDepotSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    level = fields.Enum(DepotLevel, by_value=True, required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    latitude = fields.Float(load_default=None, validate=LATITUDE)
    longitude = fields.Float(load_default=None, validate=LONGITUDE)
    operator_type = fields.Enum(OperatorType, by_value=True, required=True)
    capacity_volume_m3 = fields.Decimal(required=True, places=1, validate=schema_range(CAPACITY))
    capacity_weight_t = fields.Decimal(required=True, places=1, validate=schema_range(CAPACITY))


class UpdateDepotSchema(CreateDepotSchema):
    """Every field optional; `status: closed` closes the depot."""

    status = fields.Enum(DepotStatus, by_value=True)


class PackUnitSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    factor = fields.Integer(required=True, strict=True,
                            validate=schema_range((2, QUANTITY_MAX), error=_l("A pack holds at least 2 base units.")))


class ItemSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    category = fields.Enum(ItemCategory, by_value=True)
    base_unit = fields.String()
    unit_weight_kg = fields.Decimal(as_string=True)
    unit_volume_m3 = fields.Decimal(as_string=True)
    shelf_life_days = fields.Integer(allow_none=True)
    rotation_lead_days = fields.Integer()
    reference_price = fields.Decimal(as_string=True)
    norm_per_person = fields.Decimal(as_string=True, allow_none=True)
    pack_units = fields.List(fields.Nested(PackUnitSchema))


class CreateItemSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    category = fields.Enum(ItemCategory, by_value=True, required=True)
    base_unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    unit_weight_kg = fields.Decimal(required=True, places=3, validate=[MORE_THAN_ZERO, schema_range(UNIT_MEASURE)])
    unit_volume_m3 = fields.Decimal(required=True, places=4, validate=[MORE_THAN_ZERO, schema_range(UNIT_MEASURE)])
    shelf_life_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=schema_range((1, DAYS[1]), error=_l("At least one day, or null.")))
    rotation_lead_days = fields.Integer(load_default=0, strict=True, validate=schema_range(DAYS))
    reference_price = fields.Decimal(required=True, places=2, validate=schema_range(UNIT_MONEY))
    norm_per_person = fields.Decimal(load_default=None, allow_none=True, places=4, validate=schema_range(PER_PERSON))
    pack_units = fields.List(fields.Nested(PackUnitSchema), load_default=list)


class UpdateItemSchema(CreateItemSchema):
    pass


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class DepotQuerySchema(PageQuerySchema):
    level = fields.Enum(DepotLevel, by_value=True, load_default=None)
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    q = fields.String(load_default=None)
    status = fields.Enum(DepotStatus, by_value=True, load_default=None)


class ItemQuerySchema(PageQuerySchema):
    category = fields.Enum(ItemCategory, by_value=True, load_default=None)
    q = fields.String(load_default=None)


class RegionQuerySchema(PageQuerySchema):
    level = fields.Enum(RegionLevel, by_value=True, load_default=None)
    parent_code = fields.String(load_default=None, validate=REGION_CODE)
    q = fields.String(load_default=None)
