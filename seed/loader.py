"""Load regions, the item catalog, the demo depot network and demo users.

A bulk loader, not a service: it writes many rows at once with Core inserts and
commits per step, so the national network loads in seconds.
"""
from __future__ import annotations

import csv
import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session as OrmSession

from core.db import utcnow
from core.models import Role, User, depot_clerks
from inventory.network.models import Depot, DepotLevel, DepotStatus, Item, OperatorType, PackUnit, Region, RegionLevel

DATA = Path(__file__).parent / "data"
# Prefecture rows that group districts or directly governed counties: not cities of their own.
GROUPING_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
CAPACITY_BY_LEVEL = {  # storage volume m³, weight t: typical sizes of depots at each level
    DepotLevel.CENTRAL: (80_000, 20_000),
    DepotLevel.PROVINCIAL: (30_000, 8_000),
    DepotLevel.MUNICIPAL: (8_000, 2_000),
    DepotLevel.COUNTY: (2_000, 500),
    DepotLevel.TOWNSHIP: (200, 50),
}
TOWNSHIP_SHARE = 0.2  # counties that get generated township points
TOWNSHIPS_PER_COUNTY = 3
DEMO_PASSWORD = "demo1234"
DEMO_USERS = [("admin", Role.ADMIN, "演示管理员 Demo admin"), ("clerk", Role.CLERK, "演示保管员 Demo clerk"),
              ("dispatcher", Role.DISPATCHER, "演示调度员 Demo dispatcher"),
              ("finance", Role.FINANCE, "演示财务 Demo finance")]


@dataclass
class Scale:
    """Which part of the country to load: one province (by 2-digit prefix) or all (None)."""

    province_prefix: str | None

    def covers(self, region_code: str) -> bool:
        return self.province_prefix is None or region_code.startswith(self.province_prefix)


def parse_scale(session: OrmSession, value: str) -> Scale:
    """'country', a province code (510000) or a province name (四川省 / 四川)."""
    if value in ("country", "national", "all"):
        return Scale(None)
    province = session.scalar(select(Region).where(Region.level == RegionLevel.PROVINCE,
                                                   (Region.code == value) | Region.name.startswith(value)))
    if province is None:
        raise ValueError(f"No province '{value}'. Use 'country', a code such as 510000 or a name such as 四川.")
    return Scale(province.code[:2])


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by the key, so the demo network is the same on every load."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0x1_0000_0000


def load_regions(session: OrmSession) -> int:
    """Insert the region tree unless it is there already; returns how many regions exist."""
    if session.scalar(select(func.count(Region.id))):
        return session.scalar(select(func.count(Region.id)))
    rows = _rows("regions.csv")
    ids = {}
    for level in (RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY):
        batch = [r for r in rows if r["level"] == level.value]
        session.execute(insert(Region), [
            {"code": r["code"], "name": r["name"], "level": level, "parent_id": ids.get(r["parent_code"]),
             "latitude": float(r["latitude"]), "longitude": float(r["longitude"])} for r in batch])
        ids.update(session.execute(select(Region.code, Region.id).where(Region.level == level)).all())
    session.commit()
    return len(rows)


def load_items(session: OrmSession) -> int:
    """Insert the seeded relief items that are not in the catalog yet."""
    known = set(session.scalars(select(Item.code)))
    added = 0
    for row in _rows("items.csv"):
        if row["code"] in known:
            continue
        session.add(_item_from_row(row))
        added += 1
    session.commit()
    return added


def _item_from_row(row: dict) -> Item:
    item = Item(code=row["code"], name=row["name"], name_en=row["name_en"], category=row["category"],
                base_unit=row["base_unit"], unit_weight_kg=Decimal(row["unit_weight_kg"]),
                unit_volume_m3=Decimal(row["unit_volume_m3"]),
                shelf_life_days=int(row["shelf_life_days"]) if row["shelf_life_days"] else None,
                rotation_lead_days=int(row["rotation_lead_days"]), reference_price=Decimal(row["reference_price"]),
                norm_per_person=Decimal(row["norm_per_person"]) if row["norm_per_person"] else None)
    for spec in filter(None, row["pack_units"].split(";")):
        name, factor = spec.split(":")
        item.pack_units.append(PackUnit(name=name, factor=int(factor)))
    return item


def network_steps(session: OrmSession, scale: Scale) -> Iterator[tuple[str, list[dict]]]:
    """The depots to insert, level by level, as (label, rows)."""
    regions = {r.code: r for r in session.scalars(select(Region))}
    yield "central", [_central_depot(row, regions) for row in _rows("central_depots.csv")]
    provinces = [r for r in regions.values() if r.level == RegionLevel.PROVINCE and scale.covers(r.code)]
    yield "provincial", [_depot(DepotLevel.PROVINCIAL, "P", r, f"{r.name}救灾物资储备库") for r in provinces]
    prefectures = [r for r in regions.values() if r.level == RegionLevel.PREFECTURE and scale.covers(r.code)
                   and r.name not in GROUPING_NAMES]
    yield "municipal", [_depot(DepotLevel.MUNICIPAL, "M", r, f"{r.name}救灾物资储备库") for r in prefectures]
    counties = [r for r in regions.values() if r.level == RegionLevel.COUNTY and scale.covers(r.code)]
    yield "county", [_depot(DepotLevel.COUNTY, "X", r, f"{r.name}救灾物资储备库") for r in counties]
    yield "township", [t for r in counties if _stable_fraction("township" + r.code) < TOWNSHIP_SHARE
                       for t in _township_points(r)]


def _central_depot(row: dict, regions: dict) -> dict:
    region = regions[row["city_code"]]
    return _depot(DepotLevel.CENTRAL, "C", region, f"中央救灾物资{row['city']}储备库")


def _depot(level: DepotLevel, prefix: str, region: Region, name: str, **extra) -> dict:
    volume, weight = CAPACITY_BY_LEVEL[level]
    spread = 0.7 + 0.6 * _stable_fraction(prefix + region.code + extra.get("code", ""))
    row = {"code": f"{prefix}-{region.code}", "name": name, "level": level, "region_id": region.id,
           "latitude": region.latitude, "longitude": region.longitude, "operator_type": _operator(level, region),
           "capacity_volume_m3": Decimal(round(volume * spread)), "capacity_weight_t": Decimal(round(weight * spread)),
           "status": DepotStatus.ACTIVE, "generated": False, "created_at": utcnow()}
    row.update(extra)
    return row


def _operator(level: DepotLevel, region: Region) -> OperatorType:
    """Most depots are the government's; some county stock is kept by enterprises, some township points by
    social organisations (as the plans encourage)."""
    share = _stable_fraction("operator" + level + region.code)
    if level == DepotLevel.COUNTY and share < 0.1:
        return OperatorType.ENTERPRISE
    if level == DepotLevel.TOWNSHIP and share < 0.15:
        return OperatorType.SOCIAL
    return OperatorType.GOVERNMENT


def _township_points(county: Region) -> list[dict]:
    """Generated township points 8-25 km around the county seat, named as generated."""
    rng = random.Random(county.code)
    points = []
    for n in range(1, TOWNSHIPS_PER_COUNTY + 1):
        distance, bearing = rng.uniform(8, 25), rng.uniform(0, 2 * math.pi)
        lat = county.latitude + distance / 111.0 * math.cos(bearing)
        lon = county.longitude + distance / (111.0 * math.cos(math.radians(county.latitude))) * math.sin(bearing)
        points.append(_depot(DepotLevel.TOWNSHIP, "T", county, f"{county.name}第{n}乡镇储备点（演示生成）",
                             code=f"T-{county.code}-{n:02d}", latitude=round(lat, 6), longitude=round(lon, 6),
                             generated=True))
    return points


def load_network(session: OrmSession, scale: Scale, progress=None) -> dict[str, int]:
    """Insert the demo depots for the scale; returns counts per level."""
    counts = {}
    existing = set(session.scalars(select(Depot.code)))
    for label, rows in network_steps(session, scale):
        rows = [row for row in rows if row["code"] not in existing]
        if rows:
            session.execute(insert(Depot), rows)
        session.commit()
        counts[label] = len(rows)
        if progress is not None:
            progress(label, len(rows))
    return counts


def load_demo_users(session: OrmSession, clerk_depot_codes: list[str]) -> list[str]:
    """Create the demo logins that are missing and bind the demo clerk to some depots."""
    created = []
    for username, role, display in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            user = User(username=username, display_name=display, role=role)
            user.set_password(DEMO_PASSWORD)
            session.add(user)
            created.append(username)
    session.flush()
    clerk = session.scalar(select(User).where(User.username == "clerk"))
    bound = set(session.scalars(select(depot_clerks.c.depot_id).where(depot_clerks.c.user_id == clerk.id)))
    for depot_id in session.scalars(select(Depot.id).where(Depot.code.in_(clerk_depot_codes))):
        if depot_id not in bound:
            session.execute(insert(depot_clerks).values(user_id=clerk.id, depot_id=depot_id))
    session.commit()
    return created


def clerk_depots_for(session: OrmSession, scale: Scale) -> list[str]:
    """The demo clerk keeps the province's depot and its first county depot."""
    statement = select(Depot.code).join(Depot.region).where(Depot.level.in_([DepotLevel.PROVINCIAL,
                                                                              DepotLevel.COUNTY]))
    if scale.province_prefix:
        statement = statement.where(Region.code.startswith(scale.province_prefix))
    codes = list(session.scalars(statement.order_by(Depot.level.desc(), Depot.code)))
    provincial = [c for c in codes if c.startswith("P-")][:1]
    county = [c for c in codes if c.startswith("X-")][:1]
    return provincial + county
