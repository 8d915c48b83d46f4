"""Candidate delivery arcs of one item: pruning to the useful sources, modes, lateness and agreement timing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.allocation.instance import EPS, Instance
from optimizer.problem import LEVELS

NEAREST_POINTS = 3  # points kept per depot besides each point's fastest sources (see _nearest_points)


@dataclass
class Arcs:
    """Candidate delivery arcs of one item (parallel arrays)."""

    src: np.ndarray
    unit: np.ndarray
    mode: np.ndarray
    late: np.ndarray  # bool
    tau: np.ndarray  # agreement: latest ship time; depot: nan
    time_int: np.ndarray  # ETA in hundredths of an hour (objective level 4)
    cost_int: np.ndarray  # cost per unit in hundredths (objective level 5)
    km: np.ndarray


def eligible_sources(inst: Instance, item: int) -> np.ndarray:
    """Sources that may supply ``item`` at all at this response level."""
    agr = inst.is_agreement & (inst.agr_item == item) & inst.allowed
    return np.flatnonzero(agr | (inst.avail[:, item] > 0))


def candidate_pairs(inst: Instance, item: int, points: np.ndarray, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(source, point) pairs kept for ``item``: per point the k fastest sources of each level, per depot its
    nearest points, all central depots and all agreements; every eligible source when ``k`` is None."""
    elig = eligible_sources(inst, item)
    if k is None:
        s = np.repeat(elig, len(points))
        return s, np.tile(points, len(elig))
    keep_all = inst.is_agreement[elig] | (inst.level_rank[elig] == LEVELS.index("central"))
    out_s, out_p = [elig[keep_all]], [np.full(int(keep_all.sum()), -1)]
    for lvl in range(len(LEVELS)):
        group = elig[(inst.level_rank[elig] == lvl) & ~keep_all]
        if len(group) == 0:
            continue
        t = inst.best_hours[np.ix_(group, points)]  # (g, P)
        kk = min(k, len(group))
        near = np.argpartition(t, kk - 1, axis=0)[:kk] if kk < len(group) else np.arange(len(group))[:, None]
        near = np.broadcast_to(near, (kk, len(points)))
        out_s.append(group[near].ravel())
        out_p.append(np.broadcast_to(points, (kk, len(points))).ravel())
    near_s, near_p = _nearest_points(inst, elig[~keep_all], points)
    s = np.concatenate([*out_s, near_s])
    p = np.concatenate([*out_p, near_p])
    # Expand the "every point" markers (-1) of central depots and agreements.
    every = p == -1
    s = np.concatenate([s[~every], np.repeat(s[every], len(points))])
    p = np.concatenate([p[~every], np.tile(points, int(every.sum()))])
    return unique_pairs(s, p, len(inst.problem.points))


def _nearest_points(inst: Instance, depots: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each depot paired with its NEAREST_POINTS fastest points.

    Where stock is scarce every depot ships, and mostly to the points nearest to it, which need not count it
    among their own fastest sources: on one national-peak item 70 % of the time level's flowing depot arcs go
    to one of their depot's three nearest points, and starting from these pairs saves a third of its pricing.
    """
    count = min(NEAREST_POINTS, len(points))
    if len(depots) == 0 or count == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    t = inst.best_hours[np.ix_(depots, points)]
    near = np.argpartition(t, count - 1, axis=1)[:, :count] if count < len(points) else np.argsort(t, axis=1)
    return np.repeat(depots, count), points[near].ravel()


def unique_pairs(s: np.ndarray, p: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    key = np.unique(s.astype(np.int64) * n_points + p)
    return key // n_points, key % n_points


def build_arcs(inst: Instance, units: np.ndarray, pair_s: np.ndarray, pair_p: np.ndarray) -> Arcs:
    """Delivery arcs from distinct candidate (source, point) pairs to the given demand units of one item."""
    u_s, u_u = _join_pairs_units(inst, units, pair_s, pair_p)
    parts, origin = [], []  # origin: the (source, unit) row of each depot arc, -1 for agreement arcs
    for m in range(len(inst.modes)):
        t = inst.hours[m, u_s, inst.u_point[u_u]]
        due = inst.u_due[u_u]
        row = np.flatnonzero(np.isfinite(t) & (t <= due + inst.lateness + EPS))
        s, u, t, due = u_s[row], u_u[row], t[row], due[row]
        agr = inst.is_agreement[s]
        parts.append(_depot_arcs(inst, s[~agr], u[~agr], m, t[~agr], due[~agr]))
        origin.append(row[~agr])
        for part in _agreement_arcs(inst, s[agr], u[agr], m, t[agr], due[agr]):
            parts.append(part)
            origin.append(np.full(len(part.src), -1))
    arcs = Arcs(*(np.concatenate([getattr(a, f) for a in parts]) for f in Arcs.__dataclass_fields__))
    dominated = _dominated(arcs, np.concatenate(origin), len(u_s), len(inst.modes))
    return take_arcs(arcs, np.flatnonzero(~dominated))


def take_arcs(arcs: Arcs, keep: np.ndarray) -> Arcs:
    return Arcs(*(getattr(arcs, f)[keep] for f in Arcs.__dataclass_fields__))


def _dominated(arcs: Arcs, origin: np.ndarray, rows: int, n_modes: int) -> np.ndarray:
    """Depot arcs for which another mode between the same depot and demand is no later, no slower and no dearer.

    Moving flow to the dominating arc never worsens any level, so dropping these keeps the optimum exact.
    """
    out = np.zeros(len(arcs.src), dtype=bool)
    depot = np.flatnonzero(origin >= 0)
    if len(depot) == 0:
        return out
    slot = np.full((rows, n_modes), -1, dtype=np.int64)
    slot[origin[depot], arcs.mode[depot]] = depot
    for a in range(n_modes):
        for b in range(n_modes):
            if a == b:
                continue
            both = (slot[:, a] >= 0) & (slot[:, b] >= 0)
            i, j = slot[both, a], slot[both, b]
            no_worse = (arcs.late[i] <= arcs.late[j]) & (arcs.time_int[i] <= arcs.time_int[j])
            no_worse &= arcs.cost_int[i] <= arcs.cost_int[j]
            better = (arcs.late[i] < arcs.late[j]) | (arcs.time_int[i] < arcs.time_int[j])
            better |= (arcs.cost_int[i] < arcs.cost_int[j]) | (a < b)  # exact ties: keep the first mode
            out[j[no_worse & better]] = True
    return out


def _join_pairs_units(inst, units, pair_s, pair_p):
    # Units are sorted by point; each pair fans out to every period of its point.
    pts = inst.u_point[units]
    order = np.argsort(pts, kind="stable")
    units, pts = units[order], pts[order]
    first = np.searchsorted(pts, pair_p, side="left")
    count = np.searchsorted(pts, pair_p, side="right") - first
    rep_s = np.repeat(pair_s, count)
    offs = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return rep_s, units[np.repeat(first, count) + offs]


def _depot_arcs(inst, s, u, m, t, due) -> Arcs:
    return _make_arcs(inst, s, u, m, t > due + EPS, np.full(len(s), np.nan), t)


def _agreement_arcs(inst, s, u, m, t, due) -> list[Arcs]:
    # An agreement arc is on time if production by (due - travel) covers it, late if production by
    # (due + lateness - travel) does; its guaranteed ETA is then the due time or the end of the window.
    out = []
    for late, window in ((False, 0.0), (True, inst.lateness)):
        tau = due + window - t
        ok = (inst.produced(s, tau) > 0) if len(s) else np.zeros(0, bool)
        if not late:
            ok &= t <= due + EPS
        out.append(_make_arcs(inst, s[ok], u[ok], m, np.full(int(ok.sum()), late), tau[ok], (due + window)[ok]))
    return out


def _make_arcs(inst, s, u, m, late, tau, eta) -> Arcs:
    item_kg = inst.unit_kg[inst.u_item[u]]
    p = inst.u_point[u]
    return Arcs(
        src=s,
        unit=u,
        mode=np.full(len(s), m, dtype=np.int64),
        late=late.astype(bool),
        tau=tau,
        time_int=np.round(eta * 100).astype(np.int64),
        cost_int=np.round(inst.cost_t[m, s, p] * item_kg / 10.0).astype(np.int64),
        km=inst.km[m, s, p],
    )


def arc_keys(inst: Instance, arcs: Arcs) -> np.ndarray:
    n_m = len(inst.modes)
    return ((arcs.src * len(inst.u_qty) + arcs.unit) * n_m + arcs.mode) * 2 + arcs.late
