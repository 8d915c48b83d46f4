"""Column generation: pricing pruned arcs back in with the node potentials of an optimal level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from optimizer.allocation.arcs import Arcs, arc_keys, build_arcs, take_arcs
from optimizer.allocation.flow import Optimum
from optimizer.allocation.instance import EPS, Instance
from optimizer.allocation.network import build_net

if TYPE_CHECKING:
    from optimizer.allocation.levels import ItemSolve


def priced_arcs(sv: ItemSolve, stage: str, opt: Optimum, improving: bool) -> Arcs | None:
    inst, net = sv.inst, sv.net
    dep, pts = net.dep_ids, np.unique(inst.u_point[sv.units])
    if len(dep) == 0:
        return None
    agg = np.searchsorted(pts, inst.u_point[sv.units])
    window = np.zeros(len(pts))
    np.maximum.at(window, agg, inst.u_due[sv.units] + inst.lateness)
    hours = inst.best_hours[np.ix_(dep, pts)]
    least_rc = _least_reduced_cost(sv, stage, opt, dep, pts, agg, hours)
    with np.errstate(invalid="ignore"):
        cand = (hours <= window[None, :] + EPS) & (-least_rc > (0.5 if improving else -0.5))
        # A pair none of whose arcs can have zero reduced cost at an earlier level has no admissible arc.
        for done, cert in sv.certs:
            cand &= _least_reduced_cost(sv, done, cert, dep, pts, agg, hours) <= 0.5
    s_i, p_i = np.nonzero(cand)
    if len(s_i) == 0:
        return None
    arcs = build_arcs(inst, sv.units, dep[s_i], pts[p_i])
    arcs = take_arcs(arcs, np.flatnonzero(~_in_network(sv, arc_keys(inst, arcs))))
    keep = _admissible(sv, arcs)
    rc = _reduced_cost(sv, arcs, stage, opt)
    if not improving:
        keep &= np.abs(rc) <= 0.5
        return take_arcs(arcs, np.flatnonzero(keep)) if keep.any() else None
    keep &= rc < -0.5
    if not keep.any():
        return None
    # Up to 4k improving arcs per demand unit a round: fewer rounds, and a warm-started round costs little more
    # (measured on six national-peak items: 11 % less CPU than 2k, and k or 8k are slower still).
    return take_arcs(arcs, _best_per_unit(arcs, rc, np.flatnonzero(keep), 4 * sv.k))


def _in_network(sv: ItemSolve, keys: np.ndarray) -> np.ndarray:
    if len(sv.keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sv.keys, keys), len(sv.keys) - 1)
    return sv.keys[at] == keys


def _best_per_unit(arcs: Arcs, rc: np.ndarray, idx: np.ndarray, per_unit: int) -> np.ndarray:
    # Partial pricing: only the most improving arcs of each demand unit enter, so the LP stays small.
    order = idx[np.lexsort((arcs.time_int[idx], rc[idx], arcs.unit[idx]))]
    units = arcs.unit[order]
    rank = np.arange(len(order)) - np.searchsorted(units, units, side="left")
    return order[rank < per_unit]


def _least_reduced_cost(sv: ItemSolve, stage: str, opt: Optimum, dep, pts, agg, hours) -> np.ndarray:
    """Per (depot, point), a bound below the reduced cost of every depot arc between them at ``stage``
    (+inf where a depot or every unit of the point is inactive, so no arc there could carry flow)."""
    net = sv.net
    ys = np.where(opt.active[net.o_dep : net.o_dep + len(dep)], opt.y[net.o_dep : net.o_dep + len(dep)], -np.inf)
    yu = np.where(opt.active[net.o_u :], opt.y[net.o_u :], np.inf)
    ymin = np.full(len(pts), np.inf)
    np.minimum.at(ymin, agg, yu)
    return _cost_lower_bound(sv.inst, sv.item, dep, pts, stage, hours) - ys[:, None] + ymin[None, :]


def _cost_lower_bound(inst, item, dep, pts, stage, hours) -> np.ndarray:
    # A bound below every depot arc's cost at this level, per (depot, point), to skip most pairs unpriced.
    if stage == "lex":
        return np.zeros(hours.shape)
    if stage == "time":
        return np.floor(hours * 100) - 1
    per_t = inst.cost_t[:, dep][:, :, pts].min(axis=0)
    return np.floor(per_t * inst.unit_kg[item] / 10.0) - 1


def _arc_nodes(sv: ItemSolve, arcs: Arcs) -> tuple[np.ndarray, np.ndarray]:
    net = sv.net
    return net.o_dep + np.searchsorted(net.dep_ids, arcs.src), net.o_u + arcs.unit - sv.units[0]


def _arc_costs(inst: Instance, arcs: Arcs, stage: str) -> np.ndarray:
    if stage == "lex":
        return arcs.late * inst.u_w[arcs.unit]
    return arcs.time_int if stage == "time" else arcs.cost_int


def _reduced_cost(sv: ItemSolve, arcs: Arcs, stage: str, opt: Optimum) -> np.ndarray:
    t, h = _arc_nodes(sv, arcs)
    rc = _arc_costs(sv.inst, arcs, stage) - opt.y[t] + opt.y[h]
    return np.where(opt.active[t] & opt.active[h], rc, np.inf)


def _admissible(sv: ItemSolve, arcs: Arcs) -> np.ndarray:
    # A new arc may carry flow only if every level fixed so far gives it zero reduced cost.
    ok = np.ones(len(arcs.src), dtype=bool)
    for stage, opt in sv.certs:
        ok &= np.abs(_reduced_cost(sv, arcs, stage, opt)) <= 0.5
    return ok


def add_arcs(sv: ItemSolve, new: Arcs, flow: np.ndarray | None) -> None:
    """Append delivery arcs; node numbers do not change, so the existing bounds carry over."""
    n_old, n_new = len(sv.arcs.src), len(new.src)
    sv.arcs = Arcs(*(np.concatenate([getattr(sv.arcs, f), getattr(new, f)]) for f in Arcs.__dataclass_fields__))
    net = build_net(sv.inst, sv.units, sv.arcs, sv.net.dep_ids)

    def grow(old: np.ndarray, fill: np.ndarray) -> np.ndarray:
        return np.concatenate([old[:n_old], fill, old[n_old:]])

    sv.lb = grow(sv.lb, np.zeros(n_new, dtype=np.int64))
    sv.ub = grow(sv.ub, net.ub[n_old : n_old + n_new])
    if flow is not None:
        sv.flow = grow(flow, np.zeros(n_new, dtype=np.int64))
    sv.net = net
    sv.keys = np.sort(np.concatenate([sv.keys, arc_keys(sv.inst, new)]))
    sv.priced += n_new
