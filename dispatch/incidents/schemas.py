"""JSON shapes of incidents: `<Noun>Schema` dumps, `<Verb><Noun>Schema` loads and validates."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import bounds, clock
from core.bounds import DAY, schema_range
from dispatch.incidents.models import Authority, IncidentStatus, IncidentType, ResponseLevel
from inventory.network.schemas import LATITUDE, LONGITUDE, REGION_CODE, PageQuerySchema

ID = schema_range(bounds.ID)
POPULATION = schema_range(bounds.POPULATION)
PRIORITY = validate.Range(min=1, max=5, error=_l("From 1 (low) to 5 (most urgent)."))


def local(moment):
    return clock.local_iso(moment) if moment else None


class ResponseSchema(Schema):
    id = fields.Integer()
    authority = fields.Enum(Authority, by_value=True)
    region_code = fields.Function(lambda r: r.region.code if r.region else None)
    region_name = fields.Function(lambda r: r.region.name if r.region else None)
    level = fields.Enum(ResponseLevel, by_value=True, allow_none=True)
    changed_at = fields.Function(lambda r: local(r.changed_at))
    note = fields.String(allow_none=True)


class SupportRequestSchema(Schema):
    id = fields.Integer()
    authority = fields.Enum(Authority, by_value=True)
    region_code = fields.Function(lambda r: r.region.code)
    asked_by = fields.String()
    requested_at = fields.Function(lambda r: local(r.requested_at))
    note = fields.String(allow_none=True)


class AreaSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    region_code = fields.Function(lambda a: a.region.code)
    region_name = fields.Function(lambda a: a.region.name)
    latitude = fields.Float()
    longitude = fields.Float()
    affected_population = fields.Integer()
    displaced_population = fields.Integer()
    priority = fields.Integer()
    road = fields.Boolean()
    rail = fields.Boolean()
    air = fields.Boolean()
    receiving_depot_code = fields.Function(lambda a: a.receiving_depot.code if a.receiving_depot else None,
                                           metadata={"description": "The depot its goods are received into"})


class OpeningSchema(Schema):
    level = fields.String()
    region_prefix = fields.String(allow_none=True)
    region_name = fields.String(allow_none=True)
    via = fields.String()
    authority = fields.String()
    response_level = fields.String(allow_none=True)
    since = fields.Function(lambda o: local(o.since))
    releases_protected = fields.Boolean()


class IncidentSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(IncidentType, by_value=True)
    title = fields.String()
    started_at = fields.Function(lambda i: local(i.started_at))
    status = fields.Enum(IncidentStatus, by_value=True)


class IncidentSchema(IncidentSummarySchema):
    description = fields.String(allow_none=True)
    created_at = fields.Function(lambda i: local(i.created_at))
    responses = fields.List(fields.Nested(ResponseSchema))
    support_requests = fields.List(fields.Nested(SupportRequestSchema))
    areas = fields.List(fields.Nested(AreaSchema))
    # Filled by the API from the incident's responses (queries.source_openings), documented here with the rest.
    open_levels = fields.List(fields.Nested(OpeningSchema), dump_only=True)


class CreateIncidentSchema(Schema):
    kind = fields.Enum(IncidentType, by_value=True, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    started_at = fields.AwareDateTime(required=True, validate=DAY)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class UpdateIncidentSchema(CreateIncidentSchema):
    status = fields.Enum(IncidentStatus, by_value=True)


class CreateResponseSchema(Schema):
    authority = fields.Enum(Authority, by_value=True, required=True)
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    level = fields.Enum(ResponseLevel, by_value=True, required=True, allow_none=True,
                        metadata={"description": "I (most severe) to IV; null ends the response"})
    changed_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CreateSupportRequestSchema(Schema):
    authority = fields.Enum(Authority, by_value=True, required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    asked_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    requested_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=DAY)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CreateAreaSchema(Schema):
    """A county by `region_code` (placed at its seat), or a point by `latitude` and `longitude`."""

    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    latitude = fields.Float(load_default=None, allow_none=True, validate=LATITUDE)
    longitude = fields.Float(load_default=None, allow_none=True, validate=LONGITUDE)
    affected_population = fields.Integer(required=True, strict=True, validate=POPULATION)
    displaced_population = fields.Integer(required=True, strict=True, validate=POPULATION)
    priority = fields.Integer(load_default=3, strict=True, validate=PRIORITY)
    road = fields.Boolean(load_default=True)
    rail = fields.Boolean(load_default=False)
    air = fields.Boolean(load_default=False)
    road_cut = fields.Boolean(load_default=False, metadata={"description": "The roads in are cut: air only"})
    receiving_depot_code = fields.String(allow_none=True, validate=validate.Length(max=40), metadata={
        "description": "A depot that takes the area's goods into its stock (null: they are handed to the people)"})

    @validates_schema
    def _placed(self, data, partial=False, **_kwargs):
        if partial:
            return
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_l("Give both coordinates."), "longitude")
        if data.get("latitude") is None and not data.get("region_code"):
            raise ValidationError(_l("Give a county's region code, or a point's coordinates."), "region_code")


class UpdateAreaSchema(CreateAreaSchema):
    pass


class IncidentQuerySchema(PageQuerySchema):
    status = fields.Enum(IncidentStatus, by_value=True, load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=200))
