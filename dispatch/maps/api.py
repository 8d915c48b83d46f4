"""The network map's layers as GeoJSON: every active depot by level or by its stock of an item against its quota,
the areas of every active incident, the shipments on the road. Each narrows to a province (`province=510000`)."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _

from core.api import BadQuery, query_args
from core.auth import allow
from core.errors import NotFoundError
from core.openapi import document_path, errors, ok, query
from dispatch.incidents.api import area_feature
from dispatch.incidents.queries import list_active_areas
from dispatch.maps.schemas import DepotMapQuerySchema, MapQuerySchema
from dispatch.shipments.queries import list_shipments_in_transit
from inventory.network.models import DepotLevel
from inventory.network.queries import get_item, get_province, list_depot_points
from inventory.stock.queries import list_depot_stock_levels

bp = Blueprint("maps_api", __name__)


def map_filters(schema) -> dict:
    """The query string, read and checked: an unknown item or province is a 400 naming the field, like a bad one."""
    args = query_args(schema)
    if args.get("province") and get_province(args["province"]) is None:
        raise BadQuery({"province": [_("No province has code %(code)s.", code=args["province"])]})
    if args.get("item_id"):
        try:
            get_item(args["item_id"])
        except NotFoundError as error:
            raise BadQuery({"item_id": [str(error)]}) from error
    return args


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def point(longitude: float, latitude: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": properties}


@bp.get("/map/depots")
@allow()
def depots():
    """Coloured by level; with `item_id`, each carries its usable stock, its quota and the state they make."""
    args = map_filters(DepotMapQuerySchema())
    if not args["item_id"]:
        return collection([point(lon, lat, {"kind": "depot", "id": depot_id, "level": DepotLevel(level).value,
                                            "label": f"{code} {name}"})
                           for depot_id, code, name, level, lat, lon in list_depot_points(args["province"])])
    # The popup's sentences are translated once and filled in per depot: gettext per depot would double the time.
    lines = {"no_quota": _("Stock %(stock)s, no quota"),
             "quota": _("Stock %(stock)s; quota: minimum %(minimum)s, target %(target)s")}
    return collection([depot_stock_feature(depot, lines) for depot in list_depot_stock_levels(args["item_id"],
                                                                                               args["province"])])


def depot_stock_feature(depot, lines: dict[str, str]) -> dict:
    figures = {"stock": f"{depot.stock:,}", "minimum": f"{depot.quota_minimum or 0:,}",
               "target": f"{depot.quota_target or 0:,}"}
    line = lines["no_quota" if depot.quota_minimum is None else "quota"] % figures
    return point(depot.longitude, depot.latitude, {
        "kind": "depot", "id": depot.depot_id, "level": depot.level, "label": f"{depot.code} {depot.name}",
        "stock": depot.stock, "quota_minimum": depot.quota_minimum, "quota_target": depot.quota_target,
        "state": depot.state, "lines": [line]})


@bp.get("/map/incidents")
@allow()
def incidents():
    args = map_filters(MapQuerySchema())
    features = []
    for area in list_active_areas(args["province"]):
        feature = area_feature(area)
        feature["properties"]["lines"] = [area.incident.title] + feature["properties"]["lines"]
        feature["properties"]["incident_id"] = area.incident_id
        features.append(feature)
    return collection(features)


@bp.get("/map/shipments")
@allow()
def shipments():
    """Each shipment on the road as a line from its source through its stops, marked when overdue."""
    args = map_filters(MapQuerySchema())
    return collection([feature for shipment in list_shipments_in_transit(args["province"])
                       if (feature := shipment_feature(shipment)) is not None])


def shipment_feature(shipment) -> dict | None:
    source = shipment.depot or shipment.agreement
    path = [[source.longitude, source.latitude]] if source.latitude is not None else []
    path += [[stop.area.longitude, stop.area.latitude] for stop in shipment.stops]
    if len(path) < 2:
        return None  # an enterprise without coordinates sending to one stop: nothing to draw a line between
    lines = [_("From %(source)s", source=shipment.source_name)]
    lines += [f"{stop.sequence}. {stop.area.name}" + (" ✓" if stop.received_at else "") for stop in shipment.stops]
    if shipment.overdue:
        lines.append(_("Overdue"))
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": path}, "properties": {
        "kind": "shipment", "id": shipment.id, "label": shipment.number, "mode": shipment.mode.value,
        "overdue": shipment.overdue, "late": shipment.overdue, "lines": lines,
        "url": url_for("shipments.shipment", shipment_id=shipment.id), "link": _("Open the shipment")}}


_FEATURES = {"type": "object", "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                                              "features": {"type": "array", "items": {"type": "object"}}}}
document_path("/map/depots", {"get": {
    "summary": "Every active depot as a GeoJSON point (in a province, if given). Properties: kind, id, level, label; "
               "with item_id also stock (free, unexpired, not in transit), quota_minimum, quota_target (null: no "
               "quota) and state: below_minimum, below_target, at_quota or no_quota",
    "parameters": query(DepotMapQuerySchema),
    "responses": {**ok(_FEATURES), **errors(400, 401)}}})
document_path("/map/incidents", {"get": {
    "summary": "The affected areas of every active incident as GeoJSON points (in a province, if given), sized by "
               "displaced people", "parameters": query(MapQuerySchema),
    "responses": {**ok(_FEATURES), **errors(400, 401)}}})
document_path("/map/shipments", {"get": {
    "summary": "Shipments in transit as GeoJSON lines from their source through their stops (leaving or bound for "
               "a province, if given). Properties: id, label (the waybill number), mode, overdue, url (its page)",
    "parameters": query(MapQuerySchema),
    "responses": {**ok(_FEATURES), **errors(400, 401)}}})
