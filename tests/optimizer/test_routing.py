"""Vehicle routing on small instances whose answers can be checked by hand.

Most problems use a given distance matrix over ``depots + stops`` (metres) so the
expected distances and times are exact; one test uses the haversine fallback.
"""

import math

import pytest

from optimizer.routing import (
    Depot,
    Load,
    RoutingProblem,
    Stop,
    UnroutedReason,
    VehicleType,
    haversine_matrix_m,
    plan_routes,
)

TIME_LIMIT_S = 0.5
ONE_SECOND_H = 1 / 3600


def truck(name="truck", count=1, kg=1000.0, m3=10.0, speed=60.0, fixed=0.0, per_km=1.0):
    return VehicleType(name, count, kg, m3, speed, fixed, per_km)


def line_matrix(positions_km: list[float]) -> list[list[int]]:
    """Distances between points on a straight road, in metres."""
    return [[round(abs(a - b) * 1000) for b in positions_km] for a in positions_km]


def problem_on_a_line(depots, stops_km: dict[str, float], loads, depots_km=None):
    """Depots at ``depots_km`` (default 0) and stops at the given kilometre marks on one road."""
    depots_km = depots_km or [0.0] * len(depots)
    stops = [Stop(sid, 0.0, 0.0) for sid in stops_km]
    matrix = line_matrix([*depots_km, *stops_km.values()])
    return RoutingProblem(depots=depots, stops=stops, loads=loads, distance_m=matrix)


def delivered(result, load_id: str) -> tuple[float, float]:
    stops = [s for r in result.routes for s in r.stops if s.load_id == load_id]
    return sum(s.weight_kg for s in stops), sum(s.volume_m3 for s in stops)


def test_large_load_is_split_into_full_truckloads_and_a_remainder():
    depot = Depot("A", 0, 0, [truck("big", count=3, kg=1000, m3=10), truck("small", count=1, kg=600, m3=10)])
    problem = problem_on_a_line([depot], {"s1": 30.0}, [Load("L1", "A", "s1", 2500, 5)])

    result = plan_routes(problem, TIME_LIMIT_S)

    full = [r for r in result.routes if r.full_truckload]
    assert [r.vehicle_type for r in full] == ["big", "big"]
    assert all(len(r.stops) == 1 and r.stops[0].weight_kg == pytest.approx(1000) for r in full)
    assert all(r.distance_km == pytest.approx(60.0) for r in full)  # out and back
    rest = [r for r in result.routes if not r.full_truckload]
    assert len(rest) == 1 and rest[0].stops[0].weight_kg == pytest.approx(500)
    assert delivered(result, "L1") == pytest.approx((2500, 5))
    assert result.unrouted == []


def test_volume_can_be_the_binding_capacity_when_splitting():
    depot = Depot("A", 0, 0, [truck(count=3, kg=10_000, m3=4)])
    problem = problem_on_a_line([depot], {"s1": 10.0}, [Load("L1", "A", "s1", 900, 10)])

    result = plan_routes(problem, TIME_LIMIT_S)

    volumes = sorted(s.volume_m3 for r in result.routes for s in r.stops)
    assert volumes == pytest.approx([2, 4, 4])
    assert delivered(result, "L1") == pytest.approx((900, 10))


def test_a_window_that_cannot_be_met_is_reported_unrouted():
    depot = Depot("A", 0, 0, [truck(speed=60)])
    # 30 km at 60 km/h takes half an hour; the load is due after 0.25 h.
    loads = [Load("late", "A", "far", 100, 1, due_h=0.25), Load("ok", "A", "near", 100, 1, due_h=0.25)]
    problem = problem_on_a_line([depot], {"far": 30.0, "near": 10.0}, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    assert [(u.load_id, u.reason) for u in result.unrouted] == [("late", UnroutedReason.WINDOW_CANNOT_BE_MET)]
    assert delivered(result, "ok") == pytest.approx((100, 1))


def test_window_met_only_by_serving_the_urgent_stop_first():
    depot = Depot("A", 0, 0, [truck(speed=60)])
    # One vehicle: visiting "near" (due at 0.2 h) first and "far" after is the only feasible order.
    loads = [Load("far", "A", "s_far", 100, 1, due_h=1.0), Load("near", "A", "s_near", 100, 1, due_h=0.2)]
    problem = problem_on_a_line([depot], {"s_far": 40.0, "s_near": 10.0}, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    assert result.unrouted == []
    (route,) = result.routes
    assert [s.load_id for s in route.stops] == ["near", "far"]
    assert all(s.arrival_h <= due + 1e-9 for s, due in zip(route.stops, [0.2, 1.0]))


def test_fleet_exhausted_and_no_vehicle_big_enough_reasons():
    depot = Depot("A", 0, 0, [truck(count=1, kg=1000)])
    loads = [
        Load("first", "A", "s1", 800, 1),
        Load("second", "A", "s2", 800, 1),
        Load("generator", "A", "s1", 1500, 1, splittable=False),
    ]
    problem = problem_on_a_line([depot], {"s1": 10.0, "s2": 12.0}, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    reasons = {u.load_id: u.reason for u in result.unrouted}
    assert reasons["generator"] == UnroutedReason.NO_VEHICLE_BIG_ENOUGH
    assert sorted(reasons.values()) == sorted([UnroutedReason.NO_VEHICLE_BIG_ENOUGH, UnroutedReason.FLEET_EXHAUSTED])
    assert len(result.routes) == 1 and len(result.routes[0].stops) == 1


def test_vehicles_only_serve_loads_from_their_own_depot():
    # Depot B sits right next to A's customers, but only A's vehicle may carry A's loads.
    depots = [Depot("A", 0, 0, [truck("a", count=1)]), Depot("B", 0, 0, [truck("b", count=2)])]
    stops = {"s1": 50.0, "s2": 51.0, "s3": 0.5}
    loads = [Load("a1", "A", "s1", 100, 1), Load("a2", "A", "s2", 100, 1), Load("b1", "B", "s3", 100, 1)]
    problem = problem_on_a_line(depots, stops, loads, depots_km=[0.0, 50.0])

    result = plan_routes(problem, TIME_LIMIT_S)

    assert result.unrouted == []
    depot_of = {load.id: load.depot_id for load in loads}
    for route in result.routes:
        assert route.vehicle_id.startswith(route.depot_id + "/")
        assert all(depot_of[s.load_id] == route.depot_id for s in route.stops)
    served_by_a = [s.load_id for r in result.routes if r.depot_id == "A" for s in r.stops]
    assert sorted(served_by_a) == ["a1", "a2"]


def test_a_depot_without_vehicles_cannot_send_loads():
    depots = [Depot("A", 0, 0, [truck()]), Depot("empty", 0, 0, [])]
    loads = [Load("x", "empty", "s1", 10, 0.1)]
    problem = problem_on_a_line(depots, {"s1": 5.0}, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    assert result.routes == []
    assert [u.reason for u in result.unrouted] == [UnroutedReason.NO_VEHICLE_BIG_ENOUGH]


def test_heterogeneous_fleet_respects_weight_and_volume():
    heavy = truck("heavy", count=1, kg=1000, m3=2)
    bulky = truck("bulky", count=1, kg=200, m3=10)
    depot = Depot("A", 0, 0, [heavy, bulky])
    loads = [
        Load("water", "A", "s1", 800, 1, splittable=False),  # only the heavy truck can lift it
        Load("tents", "A", "s2", 100, 8, splittable=False),  # only the bulky van has the room
        Load("blankets", "A", "s3", 150, 1.5, splittable=False),  # fits either, but not both leftovers
    ]
    problem = problem_on_a_line([depot], {"s1": 10.0, "s2": 11.0, "s3": 12.0}, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    by_load = {s.load_id: r.vehicle_type for r in result.routes for s in r.stops}
    assert by_load["water"] == "heavy" and by_load["tents"] == "bulky"
    capacity = {"heavy": heavy, "bulky": bulky}
    for route in result.routes:
        assert sum(s.weight_kg for s in route.stops) <= capacity[route.vehicle_type].capacity_kg
        assert sum(s.volume_m3 for s in route.stops) <= capacity[route.vehicle_type].capacity_m3
    assert [u.load_id for u in result.unrouted] == ["blankets"]


def test_arrival_times_follow_distance_speed_and_service_time():
    depot = Depot("A", 0, 0, [truck(speed=40, fixed=100, per_km=2)])
    loads = [Load("l1", "A", "s1", 10, 0.1, service_h=0.5), Load("l2", "A", "s2", 10, 0.1, service_h=0.25)]
    km = {"s1": 20.0, "s2": 30.0}
    problem = problem_on_a_line([depot], km, loads)

    result = plan_routes(problem, TIME_LIMIT_S)

    (route,) = result.routes
    service = {"l1": 0.5, "l2": 0.25}
    clock, here = 0.0, 0.0
    for stop in route.stops:
        clock += abs(km[stop.stop_id] - here) / 40
        assert stop.arrival_h == pytest.approx(clock, abs=2 * ONE_SECOND_H)
        clock, here = clock + service[stop.load_id], km[stop.stop_id]
    assert route.return_h == pytest.approx(clock + here / 40, abs=3 * ONE_SECOND_H)
    assert route.distance_km == pytest.approx(60.0)
    assert route.cost == pytest.approx(100 + 2 * 60.0)
    assert result.total_cost == pytest.approx(route.cost)


def test_distances_default_to_haversine_times_detour():
    depot = Depot("A", 0.0, 0.0, [truck(speed=50)])
    stop = Stop("s1", 1.0, 0.0)  # one degree of latitude north: about 111.19 km
    problem = RoutingProblem([depot], [stop], [Load("l1", "A", "s1", 10, 0.1)], detour_factor=1.5)

    result = plan_routes(problem, TIME_LIMIT_S)

    one_degree_km = 6371.0 * math.pi / 180
    (route,) = result.routes
    assert route.distance_km == pytest.approx(2 * 1.5 * one_degree_km, rel=1e-4)
    assert route.stops[0].arrival_h == pytest.approx(1.5 * one_degree_km / 50, abs=ONE_SECOND_H)
    assert haversine_matrix_m([(0, 0), (0, 0)], 1.3).tolist() == [[0, 0], [0, 0]]


def test_many_loads_capacity_and_windows_hold():
    """A denser case: every routed stop is on time and no vehicle is overloaded."""
    types = [truck("t5", count=3, kg=500, m3=3, speed=50), truck("t2", count=4, kg=200, m3=2, speed=70)]
    depots = [Depot("A", 0, 0, types), Depot("B", 0, 0, types)]
    stops = {f"s{i}": float(3 + 4 * i) for i in range(10)}
    loads = [
        Load(f"l{i}", "A" if i % 2 else "B", f"s{i % 10}", 60 + 37 * (i % 5), 0.3 + 0.2 * (i % 4), due_h=0.5 + 0.2 * i)
        for i in range(16)
    ]
    problem = problem_on_a_line(depots, stops, loads, depots_km=[0.0, 20.0])

    result = plan_routes(problem, TIME_LIMIT_S)

    due = {load.id: load.due_h for load in loads}
    cap = {t.name: t for t in types}
    for route in result.routes:
        assert sum(s.weight_kg for s in route.stops) <= cap[route.vehicle_type].capacity_kg + 1e-6
        assert sum(s.volume_m3 for s in route.stops) <= cap[route.vehicle_type].capacity_m3 + 1e-6
        assert all(s.arrival_h <= due[s.load_id] + 1e-9 for s in route.stops)
    routed = {s.load_id for r in result.routes for s in r.stops}
    assert routed | {u.load_id for u in result.unrouted} == set(due)
    vehicle_ids = [r.vehicle_id for r in result.routes]
    assert len(vehicle_ids) == len(set(vehicle_ids))
