"""Benchmark: ``python -m optimizer.bench [--quick] [--cvrplib FOLDER] [--mdvrp FOLDER] [--time-limit SECONDS]``.

Prints one JSON line per case. Allocation cases report, for the exact optimizer, its pruned mode and the greedy
baseline on the same scenario, wall and CPU time, every objective level and the KPIs, and how far pruned and
greedy are from exact on every level.
With ``--cvrplib`` and ``--mdvrp``, the routing cases from ``optimizer.bench.routing`` follow: ``plan_routes``
beside PyVRP at the same time limit.
"""

from __future__ import annotations

import argparse
import json
import sys

from optimizer.bench import scenarios
from optimizer.bench.allocation import FULL_CASES, QUICK_CASES, allocation_case
from optimizer.bench.routing import run_cvrplib_cases, run_mdvrp_cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optimizer.bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small cases only (under a minute in total)")
    parser.add_argument("--cvrplib", metavar="FOLDER", help="also run the routing cases on CVRPLIB instances")
    parser.add_argument("--mdvrp", metavar="FOLDER", help="also run the routing cases on MDVRP instances")
    parser.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS", help="per routing solve")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    makers = {
        "county": scenarios.county_event,
        "provincial": scenarios.provincial_event,
        "national": scenarios.national_peak,
    }
    for name in QUICK_CASES if args.quick else FULL_CASES:
        _emit(allocation_case(name, makers[name](args.seed), args.seed))
    if args.cvrplib:
        for row in run_cvrplib_cases(args.cvrplib, args.time_limit, args.quick):
            _emit(row)
    if args.mdvrp:
        for row in run_mdvrp_cases(args.mdvrp, args.time_limit, args.quick):
            _emit(row)
    return 0


def _emit(row: dict) -> None:
    print(json.dumps(row, default=float), flush=True)


if __name__ == "__main__":
    sys.exit(main())
