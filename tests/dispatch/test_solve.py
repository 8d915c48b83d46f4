"""Solving a snapshot without a database: routed arrivals decide what is on time, and what no vehicle can carry
becomes unmet demand with routing's reason."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from dispatch.planning.services.snapshot import DepotInfo, Snapshot
from dispatch.planning.services.solve import largest_remainder, solve
from optimizer.problem import AllocationProblem, Demand, DemandPoint, Source
from optimizer.problem import Item as OptimizerItem
from optimizer.routing import VehicleType
from optimizer.travel import DEFAULT_MODES

CHENGDU, DUJIANGYAN, WENCHUAN = (30.66, 104.07), (31.0, 103.62), (31.47, 103.59)


def snapshot(trucks: int, quantity: int, points=(("p1", DUJIANGYAN),)) -> Snapshot:
    """One depot in Chengdu with `trucks` 20-tonne trucks; `quantity` quilts (10 kg each) wanted at each point."""
    depot = Source("d1", "depot", "county", *CHENGDU, stock={"i1": 10**6}, allowed=True)
    demand_points = [DemandPoint(pid, *where) for pid, where in points]
    problem = AllocationProblem(sources=[depot], points=demand_points,
                                demands=[Demand(pid, "i1", quantity, due_hours=6.0) for pid, _where in points],
                                items=[OptimizerItem("i1", 10.0, 0.02)], response_level="I")
    return Snapshot(taken_at=datetime(2026, 12, 1, tzinfo=timezone.utc), incident_id=1, version_id=1,
                    problem=problem, modes=dict(DEFAULT_MODES), depots={"d1": DepotInfo(1, "D1", "depot", "county",
                                                                                          *CHENGDU)},
                    agreements={}, items={"i1": SimpleNamespace(id=1, unit_weight_kg=10, unit_volume_m3=0.02)},
                    areas={pid: n for n, (pid, _where) in enumerate(points, start=1)},
                    available={("d1", "i1"): 10**6},
                    fleets={"d1": [VehicleType("v1", trucks, 20000, 60, 60)]}, requisitioned={}, openings=[])


def test_what_the_fleet_cannot_carry_is_unmet_because_the_fleet_is_exhausted():
    plan = solve(snapshot(trucks=1, quantity=5000), routing_seconds=1)  # 50 t for one 20 t truck
    assert sum(line.quantity for line in plan.lines) == 2000
    assert [(gap.quantity, gap.reason) for gap in plan.unmet] == [(3000, "fleet_exhausted")]
    assert plan.kpis["fill_rate"] == 0.4 and plan.allocation_kpis["fill_rate"] == 1.0


def test_a_truck_serving_two_areas_arrives_at_the_second_later_than_the_allocation_assumed():
    plan = solve(snapshot(trucks=1, quantity=500, points=(("p1", DUJIANGYAN), ("p2", WENCHUAN))), routing_seconds=1)
    assert len(plan.routes) == 1 and len(plan.routes[0].stops) == 2
    by_point = {line.line.point: line for line in plan.lines}
    assert all(line.arrival_hours >= line.line.eta_hours - 0.01 for line in plan.lines)
    second = max(by_point.values(), key=lambda line: line.arrival_hours)
    assert second.arrival_hours > second.line.eta_hours + 0.1  # it waited for the first stop
    assert plan.kpis["latest_arrival_hours"] == second.arrival_hours


@given(total=st.integers(0, 10**6), weights=st.lists(st.floats(0.001, 1000), min_size=1, max_size=12))
def test_shares_in_whole_units_add_up_and_stay_within_one_of_their_exact_share(total, weights):
    shares = [weight / sum(weights) for weight in weights]
    parts = largest_remainder(total, shares)
    assert sum(parts) == total
    assert all(abs(part - total * share) < 1 for part, share in zip(parts, shares))
