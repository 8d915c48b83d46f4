"""Read-only look-ups of the network and the catalog for pages, the API and services; filters and pages are
applied in the database."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import Session
from core.errors import DomainError, NotFoundError
from core.models import User, depot_clerks
from core.pagination import Page, paginate
from inventory.network.models import (
    DEPOT_LEVEL_ORDER,
    Depot,
    DepotLevel,
    DepotStatus,
    Item,
    ItemCategory,
    Region,
    RegionLevel,
)
from optimizer.travel import EARTH_RADIUS_KM, great_circle_km

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # of latitude, and of longitude at the equator


def region_code_prefix(code: str) -> str:
    """GB/T 2260 codes nest: 51 is Sichuan, 5101 Chengdu, 510104 one of its districts."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def depots_statement(level: str | None = None, region_code: str | None = None, q: str | None = None,
                     status: str | None = None) -> Select:
    statement = select(Depot).join(Depot.region).options(joinedload(Depot.region))
    if level:
        statement = statement.where(Depot.level == DepotLevel(level))
    if region_code:
        statement = statement.where(Region.code.startswith(region_code_prefix(region_code)))
    if q:
        pattern = f"%{q.strip()}%"
        statement = statement.where(or_(Depot.name.like(pattern), Depot.code.like(pattern)))
    if status:
        statement = statement.where(Depot.status == DepotStatus(status))
    return statement.order_by(level_rank(), Region.code, Depot.code)


def level_rank():
    """Central first, township last: the level is stored as text, which would sort county before provincial."""
    return case({level.value: rank for rank, level in enumerate(DEPOT_LEVEL_ORDER)}, value=Depot.level)


def list_depots(page: int = 1, per_page: int = 25, **filters) -> Page:
    return paginate(depots_statement(**filters), page, per_page)


def count_depots_by_level() -> dict[DepotLevel, int]:
    rows = Session.execute(select(Depot.level, func.count()).where(Depot.status == DepotStatus.ACTIVE)
                           .group_by(Depot.level))
    counts = dict(rows.all())
    return {level: counts.get(level, 0) for level in DepotLevel}


@dataclass
class Neighbour:
    depot: Depot
    distance_km: float


def list_neighbours(depot: Depot, radius_km: float, limit: int = 20) -> list[Neighbour]:
    """Active depots within `radius_km` of this one, nearest first."""
    south, north, west, east = bounding_box(depot.latitude, depot.longitude, radius_km)
    candidates = Session.scalars(
        select(Depot).options(joinedload(Depot.region))
        .where(Depot.id != depot.id, Depot.status == DepotStatus.ACTIVE,
               Depot.latitude.between(south, north), Depot.longitude.between(west, east))
    )
    neighbours = [Neighbour(other, great_circle_km(depot.latitude, depot.longitude, other.latitude, other.longitude))
                  for other in candidates]
    within = sorted((n for n in neighbours if n.distance_km <= radius_km), key=lambda n: n.distance_km)
    return within[:limit]


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """A lat/lon box that holds the circle, so the database can narrow a search by index before measuring."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / max(1e-6, KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def list_clerk_depots(user: User) -> list[Depot]:
    return list(Session.scalars(select(Depot).join(depot_clerks).where(depot_clerks.c.user_id == user.id)
                                .order_by(Depot.code)))


def items_statement(category: str | None = None, q: str | None = None) -> Select:
    statement = select(Item).options(selectinload(Item.pack_units))
    if category:
        statement = statement.where(Item.category == ItemCategory(category))
    if q:
        pattern = f"%{q.strip()}%"
        statement = statement.where(or_(Item.name.like(pattern), Item.code.like(pattern), Item.name_en.like(pattern)))
    return statement.order_by(Item.category, Item.code)


def list_items(page: int = 1, per_page: int = 25, **filters) -> Page:
    return paginate(items_statement(**filters), page, per_page)


def regions_statement(level: str | None = None, parent_code: str | None = None, q: str | None = None) -> Select:
    statement = select(Region).options(joinedload(Region.parent))
    if level:
        statement = statement.where(Region.level == RegionLevel(level))
    if parent_code:
        parent = select(Region.id).where(Region.code == parent_code).scalar_subquery()
        statement = statement.where(Region.parent_id == parent)
    if q:
        statement = statement.where(or_(Region.name.like(f"%{q.strip()}%"), Region.code.startswith(q.strip())))
    return statement.order_by(Region.code)


def list_regions(page: int = 1, per_page: int = 50, **filters) -> Page:
    return paginate(regions_statement(**filters), page, per_page)


def list_provinces() -> list[Region]:
    return list(Session.scalars(regions_statement(level=RegionLevel.PROVINCE)))


def list_children(region_code: str) -> list[Region]:
    return list(Session.scalars(regions_statement(parent_code=region_code)))


def get_region_by_code(code: str) -> Region | None:
    return Session.scalar(select(Region).where(Region.code == code))


def get_depot_by_code(code: str) -> Depot | None:
    """The depot with this code, however the code was typed (codes are stored in capitals)."""
    return Session.scalar(select(Depot).where(Depot.code == code.strip().upper()))


def get_item_by_code(code: str) -> Item | None:
    """The catalog entry with this code, as typed but for surrounding spaces (item codes keep their case)."""
    return Session.scalar(select(Item).where(Item.code == code.strip()))


def search_active_depots(text: str, limit: int = 20, besides: int | None = None) -> list[Depot]:
    """Active depots whose code or name holds the text, codes that start with it first; `besides` is left out."""
    text = text.strip()
    code = text.upper()  # codes are stored in capitals
    statement = (select(Depot).where(Depot.status == DepotStatus.ACTIVE,
                                     or_(Depot.code.contains(code, autoescape=True),
                                         Depot.name.icontains(text, autoescape=True)))
                 .order_by(Depot.code.startswith(code, autoescape=True).desc(), level_rank(), Depot.code)
                 .limit(limit))
    if besides is not None:
        statement = statement.where(Depot.id != besides)
    return list(Session.scalars(statement))


def find_depot(typed: str) -> Depot | None:
    """The depot a person means by what they typed: its code, "code — name" as a picker offers it, or its full
    name when no other depot bears it."""
    code = typed.split(" — ", 1)[0].strip()
    depot = get_depot_by_code(code) if code else None
    if depot is None and typed.strip():
        named = Session.scalars(select(Depot).where(Depot.name == typed.strip()).limit(2)).all()
        depot = named[0] if len(named) == 1 else None
    return depot


def get_depot(depot_id: int) -> Depot:
    depot = Session.get(Depot, depot_id)
    if depot is None:
        raise NotFoundError(_("No depot with id %(id)s.", id=depot_id))
    return depot


def get_active_depot(depot_id: int, field: str = "depot_id") -> Depot:
    """A depot that can still take stock changes; `field` names the input the refusal stands beside."""
    depot = Session.get(Depot, depot_id)
    if depot is None:
        raise NotFoundError(_("No depot with id %(id)s.", id=depot_id), {field: [_("Unknown depot.")]})
    if depot.status != DepotStatus.ACTIVE:
        raise DomainError(_("Depot %(code)s is closed.", code=depot.code),
                          {field: [_("%(code)s is closed.", code=depot.code)]})
    return depot


def get_item(item_id: int) -> Item:
    item = Session.get(Item, item_id)
    if item is None:
        raise NotFoundError(_("No item with id %(id)s.", id=item_id))
    return item


def nearest_county(lat: float, lon: float, within_km: float = 150.0) -> Region | None:
    """The county whose seat is nearest to a point (a place marked on a map), if one lies within `within_km`."""
    south, north, west, east = bounding_box(lat, lon, within_km)
    counties = Session.scalars(select(Region).where(Region.level == RegionLevel.COUNTY,
                                                    Region.latitude.between(south, north),
                                                    Region.longitude.between(west, east)))
    measured = [(great_circle_km(lat, lon, county.latitude, county.longitude), county) for county in counties]
    nearest = min(measured, key=lambda pair: pair[0], default=None)
    return nearest[1] if nearest is not None and nearest[0] <= within_km else None


def list_all_items() -> list[Item]:
    """The whole catalog in code order, for a select."""
    return list(Session.scalars(select(Item).order_by(Item.code)))


def list_depot_points(region_code: str | None = None) -> list:
    """Every active depot (in the region, if given) as (id, code, name, level, latitude, longitude), for maps."""
    statement = (select(Depot.id, Depot.code, Depot.name, Depot.level, Depot.latitude, Depot.longitude)
                 .where(Depot.status == DepotStatus.ACTIVE).order_by(Depot.id))
    if region_code:
        statement = statement.join(Region, Region.id == Depot.region_id).where(
            Region.code.startswith(region_code_prefix(region_code)))
    return Session.execute(statement).all()


def get_province(code: str) -> Region | None:
    """The province with this code (a prefecture's or county's code is not a province)."""
    return Session.scalar(select(Region).where(Region.code == code, Region.level == RegionLevel.PROVINCE))
