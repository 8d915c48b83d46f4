"""Benchmark: ``python -m dispatch.bench [--database-url URL …] [--areas 100] [--scale country]``.

Plans a national-peak incident on the demo network, once per database, and prints one JSON line per run with the
time of each stage and the ratio the aim is about: the work around the optimizer (snapshot, routing set-up,
saving) against the allocation itself. Without --database-url it runs on a SQLite file in the temporary folder;
give a PostgreSQL URL (an empty database, or one already holding the demo network) to run there too.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from core import clock, create_app, migrate
from core.db import Session
from core.models import User
from dispatch.demand import services as demand
from dispatch.demand.queries import current_version, norms_in_force
from dispatch.incidents import services as incidents
from dispatch.planning.models import PlanningJob
from dispatch.planning.services import plan_incident
from dispatch.planning.services.runners import InlineRunner
from dispatch.plans.models import Plan
from inventory.network.models import Depot, Item, Region, RegionLevel

# Items without a norm that a national peak also asks for, one unit per this many displaced people.
EXTRA_ITEMS = {"FX-JS-001": 50, "ZM-DZ-001": 2000, "ZM-FD-001": 2000, "FX-PS-001": 5000, "SP-JS-001": 5000,
               "YL-KZ-001": 20, "JZ-BR-002": 2, "JZ-BR-004": 4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", help="repeatable; default: a SQLite file in /tmp")
    parser.add_argument("--scale", default="country", help="demo network to load when the database is empty")
    parser.add_argument("--areas", type=int, default=100)
    parser.add_argument("--provinces", type=int, default=8, help="provinces the areas spread over")
    parser.add_argument("--routing-seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    urls = args.database_url or [f"sqlite:///{Path(tempfile.gettempdir()) / 'dispatch-bench.db'}"]
    for url in urls:
        print(json.dumps(run(url, args), ensure_ascii=False), flush=True)


def run(url: str, args) -> dict:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "ROUTING_SECONDS": args.routing_seconds})
    with app.app_context():
        seeded = _ensure_demo(app, args.scale)
        incident_id, areas, lines = _national_peak(args.areas, args.provinces, random.Random(args.seed))
        app.extensions["planning_runner"] = InlineRunner()
        started = time.perf_counter()
        job = plan_incident(incident_id, _dispatcher())
        wall = time.perf_counter() - started
        finished = Session.get(PlanningJob, job.id, populate_existing=True)
        plan = Session.get(Plan, finished.plan_id) if finished.plan_id else None
        return _figures(url, finished, plan.stats if plan else {}, wall, seeded, areas, lines)


def _ensure_demo(app, scale: str) -> float:
    """Load the demo network unless it is there; returns the seconds it took (0 when it was there)."""
    if Session.scalar(select(func.count(Depot.id))):
        return 0.0
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--scale", scale])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return time.perf_counter() - started


def _dispatcher() -> User:
    return Session.scalar(select(User).where(User.username == "dispatcher"))


def _national_peak(count: int, provinces: int, rng: random.Random) -> tuple[int, int, int]:
    """An especially severe disaster: a national Level I response, provincial Level I responses, `count` areas."""
    actor = _dispatcher()
    incident = incidents.create_incident({"kind": "earthquake", "title": "全国峰值演练", "started_at":
                                          clock.utcnow() - timedelta(hours=1)}, actor)
    incidents.record_response(incident.id, incidents.ResponseChange("national", "I"), actor)
    chosen = rng.sample(list(Session.scalars(select(Region).where(Region.level == RegionLevel.PROVINCE))),
                        provinces)
    counties = []
    for province in chosen:
        incidents.record_response(incident.id, incidents.ResponseChange("provincial", "I", province.code), actor)
        counties += list(Session.scalars(select(Region).where(Region.level == RegionLevel.COUNTY,
                                                              Region.code.startswith(province.code[:2]),
                                                              Region.latitude.is_not(None))))
    for county in rng.sample(counties, min(count, len(counties))):
        displaced = rng.randint(2_000, 30_000)
        incidents.add_area(incident.id, {"region_code": county.code, "affected_population": displaced * 3,
                                         "displaced_population": displaced, "priority": rng.randint(2, 5)}, actor)
    lines = demand.estimate_lines(incidents.get_incident(incident.id), norms_in_force(incident.id))
    lines += _extra_lines(incident.id, lines)
    demand.save_demand(incident.id, lines, actor, "national peak")
    return incident.id, count, len(current_version(incident.id).lines)


def _extra_lines(incident_id: int, lines: list) -> list:
    incident = incidents.get_incident(incident_id)
    items = dict(Session.execute(select(Item.code, Item.id).where(Item.code.in_(EXTRA_ITEMS))).all())
    extra = []
    for area in incident.areas:
        for code, per in EXTRA_ITEMS.items():
            quantity = area.displaced_population // per
            if quantity and code in items:
                extra.append(demand.DemandLineRequest(area.id, items[code], quantity,
                                                      demand.default_due(incident, area, False)))
    return extra


def _figures(url: str, job: PlanningJob, stats: dict, wall: float, seeded: float, areas: int, lines: int) -> dict:
    seconds, solver = job.stage_seconds or {}, stats.get("solver", {})
    allocation = solver.get("allocation_solve_seconds") or seconds.get("allocation", 0.0)
    routing_setup = seconds.get("routing", 0.0) - seconds.get("routing_search", 0.0)
    around = seconds.get("snapshot", 0.0) + routing_setup + seconds.get("saving", 0.0)
    return {"case": f"dispatch/national-peak/{url.split(':', 1)[0]}", "status": job.status.value,
            "error": job.error_detail, "areas": areas, "demand_lines": lines, "seconds_to_seed": round(seeded, 1),
            "wall_seconds": round(wall, 2), "stages": {key: round(value, 3) for key, value in seconds.items()},
            "allocation_solve_seconds": round(allocation, 3), "around_optimizer_seconds": round(around, 3),
            "around_over_allocation": round(around / allocation, 3) if allocation else None,
            "sources": stats.get("counts", {}).get("sources"), "routes": solver.get("routes")}


if __name__ == "__main__":
    main()
