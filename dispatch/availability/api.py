"""JSON API v1: depots holding an item near a place, nearest first."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from core.access import visible_depot_ids
from core.api import query_args
from core.auth import allow
from core.errors import DomainError
from core.openapi import document_path, document_schema, errors, ok, query
from dispatch.availability.queries import list_stock_nearby
from dispatch.availability.schemas import NearbyQuerySchema, NearbyStockSchema
from inventory.network.queries import get_item, get_region_by_code

bp = Blueprint("availability_api", __name__)


@bp.get("/stock/nearby")
@allow()
def stock_nearby():
    args = query_args(NearbyQuerySchema())
    item = get_item(args["item_id"])
    latitude, longitude = _place(args)
    found = list_stock_nearby(item.id, latitude, longitude, args["radius_km"], args["min_quantity"], args["limit"],
                              depot_ids=visible_depot_ids(current_user))
    return {"item_id": item.id, "latitude": latitude, "longitude": longitude, "radius_km": args["radius_km"],
            "depots": NearbyStockSchema().dump(found, many=True)}


def _place(args: dict) -> tuple[float, float]:
    if args["latitude"] is not None:
        return args["latitude"], args["longitude"]
    region = get_region_by_code(args["region_code"])
    if region is None or region.latitude is None:
        raise DomainError(_("Unknown region."), {"region_code": [_("No region has code %(code)s.",
                                                                  code=args["region_code"])]})
    return region.latitude, region.longitude


document_schema("NearbyStock", NearbyStockSchema)
document_path("/stock/nearby", {"get": {
    "summary": "Depots holding an item near a region or point: available quantity, level, road distance and time",
    "parameters": query(NearbyQuerySchema),
    "responses": {**ok({"type": "object", "properties": {
        "depots": {"type": "array", "items": {"$ref": "#/components/schemas/NearbyStock"}}}}),
        **errors(400, 401, 404, 422)}}})
