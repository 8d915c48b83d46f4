"""Greedy baseline: the dispatcher's hand method, and how the optimizer improves on it."""

from collections import defaultdict

from optimizer.allocation import allocate
from optimizer.baseline import greedy_allocate
from optimizer.problem import AllocationProblem, Demand, Source, lex_leq
from tests.optimizer.test_allocation import WATER, TableTravel, depot, point, reasons, shipped


def greedy(sources, points, demands, table, level="IV", lateness=48.0):
    problem = AllocationProblem(sources, points, demands, [WATER], response_level=level, max_lateness_hours=lateness)
    return greedy_allocate(problem, TableTravel(table)), problem


def test_greedy_escalates_level_by_level_not_by_distance():
    # The county depot is nearer, but a dispatcher empties the township depot first.
    result, _ = greedy(
        [depot("T", "township", 30), depot("C", "county", 100)],
        [point("P")],
        [Demand("P", "water", 50)],
        {("T", "P", "road"): 3.0, ("C", "P", "road"): 1.0},
    )
    assert shipped(result) == {("T", "P"): 30, ("C", "P"): 20}


def test_greedy_takes_the_nearest_source_within_a_level():
    result, _ = greedy(
        [depot("T1", "township", 100), depot("T2", "township", 100)],
        [point("P")],
        [Demand("P", "water", 50)],
        {("T1", "P", "road"): 3.0, ("T2", "P", "road"): 1.0},
    )
    assert shipped(result) == {("T2", "P"): 50}


def test_greedy_serves_higher_priority_first_and_keeps_level_rules():
    result, _ = greedy(
        [depot("T", "township", 100, protected=20), depot("M", "municipal", 500)],
        [point("P1"), point("P2", priority=2)],
        [Demand("P1", "water", 100), Demand("P2", "water", 60)],
        {("T", "P1", "road"): 1.0, ("T", "P2", "road"): 1.0, ("M", "P1", "road"): 1.0},
    )
    assert shipped(result) == {("T", "P2"): 60, ("T", "P1"): 20}
    assert reasons(result) == {("P1", 0): (80, "not_allowed_at_level")}


def test_greedy_uses_agreements_after_depots_and_respects_their_output():
    agr = Source(
        "A",
        "agreement",
        "county",
        30.0,
        110.0,
        agreement_item="water",
        daily_capacity=240,
        lead_time_hours=4.0,
        cap=1000,
    )
    result, _ = greedy(
        [agr, depot("C", "county", 30)],
        [point("P")],
        [Demand("P", "water", 100)],
        {("A", "P", "road"): 1.0, ("C", "P", "road"): 5.0},
        lateness=0.0,
    )
    # 30 from the depot, then the agreement: by hour 9 it has made 50.
    assert shipped(result) == {("C", "P"): 30, ("A", "P"): 50}
    assert reasons(result) == {("P", 0): (20, "agreement_too_slow")}


def test_served_plus_unmet_equals_demand():
    result, _ = greedy(
        [depot("T", "township", 70)],
        [point("P1"), point("P2")],
        [Demand("P1", "water", 50), Demand("P2", "water", 50, phases=((10.0, 30), (30.0, 20)))],
        {("T", "P1", "road"): 1.0, ("T", "P2", "road"): 2.0},
    )
    total = defaultdict(int)
    for ln in result.lines:
        total[ln.point] += ln.quantity
    for u in result.unmet:
        total[u.point] += u.quantity
    assert dict(total) == {"P1": 50, "P2": 50}


def test_optimizer_beats_greedy_where_greedy_blocks_a_point():
    # Greedy gives urgent P1 the nearest depot A; P2 can only be reached from A and goes without. The optimizer
    # serves P1 from B instead and nobody goes without.
    table = {("A", "P1", "road"): 1.0, ("B", "P1", "road"): 2.0, ("A", "P2", "road"): 1.0}
    sources = [depot("A", "township", 100), depot("B", "township", 100)]
    points = [point("P1", priority=2), point("P2")]
    demands = [Demand("P1", "water", 100), Demand("P2", "water", 100)]
    g, problem = greedy(sources, points, demands, table)
    assert g.objectives.unmet_weighted == 100
    opt = allocate(problem, TableTravel(table))
    assert opt.objectives.unmet_weighted == 0
    assert shipped(opt) == {("B", "P1"): 100, ("A", "P2"): 100}
    assert lex_leq(opt.objectives, g.objectives) and not lex_leq(g.objectives, opt.objectives)
