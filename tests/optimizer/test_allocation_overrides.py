"""Per-source overrides of the response rule, and the level a wider response would open for unmet demand."""

from dataclasses import replace

from optimizer.allocation import allocate
from optimizer.baseline import greedy_allocate
from optimizer.problem import AllocationProblem, Demand, Source
from tests.optimizer.test_allocation import WATER, TableTravel, depot, point, reasons, shipped, solve


def opening(result):
    return {(u.point, u.period): u.opening_level for u in result.unmet}


def test_a_depot_outside_the_jurisdiction_stays_out_even_when_its_level_is_open():
    # Level IV opens county stock, but C1 belongs to another county: only C2's 30 may go, 20 stay unmet,
    # and a wider response (one whose jurisdiction holds C1) would open county level.
    sources = [replace(depot("C1", "county", 100), allowed=False), depot("C2", "county", 30)]
    table = {("C1", "P", "road"): 1.0, ("C2", "P", "road"): 2.0}
    result = solve(sources, [point("P")], [Demand("P", "water", 50)], table, level="IV")
    assert shipped(result) == {("C2", "P"): 30}
    assert reasons(result) == {("P", 0): (20, "not_allowed_at_level")}
    assert opening(result) == {("P", 0): "county"}


def test_a_source_allowed_by_override_supplies_above_the_open_levels():
    # A request for support opened this one municipal depot at level IV, not the municipal level as a whole.
    sources = [
        depot("T", "township", 30),
        replace(depot("M", "municipal", 500), allowed=True),
        depot("M2", "municipal", 500),
    ]
    table = {("T", "P", "road"): 1.0, ("M", "P", "road"): 3.0, ("M2", "P", "road"): 0.5}
    result = solve(sources, [point("P")], [Demand("P", "water", 50)], table, level="IV")
    assert shipped(result) == {("T", "P"): 30, ("M", "P"): 20}
    assert result.unmet == []


def test_protected_minimum_follows_the_source_override_both_ways():
    table = {("D", "P", "road"): 1.0}
    guarded = replace(depot("D", "county", 100, protected=30), release_protected=True)
    released = solve([guarded], [point("P")], [Demand("P", "water", 100)], table, level="II")
    assert shipped(released) == {("D", "P"): 100}
    kept = solve([replace(guarded, release_protected=False)], [point("P")], [Demand("P", "water", 100)], table, "I")
    assert shipped(kept) == {("D", "P"): 70}
    assert reasons(kept) == {("P", 0): (30, "not_allowed_at_level")}
    # Only a protected minimum holds the 30 back: no level needs opening.
    assert opening(kept) == {("P", 0): None}


def test_opening_level_is_the_most_local_closed_level_that_reaches_in_time():
    # Level IV: T holds 10 of the 50. Closed and in reach within due 10 + lateness 48: provincial PR and
    # municipal M; the township T2 is closed too but holds no water; the central depot is out of the window.
    sources = [
        depot("T", "township", 10),
        replace(depot("T2", "township", 0), allowed=False),
        depot("M", "municipal", 500),
        depot("PR", "provincial", 500),
        depot("CE", "central", 500),
    ]
    table = {("T", "P", "road"): 1.0, ("M", "P", "road"): 30.0, ("PR", "P", "road"): 2.0, ("CE", "P", "road"): 70.0}
    result = solve(sources, [point("P")], [Demand("P", "water", 50)], table, level="IV")
    assert reasons(result) == {("P", 0): (40, "not_allowed_at_level")}
    assert opening(result) == {("P", 0): "municipal"}
    # With the municipal depot beyond the window, provincial is the level to open.
    table[("M", "P", "road")] = 60.0
    assert opening(solve(sources, [point("P")], [Demand("P", "water", 50)], table, level="IV")) == {
        ("P", 0): "provincial"
    }


def test_a_closed_agreement_names_its_level():
    contract = Source("A", "agreement", "provincial", 30.0, 110.0, agreement_item="water", daily_capacity=240, cap=500)
    result = solve([contract], [point("P")], [Demand("P", "water", 20)], {("A", "P", "road"): 1.0}, level="III")
    assert reasons(result) == {("P", 0): (20, "not_allowed_at_level")}
    assert opening(result) == {("P", 0): "provincial"}


def test_other_reasons_name_no_level_and_greedy_names_the_same_level():
    too_late = solve([depot("D", "county", 100)], [point("P")], [Demand("P", "water", 10)], {("D", "P", "road"): 99.0})
    assert reasons(too_late) == {("P", 0): (10, "too_late")} and opening(too_late) == {("P", 0): None}
    sources = [replace(depot("C1", "county", 100), allowed=False), depot("C2", "county", 30)]
    table = {("C1", "P", "road"): 1.0, ("C2", "P", "road"): 2.0}
    problem = AllocationProblem(sources, [point("P")], [Demand("P", "water", 50)], [WATER], response_level="IV")
    assert opening(greedy_allocate(problem, TableTravel(table))) == {("P", 0): "county"}
    assert opening(allocate(problem, TableTravel(table))) == {("P", 0): "county"}
