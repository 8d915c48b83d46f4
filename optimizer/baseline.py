"""Greedy baseline: allocation the way a dispatcher does it by hand.

Demand points in priority order (most urgent first); for each, its demand periods by due time; each is filled
from the nearest sources, escalating level by level (township, county, municipal, provincial, central, then
capacity agreements). A first pass only takes deliveries that arrive on time, a second pass fills what is left
with late deliveries inside the lateness window. Same inputs and outputs as ``allocate``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimizer.allocation import EPS, Instance, explain_unmet, make_line, prepare
from optimizer.problem import LEVELS, AllocationProblem, AllocationResult, evaluate
from optimizer.travel import TravelProvider


@dataclass
class GreedyPlan:
    """Chosen deliveries as parallel arrays (one row per source, demand unit and mode)."""

    src: np.ndarray
    unit: np.ndarray
    mode: np.ndarray
    qty: np.ndarray
    late: np.ndarray
    time_int: np.ndarray
    cost_int: np.ndarray
    km: np.ndarray


class _Agreements:
    """Production already promised per agreement, as (latest ship time, quantity) pairs."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.promised: dict[int, list[tuple[float, int]]] = {}

    def room(self, a: int, tau: float) -> int:
        # Everything promised by any ship time at or after tau must have been produced by then.
        src = self.inst.problem.sources[a]
        taken = self.promised.get(a, [])
        checks = [tau] + [t for t, _ in taken if t >= tau]
        return max(0, min(src.produced_by(t) - sum(q for s, q in taken if s <= t) for t in checks))

    def take(self, a: int, tau: float, qty: int) -> None:
        self.promised.setdefault(a, []).append((tau, qty))


def greedy_plan(inst: Instance, units: np.ndarray | None = None) -> GreedyPlan:
    """The dispatcher's plan on a prepared instance (used as a baseline and to seed the optimizer's arcs).

    ``units`` restricts it to those demand units; items share no stock, so one item's units alone get the same
    deliveries as in the whole plan.
    """
    rem = inst.avail.copy()
    need = inst.u_qty.copy()
    agreements = _Agreements(inst)
    rows: list[tuple] = []
    points = sorted(range(len(inst.problem.points)), key=lambda p: (-inst.problem.points[p].priority, p))
    units_of = _units_by_point(inst, units)
    for late_pass in (False, True):
        for p in points:
            order = _escalation_order(inst, p)
            for u in units_of.get(p, []):
                if need[u] > 0:
                    _fill_unit(inst, u, order, late_pass, rem, need, agreements, rows)
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 8
    dtypes = [np.int64, np.int64, np.int64, np.int64, bool, np.int64, np.int64, float]
    return GreedyPlan(*(np.array(c, dtype=t) for c, t in zip(cols, dtypes, strict=True)))


def _units_by_point(inst: Instance, units: np.ndarray | None) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    order = np.lexsort((inst.u_item, inst.u_due))
    if units is not None:
        order = order[np.isin(order, units)]
    for u in order.tolist():
        out.setdefault(int(inst.u_point[u]), []).append(u)
    return out


def _escalation_order(inst: Instance, p: int) -> np.ndarray:
    # Allowed sources by level (agreements after every depot), nearest first within a level.
    if p not in inst.escalation:
        rank = np.where(inst.is_agreement, len(LEVELS), inst.level_rank)
        ok = np.flatnonzero(inst.allowed & np.isfinite(inst.best_hours[:, p]))
        inst.escalation[p] = ok[np.lexsort((inst.best_hours[ok, p], rank[ok]))]
    return inst.escalation[p]


def _fill_unit(inst, u, order, late_pass, rem, need, agreements, rows) -> None:
    item, p, due = int(inst.u_item[u]), int(inst.u_point[u]), float(inst.u_due[u])
    limit = due + (inst.lateness if late_pass else 0.0)
    usable = (rem[order, item] > 0) | (inst.is_agreement[order] & (inst.agr_item[order] == item))
    cand = order[usable & (inst.best_hours[order, p] <= limit + EPS)]
    for s in cand.tolist():
        for m in _modes_in_order(inst, s, p, limit, late_pass):
            t = float(inst.hours[m, s, p])
            if inst.is_agreement[s]:
                tau = limit - t
                q = min(int(need[u]), agreements.room(s, tau))
                if q > 0:
                    agreements.take(s, tau, q)
                eta, late = limit, late_pass
            else:
                q = min(int(need[u]), int(rem[s, item]))
                rem[s, item] -= q
                eta, late = t, t > due + EPS
            if q > 0:
                need[u] -= q
                cost = round(float(inst.cost_t[m, s, p]) * inst.unit_kg[item] / 10.0)
                rows.append((s, u, m, q, late, round(eta * 100), cost, float(inst.km[m, s, p])))
            if need[u] == 0:
                return


def _modes_in_order(inst: Instance, s: int, p: int, limit: float, late_pass: bool) -> list[int]:
    # On time: the cheapest mode that makes it; late: the fastest, to cut the delay.
    ok = [m for m in range(len(inst.modes)) if inst.hours[m, s, p] <= limit + EPS]
    key = inst.hours[:, s, p] if late_pass else inst.cost_t[:, s, p]
    return sorted(ok, key=lambda m: key[m])


def greedy_allocate(problem: AllocationProblem, travel: TravelProvider | None = None) -> AllocationResult:
    """Greedy plan for ``problem`` with lines, explained unmet demand, KPIs and objective levels."""
    started = time.perf_counter()
    inst = prepare(problem, travel)
    plan = greedy_plan(inst)
    lines = [
        make_line(inst, *row)
        for row in zip(
            plan.src.tolist(),
            plan.unit.tolist(),
            plan.mode.tolist(),
            plan.qty.tolist(),
            plan.late.tolist(),
            plan.time_int.tolist(),
            plan.cost_int.tolist(),
            plan.km.tolist(),
            strict=True,
        )
    ]
    unmet = _unmet(inst, plan)
    objectives, kpis = evaluate(problem, lines, unmet)
    return AllocationResult(lines, unmet, kpis, objectives, time.perf_counter() - started, {})


def _unmet(inst: Instance, plan: GreedyPlan) -> list:
    served = np.bincount(plan.unit, weights=plan.qty, minlength=len(inst.u_qty)).astype(np.int64)
    short = inst.u_qty - served
    out = []
    for item in np.unique(inst.u_item).tolist():
        units = np.flatnonzero((inst.u_item == item) & (short > 0))
        sel = inst.u_item[plan.unit] == item
        used = np.bincount(plan.src[sel], weights=plan.qty[sel], minlength=len(inst.problem.sources))
        out.extend(explain_unmet(inst, item, units, short[units], used.astype(np.int64)))
    return out
