"""CVRPLIB and MDVRP readers, and plan_routes on a CVRPLIB instance as the routing benchmark runs it."""

import math
from pathlib import Path

import pytest

from optimizer.bench.cvrplib import check_solution, parse_vrp, read_sol, read_vrp, route_cost
from optimizer.bench.mdvrp import parse_mdvrp
from optimizer.bench.routing import cvrp_problem, mdvrp_problem
from optimizer.routing import plan_routes

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
    assert a32.fleet_bound == math.ceil(1.25 * 5) + 1


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


def test_plan_routes_solves_the_instance_as_the_benchmark_poses_it(a32):
    result = plan_routes(cvrp_problem(a32), 1.0)

    routes = [[int(s.load_id[1:]) for s in route.stops] for route in result.routes]
    assert result.unrouted == []
    assert check_solution(a32, routes) == []
    assert len(routes) <= a32.fleet_bound
    assert result.total_distance_km == pytest.approx(route_cost(a32.distance_matrix(), routes))
    assert result.total_distance_km >= 784


# Two depots, three customers, two vehicles of capacity 10 per depot (Cordeau's format, type 2).
MDVRP_TEXT = """2 2 3 2
0 10
0 10
1 1 0 0 4 1 2 1 2
2 9 0 0 6 1 2 1 2
3 5 0 0 7 1 2 1 2
4 0 0 0 0 0 0
5 10 0 0 0 0 0
"""


def test_reads_a_multi_depot_instance_and_pins_customers_to_the_nearest_depot():
    instance = parse_mdvrp(MDVRP_TEXT, "tiny")
    assert (instance.vehicles, instance.capacity) == (2, 10)
    assert instance.depot_xy == [(0.0, 0.0), (10.0, 0.0)]
    assert instance.demands == [4, 6, 7]
    assert instance.distance_matrix()[0, 2] == 1000  # depot 0 to customer 1: 1 unit, times 1000
    assert instance.nearest_depot() == [0, 1, 0]  # a tie (customer 3, halfway) goes to the first depot


def test_free_depot_choice_names_every_other_depot_as_an_alternative():
    instance = parse_mdvrp(MDVRP_TEXT, "tiny")
    pinned, free = mdvrp_problem(instance, free=False), mdvrp_problem(instance, free=True)
    assert [load.depot_ids for load in pinned.loads] == [("d0",), ("d1",), ("d0",)]
    assert [load.depot_ids for load in free.loads] == [("d0", "d1"), ("d1", "d0"), ("d0", "d1")]
    with pytest.raises(ValueError, match="multi-depot"):
        parse_mdvrp("1 2 3 1\n", "cvrp")
