"""JSON API v1 for plans: one plan whole, and its map (sources, areas, routes) as GeoJSON."""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint

from core.auth import allow
from core.openapi import document_path, document_schema, errors, ok
from dispatch.incidents.api import area_feature
from dispatch.plans import queries
from dispatch.plans.schemas import PlanSchema

bp = Blueprint("plans_api", __name__)


@bp.get("/plans/<int:plan_id>")
@allow()
def get_plan(plan_id: int):
    return PlanSchema().dump(queries.get_plan(plan_id))


@bp.get("/plans/<int:plan_id>/map")
@allow()
def plan_map(plan_id: int):
    """Sources coloured by level, areas sized by their demand, vehicle routes and rail or air legs as lines."""
    plan = queries.get_plan(plan_id)
    demanded, received = defaultdict(int), defaultdict(int)
    for line in plan.demand_version.lines:
        demanded[line.area_id] += line.quantity
    for line in plan.lines:
        received[line.area_id] += line.quantity
    features = [area_feature(area, demanded[area.id], received[area.id]) for area in plan.incident.areas
                if area.id in demanded]
    features += _sources(plan) + _routes(plan) + _direct_legs(plan)
    return {"type": "FeatureCollection", "features": features}


def _sources(plan) -> list[dict]:
    seen = {}
    for line in plan.lines:
        if line.depot is not None and line.depot_id not in seen:
            seen[line.depot_id] = _point(line.depot.longitude, line.depot.latitude, "source",
                                         f"{line.depot.code} {line.depot.name}", level=line.source_level.value)
        elif line.agreement is not None and -line.agreement_id not in seen:
            seen[-line.agreement_id] = _point(line.agreement.longitude, line.agreement.latitude, "source",
                                              line.agreement.enterprise_name, level="agreement")
    return list(seen.values())


def _routes(plan) -> list[dict]:
    features = []
    for route in plan.routes:
        path = [[route.depot.longitude, route.depot.latitude]] + [[s.area.longitude, s.area.latitude]
                                                                 for s in route.stops]
        late = any(load.line.on_time_quantity < load.line.quantity for stop in route.stops for load in stop.loads)
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": path},
                         "properties": {"kind": "route", "mode": "road", "late": late,
                                        "label": f"{route.depot.code} · {route.vehicle_label}",
                                        "lines": [f"{s.sequence}. {s.area.name}" for s in route.stops]}})
    return features


def _direct_legs(plan) -> list[dict]:
    """Rail and air legs, one line per source and area."""
    legs = {}
    for line in plan.lines:
        if line.mode.value != "road" and line.depot is not None:
            legs[(line.depot_id, line.area_id, line.mode.value)] = {
                "type": "Feature", "geometry": {"type": "LineString", "coordinates": [
                    [line.depot.longitude, line.depot.latitude], [line.area.longitude, line.area.latitude]]},
                "properties": {"kind": "route", "mode": line.mode.value, "late": line.late,
                               "label": f"{line.depot.code} → {line.area.name}"}}
    return list(legs.values())


def _point(lon: float, lat: float, kind: str, label: str, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": kind, "label": label, **properties}}


_PLAN = [{"in": "path", "name": "plan_id", "required": True, "schema": {"type": "integer"}}]
document_schema("Plan", PlanSchema)
document_path("/plans/{plan_id}", {"parameters": _PLAN, "get": {
    "summary": "A plan: KPIs as routed beside the allocation's and the greedy baseline's, open levels, lines, unmet "
               "demand with reasons, routes with stops", "responses": {**ok("Plan"), **errors(401, 404)}}})
document_path("/plans/{plan_id}/map", {"parameters": _PLAN, "get": {
    "summary": "The plan's sources, areas and routes as GeoJSON", "responses": {**ok({"type": "object"}),
                                                                                **errors(401, 404)}}})
