"""Allocation cases: the optimizer and the greedy baseline on one generated scenario, side by side."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict

from optimizer.allocation import allocate
from optimizer.allocation.parallel import available_cores
from optimizer.baseline import greedy_allocate
from optimizer.problem import AllocationProblem, AllocationResult, lex_leq

# (scenario, pricing). With pricing (column generation) the plan is optimal over the whole network. The
# national peak also runs without it: optimal over the pruned candidate arcs (seeded with greedy's arcs) only,
# but several times faster, which is what an interactive replan would use.
QUICK_CASES = (("county", True), ("provincial", True))
FULL_CASES = (*QUICK_CASES, ("national", False), ("national", True))


def allocation_case(name: str, problem: AllocationProblem, seed: int, pricing: bool = True) -> dict:
    """Solve one scenario with the optimizer and the greedy baseline and compare them."""
    started, cpu = time.perf_counter(), time.process_time()
    plan = allocate(problem, pricing=pricing)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    greedy = greedy_allocate(problem)
    return {
        "case": f"allocation/{name}/{'exact' if pricing else 'pruned'}",
        "seed": seed,
        "sources": len(problem.sources),
        "agreements": sum(s.kind == "agreement" for s in problem.sources),
        "points": len(problem.points),
        "items": len(problem.items),
        "demand_periods": sum(len(d.periods()) for d in problem.demands),
        "pricing": pricing,
        "cores": available_cores(),
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),  # wall time suffers when other jobs share the two cores
        "objectives": asdict(plan.objectives),
        "kpis": asdict(plan.kpis),
        "unmet_reasons": _reasons(plan),
        "stats": plan.stats,
        "greedy_seconds": round(greedy.solve_seconds, 3),
        "greedy_objectives": asdict(greedy.objectives),
        "greedy_kpis": asdict(greedy.kpis),
        "greedy_unmet_reasons": _reasons(greedy),
        "lex_leq_greedy": lex_leq(plan.objectives, greedy.objectives),
        "strictly_better_unmet_or_late": _strictly_better(plan, greedy),
    }


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
