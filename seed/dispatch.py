"""Dispatch reference data and the demo fleet: demand norms, relief deadlines, transport modes, vehicles.

Norms come from `data/demand_norms.csv` (each row names its source); Beijing's 6-hour deadline is its
emergency system plan's; the mode figures are the optimizer's defaults; the demo fleet is plausible, not real.
"""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session as OrmSession

from dispatch.demand.models import DemandNorm, ReliefDeadline
from dispatch.fleet.models import DepotAccess, DepotVehicle, Mode, TransportMode
from inventory.network.models import Depot, DepotLevel, Item, Region
from optimizer.travel import DEFAULT_MODES

DATA = Path(__file__).resolve().parent / "data"
# Beijing emergency system plan (13th five-year period): basic living relief within 6 hours.
DEADLINES = [("110000", 6, 24, "北京市“十三五”时期应急体系规划: 6 小时内基本生活救助")]
# vehicle type, capacity kg, m³, km/h, fixed cost, cost per km
TRUCKS = {
    "heavy": ("重型货车 20 t", 20000, Decimal("60"), 60, Decimal("800"), Decimal("6.0")),
    "medium": ("中型货车 8 t", 8000, Decimal("35"), 70, Decimal("400"), Decimal("3.5")),
    "light": ("轻型货车 3 t", 3000, Decimal("15"), 80, Decimal("200"), Decimal("2.0")),
}
FLEET_BY_LEVEL = {
    DepotLevel.CENTRAL: {"heavy": 12, "medium": 10},
    DepotLevel.PROVINCIAL: {"heavy": 8, "medium": 8},
    DepotLevel.MUNICIPAL: {"medium": 6, "light": 4},
    DepotLevel.COUNTY: {"medium": 2, "light": 3},
    DepotLevel.TOWNSHIP: {"light": 1},
}
ACCESS_BY_LEVEL = {DepotLevel.CENTRAL: (Mode.RAIL, Mode.AIR), DepotLevel.PROVINCIAL: (Mode.RAIL, Mode.AIR),
                   DepotLevel.MUNICIPAL: (Mode.RAIL,)}


def load_norms(session: OrmSession) -> int:
    """Default demand norms for the catalog's items (once; the catalog must be loaded)."""
    if session.scalar(select(func.count()).select_from(DemandNorm)):
        return 0
    items = dict(session.execute(select(Item.code, Item.id)).all())
    with (DATA / "demand_norms.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["item_code"] in items]
    for row in rows:
        session.add(DemandNorm(item_id=items[row["item_code"]], per_person=Decimal(row["per_person"]),
                               per_day=row["per_day"] == "yes", days_of_cover=int(row["days_of_cover"]),
                               basic_living=row["basic_living"] == "yes",
                               expiry_margin_days=int(row["expiry_margin_days"]), source=row["source"]))
    session.commit()
    return len(rows)


def load_deadlines_and_modes(session: OrmSession) -> None:
    """Provinces with deadlines of their own, and the three transport modes (once each)."""
    for code, basic, other, source in DEADLINES:
        region_id = session.scalar(select(Region.id).where(Region.code == code))
        if region_id is not None and session.get(ReliefDeadline, region_id) is None:
            session.add(ReliefDeadline(region_id=region_id, basic_hours=basic, other_hours=other, source=source))
    for name, params in DEFAULT_MODES.items():
        if session.get(TransportMode, Mode(name)) is None:
            session.add(TransportMode(mode=Mode(name), speed_kmh=Decimal(str(params.speed_kmh)),
                                      detour=Decimal(str(params.detour)),
                                      handling_hours=Decimal(str(params.handling_hours)),
                                      cost_per_tkm=Decimal(str(params.cost_per_tkm)),
                                      access_km=Decimal(str(params.access_km))))
    session.commit()


def load_demo_fleet(session: OrmSession) -> int:
    """Trucks at every depot by its level; rail at central, provincial and municipal depots, air at the upper two."""
    session.execute(delete(DepotVehicle))
    session.execute(delete(DepotAccess))
    depots = session.execute(select(Depot.id, Depot.level)).all()
    vehicles, access = [], []
    for depot_id, level in depots:
        for kind, count in FLEET_BY_LEVEL[DepotLevel(level)].items():
            name, kg, m3, speed, fixed, per_km = TRUCKS[kind]
            vehicles.append({"depot_id": depot_id, "vehicle_type": name, "count": count, "capacity_kg": kg,
                             "capacity_m3": m3, "speed_kmh": speed, "fixed_cost": fixed, "cost_per_km": per_km})
        access += [{"depot_id": depot_id, "mode": mode} for mode in ACCESS_BY_LEVEL.get(DepotLevel(level), ())]
    if vehicles:
        session.execute(insert(DepotVehicle), vehicles)
    if access:
        session.execute(insert(DepotAccess), access)
    session.commit()
    return sum(row["count"] for row in vehicles)
