"""The objective levels, solved and fixed in strict order per item; fairness across items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.allocation.arcs import (
    Arcs,
    arc_keys,
    build_arcs,
    candidate_pairs,
    eligible_sources,
    take_arcs,
    unique_pairs,
)
from optimizer.allocation.flow import (
    EPS,
    LevelLP,
    Optimum,
    caps_at,
    caps_below,
    feasible_flow,
    max_ratio,
    optimize,
    shortfall_below,
)
from optimizer.allocation.instance import Instance
from optimizer.allocation.network import Net, build_net
from optimizer.allocation.pricing import add_arcs, priced_arcs
from optimizer.problem import AllocationLine, Unmet

# The dual simplex is faster for the time and cost levels and slower for level (1)-(2); perturbing the costs saves
# another tenth of the national peak's time and cost levels.
DUAL = "use_dual_simplex: true perturb_costs_in_dual_simplex: true"


STAGE_COST = {"lex": "c_lex", "time": "c_time", "cost": "c_cost"}


@dataclass
class ItemSolve:
    """One item's network, the bounds fixing the levels solved so far, their certificates and the flow."""

    inst: Instance
    item: int
    units: np.ndarray
    k: int | None
    arcs: Arcs
    net: Net
    lb: np.ndarray
    ub: np.ndarray
    keys: np.ndarray  # sorted keys of the arcs in the network
    flow: np.ndarray | None = None
    certs: list[tuple[str, Optimum]] = field(default_factory=list)
    priced: int = 0  # arcs added by pricing
    fallbacks: int = 0  # LP solves whose answer failed its check (slow but still exact)
    shortfall: tuple[int, int] = (0, 1)  # worst shortfall ratio the flow reaches, once level (3) is decided
    pricing: bool = True  # price pruned arcs back in (exact); False: optimal over the candidate arcs only
    lines: list[AllocationLine] = field(default_factory=list)  # the explained result, once every level is solved
    unmet: list[Unmet] = field(default_factory=list)

    def __getstate__(self) -> dict:
        # The instance is large and shared by every item: processes exchange only the item's own arrays.
        return {**self.__dict__, "inst": None}


def start_item(inst: Instance, item: int, units: np.ndarray, k: int | None, extra=None) -> ItemSolve:
    """The item's network on the candidate arcs (all arcs when ``k`` is None)."""
    points = np.unique(inst.u_point[units])
    ps, pp = candidate_pairs(inst, item, points, k)
    if extra is not None and len(extra[0]):
        ps, pp = unique_pairs(np.concatenate([ps, extra[0]]), np.concatenate([pp, extra[1]]), len(inst.problem.points))
    arcs = build_arcs(inst, units, ps, pp)
    elig = eligible_sources(inst, item)
    net = build_net(inst, units, arcs, elig[~inst.is_agreement[elig]])
    return ItemSolve(inst, item, units, k, arcs, net, net.lb, net.ub, np.sort(arc_keys(inst, arcs)))


def solve_level(sv: ItemSolve, stage: str, params: str = "") -> None:
    """Solve one level exactly over all arcs and fix it. Pruned arcs are priced with the LP's potentials
    (column generation): any arc with negative reduced cost that the earlier levels allow is added and
    the level solved again, so pruning never changes the optimum."""
    cost = STAGE_COST[stage]
    pricing = sv.k is not None and sv.pricing
    lp = LevelLP(sv.net, sv.lb, sv.ub, getattr(sv.net, cost), params) if pricing else None
    while True:
        opt = optimize(sv.net, sv.lb, sv.ub, getattr(sv.net, cost), params, lp)
        sv.fallbacks += opt.fallback
        # Every cost is non-negative, so a zero objective is optimal over any set of arcs.
        zero = not np.any(opt.flow * getattr(sv.net, cost))
        if zero and pricing:
            opt = _zero_optimum(sv, getattr(sv.net, cost), opt.flow)
            break
        new = priced_arcs(sv, stage, opt, improving=True) if pricing else None
        if new is None:
            break
        at = len(sv.arcs.src)
        add_arcs(sv, new, opt.flow)
        lp.extend(sv.net, sv.lb, sv.ub, getattr(sv.net, cost), at, len(new.src))
    sv.flow, sv.lb, sv.ub = opt.flow, opt.lb, opt.ub
    sv.certs.append((stage, opt))


def _zero_optimum(sv: ItemSolve, cost: np.ndarray, flow: np.ndarray) -> Optimum:
    """A level whose optimum costs nothing, certified over the whole network, pruned arcs included.

    The LP's own potentials prove optimality only over the arcs it was given: with no improving arc priced
    they need not suit the pruned ones, and judged by them a free arc could look costly and be shut out of the
    later levels. Zero potentials suit every arc (all costs are non-negative), so the level keeps exactly the
    arcs that cost nothing free, and pins those that cost something at zero, where every optimum has them.
    """
    lb, ub = sv.lb, np.where(cost > 0, sv.lb, sv.ub)
    return Optimum(flow, lb, ub, np.zeros(sv.net.n), np.ones(sv.net.n, dtype=bool))


def admit_all_optimal_arcs(sv: ItemSolve) -> None:
    """Add every pruned arc that an optimal solution of the levels fixed so far could use (zero reduced cost),
    so that the fairness level is decided over the whole network."""
    if sv.k is None or not sv.pricing or not sv.certs:
        return
    stage, opt = sv.certs[-1]
    new = priced_arcs(sv, stage, opt, improving=False)
    if new is not None:
        add_arcs(sv, new, sv.flow)


def fairness_level(solves: list[ItemSolve], run_all: Callable[[list[tuple]], list[ItemSolve]]) -> tuple[int, int]:
    """Level (3): the least worst shortfall ratio over all points and items, as an exact fraction.

    Items are independent once levels (1) and (2) are fixed, so the optimum is the largest per-item optimum.
    The item worst off after level (2) is decided first; every other item then only has to meet that ratio, or
    find its own higher one, and those checks run through ``run_all`` (``meet_shortfall`` per job), on every
    core. ``solves`` is updated in place.
    """
    reached = [max_ratio(sv.net, sv.flow) for sv in solves]
    order = sorted(range(len(solves)), key=lambda k: -as_float(reached[k]))
    if not order:
        return (0, 1)
    best = meet_shortfall(solves[order[0]], (0, 1)).shortfall
    rest = [k for k in order[1:] if not _at_most(reached[k], best)]
    for k, sv in zip(rest, run_all([(solves[k], best) for k in rest]), strict=True):
        solves[k] = sv
        best = sv.shortfall if _at_most(best, sv.shortfall) else best
    return best


def meet_shortfall(sv: ItemSolve, best: tuple[int, int]) -> ItemSolve:
    """Let the item's worst shortfall ratio be at most ``best`` if it can be, or else the least it can be; the
    ratio reached is ``sv.shortfall`` and ``sv.flow`` a flow that reaches it.

    The arcs at hand come first: a flow on them is a flow of the whole network, and most items meet ``best``
    there. Otherwise the least ratio on them bounds the item's from above, and over every arc the levels allow
    one or two feasibility checks usually prove it, where a bisection there would take twenty.
    """
    hi = max_ratio(sv.net, sv.flow)
    sv.shortfall = hi
    if _at_most(hi, best):
        return sv
    flow = _feasible_at(sv, as_float(best))
    if flow is not None:
        sv.shortfall, sv.flow = best, flow
        return sv
    sv.shortfall, sv.flow = _bisect_ratio(sv, as_float(best), hi, sv.flow)
    admitted_from = len(sv.arcs.src)
    admit_all_optimal_arcs(sv)
    sv.shortfall, flow = _least_over_all_arcs(sv, best)
    _drop_idle_arcs(sv, admitted_from, flow)
    return sv


def _least_over_all_arcs(sv: ItemSolve, best: tuple[int, int]) -> tuple[tuple[int, int], np.ndarray]:
    """The item's least worst shortfall over every arc the levels allow, and a flow that reaches it, where
    ``best`` is out of reach on the arcs it had and ``sv.shortfall`` (reached by ``sv.flow``) their least."""
    flow = _feasible_at(sv, as_float(best))
    if flow is not None:
        return best, flow
    hi = sv.shortfall
    below = feasible_flow(sv.net, sv.lb, caps_below(sv.net, sv.ub, hi))
    if below is None:
        return hi, sv.flow  # every ratio below hi caps some point below what it must take
    return _bisect_ratio(sv, as_float(best), max_ratio(sv.net, below), below)


def _at_most(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] * b[1] <= b[0] * a[1]


def as_float(frac: tuple[int, int]) -> float:
    return frac[0] / frac[1]


def _feasible_at(sv: ItemSolve, ratio: float) -> np.ndarray | None:
    return feasible_flow(sv.net, sv.lb, caps_at(sv.net, sv.ub, ratio))


def _bisect_ratio(
    sv: ItemSolve, lo: float, hi: tuple[int, int], best_flow: np.ndarray
) -> tuple[tuple[int, int], np.ndarray]:
    """The item's least worst shortfall on the arcs at hand, and a flow that attains it."""
    # lo is infeasible, hi feasible (best_flow reaches it). Shortfalls are integers, so stop once no point's
    # cap can change between lo and hi: then every ratio below hi is as infeasible as lo.
    demand = sv.net.point_demand
    while True:
        below = shortfall_below(demand, hi)
        if np.all(below <= np.floor(lo * demand + EPS)):
            return hi, best_flow
        mid = (lo + as_float(hi)) / 2
        flow = _feasible_at(sv, mid)
        if flow is None:
            lo = mid
        else:
            hi, best_flow = max_ratio(sv.net, flow), flow


def _drop_idle_arcs(sv: ItemSolve, start: int, flow: np.ndarray) -> None:
    """Depot arcs admitted to decide fairness that its feasible ``flow`` leaves idle leave the network again.

    They can run to hundreds of thousands where stock is plentiful; the time level prices back any it needs.
    Agreement arcs stay, because they shape the production buckets and so the node numbers."""
    n = len(sv.arcs.src)
    idle = (flow[start:n] == 0) & ~sv.inst.is_agreement[sv.arcs.src[start:n]]
    if not idle.any():
        return
    keep = np.ones(len(sv.lb), dtype=bool)
    keep[start + np.flatnonzero(idle)] = False
    sv.arcs = take_arcs(sv.arcs, np.flatnonzero(keep[:n]))
    sv.net = build_net(sv.inst, sv.units, sv.arcs, sv.net.dep_ids)
    sv.lb, sv.ub, sv.flow = sv.lb[keep], sv.ub[keep], flow[keep]
    sv.keys = np.sort(arc_keys(sv.inst, sv.arcs))
    sv.priced -= int(idle.sum())


def solve_time_and_cost(sv: ItemSolve, ratio: float) -> None:
    """Levels (4) and (5) for one item under the fixed levels (1)-(3)."""
    sv.ub = caps_at(sv.net, sv.ub, ratio)
    solve_level(sv, "time", DUAL)
    solve_level(sv, "cost", DUAL)
