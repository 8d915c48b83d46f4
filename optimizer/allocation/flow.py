"""Exact flow primitives: an optimal flow, the bounds that keep it optimal, and feasibility checks."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow
from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy import sparse

from optimizer.allocation.instance import EPS
from optimizer.allocation.network import BIG, Net


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


def feasible_flow(net: Net, lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """Some flow within bounds, or None when there is none: a max flow from the nodes with residual supply to
    those with residual demand (push-relabel, several times faster than a min-cost flow with zero costs)."""
    if np.any(lb > ub):
        return None
    supply = _residual_supply(net, lb)
    free = np.flatnonzero(ub > lb)
    give, take = np.flatnonzero(supply > 0), np.flatnonzero(supply < 0)
    source, sink = net.n, net.n + 1
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(net.tail[free], net.head[free], (ub - lb)[free])
    solver.add_arcs_with_capacity(np.full(len(give), source), give, supply[give])
    solver.add_arcs_with_capacity(take, np.full(len(take), sink), -supply[take])
    if solver.solve(source, sink) != solver.OPTIMAL or solver.optimal_flow() < supply[give].sum():
        return None
    flow = lb.copy()
    flow[free] += solver.flows(np.arange(len(free)))
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


def optimize(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, params: str = "", lp: LevelLP | None = None):
    """Optimal integral flow for ``cost`` within bounds, and the bounds that keep it optimal from now on.

    GLOP's simplex is much faster than the cost-scaling min-cost flow on these transportation networks;
    its vertex solutions are integral (the constraint matrix is totally unimodular) and its reduced costs are
    the complementary-slackness certificate. The solution is checked; the exact flow code is the fallback.
    ``lp`` is the level's LP kept for pricing rounds; without it the LP is built and solved once.
    """
    res = lp.solve(net, lb) if lp is not None else _glop(net, lb, ub, cost, params)
    if res is not None:
        flow, rc, y, active = res
        lb2, ub2 = np.where(rc < -0.5, ub, lb), np.where(rc > 0.5, lb, ub)
        if _is_flow(net, lb2, ub2, flow):
            return Optimum(flow, lb2, ub2, y, active)
    flow = solve_flow(net, lb, ub, cost)
    return Optimum(flow, *restrict(net, lb, ub, cost, flow), np.ones(net.n, dtype=bool), fallback=True)


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
    fallback: bool = False  # found by the exact flow code because the LP's answer did not check out


class LevelLP:
    """One level's LP over its free arcs, kept while pricing adds arcs to it.

    Without presolve GLOP restarts from its last basis when columns are added, so a pricing round costs a
    few hundred pivots instead of a solve from scratch. Fixed arcs (lb == ub) are pre-flowed and left out,
    which shrinks later levels' LPs a lot.
    """

    def __init__(self, net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, params: str = ""):
        self.arcs = np.flatnonzero(ub > lb)
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        supply = _residual_supply(net, lb)
        model = _flow_model(net, supply, self.arcs, _upper(lb, ub, self.arcs), cost)
        error = self.solver.LoadModelFromProto(_lp_proto(model))
        if error:
            raise ValueError(error)
        # Presolve would hide the basis that a warm restart needs.
        self.solver.SetSolverSpecificParametersAsString(f"{params} use_preprocessing: false")
        self.rows = self.solver.constraints()

    def extend(self, net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, at: int, count: int) -> None:
        """Take in ``count`` new arcs that were inserted into the network at index ``at``."""
        self.arcs[self.arcs >= at] += count
        new = np.arange(at, at + count)
        objective, rows = self.solver.Objective(), self.rows
        upper = _upper(lb, ub, new).tolist()
        columns = zip(net.tail[new].tolist(), net.head[new].tolist(), upper, cost[new].tolist(), strict=True)
        for t, h, cap, c in columns:
            x = self.solver.NumVar(0.0, cap, "")
            rows[t].SetCoefficient(x, 1.0)
            rows[h].SetCoefficient(x, -1.0)
            objective.SetCoefficient(x, float(c))
        self.arcs = np.concatenate([self.arcs, new])

    def solve(self, net: Net, lb: np.ndarray):
        """Solve from the last basis; see ``_lp_result``."""
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        result = linear_solver_pb2.MPSolutionResponse()
        self.solver.FillSolutionResponseProto(result)  # every value in one call, not one call per variable
        x = np.array(result.variable_value)
        return _lp_result(net, lb, self.arcs, x, result.reduced_cost, result.dual_value)


def _glop(net: Net, lb: np.ndarray, ub: np.ndarray, cost: np.ndarray, params: str):
    # Fixed arcs (lb == ub) are pre-flowed and left out, which shrinks later levels' LPs a lot.
    free = np.flatnonzero(ub > lb)
    model = _flow_model(net, _residual_supply(net, lb), free, _upper(lb, ub, free), cost)
    solver = mbh.ModelSolverHelper("glop")
    if params:
        solver.set_solver_specific_parameters(params)
    solver.solve(model)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    return _lp_result(net, lb, free, solver.variable_values(), solver.reduced_costs(), solver.dual_values())


def _lp_result(net: Net, lb: np.ndarray, arcs: np.ndarray, x: np.ndarray, reduced: np.ndarray, duals: np.ndarray):
    """The flow, every arc's reduced cost, the node potentials and the active nodes, from an LP solution over
    ``arcs``; None if it is not integral."""
    if np.abs(x - np.round(x)).max(initial=0.0) > 1e-6:
        return None
    flow, rc = lb.copy(), np.zeros(len(lb))
    flow[arcs] += np.round(x).astype(np.int64)
    rc[arcs] = reduced
    active = np.zeros(net.n, dtype=bool)
    active[net.tail[arcs]] = active[net.head[arcs]] = True
    return flow, rc, np.asarray(duals), active


def _residual_supply(net: Net, lb: np.ndarray) -> np.ndarray:
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, lb)
    np.add.at(supply, net.head, lb)
    return supply


def _upper(lb: np.ndarray, ub: np.ndarray, arcs: np.ndarray) -> np.ndarray:
    return np.where(ub[arcs] >= BIG, np.inf, (ub - lb)[arcs].astype(float))


def _flow_model(net: Net, supply: np.ndarray, arcs: np.ndarray, upper: np.ndarray, cost: np.ndarray):
    """The flow LP over ``arcs``: one column per arc, one balance row per node, filled from arrays at once."""
    count = len(arcs)
    matrix = sparse.csr_matrix(
        (
            np.repeat([1.0, -1.0], count),
            (np.concatenate([net.tail[arcs], net.head[arcs]]), np.tile(np.arange(count), 2)),
        ),
        shape=(net.n, count),
    )
    model = mbh.ModelBuilderHelper()
    balance = supply.astype(float)
    model.fill_model_from_sparse_data(np.zeros(count), upper, cost[arcs].astype(float), balance, balance, matrix)
    return model


def _lp_proto(model: mbh.ModelBuilderHelper) -> linear_solver_pb2.MPModelProto:
    """The model as a proto for pywraplp, which alone restarts GLOP from its last basis. The helper writes protos
    only to files; that is still several times faster than building one message per column in Python."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "level.bin"
        if not model.write_model_to_proto_file(str(path)):
            raise OSError(f"could not write the level's LP to {path}")
        return linear_solver_pb2.MPModelProto.FromString(path.read_bytes())


def _is_flow(net: Net, lb: np.ndarray, ub: np.ndarray, flow: np.ndarray) -> bool:
    balance = net.supply.copy()
    np.subtract.at(balance, net.tail, flow)
    np.add.at(balance, net.head, flow)
    return bool(np.all(balance == 0) and np.all(flow >= lb) and np.all(flow <= ub))


def caps_at(net: Net, ub: np.ndarray, ratio: float) -> np.ndarray:
    """Upper bounds with every point's shortfall capped at ``ratio`` of its demand."""
    return cap_shortfall(net, ub, np.floor(ratio * net.point_demand + EPS).astype(np.int64))


def caps_below(net: Net, ub: np.ndarray, ratio: tuple[int, int]) -> np.ndarray:
    """Upper bounds with every point's shortfall below the exact fraction ``ratio`` of its demand."""
    return cap_shortfall(net, ub, shortfall_below(net.point_demand, ratio))


def shortfall_below(demand: np.ndarray, ratio: tuple[int, int]) -> np.ndarray:
    """Per point, the largest whole shortfall whose share of ``demand`` is below the fraction ``ratio``."""
    return (ratio[0] * demand - 1) // ratio[1]


def cap_shortfall(net: Net, ub: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """Upper bounds with each point's shortfall at most ``shortfall``."""
    out = ub.copy()
    out[net.cap_arcs] = np.minimum(out[net.cap_arcs], shortfall)
    return out


def max_ratio(net: Net, flow: np.ndarray) -> tuple[int, int]:
    """Worst shortfall of a flow as an exact fraction (unmet, demand)."""
    short = flow[net.cap_arcs]
    k = int(np.argmax(short / net.point_demand))
    return int(short[k]), int(net.point_demand[k])
