"""Explained results: allocation lines with source, level, mode, ETA and cost; unmet quantities with a reason."""

from __future__ import annotations

import numpy as np

from optimizer.allocation.instance import EPS, Instance
from optimizer.allocation.levels import ItemSolve
from optimizer.problem import LEVELS, AllocationLine, Unmet


def make_line(inst: Instance, s: int, u: int, m: int, q: int, late: bool, eta_int: int, cost_int: int, km: float):
    """One explained allocation line (shared with the greedy baseline, so both are valued the same way)."""
    src, pt = inst.problem.sources[s], inst.problem.points[inst.u_point[u]]
    kg = inst.unit_kg[inst.u_item[u]]
    return AllocationLine(
        source=src.id,
        level=src.level,
        point=pt.id,
        item=inst.problem.items[inst.u_item[u]].id,
        mode=inst.modes[m],
        period=int(inst.u_period[u]),
        quantity=int(q),
        eta_hours=int(eta_int) / 100.0,
        cost=round(int(q) * int(cost_int) / 100.0, 2),
        late=bool(late),
        tonne_km=round(q * float(kg) / 1000.0 * float(km), 3),
    )


def item_lines(inst: Instance, sv: ItemSolve) -> list[AllocationLine]:
    a, f = sv.arcs, sv.flow[: len(sv.arcs.src)]
    return [
        make_line(inst, a.src[j], a.unit[j], a.mode[j], f[j], a.late[j], a.time_int[j], a.cost_int[j], a.km[j])
        for j in np.flatnonzero(f > 0)
    ]


def explain_unmet(inst: Instance, item: int, units: np.ndarray, qty: np.ndarray, used: np.ndarray) -> list[Unmet]:
    """Unmet quantities with the most actionable reason: stock held back by the response level first, then a
    too slow agreement, then stock that only arrives after the lateness window, else no stock left in reach.
    Stock held back names the most local level a wider response would open to fill it."""
    agreement = inst.is_agreement & (inst.agr_item == item)
    closed = ~inst.allowed & ((inst.locked[:, item] > 0) | agreement)
    locked = (inst.locked[:, item] > 0) | (agreement & ~inst.allowed)
    left = (inst.avail[:, item] - used) > 0
    out = []
    for u, q in zip(units.tolist(), qty.tolist(), strict=True):
        p = inst.u_point[u]
        hours = inst.best_hours[:, p]
        in_window = hours <= inst.u_due[u] + inst.lateness + EPS
        opening = None
        if (locked & in_window).any():
            reason, opening = "not_allowed_at_level", _opening_level(inst, closed & in_window)
        elif (agreement & inst.allowed & np.isfinite(hours)).any():
            reason = "agreement_too_slow"
        elif (left & np.isfinite(hours)).any():
            reason = "too_late"
        else:
            reason = "no_stock_in_reach"
        pt, it = inst.problem.points[p].id, inst.problem.items[item].id
        period = int(inst.u_period[u])
        out.append(Unmet(point=pt, item=it, quantity=int(q), reason=reason, period=period, opening_level=opening))
    return out


def _opening_level(inst: Instance, closed_in_reach: np.ndarray) -> str | None:
    # None when only protected minimums of allowed sources hold the stock back: no level needs opening.
    if not closed_in_reach.any():
        return None
    return LEVELS[int(inst.level_rank[closed_in_reach].min())]


def item_unmet(inst: Instance, sv: ItemSolve) -> list[Unmet]:
    short = sv.flow[sv.net.short_arcs]
    bad = np.flatnonzero(short > 0)
    n_d = len(sv.arcs.src)
    used = np.bincount(sv.arcs.src, weights=sv.flow[:n_d], minlength=len(inst.problem.sources)).astype(np.int64)
    return explain_unmet(inst, sv.item, sv.net.units[bad], short[bad], used)
