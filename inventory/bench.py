"""Benchmark of the depot stock page and API on a national network with over a million lots.

    python -m inventory.bench --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python -m inventory.bench --database-url sqlite:////tmp/bench.db

Loads the national demo network with `--lots-factor` times the demo's lots (10 gives
about 1.2 million) unless the database already holds them, then times requests
in-process through the WSGI app and prints one JSON line per case: median and 95th
percentile in milliseconds, and the ratio to a baseline request measured in the
same run (the one-row item list), so figures from different machines compare.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from sqlalchemy import func, select, text
from tqdm import tqdm

from core import create_app, migrate
from core.db import Session
from core.models import Role, User
from core.services import issue_token
from inventory.network.models import Depot, DepotLevel
from inventory.stock.models import Lot
from seed import loader
from seed import stock as demo_stock


def prepare(lots_factor: int) -> None:
    if Session.scalar(select(func.count(Lot.id))):
        return
    loader.load_regions(Session)
    loader.load_items(Session)
    loader.load_network(Session, loader.Scale(None))
    loader.load_demo_users(Session, [])
    depots = Session.scalar(select(func.count(Depot.id)))
    with tqdm(total=depots, desc="Loading lots", unit="depot") as bar:
        demo_stock.load_stock(Session, progress=bar.update, lots_factor=lots_factor)
    if Session.get_bind().dialect.name == "postgresql":
        Session.execute(text("ANALYZE"))  # what autovacuum would do after a bulk load
        Session.commit()


def busiest_depot(level: DepotLevel) -> int:
    return Session.execute(select(Lot.depot_id, func.count()).join(Depot, Depot.id == Lot.depot_id)
                           .where(Depot.level == level).group_by(Lot.depot_id)
                           .order_by(func.count().desc()).limit(1)).first()[0]


def timings(client, url: str, requests: int, **kwargs) -> list[float]:
    client.get(url, **kwargs)  # warm caches once, as a user's second visit would
    elapsed = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, **kwargs)
        elapsed.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lots-factor", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    migrate.upgrade(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        prepare(args.lots_factor)
        lots = Session.scalar(select(func.count(Lot.id)))
        admin = Session.scalar(select(User).where(User.role == Role.ADMIN))
        token = {"Authorization": f"Bearer {issue_token(admin.id, 'bench', actor=admin)[1]}"}
        depots = {"county": busiest_depot(DepotLevel.COUNTY), "central": busiest_depot(DepotLevel.CENTRAL)}
        Session.remove()
    client = app.test_client()
    client.post("/login", data={"username": admin.username, "password": loader.DEMO_PASSWORD})
    backend = args.database_url.split(":")[0].split("+")[0]
    baseline = summary(timings(client, "/api/v1/items?per_page=1", args.requests, headers=token))
    print(json.dumps({"case": "baseline /api/v1/items?per_page=1", "backend": backend, "lots": lots, **baseline}))
    for level, depot_id in depots.items():
        lots_here = _lots_at(app, depot_id)
        for name, url in (("page", f"/depots/{depot_id}/stock"), ("api", f"/api/v1/depots/{depot_id}/stock")):
            if name == "page" and "stock.dashboard" not in app.view_functions:
                continue
            result = summary(timings(client, url, args.requests, headers=token if name == "api" else {}))
            print(json.dumps({"case": f"{level} depot stock {name}", "backend": backend, "lots": lots,
                              "lots_at_depot": lots_here, **result,
                              "p95_vs_baseline": round(result["p95_ms"] / baseline["p95_ms"], 1)}))


def _lots_at(app, depot_id: int) -> int:
    with app.app_context():
        count = Session.scalar(select(func.count(Lot.id)).where(Lot.depot_id == depot_id))
        Session.remove()
    return count


if __name__ == "__main__":
    main()
