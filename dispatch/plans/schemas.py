"""JSON shapes of a plan: KPIs beside the baseline, open levels, lines, unmet demand, routes with stops."""
from marshmallow import Schema, fields

from dispatch.incidents.schemas import local


class PlanLineSchema(Schema):
    id = fields.Integer()
    source_kind = fields.Function(lambda line: line.source_kind.value)
    depot_id = fields.Integer(allow_none=True)
    depot_code = fields.Function(lambda line: line.depot.code if line.depot else None)
    agreement_id = fields.Integer(allow_none=True)
    source_level = fields.Function(lambda line: line.source_level.value)
    area_id = fields.Integer()
    item_id = fields.Integer()
    item_code = fields.Function(lambda line: line.item.code)
    mode = fields.Function(lambda line: line.mode.value)
    period = fields.Integer()
    quantity = fields.Integer()
    on_time_quantity = fields.Integer()
    due_hours = fields.Float()
    eta_hours = fields.Float(metadata={"description": "Arrival the allocation assumed"})
    arrival_hours = fields.Float(metadata={"description": "Arrival the plan delivers (routed on the road)"})
    cost = fields.Decimal(as_string=True)
    tonne_km = fields.Decimal(as_string=True)


class PlanUnmetSchema(Schema):
    area_id = fields.Integer()
    item_id = fields.Integer()
    item_code = fields.Function(lambda gap: gap.item.code)
    period = fields.Integer()
    quantity = fields.Integer()
    reason = fields.String()
    opening_level = fields.Function(lambda gap: gap.opening_level.value if gap.opening_level else None)


class PlanStopSchema(Schema):
    sequence = fields.Integer()
    area_id = fields.Integer()
    arrival_hours = fields.Float()
    weight_kg = fields.Decimal(as_string=True)
    volume_m3 = fields.Decimal(as_string=True)
    loads = fields.Function(lambda stop: [{"line_id": load.line_id, "quantity": load.quantity} for load in stop.loads])


class PlanRouteSchema(Schema):
    id = fields.Integer()
    depot_id = fields.Integer()
    depot_code = fields.Function(lambda route: route.depot.code)
    vehicle_label = fields.String()
    vehicle_type = fields.String()
    requisitioned_vehicle_id = fields.Integer(allow_none=True)
    distance_km = fields.Decimal(as_string=True)
    cost = fields.Decimal(as_string=True)
    return_hours = fields.Float()
    full_truckload = fields.Boolean()
    stops = fields.List(fields.Nested(PlanStopSchema))


class PlanSchema(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    number = fields.Integer()
    demand_version_id = fields.Integer()
    status = fields.Function(lambda plan: plan.status.value)
    snapshot_at = fields.Function(lambda plan: local(plan.snapshot_at))
    approved_at = fields.Function(lambda plan: local(plan.approved_at), allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    closed_at = fields.Function(lambda plan: local(plan.closed_at), allow_none=True,
                                metadata={"description": "When the plan was superseded or cancelled"})
    close_reason = fields.String(allow_none=True)
    kpis = fields.Dict(metadata={"description": "As routed"})
    allocation_kpis = fields.Dict(metadata={"description": "As the allocation alone assumed"})
    baseline_kpis = fields.Dict(metadata={"description": "The greedy nearest-first baseline on the same snapshot"})
    open_levels = fields.List(fields.Dict())
    lines = fields.List(fields.Nested(PlanLineSchema))
    unmet = fields.List(fields.Nested(PlanUnmetSchema))
    routes = fields.List(fields.Nested(PlanRouteSchema))
