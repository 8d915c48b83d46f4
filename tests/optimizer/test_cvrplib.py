"""CVRPLIB reader and the CVRP solver used by the routing benchmark."""

import math
import time
from pathlib import Path

import pytest

from optimizer.bench.cvrp import RuinAndRecreate, fleet_bound, solve_cvrp
from optimizer.bench.cvrplib import check_solution, parse_vrp, read_sol, read_vrp, route_cost

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def a32():
    return read_vrp(DATA / "A-n32-k5.vrp")


def test_reads_the_instance(a32):
    assert a32.name == "A-n32-k5"
    assert a32.capacity == 100
    assert a32.n_customers == 31 and len(a32.demands) == 32
    assert a32.coords[0] == (82.0, 76.0) and a32.demands[0] == 0
    assert a32.k_min == 5
    assert fleet_bound(a32) == math.ceil(1.25 * 5) + 1


def test_distances_are_nint_euclidean(a32):
    dist = a32.distance_matrix()
    (x0, y0), (x1, y1) = a32.coords[0], a32.coords[1]
    assert dist[0, 1] == math.floor(math.hypot(x0 - x1, y0 - y1) + 0.5)
    assert (dist == dist.T).all() and (dist.diagonal() == 0).all()


def test_solution_file_cost_recomputes_to_the_best_known_784(a32):
    solution = read_sol(DATA / "A-n32-k5.sol")

    assert len(solution.routes) == 5
    assert solution.cost == 784
    assert route_cost(a32.distance_matrix(), solution.routes) == 784
    assert check_solution(a32, solution.routes) == []


def test_check_solution_reports_missing_customers_and_overload(a32):
    routes = [list(range(1, 32))]  # one route with every customer: far over capacity
    assert check_solution(a32, routes) == [f"route 0 load {sum(a32.demands)} > capacity 100"]
    assert check_solution(a32, [[1, 2]]) == ["customers not visited exactly once"]


def test_only_euclidean_instances_are_read():
    text = "NAME : x\nTYPE : CVRP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\nCAPACITY : 10\n"
    with pytest.raises(ValueError, match="EDGE_WEIGHT_TYPE"):
        parse_vrp(text)


@pytest.mark.parametrize(("settings", "time_limit_s"), [("tuned", 2.0), ("default", 1.0)])
def test_solve_cvrp_returns_a_feasible_solution(a32, settings, time_limit_s):
    routes, cost = solve_cvrp(a32, time_limit_s, settings)

    assert check_solution(a32, routes) == []
    assert len(routes) <= fleet_bound(a32)
    assert cost == route_cost(a32.distance_matrix(), routes)
    assert cost >= 784


def test_ruin_and_recreate_keeps_feasibility_and_never_returns_worse(a32):
    dist = a32.distance_matrix()
    start = [list(range(1 + 6 * k, min(32, 7 + 6 * k))) for k in range(6)]  # customers in file order
    assert check_solution(a32, start) == []

    search = RuinAndRecreate(dist, a32.demands, a32.capacity, fleet_bound(a32), seed=3)
    routes = search.run(start, time.monotonic() + 0.5)

    assert check_solution(a32, routes) == []
    assert len(routes) <= fleet_bound(a32)
    assert route_cost(dist, routes) < route_cost(dist, start)


def test_unknown_settings_are_refused(a32):
    with pytest.raises(ValueError, match="settings"):
        solve_cvrp(a32, 0.1, "fastest")
