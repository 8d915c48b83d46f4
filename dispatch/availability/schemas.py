"""JSON shapes of "find stock": depots holding an item near a place."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.bounds import QUANTITY, schema_range
from dispatch.incidents.schemas import ID
from inventory.network.schemas import LATITUDE, LONGITUDE, REGION_CODE


class NearbyQuerySchema(Schema):
    item_id = fields.Integer(required=True, validate=ID)
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    latitude = fields.Float(load_default=None, validate=LATITUDE)
    longitude = fields.Float(load_default=None, validate=LONGITUDE)
    radius_km = fields.Integer(load_default=200, validate=validate.Range(min=1, max=3000))
    min_quantity = fields.Integer(load_default=1, validate=schema_range(QUANTITY))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _placed(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_l("Give both coordinates."), "longitude")
        if data.get("latitude") is None and not data.get("region_code"):
            raise ValidationError(_l("Give a region code, or a point's coordinates."), "region_code")


class NearbyStockSchema(Schema):
    depot_id = fields.Integer()
    depot_code = fields.String()
    depot_name = fields.String()
    level = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    available = fields.Integer()
    distance_km = fields.Float()
    road_hours = fields.Float()
