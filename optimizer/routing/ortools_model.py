"""The OR-Tools routing model of the pieces left after full truckloads, over the vehicles still free."""

from __future__ import annotations

import math

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.routing.matrices import SHARE_EPS, Context
from optimizer.routing.problem import Route, RouteStop
from optimizer.routing.split import Piece, Vehicle

DROP_PENALTY = 10**12  # far above any route cost: routing a load always beats dropping it
COST_SCALE = 100  # cost units -> solver integers
LITRES_PER_M3 = 1000


class RoutingModel:
    """OR-Tools model of the pieces left after full truckloads, over the vehicles still free."""

    def __init__(self, ctx: Context, pieces: list[Piece], vehicles: list[Vehicle]):
        self.ctx, self.pieces, self.vehicles = ctx, pieces, vehicles
        depots = sorted({v.depot_index for v in vehicles})
        self.depot_node = {d: i for i, d in enumerate(depots)}
        self.n_depots = len(depots)
        # Node -> location: depot nodes first, then one node per piece (pieces may share a stop).
        self.location = np.array(depots + [ctx.stop_location[p.load.stop_id] for p in pieces], dtype=np.int64)
        starts = [self.depot_node[v.depot_index] for v in vehicles]
        self.manager = pywrapcp.RoutingIndexManager(len(self.location), len(vehicles), starts, starts)
        self.model = pywrapcp.RoutingModel(self.manager)
        self._add_costs()
        self.time = self._add_time()
        self._add_capacity([math.ceil(round(p.weight_kg, 6)) for p in pieces], "capacity_kg", "weight")
        self._add_capacity(
            [math.ceil(round(p.volume_m3 * LITRES_PER_M3, 6)) for p in pieces], "capacity_m3", "volume", LITRES_PER_M3
        )
        self._add_piece_rules()

    def _matrix(self, full: np.ndarray) -> np.ndarray:
        return full[np.ix_(self.location, self.location)]

    def _add_costs(self) -> None:
        dist = self._matrix(self.ctx.dist)
        callbacks: dict[float, int] = {}
        for v, vehicle in enumerate(self.vehicles):
            per_km = vehicle.type.cost_per_km
            if per_km not in callbacks:
                cost = np.rint(dist * per_km * COST_SCALE / 1000).astype(np.int64)
                callbacks[per_km] = self.model.RegisterTransitMatrix(cost.tolist())
            self.model.SetArcCostEvaluatorOfVehicle(callbacks[per_km], v)
            self.model.SetFixedCostOfVehicle(round(vehicle.type.fixed_cost * COST_SCALE), v)

    def _add_time(self) -> pywrapcp.RoutingDimension:
        service = np.array([0] * self.n_depots + [math.ceil(p.load.service_h * 3600) for p in self.pieces])
        callbacks: dict[float, int] = {}
        for vehicle in self.vehicles:
            speed = vehicle.type.speed_kmh
            if speed not in callbacks:
                # Service time is charged on leaving a node so a cumul is the arrival time.
                transit = self._matrix(self.ctx.travel(speed)) + service[:, None]
                callbacks[speed] = self.model.RegisterTransitMatrix(transit.tolist())
        per_vehicle = [callbacks[v.type.speed_kmh] for v in self.vehicles]
        horizon = 30 * 24 * 3600
        self.model.AddDimensionWithVehicleTransits(per_vehicle, 0, horizon, True, "time")
        return self.model.GetDimensionOrDie("time")

    def _add_capacity(self, demands: list[int], attr: str, name: str, scale: int = 1) -> None:
        callback = self.model.RegisterUnaryTransitVector([0] * self.n_depots + demands)
        capacities = [math.floor(round(getattr(v.type, attr) * scale, 6)) for v in self.vehicles]
        self.model.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, name)

    def _add_piece_rules(self) -> None:
        for i, piece in enumerate(self.pieces):
            index = self.manager.NodeToIndex(self.n_depots + i)
            depot = self.ctx.depot_index[piece.load.depot_id]
            # Pickup is at the depot a vehicle starts from: only that depot's vehicles may carry it.
            allowed = [v for v, vehicle in enumerate(self.vehicles) if vehicle.depot_index == depot]
            # -1 keeps "unperformed" possible; SetAllowedVehiclesForIndex has no usable Python binding in 9.15.
            self.model.VehicleVar(index).SetValues([-1, *allowed])
            if piece.load.due_h is not None:
                self.time.CumulVar(index).SetMax(math.floor(piece.load.due_h * 3600 + SHARE_EPS))
            self.model.AddDisjunction([index], DROP_PENALTY)

    def solve(self, time_limit_s: float) -> pywrapcp.Assignment | None:
        params = pywrapcp.DefaultRoutingSearchParameters()
        # Insertion copes with windows, allowed vehicles and optional nodes better than PATH_CHEAPEST_ARC.
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        return self.model.SolveWithParameters(params)

    def routes(self, solution: pywrapcp.Assignment) -> list[Route]:
        return [self._route(solution, v) for v in range(len(self.vehicles)) if self.model.IsVehicleUsed(solution, v)]

    def _route(self, solution: pywrapcp.Assignment, v: int) -> Route:
        vehicle, model = self.vehicles[v], self.model
        stops, metres = [], 0
        index = model.Start(v)
        while not model.IsEnd(index):
            nxt = solution.Value(model.NextVar(index))
            metres += int(self.ctx.dist[self.location[self._node(index)], self.location[self._node(nxt)]])
            if not model.IsEnd(nxt):
                piece = self.pieces[self._node(nxt) - self.n_depots]
                arrival_h = solution.Value(self.time.CumulVar(nxt)) / 3600
                stops.append(RouteStop(piece.load.id, piece.load.stop_id, arrival_h, piece.weight_kg, piece.volume_m3))
            index = nxt
        return_h = solution.Value(self.time.CumulVar(index)) / 3600
        km = metres / 1000
        cost = vehicle.type.fixed_cost + vehicle.type.cost_per_km * km
        depot_id = self.ctx.problem.depots[vehicle.depot_index].id
        return Route(vehicle.id, vehicle.type.name, depot_id, stops, km, return_h, cost)

    def _node(self, index: int) -> int:
        return self.manager.IndexToNode(index)

    def dropped(self, solution: pywrapcp.Assignment | None) -> list[Piece]:
        if solution is None:
            return list(self.pieces)
        return [
            piece
            for i, piece in enumerate(self.pieces)
            if solution.Value(self.model.NextVar(idx := self.manager.NodeToIndex(self.n_depots + i))) == idx
        ]
