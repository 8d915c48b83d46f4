"""Property tests on small random scenarios (every feature on: levels, modes, protected stock, agreements)."""

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimizer.allocation import allocate, prepare
from optimizer.baseline import greedy_allocate
from optimizer.bench.scenarios import small_random
from optimizer.problem import UNMET_REASONS, lex_leq

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scenario = st.builds(
    small_random,
    seed=st.integers(0, 100_000),
    sources=st.integers(2, 12),
    points=st.integers(1, 5),
    items=st.integers(1, 3),
    agreements=st.integers(0, 2),
)


def _check_sources(problem, result):
    by_id = {s.id: s for s in problem.sources}
    rule = problem.rule()
    given_out = defaultdict(int)
    for ln in result.lines:
        src = by_id[ln.source]
        assert src.level in rule.source_levels
        given_out[(ln.source, ln.item)] += ln.quantity
    for (sid, item), qty in given_out.items():
        src = by_id[sid]
        if src.kind == "depot":
            keep = 0 if rule.release_protected else src.protected.get(item, 0)
            assert qty <= src.stock.get(item, 0) - keep
        else:
            assert item == src.agreement_item and qty <= src.cap


def _check_agreement_schedule(problem, result):
    # Everything promised for shipment by time t must have been produced by t.
    inst = prepare(problem)
    s_ix = {s.id: k for k, s in enumerate(problem.sources)}
    p_ix = {p.id: k for k, p in enumerate(problem.points)}
    promised = defaultdict(list)
    for ln in result.lines:
        src = problem.sources[s_ix[ln.source]]
        if src.kind == "agreement":
            travel = inst.hours[inst.modes.index(ln.mode), s_ix[ln.source], p_ix[ln.point]]
            promised[ln.source].append((ln.eta_hours - travel, ln.quantity))
    for sid, rows in promised.items():
        src = problem.sources[s_ix[sid]]
        for t, _ in rows:
            assert sum(q for tt, q in rows if tt <= t + 1e-6) <= src.produced_by(t + 1e-6)


def _check_balance(problem, result):
    want = {(d.point, d.item, k): q for d in problem.demands for k, (_, q) in enumerate(d.periods()) if q > 0}
    got = defaultdict(int)
    for ln in result.lines:
        got[(ln.point, ln.item, ln.period)] += ln.quantity
    for u in result.unmet:
        assert u.reason in UNMET_REASONS and u.quantity > 0
        got[(u.point, u.item, u.period)] += u.quantity
    assert dict(got) == want


@FAST
@given(scenario)
def test_plan_is_feasible_and_accounts_for_all_demand(problem):
    result = allocate(problem)
    _check_sources(problem, result)
    _check_agreement_schedule(problem, result)
    _check_balance(problem, result)
    modes = {s.id: s.modes for s in problem.sources}
    point_modes = {p.id: p.modes for p in problem.points}
    assert all(ln.mode in modes[ln.source] and ln.mode in point_modes[ln.point] for ln in result.lines)


@FAST
@given(scenario)
def test_greedy_is_feasible_and_accounts_for_all_demand(problem):
    result = greedy_allocate(problem)
    _check_sources(problem, result)
    _check_agreement_schedule(problem, result)
    _check_balance(problem, result)


@FAST
@given(scenario)
def test_plan_is_never_worse_than_greedy(problem):
    plan, base = allocate(problem), greedy_allocate(problem)
    assert lex_leq(plan.objectives, base.objectives), (plan.objectives, base.objectives)


@FAST
@given(scenario)
def test_plan_without_pricing_is_never_worse_than_greedy(problem):
    plan, base = allocate(problem, candidates_per_level=1, pricing=False), greedy_allocate(problem)
    assert lex_leq(plan.objectives, base.objectives), (plan.objectives, base.objectives)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 100_000))
@example(29316)  # levels 1-3 cost nothing: the free level's potentials once shut cheaper pruned arcs out of level 4
def test_pruning_with_pricing_matches_the_whole_network(seed):
    problem = small_random(seed, sources=12, points=4, items=2, agreements=1)
    whole = allocate(problem, candidates_per_level=None)
    pruned = allocate(problem, candidates_per_level=1)
    assert pruned.objectives.as_tuple() == pytest.approx(whole.objectives.as_tuple(), rel=1e-9, abs=1e-6)
