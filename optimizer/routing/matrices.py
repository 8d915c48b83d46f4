"""Distance and travel-time matrices over the routing locations (depots first, then stops), in integers."""

from __future__ import annotations

import numpy as np

from optimizer.routing.problem import Load, RoutingProblem, VehicleType
from optimizer.travel import great_circle_km

SHARE_EPS = 1e-9


def haversine_matrix_m(points: list[tuple[float, float]], detour_factor: float) -> np.ndarray:
    """Integer road-distance estimate in metres: great-circle distance times a detour factor."""
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    km = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    return np.rint(np.asarray(km) * 1000 * detour_factor).astype(np.int64)


def location_matrices(problem: RoutingProblem) -> tuple[np.ndarray, np.ndarray | None]:
    if problem.distance_m is not None:
        dist = np.asarray(problem.distance_m, dtype=np.int64)
    else:
        points = [(d.lat, d.lon) for d in problem.depots] + [(s.lat, s.lon) for s in problem.stops]
        dist = haversine_matrix_m(points, problem.detour_factor)
    dur = None if problem.duration_s is None else np.asarray(problem.duration_s, dtype=np.int64)
    return dist, dur


def travel_s(dist_m: np.ndarray, dur_s: np.ndarray | None, speed_kmh: float) -> np.ndarray:
    if dur_s is not None:
        return dur_s
    # Round up so a reported arrival is never earlier than physics allows.
    return np.ceil(dist_m * 3.6 / speed_kmh).astype(np.int64)


class Context:
    """Indices and matrices shared by the splitting and routing steps."""

    def __init__(self, problem: RoutingProblem):
        self.problem = problem
        self.depot_index = {d.id: i for i, d in enumerate(problem.depots)}
        self.stop_location = {s.id: len(problem.depots) + i for i, s in enumerate(problem.stops)}
        self.dist, self.dur = location_matrices(problem)
        self._travel: dict[float, np.ndarray] = {}

    def travel(self, speed_kmh: float) -> np.ndarray:
        if speed_kmh not in self._travel:
            self._travel[speed_kmh] = travel_s(self.dist, self.dur, speed_kmh)
        return self._travel[speed_kmh]

    def depots_of(self, load: Load) -> list[int]:
        """Indices of the depots that may supply ``load``; ValueError for an unknown depot or stop."""
        unknown = [d for d in load.depot_ids if d not in self.depot_index]
        if unknown or load.stop_id not in self.stop_location:
            raise ValueError(f"load {load.id}: unknown depot {', '.join(unknown) or '-'} or stop {load.stop_id}")
        return [self.depot_index[d] for d in load.depot_ids]

    def direct_arrival_s(self, load: Load, vtype: VehicleType, depot: int) -> int:
        return int(self.travel(vtype.speed_kmh)[depot, self.stop_location[load.stop_id]])

    def meets_due(self, load: Load, vtype: VehicleType, depot: int) -> bool:
        return load.due_h is None or self.direct_arrival_s(load, vtype, depot) <= load.due_h * 3600 + SHARE_EPS
