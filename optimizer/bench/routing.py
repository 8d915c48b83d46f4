"""Benchmark of the CVRP solver on CVRPLIB instances against their best-known solutions.

Run alone: ``python -m optimizer.bench.routing FOLDER [--time-limit 10] [--quick]`` prints one
JSON line per instance and a summary line. The folder holds ``<name>.vrp`` files and a
``bks.csv`` with columns ``instance,bks``. PyVRP, when installed (the optional ``bench``
extra), is run on the same instances, fleet bound and time limit for comparison.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from optimizer.bench.cvrp import fleet_bound, solve_cvrp
from optimizer.bench.cvrplib import CvrpInstance, check_solution, read_vrp, route_cost

QUICK_INSTANCES = 3
QUICK_TIME_LIMIT_S = 2.0


def _gap_pct(cost: float, bks: float) -> float:
    return round(100.0 * (cost - bks) / bks, 3)


def _cases(folder: Path, quick: bool) -> list[tuple[CvrpInstance, int]]:
    with (folder / "bks.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if (folder / f"{row['instance']}.vrp").exists()]
    cases = [(read_vrp(folder / f"{row['instance']}.vrp"), int(row["bks"])) for row in rows]
    cases.sort(key=lambda case: case[0].n_customers)
    return cases[:QUICK_INSTANCES] if quick else cases


def _checked_cost(instance: CvrpInstance, routes: list[list[int]]) -> int:
    problems = check_solution(instance, routes)
    if problems:
        raise AssertionError(f"{instance.name}: infeasible solution: {problems}")
    if len(routes) > fleet_bound(instance):
        raise AssertionError(f"{instance.name}: {len(routes)} routes exceed the fleet bound")
    return route_cost(instance.distance_matrix(), routes)


def _pyvrp_cost(path: Path, instance: CvrpInstance, time_limit_s: float) -> int | None:
    """PyVRP's hybrid genetic search with the same fleet bound and time limit; None if not installed."""
    try:
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError:
        return None
    # TSPLIB nint, not numpy's round-half-to-even, so PyVRP sees the same matrix.
    data = pyvrp.read(path, round_func=lambda d: np.floor(d + 0.5).astype(np.int64))
    vehicle_type = data.vehicle_types()[0].replace(num_available=fleet_bound(instance))
    data = data.replace(vehicle_types=[vehicle_type])
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=1, display=False)
    # A client activity's idx counts clients only; locations put the depots first.
    routes = [[data.num_depots + visit.idx for visit in route if visit.is_client()] for route in result.best.routes()]
    return _checked_cost(instance, routes)


def _run_case(folder: Path, instance: CvrpInstance, bks: int, time_limit_s: float) -> dict:
    started = time.monotonic()
    tuned_cost = _checked_cost(instance, solve_cvrp(instance, time_limit_s, "tuned")[0])
    tuned_s = time.monotonic() - started
    default_cost = _checked_cost(instance, solve_cvrp(instance, time_limit_s, "default")[0])
    pyvrp_cost = _pyvrp_cost(folder / f"{instance.name}.vrp", instance, time_limit_s)
    return {
        "instance": instance.name,
        "n": instance.n_customers,
        "bks": bks,
        "tuned_cost": tuned_cost,
        "tuned_gap_pct": _gap_pct(tuned_cost, bks),
        "default_cost": default_cost,
        "default_gap_pct": _gap_pct(default_cost, bks),
        "pyvrp_gap_pct": None if pyvrp_cost is None else _gap_pct(pyvrp_cost, bks),
        "time_limit_s": time_limit_s,
        "time_s": round(tuned_s, 2),
    }


def _summary(rows: list[dict], time_limit_s: float) -> dict:
    def mean(key: str) -> float | None:
        values = [row[key] for row in rows if row[key] is not None]
        return round(statistics.fmean(values), 3) if values and len(values) == len(rows) else None

    return {
        "summary": True,
        "instances": len(rows),
        "time_limit_s": time_limit_s,
        "mean_tuned_gap_pct": mean("tuned_gap_pct"),
        "mean_default_gap_pct": mean("default_gap_pct"),
        "mean_pyvrp_gap_pct": mean("pyvrp_gap_pct"),
    }


def run_cvrplib_cases(folder: str, time_limit_s: float, quick: bool) -> Iterator[dict]:
    """Solve each instance in ``folder`` (tuned, default OR-Tools, PyVRP if importable) at the same
    time limit; yield one dict per instance, then a summary dict with the mean gaps.

    ``quick``: only the 3 smallest instances, time limit capped at 2 s.
    """
    if quick:
        time_limit_s = min(time_limit_s, QUICK_TIME_LIMIT_S)
    rows = []
    for instance, bks in _cases(Path(folder), quick):
        row = _run_case(Path(folder), instance, bks, time_limit_s)
        rows.append(row)
        yield row
    yield _summary(rows, time_limit_s)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for row in run_cvrplib_cases(args.folder, args.time_limit, args.quick):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
