"""The allocation problem as arrays, built once and shared by the optimizer and the greedy baseline."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.problem import LEVELS, AllocationProblem
from optimizer.travel import GreatCircleTravel, TravelProvider

EPS = 1e-9


@dataclass
class Instance:
    """The problem turned into arrays once, shared by the optimizer and the greedy baseline."""

    problem: AllocationProblem
    modes: list[str]
    hours: np.ndarray  # (modes, S, P)
    cost_t: np.ndarray  # (modes, S, P) cost per tonne
    km: np.ndarray  # (modes, S, P)
    best_hours: np.ndarray  # (S, P) fastest mode
    level_rank: np.ndarray  # (S,) index in LEVELS
    allowed: np.ndarray  # (S,) bool
    is_agreement: np.ndarray  # (S,) bool
    agr_item: np.ndarray  # (S,) item index or -1
    avail: np.ndarray  # (S, I) depot units usable at this response level
    locked: np.ndarray  # (S, I) depot units not usable at this level (disallowed or protected)
    unit_kg: np.ndarray  # (I,)
    u_point: np.ndarray  # per demand unit (point x item x period)
    u_item: np.ndarray
    u_period: np.ndarray
    u_due: np.ndarray
    u_qty: np.ndarray
    u_w: np.ndarray  # priority weight
    lateness: float = 0.0
    # Greedy's source order per point, filled on first use: every item's greedy plan walks the same orders.
    escalation: dict[int, np.ndarray] = field(default_factory=dict)

    def produced(self, s: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """Whole units agreement(s) ``s`` have produced by time(s) ``tau`` (vectorised Source.produced_by)."""
        src = self.problem.sources
        rate = np.array([src[k].daily_capacity for k in np.atleast_1d(s)], dtype=float)
        lead = np.array([src[k].lead_time_hours for k in np.atleast_1d(s)], dtype=float)
        cap = np.array([src[k].cap for k in np.atleast_1d(s)], dtype=np.int64)
        made = np.floor(rate * np.maximum(0.0, tau - lead) / 24.0 + EPS).astype(np.int64)
        return np.minimum(made, cap)


def prepare(problem: AllocationProblem, travel: TravelProvider | None = None) -> Instance:
    """Index sources, points, items and demand periods, and fetch all travel matrices."""
    travel = travel or GreatCircleTravel()
    mats = travel.matrices(problem.sources, problem.points)
    modes = list(mats)
    hours = np.stack([mats[m].hours for m in modes])
    item_ix = {it.id: k for k, it in enumerate(problem.items)}
    allowed = np.array([problem.allows(s) for s in problem.sources], dtype=bool)
    avail, locked = _stock_arrays(problem, item_ix, allowed)
    inst = Instance(
        problem=problem,
        modes=modes,
        hours=hours,
        cost_t=np.stack([mats[m].cost_per_tonne for m in modes]),
        km=np.stack([mats[m].km for m in modes]),
        best_hours=hours.min(axis=0),
        level_rank=np.array([LEVELS.index(s.level) for s in problem.sources], dtype=np.int64),
        allowed=allowed,
        is_agreement=np.array([s.kind == "agreement" for s in problem.sources], dtype=bool),
        agr_item=np.array([item_ix.get(s.agreement_item, -1) for s in problem.sources], dtype=np.int64),
        avail=avail,
        locked=locked,
        unit_kg=np.array([it.unit_weight_kg for it in problem.items], dtype=float),
        u_point=np.empty(0, np.int64),
        u_item=np.empty(0, np.int64),
        u_period=np.empty(0, np.int64),
        u_due=np.empty(0),
        u_qty=np.empty(0, np.int64),
        u_w=np.empty(0, np.int64),
        lateness=problem.max_lateness_hours,
    )
    _fill_units(inst, item_ix)
    return inst


def _stock_arrays(problem, item_ix, allowed):
    n_s, n_i = len(problem.sources), len(problem.items)
    avail = np.zeros((n_s, n_i), dtype=np.int64)
    locked = np.zeros((n_s, n_i), dtype=np.int64)
    for s, src in enumerate(problem.sources):
        if src.kind != "depot":
            continue
        release = problem.releases_protected(src)
        for item, qty in src.stock.items():
            keep = 0 if release else min(qty, src.protected.get(item, 0))
            usable = qty - keep if allowed[s] else 0
            avail[s, item_ix[item]] = usable
            locked[s, item_ix[item]] = qty - usable
    return avail, locked


def _fill_units(inst: Instance, item_ix: dict[str, int]) -> None:
    point_ix = {p.id: k for k, p in enumerate(inst.problem.points)}
    rows = []
    for d in inst.problem.demands:
        p = point_ix[d.point]
        for period, (due, qty) in enumerate(d.periods()):
            if qty > 0:
                rows.append((item_ix[d.item], p, period, due, qty, inst.problem.points[p].priority))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    arr = np.array(rows, dtype=float).reshape(-1, 6)
    inst.u_item, inst.u_point, inst.u_period = (arr[:, k].astype(np.int64) for k in range(3))
    inst.u_due, inst.u_qty, inst.u_w = arr[:, 3], arr[:, 4].astype(np.int64), arr[:, 5].astype(np.int64)


def item_ranges(inst: Instance) -> list[tuple[int, np.ndarray]]:
    """(item, its demand units) for every item with demand; units of an item are contiguous."""
    if len(inst.u_item) == 0:
        return []
    items, starts = np.unique(inst.u_item, return_index=True)
    ends = np.append(starts[1:], len(inst.u_item))
    return [(int(i), np.arange(a, b)) for i, a, b in zip(items, starts, ends, strict=True)]
