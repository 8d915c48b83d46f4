"""JSON shape of an incident's follow-up figures (dumped only: the dashboard takes no input)."""
from marshmallow import Schema, fields

from dispatch.incidents.schemas import local

UNITS = "units in the item's base unit"
MOMENT = {"type": "string", "format": "date-time", "description": "Local time with its UTC offset"}


class FiguresSchema(Schema):
    demand = fields.Integer(metadata={"description": f"The latest demand version, {UNITS}"})
    planned = fields.Integer(metadata={"description": "The lines of the plan approved now"})
    in_transit = fields.Integer(metadata={"description": "Left their source, not yet received at their stop"})
    delivered = fields.Integer(metadata={"description": "Accepted at receipt (rejected units are not delivered)"})


class ItemProgressSchema(Schema):
    item_id = fields.Integer(attribute="item.id")
    code = fields.String(attribute="item.code")
    name = fields.String(attribute="item.name")
    demand = fields.Integer(attribute="figures.demand")
    planned = fields.Integer(attribute="figures.planned")
    in_transit = fields.Integer(attribute="figures.in_transit")
    delivered = fields.Integer(attribute="figures.delivered")


class OnTimeSchema(Schema):
    demand = fields.Integer(metadata={"description": "Basic-living demand of the latest demand version"})
    on_time = fields.Integer(metadata={"description": "Of it, units accepted at the area by the line's due time "
                                                      "(a phased tail by its own due time)"})
    share = fields.Float(allow_none=True, metadata={"description": "on_time / demand; null without such demand"})


class AreaProgressSchema(Schema):
    area_id = fields.Integer(attribute="area.id")
    name = fields.String(attribute="area.name")
    items = fields.List(fields.Nested(ItemProgressSchema))
    basic_living = fields.Nested(OnTimeSchema)


class TimelinePointSchema(Schema):
    at = fields.Function(lambda point: local(point.at), metadata=MOMENT)
    dispatched = fields.Integer(metadata={"description": "Units that had left their sources by `at`, in all"})
    delivered = fields.Integer(metadata={"description": "Units accepted at the areas by `at`, in all"})


class OverdueShipmentSchema(Schema):
    shipment_id = fields.Integer(attribute="shipment.id")
    number = fields.String(attribute="shipment.number", metadata={"description": "The waybill number"})
    status = fields.Function(lambda row: row.shipment.status.value, metadata={"type": "string"})
    source_name = fields.String(attribute="shipment.source_name")
    quantity = fields.Integer(attribute="shipment.quantity")
    expected_at = fields.Function(lambda row: local(row.expected_at), metadata={
        **MOMENT, "description": "Expected arrival at the first stop still waiting"})
    late_hours = fields.Float(metadata={"description": "Hours since expected_at"})
    waiting_areas = fields.Function(lambda row: [{"area_id": area.id, "name": area.name} for area in row.waiting],
                                    metadata={"type": "array", "description": "The stops still waiting, in order",
                                              "items": {"type": "object", "properties": {
                                                  "area_id": {"type": "integer"}, "name": {"type": "string"}}}})


class ProgressSchema(Schema):
    incident_id = fields.Integer(attribute="incident.id")
    as_of = fields.Function(lambda progress: local(progress.as_of), metadata=MOMENT)
    demand_version = fields.Function(lambda progress: progress.version.number if progress.version else None,
                                     metadata={"type": "integer", "nullable": True,
                                               "description": "The demand version the figures count against"})
    plan_id = fields.Function(lambda progress: progress.plan.id if progress.plan else None,
                              metadata={"type": "integer", "nullable": True,
                                        "description": "The approved plan; null when none is"})
    totals = fields.Nested(FiguresSchema)
    by_area = fields.List(fields.Nested(AreaProgressSchema), attribute="areas")
    basic_living = fields.Nested(OnTimeSchema)
    timeline = fields.List(fields.Nested(TimelinePointSchema), attribute="timeline.points",
                           metadata={"description": "A point per moment something left or arrived; when there are "
                                                    "more than 48, a point per step of timeline_step_minutes"})
    timeline_step_minutes = fields.Integer(attribute="timeline.step_minutes", allow_none=True,
                                           metadata={"description": "null: a point per moment"})
    overdue = fields.List(fields.Nested(OverdueShipmentSchema),
                          metadata={"description": "The longest waited for first, at most 50; "
                                                   "GET /shipments?incident_id=…&overdue=true lists them all"})
    overdue_total = fields.Integer()
