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
bisection on the ratio with per-item feasibility checks (exact over integer fractions); (4) time and (5) cost
are solved on the restricted network in turn.

The LPs are solved with GLOP (its vertex solutions are integral here, and it is far faster than the
cost-scaling min-cost flow on these networks); the result is checked and the exact min-cost-flow code with
Bellman-Ford potentials is the fallback. Sources are pruned per point (k fastest per level, all central depots
and agreements); with ``pricing`` on, pruned arcs are priced back in with the potentials (column generation),
so pruning never changes the optimum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver.python import model_builder_helper as mbh

from optimizer.problem import (
    LEVELS,
    AllocationLine,
    AllocationProblem,
    AllocationResult,
    Unmet,
    evaluate,
)
from optimizer.travel import GreatCircleTravel, TravelProvider

EPS = 1e-9
DUAL = "use_dual_simplex: true"  # faster for the time and cost levels, slower for level (1)-(2)
BIG = 2**40  # "unbounded" arc capacity, far above any total supply


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
    rule = problem.rule()
    allowed = np.array([s.level in rule.source_levels for s in problem.sources], dtype=bool)
    avail, locked = _stock_arrays(problem, item_ix, allowed, rule.release_protected)
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


def _stock_arrays(problem, item_ix, allowed, release):
    n_s, n_i = len(problem.sources), len(problem.items)
    avail = np.zeros((n_s, n_i), dtype=np.int64)
    locked = np.zeros((n_s, n_i), dtype=np.int64)
    for s, src in enumerate(problem.sources):
        if src.kind != "depot":
            continue
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


# ---------------------------------------------------------------- arcs


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
    """(source, point) pairs kept for ``item``: per point the k fastest sources of each level, all central
    depots and all agreements; every eligible source when ``k`` is None."""
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
    s = np.concatenate(out_s)
    p = np.concatenate(out_p)
    # Expand the "every point" markers (-1) of central depots and agreements.
    every = p == -1
    s = np.concatenate([s[~every], np.repeat(s[every], len(points))])
    p = np.concatenate([p[~every], np.tile(points, int(every.sum()))])
    return _unique_pairs(s, p, len(inst.problem.points))


def _unique_pairs(s: np.ndarray, p: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    key = np.unique(s.astype(np.int64) * n_points + p)
    return key // n_points, key % n_points


def build_arcs(inst: Instance, units: np.ndarray, pair_s: np.ndarray, pair_p: np.ndarray) -> Arcs:
    """Delivery arcs from candidate (source, point) pairs to the given demand units of one item."""
    u_s, u_u = _join_pairs_units(inst, units, pair_s, pair_p)
    parts = []
    for m in range(len(inst.modes)):
        t = inst.hours[m, u_s, inst.u_point[u_u]]
        due = inst.u_due[u_u]
        ok = np.isfinite(t) & (t <= due + inst.lateness + EPS)
        s, u, t, due = u_s[ok], u_u[ok], t[ok], due[ok]
        agr = inst.is_agreement[s]
        parts.append(_depot_arcs(inst, s[~agr], u[~agr], m, t[~agr], due[~agr]))
        parts.extend(_agreement_arcs(inst, s[agr], u[agr], m, t[agr], due[agr]))
    arcs = Arcs(*(np.concatenate([getattr(a, f) for a in parts]) for f in Arcs.__dataclass_fields__))
    return _take(arcs, np.flatnonzero(~_dominated(inst, arcs)))


def _take(arcs: Arcs, keep: np.ndarray) -> Arcs:
    return Arcs(*(getattr(arcs, f)[keep] for f in Arcs.__dataclass_fields__))


def _dominated(inst: Instance, arcs: Arcs) -> np.ndarray:
    """Depot arcs for which another mode between the same depot and demand is no later, no slower and no dearer.

    Moving flow to the dominating arc never worsens any level, so dropping these keeps the optimum exact.
    """
    out = np.zeros(len(arcs.src), dtype=bool)
    depot = np.flatnonzero(~inst.is_agreement[arcs.src])
    if len(depot) == 0:
        return out
    _, group = np.unique(arcs.src[depot] * len(inst.u_qty) + arcs.unit[depot], return_inverse=True)
    n_modes = len(inst.modes)
    slot = np.full((group.max() + 1, n_modes), -1, dtype=np.int64)
    slot[group, arcs.mode[depot]] = depot
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


# ---------------------------------------------------------------- network


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


# ---------------------------------------------------------------- flow primitives


def solve_flow(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray) -> np.ndarray | None:
    """Min-cost flow with lower bounds; None when infeasible. Fixed arcs (lb == ub) are pre-flowed."""
    if np.any(lb > ub):
        return None
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, lb)
    np.add.at(supply, net.head, lb)
    free = np.flatnonzero(ub > lb)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(net.tail[free], net.head[free], (ub - lb)[free], cost[free])
    smcf.set_nodes_supplies(np.arange(net.n), supply)
    if smcf.solve() != smcf.OPTIMAL:
        return None
    flow = lb.copy()
    flow[free] += smcf.flows(np.arange(len(free)))
    return flow


def restrict(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, flow: np.ndarray):
    """Bounds under which every feasible flow is optimal for ``cost`` (complementary slackness).

    Node potentials are shortest-path distances in the residual network of the optimal ``flow``
    (no negative cycles there); arcs with positive reduced cost are pinned at their lower bound,
    arcs with negative reduced cost at their upper bound.
    """
    fwd, bwd = flow < ub, flow > lb
    rt = np.concatenate([net.tail[fwd], net.head[bwd]])
    rh = np.concatenate([net.head[fwd], net.tail[bwd]])
    rc = np.concatenate([cost[fwd], -cost[bwd]])
    order = np.argsort(rh, kind="stable")
    rt, rh, rc = rt[order], rh[order], rc[order]
    heads, starts = np.unique(rh, return_index=True)
    dist = np.zeros(net.n, dtype=np.int64)
    for _ in range(net.n + 1):
        best = np.minimum.reduceat(dist[rt] + rc, starts) if len(rt) else np.zeros(0, np.int64)
        improved = best < dist[heads]
        if not improved.any():
            break
        dist[heads[improved]] = best[improved]
    red = cost + dist[net.tail] - dist[net.head]
    return np.where(red < 0, ub, lb), np.where(red > 0, lb, ub), -dist.astype(float)


def optimize(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, params: str = ""):
    """Optimal integral flow for ``cost`` within bounds, and the bounds that keep it optimal from now on.

    GLOP's dual simplex is much faster than the cost-scaling min-cost flow on these transportation networks;
    its vertex solutions are integral (the constraint matrix is totally unimodular) and its reduced costs are
    the complementary-slackness certificate. The solution is checked; the exact flow code is the fallback.
    """
    res = _glop(net, lb, ub, cost, params)
    if res is not None:
        flow, rc, y, active = res
        lb2, ub2 = np.where(rc < -0.5, ub, lb), np.where(rc > 0.5, lb, ub)
        if _is_flow(net, lb2, ub2, flow):
            return Optimum(flow, lb2, ub2, y, active)
    flow = solve_flow(net, lb, ub, cost)
    return Optimum(flow, *restrict(net, lb, ub, cost, flow), np.ones(net.n, dtype=bool))


@dataclass
class Optimum:
    """An optimal flow, the bounds fixing its optimality, and node potentials proving it.

    Reduced cost of an arc t -> h with cost c: c - y[t] + y[h]. ``active`` marks nodes with a free arc; the
    others are pinned by fixed arcs, so no new arc at them could carry flow."""

    flow: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    y: np.ndarray
    active: np.ndarray


def _glop(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, params: str):
    # Fixed arcs (lb == ub) are pre-flowed and left out, which shrinks later levels' LPs a lot.
    free = np.flatnonzero(ub > lb)
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, lb)
    np.add.at(supply, net.head, lb)
    model = mbh.ModelBuilderHelper()
    upper = np.where(ub[free] >= BIG, np.inf, (ub - lb)[free].astype(float))
    model.add_var_array_with_bounds(np.zeros(len(free)), upper, np.zeros(len(free), dtype=bool), "")
    model.set_objective_coefficients(list(range(len(free))), cost[free].astype(float).tolist())
    for b in supply.tolist():
        ct = model.add_linear_constraint()
        model.set_constraint_lower_bound(ct, b)
        model.set_constraint_upper_bound(ct, b)
    add = model.add_term_to_constraint
    for j, (t, h) in enumerate(zip(net.tail[free].tolist(), net.head[free].tolist(), strict=True)):
        add(t, j, 1.0)
        add(h, j, -1.0)
    solver = mbh.ModelSolverHelper("glop")
    if params:
        solver.set_solver_specific_parameters(params)
    solver.solve(model)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    x = solver.variable_values()
    if np.abs(x - np.round(x)).max(initial=0.0) > 1e-6:
        return None
    flow, rc = lb.copy(), np.zeros(len(lb))
    flow[free] += np.round(x).astype(np.int64)
    rc[free] = solver.reduced_costs()
    active = np.zeros(net.n, dtype=bool)
    active[net.tail[free]] = active[net.head[free]] = True
    return flow, rc, solver.dual_values(), active


def _is_flow(net: Net, lb: np.ndarray, ub: np.ndarray, flow: np.ndarray) -> bool:
    balance = net.supply.copy()
    np.subtract.at(balance, net.tail, flow)
    np.add.at(balance, net.head, flow)
    return bool(np.all(balance == 0) and np.all(flow >= lb) and np.all(flow <= ub))


def caps_at(net: Net, ub: np.ndarray, ratio: float) -> np.ndarray:
    """Upper bounds with every point's shortfall capped at ``ratio`` of its demand."""
    out = ub.copy()
    cap = np.floor(ratio * net.point_demand + EPS).astype(np.int64)
    out[net.cap_arcs] = np.minimum(out[net.cap_arcs], cap)
    return out


def max_ratio(net: Net, flow: np.ndarray) -> tuple[int, int]:
    """Worst shortfall of a flow as an exact fraction (unmet, demand)."""
    short = flow[net.cap_arcs]
    k = int(np.argmax(short / net.point_demand))
    return int(short[k]), int(net.point_demand[k])


# ---------------------------------------------------------------- levels

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
    pricing: bool = True  # price pruned arcs back in (exact); False: optimal over the candidate arcs only


def start_item(inst: Instance, item: int, units: np.ndarray, k: int | None, extra=None) -> ItemSolve:
    """The item's network on the candidate arcs (all arcs when ``k`` is None)."""
    points = np.unique(inst.u_point[units])
    ps, pp = candidate_pairs(inst, item, points, k)
    if extra is not None and len(extra[0]):
        ps, pp = _unique_pairs(np.concatenate([ps, extra[0]]), np.concatenate([pp, extra[1]]), len(inst.problem.points))
    arcs = build_arcs(inst, units, ps, pp)
    elig = eligible_sources(inst, item)
    net = build_net(inst, units, arcs, elig[~inst.is_agreement[elig]])
    return ItemSolve(inst, item, units, k, arcs, net, net.lb, net.ub, np.sort(_arc_keys(inst, arcs)))


def _arc_keys(inst: Instance, arcs: Arcs) -> np.ndarray:
    n_m = len(inst.modes)
    return ((arcs.src * len(inst.u_qty) + arcs.unit) * n_m + arcs.mode) * 2 + arcs.late


def solve_level(sv: ItemSolve, stage: str, params: str = "") -> None:
    """Solve one level exactly over all arcs and fix it. Pruned arcs are priced with the LP's potentials
    (column generation): any arc with negative reduced cost that the earlier levels allow is added and
    the level solved again, so pruning never changes the optimum."""
    while True:
        opt = optimize(sv.net, sv.lb, sv.ub, getattr(sv.net, STAGE_COST[stage]), params)
        new = _priced_arcs(sv, stage, opt, improving=True) if sv.k is not None and sv.pricing else None
        if new is None:
            break
        _add_arcs(sv, new, opt.flow)
    sv.flow, sv.lb, sv.ub = opt.flow, opt.lb, opt.ub
    sv.certs.append((stage, opt))


def admit_all_optimal_arcs(sv: ItemSolve) -> None:
    """Add every pruned arc that an optimal solution of the levels fixed so far could use (zero reduced cost),
    so that the fairness level is decided over the whole network."""
    if sv.k is None or not sv.pricing or not sv.certs:
        return
    stage, opt = sv.certs[-1]
    new = _priced_arcs(sv, stage, opt, improving=False)
    if new is not None:
        _add_arcs(sv, new, sv.flow)


def _priced_arcs(sv: ItemSolve, stage: str, opt: Optimum, improving: bool) -> Arcs | None:
    inst, net = sv.inst, sv.net
    dep, pts = net.dep_ids, np.unique(inst.u_point[sv.units])
    if len(dep) == 0:
        return None
    ys = np.where(opt.active[net.o_dep : net.o_dep + len(dep)], opt.y[net.o_dep : net.o_dep + len(dep)], -np.inf)
    yu = np.where(opt.active[net.o_u :], opt.y[net.o_u :], np.inf)
    agg = np.searchsorted(pts, inst.u_point[sv.units])
    ymin = np.full(len(pts), np.inf)
    np.minimum.at(ymin, agg, yu)
    window = np.zeros(len(pts))
    np.maximum.at(window, agg, inst.u_due[sv.units] + inst.lateness)
    hours = inst.best_hours[np.ix_(dep, pts)]
    slack = ys[:, None] - _cost_lower_bound(inst, sv.item, dep, pts, stage, hours) - ymin[None, :]
    with np.errstate(invalid="ignore"):
        cand = (hours <= window[None, :] + EPS) & (slack > (0.5 if improving else -0.5))
    s_i, p_i = np.nonzero(cand)
    if len(s_i) == 0:
        return None
    arcs = build_arcs(inst, sv.units, dep[s_i], pts[p_i])
    arcs = _take(arcs, np.flatnonzero(~np.isin(_arc_keys(inst, arcs), sv.keys)))
    keep = _admissible(sv, arcs)
    rc = _reduced_cost(sv, arcs, stage, opt)
    if not improving:
        keep &= np.abs(rc) <= 0.5
        return _take(arcs, np.flatnonzero(keep)) if keep.any() else None
    keep &= rc < -0.5
    if not keep.any():
        return None
    return _take(arcs, _best_per_unit(arcs, rc, np.flatnonzero(keep), sv.k))


def _best_per_unit(arcs: Arcs, rc: np.ndarray, idx: np.ndarray, per_unit: int) -> np.ndarray:
    # Partial pricing: only the most improving arcs of each demand unit enter, so the LP stays small.
    order = idx[np.lexsort((arcs.time_int[idx], rc[idx], arcs.unit[idx]))]
    units = arcs.unit[order]
    rank = np.arange(len(order)) - np.searchsorted(units, units, side="left")
    return order[rank < per_unit]


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


def _add_arcs(sv: ItemSolve, new: Arcs, flow: np.ndarray | None) -> None:
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
    sv.keys = np.sort(np.concatenate([sv.keys, _arc_keys(sv.inst, new)]))
    sv.priced += n_new


def fairness_level(solves: list[ItemSolve]) -> tuple[int, int]:
    """Level (3): the least worst shortfall ratio over all points and items, as an exact fraction.

    Items are independent once levels (1) and (2) are fixed, so the optimum is the largest per-item
    optimum; an item only needs a bisection when it cannot meet the best ratio found so far.
    """
    best = (0, 1)
    order = sorted(solves, key=lambda sv: -_as_float(max_ratio(sv.net, sv.flow)))
    for sv in order:
        hi = max_ratio(sv.net, sv.flow)
        if hi[0] * best[1] <= best[0] * hi[1]:
            continue
        admit_all_optimal_arcs(sv)
        lo = _as_float(best)
        if _feasible_at(sv, lo) is not None:
            continue
        best = _bisect_ratio(sv, lo, hi)
    return best


def _as_float(frac: tuple[int, int]) -> float:
    return frac[0] / frac[1]


def _feasible_at(sv: ItemSolve, ratio: float) -> np.ndarray | None:
    return solve_flow(sv.net, sv.lb, caps_at(sv.net, sv.ub, ratio), np.zeros_like(sv.net.c_lex))


def _bisect_ratio(sv: ItemSolve, lo: float, hi: tuple[int, int]) -> tuple[int, int]:
    # lo is infeasible, hi feasible. Shortfalls are integers, so stop once no point's cap can change
    # between lo and hi: then every ratio below hi is as infeasible as lo.
    demand = sv.net.point_demand
    while True:
        below = (hi[0] * demand - 1) // hi[1]
        if np.all(below <= np.floor(lo * demand + EPS)):
            return hi
        mid = (lo + _as_float(hi)) / 2
        flow = _feasible_at(sv, mid)
        if flow is None:
            lo = mid
        else:
            hi = max_ratio(sv.net, flow)


def solve_time_and_cost(sv: ItemSolve, ratio: float) -> None:
    """Levels (4) and (5) for one item under the fixed levels (1)-(3)."""
    sv.ub = caps_at(sv.net, sv.ub, ratio)
    solve_level(sv, "time", DUAL)
    solve_level(sv, "cost", DUAL)


# ---------------------------------------------------------------- results


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


def _item_lines(inst: Instance, sv: ItemSolve) -> list[AllocationLine]:
    a, f = sv.arcs, sv.flow[: len(sv.arcs.src)]
    return [
        make_line(inst, a.src[j], a.unit[j], a.mode[j], f[j], a.late[j], a.time_int[j], a.cost_int[j], a.km[j])
        for j in np.flatnonzero(f > 0)
    ]


def explain_unmet(inst: Instance, item: int, units: np.ndarray, qty: np.ndarray, used: np.ndarray) -> list[Unmet]:
    """Unmet quantities with the most actionable reason: stock held back by the response level first, then a
    too slow agreement, then stock that only arrives after the lateness window, else no stock left in reach."""
    locked = (inst.locked[:, item] > 0) | (inst.is_agreement & (inst.agr_item == item) & ~inst.allowed)
    agreement = inst.is_agreement & (inst.agr_item == item) & inst.allowed
    left = (inst.avail[:, item] - used) > 0
    out = []
    for u, q in zip(units.tolist(), qty.tolist(), strict=True):
        p = inst.u_point[u]
        hours = inst.best_hours[:, p]
        if (locked & (hours <= inst.u_due[u] + inst.lateness + EPS)).any():
            reason = "not_allowed_at_level"
        elif (agreement & np.isfinite(hours)).any():
            reason = "agreement_too_slow"
        elif (left & np.isfinite(hours)).any():
            reason = "too_late"
        else:
            reason = "no_stock_in_reach"
        pt, it = inst.problem.points[p].id, inst.problem.items[item].id
        out.append(Unmet(point=pt, item=it, quantity=int(q), reason=reason, period=int(inst.u_period[u])))
    return out


def _item_unmet(inst: Instance, sv: ItemSolve) -> list[Unmet]:
    short = sv.flow[sv.net.short_arcs]
    bad = np.flatnonzero(short > 0)
    n_d = len(sv.arcs.src)
    used = np.bincount(sv.arcs.src, weights=sv.flow[:n_d], minlength=len(inst.problem.sources)).astype(np.int64)
    return explain_unmet(inst, sv.item, sv.net.units[bad], short[bad], used)


def item_ranges(inst: Instance) -> list[tuple[int, np.ndarray]]:
    """(item, its demand units) for every item with demand; units of an item are contiguous."""
    if len(inst.u_item) == 0:
        return []
    items, starts = np.unique(inst.u_item, return_index=True)
    ends = np.append(starts[1:], len(inst.u_item))
    return [(int(i), np.arange(a, b)) for i, a, b in zip(items, starts, ends, strict=True)]


def allocate(
    problem: AllocationProblem,
    travel: TravelProvider | None = None,
    *,
    candidates_per_level: int | None = 5,
    pricing: bool = True,
    seed_with_greedy: bool | None = None,
) -> AllocationResult:
    """Lexicographically optimal allocation plan for ``problem`` (see the module docstring for the model).

    ``candidates_per_level`` prunes each point's sources to the k fastest of each level, plus all central
    depots and agreements (None: every source). With ``pricing`` (default) pruned arcs are priced back in
    with the LP potentials, so the plan is optimal over the whole network; without it the plan is optimal
    over the candidate arcs only, which is much faster on national-scale scarce instances. ``seed_with_greedy``
    (default: when not pricing) adds the greedy baseline's arcs to the candidates, so the plan is never
    lexicographically worse than greedy.
    """
    started = time.perf_counter()
    inst = prepare(problem, travel)
    seed = (not pricing) if seed_with_greedy is None else seed_with_greedy
    extra = _greedy_pairs(inst) if (seed and candidates_per_level is not None) else {}
    solves = [start_item(inst, i, units, candidates_per_level, extra.get(i)) for i, units in item_ranges(inst)]
    for sv in solves:
        sv.pricing = pricing
        solve_level(sv, "lex")
    ratio = fairness_level(solves)
    for sv in solves:
        solve_time_and_cost(sv, _as_float(ratio))
    lines = [ln for sv in solves for ln in _item_lines(inst, sv)]
    unmet = [um for sv in solves for um in _item_unmet(inst, sv)]
    objectives, kpis = evaluate(problem, lines, unmet)
    stats = {
        "arcs": float(sum(len(sv.arcs.src) for sv in solves)),
        "priced_arcs": float(sum(sv.priced for sv in solves)),
        "pricing": float(pricing),
        "worst_shortfall_num": float(ratio[0]),
        "worst_shortfall_den": float(ratio[1]),
    }
    return AllocationResult(lines, unmet, kpis, objectives, time.perf_counter() - started, stats)


def _greedy_pairs(inst: Instance) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    from optimizer.baseline import greedy_plan  # baseline builds on this module's helpers

    plan = greedy_plan(inst)
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if len(plan.src) == 0:
        return out
    items = inst.u_item[plan.unit]
    for i in np.unique(items):
        sel = items == i
        out[int(i)] = (plan.src[sel], inst.u_point[plan.unit[sel]])
    return out
