"""Seeded random allocation scenarios for the benchmark and the tests (coordinates inside China).

``county_event``: ~50 sources, 10 points, 10 items; ``provincial_event``: ~500 sources, 100 points, 20 items;
``national_peak``: 3,000+ depots of all levels, 40 capacity agreements, 300 points, 25 items, phased demand.
``small_random`` builds tiny instances for property tests.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from optimizer.problem import LEVELS, AllocationProblem, Demand, DemandPoint, Item, Source

LAT_RANGE, LON_RANGE = (20.0, 45.0), (100.0, 122.0)

# Depot stock held per level, as a multiple of one average demand point's need of an item.
STOCK_SCALE = {"township": 0.1, "county": 0.4, "municipal": 1.0, "provincial": 2.5, "central": 4.0}
LEVEL_RADIUS_KM = {"township": 60, "county": 150, "municipal": 300, "provincial": 700, "central": 2500}


@dataclass(frozen=True)
class Spec:
    """Shape of a generated scenario."""

    depots: dict[str, int]
    agreements: int
    points: int
    items: int
    zones: int
    zone_radius_km: float
    response_level: str
    phased: bool
    people: tuple[int, int] = (1_000, 12_000)
    stock_factor: float = 1.0  # below 1, the network holds less than a normal event needs


SPECS = {
    "county": Spec(
        {"township": 36, "county": 8, "municipal": 4, "provincial": 1, "central": 1}, 0, 10, 10, 1, 25, "III", False
    ),
    "provincial": Spec(
        {"township": 380, "county": 80, "municipal": 24, "provincial": 8, "central": 3}, 5, 100, 20, 2, 80, "II", False
    ),
    "national": Spec(
        {"township": 2000, "county": 800, "municipal": 160, "provincial": 31, "central": 20},
        40,
        300,
        25,
        4,
        120,
        "I",
        True,
        stock_factor=0.45,
    ),
}


def county_event(seed: int = 1) -> AllocationProblem:
    return generate(SPECS["county"], seed)


def provincial_event(seed: int = 1) -> AllocationProblem:
    return generate(SPECS["provincial"], seed)


def national_peak(seed: int = 1) -> AllocationProblem:
    return generate(SPECS["national"], seed)


def small_random(
    seed: int, sources: int = 8, points: int = 4, items: int = 2, agreements: int = 1
) -> AllocationProblem:
    """A tiny instance with every feature (levels, modes, protected stock, agreements, phases) switched on."""
    rng = random.Random(seed)
    levels = [rng.choice(LEVELS) for _ in range(sources)]
    spec = Spec(
        {lvl: levels.count(lvl) for lvl in LEVELS},
        agreements,
        points,
        items,
        1,
        40,
        rng.choice(["IV", "III", "II", "I"]),
        rng.random() < 0.5,
        (200, 2_000),
    )
    return generate(spec, seed)


def generate(spec: Spec, seed: int) -> AllocationProblem:
    """Build a scenario: demand points clustered in disaster zones, depots around and across the country."""
    rng = random.Random(seed)
    items = _items(rng, spec.items)
    zones = [(rng.uniform(24.0, 40.0), rng.uniform(103.0, 118.0)) for _ in range(spec.zones)]
    points = [_point(rng, k, rng.choice(zones), spec.zone_radius_km) for k in range(spec.points)]
    people = {p.id: rng.randint(*spec.people) for p in points}
    norms = {it.id: rng.uniform(0.05, 3.0) for it in items}
    demands = [
        _demand(rng, p.id, it.id, people[p.id] * norms[it.id], spec.phased)
        for p in points
        for it in items
        if rng.random() < 0.85
    ]
    mean_need = {it.id: sum(people.values()) / len(points) * norms[it.id] * spec.stock_factor for it in items}
    sources = [
        _depot(rng, f"{lvl[:3]}{k}", lvl, zones, items, mean_need) for lvl, n in spec.depots.items() for k in range(n)
    ]
    sources += [_agreement(rng, k, zones, items, mean_need) for k in range(spec.agreements)]
    return AllocationProblem(sources, points, demands, items, response_level=spec.response_level)


def _items(rng: random.Random, n: int) -> list[Item]:
    return [Item(f"item{k}", round(rng.uniform(0.5, 30.0), 2), round(rng.uniform(0.001, 0.1), 4)) for k in range(n)]


def _near(rng: random.Random, center: tuple[float, float], radius_km: float) -> tuple[float, float]:
    r = radius_km * math.sqrt(rng.random())
    a = rng.uniform(0, 2 * math.pi)
    lat = center[0] + r * math.cos(a) / 111.0
    lon = center[1] + r * math.sin(a) / (111.0 * math.cos(math.radians(center[0])))
    return min(max(lat, LAT_RANGE[0]), LAT_RANGE[1]), min(max(lon, LON_RANGE[0]), LON_RANGE[1])


def _point(rng: random.Random, k: int, zone: tuple[float, float], radius: float) -> DemandPoint:
    lat, lon = _near(rng, zone, radius)
    roll = rng.random()
    # Some points are cut off (air only), some have a rail station or a landing site.
    modes = (
        {"air"}
        if roll < 0.06
        else {"road"} | ({"rail"} if roll < 0.3 else set()) | ({"air"} if rng.random() < 0.3 else set())
    )
    return DemandPoint(f"pt{k}", lat, lon, frozenset(modes), priority=rng.choice([1, 1, 2, 3]))


def _demand(rng: random.Random, point: str, item: str, need: float, phased: bool) -> Demand:
    qty = max(1, int(need))
    due = rng.choice([10.0, 10.0, 12.0, 24.0])
    if not phased or qty < 2:
        return Demand(point, item, qty, due)
    peak = max(1, int(qty * rng.uniform(0.5, 0.8)))
    return Demand(point, item, qty, due, phases=((due, peak), (due + rng.choice([24.0, 48.0]), qty - peak)))


def _site(rng: random.Random, level: str, zones) -> tuple[float, float]:
    if level != "central" and rng.random() < 0.8:
        return _near(rng, rng.choice(zones), LEVEL_RADIUS_KM[level])
    return rng.uniform(22.0, 43.0), rng.uniform(100.0, 122.0)


def _modes(rng: random.Random, level: str) -> frozenset[str]:
    rank = LEVELS.index(level)
    modes = {"road"}
    if rng.random() < 0.2 + 0.2 * rank:
        modes.add("rail")
    if rank >= 3 or (rank == 2 and rng.random() < 0.2):
        modes.add("air")
    return frozenset(modes)


def _depot(rng, sid, level, zones, items, mean_need) -> Source:
    lat, lon = _site(rng, level, zones)
    stock, protected = {}, {}
    for it in items:
        if rng.random() < 0.7:
            qty = int(mean_need[it.id] * STOCK_SCALE[level] * rng.uniform(0.3, 1.7))
            stock[it.id] = qty
            protected[it.id] = int(qty * rng.uniform(0.0, 0.3))
    return Source(sid, "depot", level, lat, lon, _modes(rng, level), stock, protected)


def _agreement(rng, k, zones, items, mean_need) -> Source:
    lat, lon = _site(rng, "provincial", zones)
    item = rng.choice(items).id
    daily = max(1, int(mean_need[item] * rng.uniform(0.5, 4.0)))
    return Source(
        f"agr{k}",
        "agreement",
        rng.choice(["municipal", "provincial", "central"]),
        lat,
        lon,
        frozenset({"road"}),
        agreement_item=item,
        daily_capacity=daily,
        lead_time_hours=rng.choice([4.0, 8.0, 12.0, 24.0]),
        cap=daily * rng.randint(2, 6),
    )
