"""Which depots near a place hold an item: available quantity, level, distance and road time, nearest first."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true

from core import clock
from core.db import Session
from dispatch.fleet.queries import mode_params
from inventory.network.models import Depot, DepotLevel, DepotStatus
from inventory.network.queries import bounding_box
from inventory.stock.models import Lot
from optimizer.travel import great_circle_km


@dataclass
class NearbyStock:
    depot_id: int
    depot_code: str
    depot_name: str
    level: str
    latitude: float
    longitude: float
    available: int
    distance_km: float
    road_hours: float


def list_stock_nearby(item_id: int, latitude: float, longitude: float, radius_km: float, min_quantity: int = 1,
                      limit: int = 50, depot_ids: list[int] | None = None) -> list[NearbyStock]:
    """Active depots within `radius_km` (great circle) holding at least `min_quantity` free, unexpired units;
    `depot_ids` keeps to some depots (a clerk's own), None to every depot."""
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    free = func.sum(Lot.on_hand - Lot.reserved)
    rows = Session.execute(
        select(Depot.id, Depot.code, Depot.name, Depot.level, Depot.latitude, Depot.longitude, free.label("free"))
        .join(Lot, Lot.depot_id == Depot.id)
        .where(Lot.item_id == item_id, Lot.on_hand > Lot.reserved, Lot.in_transit.is_(False),
               Depot.status == DepotStatus.ACTIVE,
               (Lot.expiry_date.is_(None)) | (Lot.expiry_date > clock.today()),
               Depot.latitude.between(south, north), Depot.longitude.between(west, east))
        .where(Depot.id.in_(depot_ids) if depot_ids is not None else true())
        .group_by(Depot.id, Depot.code, Depot.name, Depot.level, Depot.latitude, Depot.longitude)
        .having(free >= min_quantity)).all()
    road = mode_params()["road"]
    found = []
    for depot_id, code, name, level, lat, lon, available in rows:
        km = great_circle_km(latitude, longitude, lat, lon)
        if km <= radius_km:
            road_km = km * road.detour
            found.append(NearbyStock(depot_id, code, name, DepotLevel(level).value, lat, lon,
                                     int(available), round(road_km, 1),
                                     round(road_km / road.speed_kmh + road.handling_hours, 2)))
    return sorted(found, key=lambda entry: entry.distance_km)[:limit]
