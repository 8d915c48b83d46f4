"""Allocation cases: the exact optimizer, its pruned mode and the greedy baseline on one scenario, side by side.

Exact (pricing, i.e. column generation) is optimal over the whole network; pruned is optimal over the candidate
arcs only (seeded with greedy's arcs, so never worse than greedy). Each row gives every objective level of the
three, with wall and CPU time (CPU includes the forked item workers), and how far pruned and greedy are from
exact on every level.
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict

from optimizer.allocation import allocate
from optimizer.allocation.parallel import available_cores
from optimizer.baseline import greedy_allocate
from optimizer.problem import AllocationProblem, AllocationResult, Objectives, lex_leq

QUICK_CASES = ("county", "provincial")
FULL_CASES = (*QUICK_CASES, "national")


def timed(solve: Callable[[], AllocationResult]) -> tuple[AllocationResult, float, float]:
    """A plan, its wall seconds and its CPU seconds, the forked workers' included."""
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    plan = solve()
    wall = time.perf_counter() - started
    return plan, round(wall, 3), round(time.process_time() - cpu + _children_cpu() - children, 3)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def allocation_case(name: str, problem: AllocationProblem, seed: int) -> dict:
    """Solve one scenario exactly, pruned and greedily, and compare them level by level."""
    exact, exact_s, exact_cpu = timed(lambda: allocate(problem, pricing=True))
    pruned, pruned_s, pruned_cpu = timed(lambda: allocate(problem, pricing=False))
    greedy, greedy_s, greedy_cpu = timed(lambda: greedy_allocate(problem))
    return {
        "case": f"allocation/{name}",
        "seed": seed,
        "sources": len(problem.sources),
        "agreements": sum(s.kind == "agreement" for s in problem.sources),
        "points": len(problem.points),
        "items": len(problem.items),
        "demand_periods": sum(len(d.periods()) for d in problem.demands),
        "cores": available_cores(),
        "exact": _mode(exact, exact_s, exact_cpu),
        "pruned": _mode(pruned, pruned_s, pruned_cpu),
        "greedy": _mode(greedy, greedy_s, greedy_cpu),
        "pruned_above_exact_pct": _above(pruned.objectives, exact.objectives),
        "greedy_above_exact_pct": _above(greedy.objectives, exact.objectives),
        "exact_lex_leq_pruned": lex_leq(exact.objectives, pruned.objectives),
        "exact_lex_leq_greedy": lex_leq(exact.objectives, greedy.objectives),
        "strictly_better_unmet_or_late": _strictly_better(exact, greedy),
    }


def _mode(plan: AllocationResult, wall: float, cpu: float) -> dict:
    return {
        "seconds": wall,
        "cpu_seconds": cpu,  # wall time suffers when other jobs share the two cores
        "objectives": asdict(plan.objectives),
        "kpis": asdict(plan.kpis),
        "unmet_reasons": _reasons(plan),
        "stats": plan.stats,
    }


def _above(other: Objectives, exact: Objectives) -> dict[str, float | None]:
    """Per level, how much worse than exact, in per cent of exact (None where exact is zero and other is not)."""
    out: dict[str, float | None] = {}
    for level, value in asdict(other).items():
        best = getattr(exact, level)
        out[level] = round(100.0 * (value - best) / best, 3) if best else (0.0 if value == 0 else None)
    return out


def _reasons(result: AllocationResult) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for u in result.unmet:
        counts[u.reason] += u.quantity
    return dict(counts)


def _strictly_better(plan: AllocationResult, greedy: AllocationResult) -> bool | None:
    # Only meaningful where greedy leaves unmet or late demand.
    g, p = greedy.objectives, plan.objectives
    if g.unmet_weighted == 0 and g.late_weighted == 0:
        return None
    return (p.unmet_weighted, p.late_weighted) < (g.unmet_weighted, g.late_weighted)
