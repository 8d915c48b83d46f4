"""Capacitated VRP solver used to benchmark the routing engine on CVRPLIB instances.

``solve_cvrp(instance, time_limit_s, settings)``:

* ``"default"``: OR-Tools routing, PATH_CHEAPEST_ARC then guided local search for the whole time.
* ``"tuned"``: a hybrid. OR-Tools builds a good solution (GLS for 20 % of the time), then a
  ruin-and-recreate search in the style of SISR (Christiaens & Vanden Berghe, "Slack Induction
  by String Removals", Transportation Science 2020) with simulated-annealing acceptance takes it
  further, and OR-Tools GLS polishes the best solution in the last 10 %. Two searches with
  different random seeds run side by side (one in a child process) and the better one wins.

Distances are symmetric integer matrices; node 0 is the depot. The fleet is bounded by
``ceil(1.25 * k_min) + 1`` vehicles.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.constraint_solver.routing_parameters_pb2 import RoutingSearchParameters

from optimizer.bench.cvrplib import CvrpInstance, route_cost

Routes = list[list[int]]

GLS_SHARE = 0.2  # of the time: OR-Tools builds the starting solution
POLISH_SHARE = 0.1  # of the time: OR-Tools GLS polishes the ruin-and-recreate result
GLS_LAMBDA = 0.3  # measured slightly better than the default 0.1 on the CVRPLIB subset
# Ruin-and-recreate settings. SISR's string sizes (average 10 removed, strings up to 10);
# temperatures relative to the mean arc length, cooling from 0.5 to 0.005 over the phase.
AVG_REMOVED = 10
MAX_STRING = 10
BLINK_RATE = 0.01
START_TEMP = 0.5
END_TEMP = 0.005
BIG = np.iinfo(np.int64).max // 4


def fleet_bound(instance: CvrpInstance) -> int:
    """Vehicles available: ``ceil(1.25 * k_min) + 1``, the bound the peer figures used."""
    return math.ceil(1.25 * instance.k_min) + 1


def solve_cvrp(instance: CvrpInstance, time_limit_s: float, settings: str = "tuned") -> tuple[Routes, int]:
    """Solve a CVRPLIB instance; return routes (customer indices, depot omitted) and their nint cost."""
    started = time.monotonic()
    dist = instance.distance_matrix()
    if settings == "default":
        routes = _ortools_default(instance, dist, time_limit_s)
    elif settings == "tuned":
        routes = _tuned(instance, dist, started + time_limit_s)
    else:
        raise ValueError(f"unknown settings {settings!r}")
    return routes, route_cost(dist, routes)


# ---------------------------------------------------------------- OR-Tools


def _model(instance: CvrpInstance, dist: np.ndarray) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    manager = pywrapcp.RoutingIndexManager(len(dist), fleet_bound(instance), 0)
    model = pywrapcp.RoutingModel(manager)
    # A matrix callback stays in C++; a Python transit callback would be called millions of times.
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(dist.tolist()))
    demand = model.RegisterUnaryTransitVector([int(d) for d in instance.demands])
    model.AddDimensionWithVehicleCapacity(demand, 0, [instance.capacity] * fleet_bound(instance), True, "load")
    return manager, model


def _params(time_limit_s: float, lam: float | None = None) -> RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    if lam is not None:
        params.guided_local_search_lambda_coefficient = lam
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return params


def _routes(model: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, solution) -> Routes:
    if solution is None:
        raise RuntimeError("OR-Tools found no solution within the fleet bound and time limit")
    routes = []
    for vehicle in range(model.vehicles()):
        index, route = solution.Value(model.NextVar(model.Start(vehicle))), []
        while not model.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(model.NextVar(index))
        if route:
            routes.append(route)
    return routes


def _ortools_default(instance: CvrpInstance, dist: np.ndarray, time_limit_s: float) -> Routes:
    manager, model = _model(instance, dist)
    return _routes(model, manager, model.SolveWithParameters(_params(time_limit_s)))


def _ortools_polish(instance: CvrpInstance, dist: np.ndarray, routes: Routes, time_limit_s: float) -> Routes:
    """GLS started from given routes, on a fresh model (a model whose last search hit its time
    limit refuses ReadAssignmentFromRoutes)."""
    manager, model = _model(instance, dist)
    params = _params(time_limit_s, GLS_LAMBDA)
    model.CloseModelWithParameters(params)
    start = model.ReadAssignmentFromRoutes([[manager.NodeToIndex(c) for c in r] for r in routes], True)
    solution = model.SolveFromAssignmentWithParameters(start, params) if start is not None else None
    return routes if solution is None else _routes(model, manager, solution)


# ---------------------------------------------------------------- tuned hybrid


def _tuned(instance: CvrpInstance, dist: np.ndarray, deadline: float) -> Routes:
    """Two hybrid searches with different seeds, one per core; the cheaper result wins."""
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _hybrid(instance, dist, deadline, seed=0)
    # fork: the child starts at once and shares the instance; it builds its own OR-Tools model.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        other = pool.submit(_hybrid, instance, dist, deadline, 1)
        mine = _hybrid(instance, dist, deadline, 0)
        theirs = other.result()
    return min(mine, theirs, key=lambda routes: route_cost(dist, routes))


def _hybrid(instance: CvrpInstance, dist: np.ndarray, deadline: float, seed: int) -> Routes:
    """OR-Tools GLS start, ruin-and-recreate, OR-Tools GLS polish; all within ``deadline`` (monotonic)."""
    total = max(0.0, deadline - time.monotonic())
    manager, model = _model(instance, dist)
    solution = model.SolveWithParameters(_params(max(0.05, total * GLS_SHARE), GLS_LAMBDA))
    routes = _routes(model, manager, solution)
    search = RuinAndRecreate(dist, instance.demands, instance.capacity, fleet_bound(instance), seed)
    routes = search.run(routes, deadline - total * POLISH_SHARE)
    remaining = deadline - time.monotonic()
    if remaining > 0.05:
        polished = _ortools_polish(instance, dist, routes, remaining)
        if route_cost(dist, polished) < route_cost(dist, routes):
            routes = polished
    return routes


class RuinAndRecreate:
    """SISR-style search: remove strings of nearby customers, reinsert greedily with blinks,
    accept by simulated annealing. Works on plain lists; node 0 is the depot."""

    def __init__(self, dist: np.ndarray, demands: list[int], capacity: int, max_routes: int, seed: int):
        self.dist = dist
        self.demands = [int(d) for d in demands]
        self.demand_array = np.asarray(self.demands, dtype=np.int64)
        self.capacity = capacity
        self.max_routes = max_routes
        self.rng = random.Random(seed)
        # Customers by distance from each node, for picking strings near a seed customer.
        self.neighbours = [list(map(int, row)) for row in np.argsort(dist[:, 1:], axis=1, kind="stable") + 1]

    def length(self, route: list[int]) -> int:
        d = self.dist
        return int(d[0, route[0]] + d[route[-1], 0] + d[route[:-1], route[1:]].sum()) if route else 0

    def run(self, routes: Routes, deadline: float) -> Routes:
        """Improve ``routes`` until ``deadline`` (monotonic clock); return the best found."""
        current = self._with_spare([list(r) for r in routes if r])
        costs = [self.length(r) for r in current]
        where = self._route_of(current)
        best, best_cost = current, sum(costs)
        mean_arc = best_cost / (len(self.dist) - 1 + len(routes))
        start = time.monotonic()
        span = max(1e-6, deadline - start)
        while (now := time.monotonic()) < deadline:
            temperature = mean_arc * START_TEMP * (END_TEMP / START_TEMP) ** ((now - start) / span)
            candidate, changed = self._neighbour(current, where)
            if candidate is None:
                continue
            new_costs = list(costs)
            for i in changed:
                new_costs[i] = self.length(candidate[i])
            # Simulated annealing: accept a worse solution with probability exp(-worsening / T).
            if sum(new_costs) < sum(costs) - temperature * math.log(1.0 - self.rng.random()):
                kept = [i for i, r in enumerate(candidate) if r]
                current = self._with_spare([candidate[i] for i in kept])
                costs = [new_costs[i] for i in kept] + [0] * (len(current) - len(kept))
                where = self._route_of(current)
                if sum(costs) < best_cost:
                    best, best_cost = [list(r) for r in current], sum(costs)
        return [r for r in best if r]

    def _with_spare(self, routes: Routes) -> Routes:
        # One empty route lets recreate open a new route while the fleet bound allows it.
        return routes + [[]] if len(routes) < self.max_routes else routes

    def _route_of(self, routes: Routes) -> list[int]:
        where = [-1] * len(self.dist)
        for i, route in enumerate(routes):
            for c in route:
                where[c] = i
        return where

    def _neighbour(self, routes: Routes, where: list[int]) -> tuple[Routes | None, set[int]]:
        candidate = list(routes)  # ruin replaces routes rather than mutating them
        removed, ruined = self._ruin(candidate, where)
        candidate = [list(r) for r in candidate]
        inserted = self._recreate(candidate, removed)
        return (None, set()) if inserted is None else (candidate, ruined | inserted)

    def _ruin(self, routes: Routes, where: list[int]) -> tuple[list[int], set[int]]:
        """Remove strings from routes close to a random seed customer (SISR's string removal).

        ``where`` gives each customer's route index in ``routes``.
        """
        non_empty = sum(1 for r in routes if r)
        max_string = min(MAX_STRING, (len(self.dist) - 1) / max(1, non_empty))
        n_strings = int(self.rng.random() * (4 * AVG_REMOVED / (1 + max_string) - 1)) + 1
        removed: list[int] = []
        ruined: set[int] = set()
        for c in self.neighbours[self.rng.randrange(1, len(self.dist))]:
            if len(ruined) >= n_strings:
                break
            i = where[c]
            if i < 0 or i in ruined:
                continue
            route = routes[i]
            size = int(self.rng.random() * min(len(route), max_string)) + 1
            first = max(0, min(route.index(c) - self.rng.randrange(size), len(route) - size))
            removed += route[first : first + size]
            routes[i] = route[:first] + route[first + size :]
            ruined.add(i)
        return removed, ruined

    def _recreate(self, routes: Routes, removed: list[int]) -> set[int] | None:
        """Greedy cheapest insertion; with a small probability a best position is skipped (SISR's blinks)."""
        self._sort_removed(removed)
        arcs = _ArcTable(self.dist, routes, len(removed))
        slack = self.capacity - arcs.route_loads(self.demand_array, len(routes))
        touched: set[int] = set()
        for c in removed:
            delta, route_of = arcs.insertion_costs(c)
            delta = np.where(slack[route_of] >= self.demands[c], delta, BIG)
            arc = self._pick(delta)
            if arc is None:
                return None
            i = int(route_of[arc])
            routes[i].insert(arcs.position_in_route(arc), c)
            arcs.insert(arc, c)
            slack[i] -= self.demands[c]
            touched.add(i)
        return touched

    def _pick(self, delta: np.ndarray) -> int | None:
        """Cheapest feasible position, after skipping a geometric number of blinked best ones."""
        skip = 0
        while self.rng.random() < BLINK_RATE:
            skip += 1
        arc = int(delta.argmin()) if skip == 0 else int(delta.argsort()[min(skip, len(delta) - 1)])
        if delta[arc] >= BIG:
            arc = int(delta.argmin())  # blinked past the last feasible position: take the best one
        return None if delta[arc] >= BIG else arc

    def _sort_removed(self, removed: list[int]) -> None:
        order = self.rng.randrange(3)  # SISR: random, largest demand first, or farthest first
        if order == 0:
            self.rng.shuffle(removed)
        elif order == 1:
            removed.sort(key=lambda c: -self.demands[c])
        else:
            removed.sort(key=lambda c: -self.dist[0, c])


class _ArcTable:
    """All arcs of a solution in flat numpy arrays, so one customer's insertion costs at every
    position come from a few vectorised operations. Assumes a symmetric distance matrix."""

    def __init__(self, dist: np.ndarray, routes: Routes, room: int):
        self.dist = dist
        visits = [0]  # depot, route 1, depot, route 2, ..., depot: consecutive pairs are the arcs
        for route in routes:
            visits += route
            visits.append(0)
        self.size = n = len(visits) - 1
        # One 4-row array (tail, head, route, length) so an insertion shifts all columns in one step.
        self.arcs = np.zeros((4, n + room), dtype=np.int64)
        sequence = np.array(visits, dtype=np.int64)
        self.arcs[0, :n], self.arcs[1, :n] = sequence[:-1], sequence[1:]
        self.arcs[2, :n] = np.repeat(np.arange(len(routes)), [len(r) + 1 for r in routes])
        self.arcs[3, :n] = dist[sequence[:-1], sequence[1:]]

    def route_loads(self, demands: np.ndarray, n_routes: int) -> np.ndarray:
        # Each customer is the head of exactly one arc, so summing head demands per route gives its load.
        head, route = self.arcs[1, : self.size], self.arcs[2, : self.size]
        return np.bincount(route, weights=demands[head], minlength=n_routes).astype(np.int64)

    def insertion_costs(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        tail, head, route, length = self.arcs[:, : self.size]
        dc = self.dist[c]
        return dc[tail] + dc[head] - length, route

    def position_in_route(self, arc: int) -> int:
        routes = self.arcs[2, : self.size]
        return arc - int(routes.searchsorted(routes[arc]))

    def insert(self, arc: int, c: int) -> None:
        """Arc (x, y) at ``arc`` becomes (x, c) there and (c, y) right after it."""
        n, arcs = self.size, self.arcs
        arcs[:, arc + 1 : n + 1] = arcs[:, arc:n].copy()
        self.size += 1
        arcs[1, arc], arcs[0, arc + 1] = c, c
        arcs[3, arc] = self.dist[c, arcs[0, arc]]
        arcs[3, arc + 1] = self.dist[c, arcs[1, arc + 1]]
