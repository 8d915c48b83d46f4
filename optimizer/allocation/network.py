"""One item's min-cost-flow network: depots, agreement production buckets, points and demand units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.allocation.arcs import Arcs
from optimizer.allocation.instance import Instance

BIG = 2**40  # "unbounded" arc capacity, far above any total supply


@dataclass
class Net:
    """One item's flow network. Delivery arcs come first, aligned with ``Arcs``."""

    n: int
    tail: np.ndarray
    head: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    supply: np.ndarray
    c_lex: np.ndarray  # W1 x priority on unmet arcs + priority on late arcs: levels (1) and (2) together
    c_time: np.ndarray
    c_cost: np.ndarray
    short_arcs: np.ndarray  # agg -> unit, one per unit (unmet quantity)
    cap_arcs: np.ndarray  # dummy -> agg, one per point (its total shortfall)
    point_demand: np.ndarray  # demanded units per agg node
    units: np.ndarray
    dep_ids: np.ndarray  # source index of each depot node (every eligible depot, with or without arcs)
    o_dep: int  # first depot node
    o_u: int  # first demand-unit node


def build_net(inst: Instance, units: np.ndarray, arcs: Arcs, dep_ids: np.ndarray) -> Net:
    """Nodes: 0 dummy (unmet), 1 slack, depots, agreement buckets, point aggregators, demand units.

    Every eligible depot is a node even without arcs yet, so node numbers stay put when arcs are priced in.
    """
    item = int(inst.u_item[units[0]])
    is_agr = inst.is_agreement[arcs.src]
    dep_of = np.searchsorted(dep_ids, arcs.src[~is_agr])
    b_src, b_supply, b_of, chain = _buckets(inst, arcs.src[is_agr], arcs.tau[is_agr])
    pts, agg_of = np.unique(inst.u_point[units], return_inverse=True)
    n_dep, n_b, n_agg, n_u = len(dep_ids), len(b_src), len(pts), len(units)
    o_dep, o_b = 2, 2 + n_dep
    o_agg = o_b + n_b
    o_u = o_agg + n_agg
    qty, w = inst.u_qty[units], inst.u_w[units]
    local = arcs.unit - units[0]
    src_node = np.empty(len(arcs.src), dtype=np.int64)
    src_node[~is_agr] = o_dep + dep_of
    src_node[is_agr] = o_b + b_of
    last_b = np.flatnonzero(np.append(b_src[1:] != b_src[:-1], True)) if n_b else np.zeros(0, np.int64)
    w1 = int((w * qty).sum()) + 1  # exceeds any possible level-2 total, so level 1 dominates exactly
    d_total = np.bincount(agg_of, weights=qty, minlength=n_agg).astype(np.int64)
    groups = [
        # (tail, head, ub, c_lex, c_time, c_cost)
        (src_node, o_u + local, qty[local], arcs.late * w[local], arcs.time_int, arcs.cost_int),
        (o_b + chain, o_b + chain + 1, BIG, 0, 0, 0),
        (o_b + last_b, 1, BIG, 0, 0, 0),
        (o_dep + np.arange(n_dep), 1, BIG, 0, 0, 0),
        (np.zeros(n_agg, np.int64), o_agg + np.arange(n_agg), d_total, 0, 0, 0),
        (o_agg + agg_of, o_u + np.arange(n_u), qty, w1 * w, 0, 0),
        (np.zeros(1, np.int64), 1, int(qty.sum()), 0, 0, 0),
    ]
    cols = _stack_groups(groups)
    n = o_u + n_u
    supply = np.zeros(n, dtype=np.int64)
    supply[o_dep:o_b] = inst.avail[dep_ids, item]
    supply[o_b:o_agg] = b_supply
    supply[o_u:] = -qty
    supply[0] = qty.sum()
    supply[1] = -(supply[o_dep:o_agg].sum())
    starts = np.cumsum([0] + [len(g[0]) for g in groups])
    return Net(
        n=n,
        tail=cols[0],
        head=cols[1],
        lb=np.zeros_like(cols[2]),
        ub=cols[2],
        supply=supply,
        c_lex=cols[3],
        c_time=cols[4],
        c_cost=cols[5],
        short_arcs=np.arange(starts[5], starts[6]),
        cap_arcs=np.arange(starts[4], starts[5]),
        point_demand=d_total,
        units=units,
        dep_ids=dep_ids,
        o_dep=o_dep,
        o_u=o_u,
    )


def _stack_groups(groups) -> list[np.ndarray]:
    cols = []
    for k in range(6):
        parts = []
        for g in groups:
            size = len(g[0])
            parts.append(np.broadcast_to(np.asarray(g[k], dtype=np.int64), (size,)))
        cols.append(np.concatenate(parts).astype(np.int64))
    return cols


def _buckets(inst: Instance, a_src: np.ndarray, a_tau: np.ndarray):
    """Production buckets per agreement at the distinct latest ship times of its arcs, in time order.

    Returns the bucket's agreement, its supply (output made since the previous bucket), each arc's bucket,
    and the buckets that chain to the next one of the same agreement.
    """
    if len(a_src) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z, z
    order = np.lexsort((a_tau, a_src))
    s, t = a_src[order], a_tau[order]
    new = np.ones(len(s), dtype=bool)
    new[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    b_of = np.empty(len(s), dtype=np.int64)
    b_of[order] = np.cumsum(new) - 1
    b_src, b_tau = s[new], t[new]
    made = inst.produced(b_src, b_tau)
    same = np.zeros(len(b_src), dtype=bool)
    same[1:] = b_src[1:] == b_src[:-1]
    prev = np.where(same, np.concatenate([[0], made[:-1]]), 0)
    chain = np.flatnonzero(same[1:]) if len(b_src) > 1 else np.zeros(0, np.int64)
    return b_src, made - prev, b_of, chain
