"""Lexicographic allocation of relief supplies from depots and capacity agreements to demand points.

Model (one min-cost-flow network per item, exact integer quantities):

* supply nodes: every depot's available stock; every agreement's production, split into buckets at the
  latest ship times of its arcs and chained in time order (output made early can ship later);
* demand nodes: one per demand point and period (phase), needing the period's quantity;
* delivery arcs source -> demand per transport mode that arrives within the lateness window; an agreement
  arc leaves from the bucket of its latest ship time (due - travel), so production by then covers it;
* unmet arcs from a dummy node through one node per point (its capacity bounds the point's shortfall,
  which is how the fairness level is imposed).

Levels (1) unmet and (2) late, both priority-weighted, are solved together with an exact big weight.
Each solved level is then fixed exactly by complementary slackness: with optimal node potentials, arcs of
positive reduced cost are pinned at their lower bound and arcs of negative reduced cost at their upper bound,
so every feasible flow of the restricted network is optimal for the levels solved so far. The restriction keeps
the network structure, hence integral solutions. Level (3), the worst point/item shortfall ratio, is found by
bisection on the ratio with per-item feasibility checks (max flows, exact over integer fractions); (4) time and
(5) cost are solved on the restricted network in turn.

The LPs are solved with GLOP (its vertex solutions are integral here, and it is far faster than the
cost-scaling min-cost flow on these networks: measured on one national-peak item's time level, 0.8 s against
15 s; OR-Tools' CLP and HiGHS were slower too); the result is checked and the exact min-cost-flow code with
Bellman-Ford potentials is the fallback. Sources are pruned per point (k fastest per level, all central depots
and agreements, and the greedy plan's sources) and per depot (its nearest points); with ``pricing`` on, pruned
arcs are priced back in with the potentials (column generation), so pruning never changes the optimum. A level
keeps its LP through its pricing rounds, so GLOP restarts each round from the last basis; arcs admitted only to
decide fairness leave the network again when idle.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.allocation.explain import explain_unmet, item_lines, item_unmet, make_line
from optimizer.allocation.instance import EPS, Instance, item_ranges, prepare
from optimizer.allocation.levels import (
    ItemSolve,
    as_float,
    fairness_level,
    meet_shortfall,
    solve_level,
    solve_time_and_cost,
    start_item,
)
from optimizer.allocation.parallel import available_cores, map_items
from optimizer.problem import AllocationProblem, AllocationResult, evaluate
from optimizer.travel import TravelProvider

PARALLEL_ABOVE = 200_000  # demand units x sources from which items are solved on several processes

__all__ = ["EPS", "Instance", "allocate", "explain_unmet", "make_line", "prepare"]


def allocate(
    problem: AllocationProblem,
    travel: TravelProvider | None = None,
    *,
    candidates_per_level: int | None = 5,
    pricing: bool = True,
    seed_with_greedy: bool | None = None,
    workers: int | None = None,
) -> AllocationResult:
    """Lexicographically optimal allocation plan for ``problem`` (see the module docstring for the model).

    ``candidates_per_level`` prunes each point's sources to the k fastest of each level, plus all central
    depots and agreements (None: every source). With ``pricing`` (default) pruned arcs are priced back in
    with the LP potentials, so the plan is optimal over the whole network; without it the plan is optimal
    over the candidate arcs only, which is much faster on national-scale scarce instances. ``seed_with_greedy``
    (default, None: yes) adds the greedy baseline's arcs to the candidates: the pruned plan is then never
    lexicographically worse than greedy, and pricing needs fewer rounds (on five national-peak items, 40 % less
    CPU). Items are solved on ``workers`` processes (default: every core for
    instances large enough to gain from it).
    """
    started = time.perf_counter()
    inst = prepare(problem, travel)
    seed = seed_with_greedy is not False
    workers = _default_workers(inst) if workers is None else workers
    jobs = [
        (i, units, candidates_per_level, seed and candidates_per_level is not None, pricing)
        for i, units in item_ranges(inst)
    ]
    solves = map_items(inst, _unmet_and_late, jobs, workers)
    ratio = fairness_level(solves, lambda jobs: map_items(inst, _meet_shortfall, jobs, workers))
    solves = map_items(inst, _time_and_cost, [(sv, as_float(ratio)) for sv in solves], workers)
    lines = [ln for sv in solves for ln in sv.lines]
    unmet = [um for sv in solves for um in sv.unmet]
    objectives, kpis = evaluate(problem, lines, unmet)
    stats = {
        "arcs": float(sum(len(sv.arcs.src) for sv in solves)),
        "priced_arcs": float(sum(sv.priced for sv in solves)),
        "lp_fallbacks": float(sum(sv.fallbacks for sv in solves)),
        "pricing": float(pricing),
        "worst_shortfall_num": float(ratio[0]),
        "worst_shortfall_den": float(ratio[1]),
    }
    return AllocationResult(lines, unmet, kpis, objectives, time.perf_counter() - started, stats)


def _default_workers(inst: Instance) -> int:
    # Forking costs tens of milliseconds, more than a county-sized instance takes to solve.
    return available_cores() if len(inst.u_qty) * len(inst.problem.sources) >= PARALLEL_ABOVE else 1


def _unmet_and_late(
    inst: Instance, item: int, units: np.ndarray, k: int | None, seed: bool, pricing: bool
) -> ItemSolve:
    sv = start_item(inst, item, units, k, _greedy_pairs(inst, units) if seed else None)
    sv.pricing = pricing
    solve_level(sv, "lex")
    return sv


def _meet_shortfall(inst: Instance, sv: ItemSolve, best: tuple[int, int]) -> ItemSolve:
    return meet_shortfall(sv, best)


def _time_and_cost(inst: Instance, sv: ItemSolve, ratio: float) -> ItemSolve:
    solve_time_and_cost(sv, ratio)
    sv.lines, sv.unmet = item_lines(inst, sv), item_unmet(inst, sv)
    return sv


def _greedy_pairs(inst: Instance, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(source, point) pairs of the greedy plan for one item's demand units."""
    from optimizer.baseline import greedy_plan  # baseline builds on this module's helpers

    plan = greedy_plan(inst, units)
    return plan.src, inst.u_point[plan.unit]
