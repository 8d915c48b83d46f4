"""The network map's query string: which item colours the depots, which province the layers keep to."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from dispatch.incidents.schemas import ID

PROVINCE_CODE = validate.Regexp(r"^\d{2}0000$", error=_l("A province's code: six digits ending in 0000, e.g. 510000."))


class MapQuerySchema(Schema):
    province = fields.String(load_default=None, validate=PROVINCE_CODE)


class DepotMapQuerySchema(MapQuerySchema):
    item_id = fields.Integer(load_default=None, validate=ID)
