"""The overview map's layers as GeoJSON: every active depot by level, every active incident's areas."""
from __future__ import annotations

from flask import Blueprint

from core.auth import allow
from core.openapi import document_path, errors, ok
from dispatch.incidents.api import area_feature
from dispatch.incidents.queries import list_active_incidents
from inventory.network.models import DepotLevel
from inventory.network.queries import list_depot_points

bp = Blueprint("maps_api", __name__)


@bp.get("/map/depots")
@allow()
def depots():
    rows = list_depot_points()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"kind": "depot", "id": depot_id, "level": DepotLevel(level).value,
                        "label": f"{code} {name}"}} for depot_id, code, name, level, lat, lon in rows]}


@bp.get("/map/incidents")
@allow()
def incidents():
    features = []
    for incident in list_active_incidents():
        for area in incident.areas:
            feature = area_feature(area)
            feature["properties"]["lines"] = [incident.title] + feature["properties"]["lines"]
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}


document_path("/map/depots", {"get": {"summary": "Every active depot as GeoJSON, with its level",
                                      "responses": {**ok({"type": "object"}), **errors(401)}}})
document_path("/map/incidents", {"get": {"summary": "The areas of every active incident as GeoJSON",
                                         "responses": {**ok({"type": "object"}), **errors(401)}}})
