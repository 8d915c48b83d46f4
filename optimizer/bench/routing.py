"""Routing benchmark: ``plan_routes`` itself beside PyVRP at the same time limit, against best-known costs.

CVRPLIB (one depot, one vehicle type): each customer is a load; the fleet is bounded by ``ceil(1.25 k_min) + 1``
vehicles for both solvers. MDVRP (Cordeau et al.; several depots): each customer's load is pinned to its
nearest depot (as an allocation would pin it), and then named with every depot as an alternative; PyVRP solves
the same two problems (pinned through one load dimension per depot, and free). Each folder holds the instance
files and a ``bks.csv`` with columns ``instance`` and ``bks``.

Run alone: ``python -m optimizer.bench.routing --cvrplib FOLDER --mdvrp FOLDER [--time-limit 10] [--quick]``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from optimizer.bench.cvrplib import CvrpInstance, check_solution, read_vrp, route_cost
from optimizer.bench.mdvrp import SCALE, MdvrpInstance, read_mdvrp
from optimizer.routing import Depot, Load, RoutingProblem, Stop, VehicleType, plan_routes

QUICK_INSTANCES = 3
QUICK_TIME_LIMIT_S = 2.0
SEED = 0  # the same for plan_routes and PyVRP


def _gap_pct(cost: float, bks: float) -> float:
    return round(100.0 * (cost - bks) / bks, 3)


def _timed(solve: Callable[[], float]) -> tuple[float, float, float]:
    """A solver's cost, wall seconds and CPU seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    cost = solve()
    return cost, round(time.perf_counter() - started, 2), round(time.process_time() - cpu, 2)


def _bks(folder: Path, suffix: str) -> list[tuple[Path, float]]:
    with (folder / "bks.csv").open(newline="") as handle:
        rows = [(folder / f"{row['instance']}{suffix}", float(row["bks"])) for row in csv.DictReader(handle)]
    return [(path, bks) for path, bks in rows if path.exists()]


# ---------------------------------------------------------------- CVRPLIB


def cvrp_problem(instance: CvrpInstance) -> RoutingProblem:
    """The instance as plan_routes sees it: one depot, one vehicle type, one load per customer; distances in
    "metres" are the nint distances x 1000, so route kilometres are the CVRPLIB cost."""
    fleet = VehicleType("vehicle", instance.fleet_bound, instance.capacity, 0.0, 60.0)
    stops = [Stop(f"c{i}", 0.0, 0.0) for i in range(1, len(instance.coords))]
    loads = [
        Load(f"c{i}", "depot", f"c{i}", instance.demands[i], 0.0, splittable=False) for i in range(1, len(stops) + 1)
    ]
    matrix = (instance.distance_matrix() * 1000).tolist()
    return RoutingProblem([Depot("depot", 0.0, 0.0, [fleet])], stops, loads, distance_m=matrix)


def _plan_routes_cvrp(instance: CvrpInstance, time_limit_s: float) -> float:
    result = plan_routes(cvrp_problem(instance), time_limit_s, seed=SEED)
    if result.unrouted:
        raise AssertionError(f"{instance.name}: plan_routes left {len(result.unrouted)} loads unrouted")
    routes = [[int(s.load_id[1:]) for s in route.stops] for route in result.routes]
    return _checked_cost(instance, routes)


def _checked_cost(instance: CvrpInstance, routes: list[list[int]]) -> int:
    problems = check_solution(instance, routes)
    if problems or len(routes) > instance.fleet_bound:
        raise AssertionError(f"{instance.name}: infeasible solution: {problems or 'too many routes'}")
    return route_cost(instance.distance_matrix(), routes)


def _pyvrp_cvrp(path: Path, instance: CvrpInstance, time_limit_s: float) -> float:
    """PyVRP with the same fleet bound, time limit and seed."""
    # TSPLIB nint, not numpy's round-half-to-even, so PyVRP sees the same matrix.
    data = pyvrp.read(path, round_func=lambda d: np.floor(d + 0.5).astype(np.int64))
    vehicle_type = data.vehicle_types()[0].replace(num_available=instance.fleet_bound)
    data = data.replace(vehicle_types=[vehicle_type])
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=SEED, display=False)
    # A client activity's idx counts clients only; locations put the depot first.
    routes = [[data.num_depots + visit.idx for visit in route if visit.is_client()] for route in result.best.routes()]
    return _checked_cost(instance, routes)


def _cvrplib_case(path: Path, bks: float, time_limit_s: float) -> dict:
    instance = read_vrp(path)
    ours, ours_s, ours_cpu = _timed(lambda: _plan_routes_cvrp(instance, time_limit_s))
    theirs, theirs_s, theirs_cpu = _timed(lambda: _pyvrp_cvrp(path, instance, time_limit_s))
    return {
        "case": f"routing/cvrplib/{instance.name}",
        "customers": instance.n_customers,
        "bks": bks,
        "time_limit_s": time_limit_s,
        "plan_routes_cost": ours,
        "plan_routes_gap_pct": _gap_pct(ours, bks),
        "pyvrp_cost": theirs,
        "pyvrp_gap_pct": _gap_pct(theirs, bks),
        "plan_routes_s": ours_s,
        "plan_routes_cpu_s": ours_cpu,
        "pyvrp_s": theirs_s,
        "pyvrp_cpu_s": theirs_cpu,
    }


def run_cvrplib_cases(folder: str, time_limit_s: float, quick: bool) -> Iterator[dict]:
    """One row per CVRPLIB instance in ``folder`` (``quick``: the 3 smallest, at most 2 s), then a summary."""
    cases = sorted(_bks(Path(folder), ".vrp"), key=lambda case: read_vrp(case[0]).n_customers)
    if quick:
        cases, time_limit_s = cases[:QUICK_INSTANCES], min(time_limit_s, QUICK_TIME_LIMIT_S)
    rows = []
    for path, bks in cases:
        rows.append(_cvrplib_case(path, bks, time_limit_s))
        yield rows[-1]
    yield _summary("routing/cvrplib/summary", rows, time_limit_s, ["plan_routes_gap_pct", "pyvrp_gap_pct"])


# ---------------------------------------------------------------- MDVRP


def mdvrp_problem(instance: MdvrpInstance, free: bool) -> RoutingProblem:
    """One load per customer from its nearest depot; with ``free`` every other depot is an alternative."""
    depot_ids = [f"d{k}" for k in range(len(instance.depot_xy))]
    fleet = [VehicleType("vehicle", instance.vehicles, instance.capacity, 0.0, 60.0)]
    depots = [Depot(d, 0.0, 0.0, fleet) for d in depot_ids]
    stops = [Stop(f"c{i}", 0.0, 0.0) for i in range(len(instance.customer_xy))]
    loads = [
        Load(f"c{i}", depot_ids[k], f"c{i}", instance.demands[i], 0.0, splittable=False,
             alternative_depot_ids=tuple(d for d in depot_ids if d != depot_ids[k]) if free else ())
        for i, k in enumerate(instance.nearest_depot())
    ]  # fmt: skip
    return RoutingProblem(depots, stops, loads, distance_m=instance.distance_matrix().tolist())


def _plan_routes_mdvrp(instance: MdvrpInstance, free: bool, time_limit_s: float) -> float:
    result = plan_routes(mdvrp_problem(instance, free), time_limit_s, seed=SEED)
    served = sorted(s.load_id for route in result.routes for s in route.stops)
    if result.unrouted or served != sorted(f"c{i}" for i in range(len(instance.customer_xy))):
        raise AssertionError(f"{instance.name}: plan_routes did not serve every customer exactly once")
    if any(sum(s.weight_kg for s in route.stops) > instance.capacity for route in result.routes):
        raise AssertionError(f"{instance.name}: a route is over capacity")
    return result.total_distance_km


def _pyvrp_mdvrp(instance: MdvrpInstance, pinned: bool, time_limit_s: float) -> float:
    """PyVRP on the instance; ``pinned`` keeps each customer to its nearest depot (one load dimension each)."""
    t = len(instance.depot_xy)
    dims = t if pinned else 1
    home = instance.nearest_depot()

    def amount(k: int, value: int) -> list[int]:
        return [value if (d == k or not pinned) else 0 for d in range(dims)]

    xy = instance.depot_xy + instance.customer_xy
    dist = instance.distance_matrix()
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x, y) for x, y in xy],
        clients=[pyvrp.Client(t + i, delivery=amount(home[i], q)) for i, q in enumerate(instance.demands)],
        depots=[pyvrp.Depot(k) for k in range(t)],
        vehicle_types=[
            pyvrp.VehicleType(instance.vehicles, amount(k, instance.capacity), start_depot=k, end_depot=k)
            for k in range(t)
        ],
        distance_matrices=[dist],
        duration_matrices=[np.zeros_like(dist)],
    )
    best = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=SEED, display=False).best
    if not best.is_feasible():
        raise AssertionError(f"{instance.name}: PyVRP found no feasible solution")
    return best.distance() / SCALE


def _mdvrp_case(path: Path, bks: float, time_limit_s: float) -> dict:
    instance = read_mdvrp(path)
    pinned, pinned_s, pinned_cpu = _timed(lambda: _plan_routes_mdvrp(instance, False, time_limit_s))
    free, free_s, free_cpu = _timed(lambda: _plan_routes_mdvrp(instance, True, time_limit_s))
    pyvrp_pinned = _pyvrp_mdvrp(instance, True, time_limit_s)
    pyvrp_free = _pyvrp_mdvrp(instance, False, time_limit_s)
    # Share of the gap between pinned loads and PyVRP's free depot choice that alternative depots close.
    room = pinned - pyvrp_free
    return {
        "case": f"routing/mdvrp/{instance.name}",
        "customers": len(instance.customer_xy),
        "depots": len(instance.depot_xy),
        "bks": bks,
        "time_limit_s": time_limit_s,
        "plan_routes_pinned_gap_pct": _gap_pct(pinned, bks),
        "pyvrp_pinned_gap_pct": _gap_pct(pyvrp_pinned, bks),
        "plan_routes_free_gap_pct": _gap_pct(free, bks),
        "pyvrp_free_gap_pct": _gap_pct(pyvrp_free, bks),
        "gap_closed_share": round((pinned - free) / room, 3) if room > 1e-9 else None,
        "plan_routes_pinned_s": pinned_s,
        "plan_routes_pinned_cpu_s": pinned_cpu,
        "plan_routes_free_s": free_s,
        "plan_routes_free_cpu_s": free_cpu,
    }


def run_mdvrp_cases(folder: str, time_limit_s: float, quick: bool) -> Iterator[dict]:
    """One row per MDVRP instance in ``folder`` (``quick``: the first 3, at most 2 s), then a summary."""
    cases = _bks(Path(folder), ".txt")
    if quick:
        cases, time_limit_s = cases[:QUICK_INSTANCES], min(time_limit_s, QUICK_TIME_LIMIT_S)
    rows = []
    for path, bks in cases:
        rows.append(_mdvrp_case(path, bks, time_limit_s))
        yield rows[-1]
    keys = ["plan_routes_pinned_gap_pct", "pyvrp_pinned_gap_pct", "plan_routes_free_gap_pct", "pyvrp_free_gap_pct"]
    yield _summary("routing/mdvrp/summary", rows, time_limit_s, keys)


def _summary(case: str, rows: list[dict], time_limit_s: float, keys: list[str]) -> dict:
    means = {f"mean_{key}": round(statistics.fmean(row[key] for row in rows), 3) if rows else None for key in keys}
    return {"case": case, "instances": len(rows), "time_limit_s": time_limit_s, **means}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cvrplib", metavar="FOLDER")
    parser.add_argument("--mdvrp", metavar="FOLDER")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rows = run_cvrplib_cases(args.cvrplib, args.time_limit, args.quick) if args.cvrplib else iter(())
    more = run_mdvrp_cases(args.mdvrp, args.time_limit, args.quick) if args.mdvrp else iter(())
    for row in itertools.chain(rows, more):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
