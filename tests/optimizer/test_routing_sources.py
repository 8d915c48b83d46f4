"""Loads that name alternative depots: routing picks the cheaper one, never a later delivery."""

import pytest

from optimizer.routing import Depot, Load, UnroutedReason, plan_routes
from tests.optimizer.test_routing import TIME_LIMIT_S, problem_on_a_line, truck

# Depot A at km 0, depot B at km 50 of one straight road.
DEPOTS_KM = [0.0, 50.0]


def depots(a_trucks=1, b_trucks=1, b_kg=1000.0):
    return [Depot("A", 0, 0, [truck("a", count=a_trucks)]), Depot("B", 0, 0, [truck("b", count=b_trucks, kg=b_kg)])]


def served_from(result) -> dict[str, str]:
    return {s.load_id: r.depot_id for r in result.routes for s in r.stops}


def test_a_load_goes_from_the_nearer_of_its_depots():
    loads = [Load("x", "A", "s", 100, 1, alternative_depot_ids=("B",))]
    result = plan_routes(problem_on_a_line(depots(), {"s": 48.0}, loads, DEPOTS_KM), TIME_LIMIT_S)
    assert served_from(result) == {"x": "B"}
    assert result.total_distance_km == pytest.approx(4.0)
    assert result.unrouted == []


def test_a_load_without_alternatives_stays_with_its_depot():
    loads = [Load("x", "A", "s", 100, 1)]
    result = plan_routes(problem_on_a_line(depots(), {"s": 48.0}, loads, DEPOTS_KM), TIME_LIMIT_S)
    assert served_from(result) == {"x": "A"}
    assert result.total_distance_km == pytest.approx(96.0)


def test_one_small_truck_near_by_takes_the_load_that_saves_most():
    # B's truck carries one of the two loads. B -> s2 (2 km) and A -> s1 (98 km) = 100 km beats
    # B -> s1 (2 km) and A -> s2 (102 km) = 104 km, and the A-only plan (0 -> 49 -> 51 -> 0) = 102 km.
    loads = [Load(f"x{k}", "A", f"s{k}", 100, 1, alternative_depot_ids=("B",)) for k in (1, 2)]
    problem = problem_on_a_line(depots(a_trucks=2, b_kg=150), {"s1": 49.0, "s2": 51.0}, loads, DEPOTS_KM)
    result = plan_routes(problem, TIME_LIMIT_S)
    assert served_from(result) == {"x1": "A", "x2": "B"}
    assert result.total_distance_km == pytest.approx(100.0)


def test_an_alternative_depot_can_meet_a_window_the_first_cannot():
    # 45 km from A at 60 km/h is 0.75 h; 5 km from B is 5 minutes; the load is due after 0.2 h.
    pinned = [Load("x", "A", "s", 100, 1, due_h=0.2)]
    result = plan_routes(problem_on_a_line(depots(), {"s": 45.0}, pinned, DEPOTS_KM), TIME_LIMIT_S)
    assert [(u.load_id, u.reason) for u in result.unrouted] == [("x", UnroutedReason.WINDOW_CANNOT_BE_MET)]
    free = [Load("x", "A", "s", 100, 1, due_h=0.2, alternative_depot_ids=("B",))]
    result = plan_routes(problem_on_a_line(depots(), {"s": 45.0}, free, DEPOTS_KM), TIME_LIMIT_S)
    assert served_from(result) == {"x": "B"}
    assert result.routes[0].stops[0].arrival_h == pytest.approx(5 / 60, abs=1 / 3600)


def test_full_truckloads_leave_from_the_cheaper_depot():
    loads = [Load("big", "A", "s", 2500, 5, alternative_depot_ids=("B",))]
    problem = problem_on_a_line(depots(a_trucks=3, b_trucks=3), {"s": 45.0}, loads, DEPOTS_KM)
    result = plan_routes(problem, TIME_LIMIT_S)
    assert sorted((r.depot_id, r.full_truckload) for r in result.routes) == [("B", False), ("B", True), ("B", True)]
    assert sum(s.weight_kg for r in result.routes for s in r.stops) == pytest.approx(2500)


def test_fleet_exhausted_when_every_named_depot_is_out_of_vehicles():
    loads = [Load(f"x{k}", "A", "s", 900, 1, alternative_depot_ids=("B",)) for k in range(3)]
    result = plan_routes(problem_on_a_line(depots(), {"s": 30.0}, loads, DEPOTS_KM), TIME_LIMIT_S)
    assert len(result.routes) == 2 and sorted(served_from(result).values()) == ["A", "B"]
    assert [u.reason for u in result.unrouted] == [UnroutedReason.FLEET_EXHAUSTED]


def test_an_unknown_alternative_depot_is_refused():
    loads = [Load("x", "A", "s", 100, 1, alternative_depot_ids=("nowhere",))]
    with pytest.raises(ValueError, match="nowhere"):
        plan_routes(problem_on_a_line(depots(), {"s": 30.0}, loads, DEPOTS_KM), TIME_LIMIT_S)
