"""Reader for CVRPLIB instances (.vrp, EUC_2D) and solutions (.sol).

Distances follow the CVRPLIB/TSPLIB convention: nint of the Euclidean distance.
Node 0 is the depot; in a .sol file customers are numbered 1..n in the same order
as the .vrp file's nodes after the depot, so they map directly to node indices.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class CvrpInstance:
    """One capacitated VRP: a depot (node 0), customers 1..n, one vehicle capacity."""

    name: str
    capacity: int
    coords: list[tuple[float, float]]
    demands: list[int]

    @property
    def n_customers(self) -> int:
        return len(self.coords) - 1

    @property
    def k_min(self) -> int:
        """Lower bound on routes: the k in the name (``-k5``) or total demand / capacity."""
        match = re.search(r"-k(\d+)", self.name)
        named = int(match.group(1)) if match else 0
        return max(named, math.ceil(sum(self.demands) / self.capacity))

    @property
    def fleet_bound(self) -> int:
        """Vehicles available: ``ceil(1.25 * k_min) + 1``, the bound the peer figures used."""
        return math.ceil(1.25 * self.k_min) + 1

    def distance_matrix(self) -> np.ndarray:
        """Integer matrix of nint(Euclidean) distances."""
        xy = np.asarray(self.coords, dtype=float)
        diff = xy[:, None, :] - xy[None, :, :]
        # np.rint rounds half to even; TSPLIB nint is floor(x + 0.5).
        return np.floor(np.sqrt((diff**2).sum(axis=2)) + 0.5).astype(np.int64)


@dataclass(frozen=True)
class CvrpSolution:
    """Routes as lists of customer node indices (depot omitted) and the stated cost."""

    routes: list[list[int]]
    cost: int | None


def _header_and_sections(text: str) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit() and not line.startswith("-"):
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip().strip('"')
            current = None
        elif line.upper().endswith("_SECTION"):
            current = line.upper()
            sections[current] = []
        elif current is not None:
            sections[current].append(line.split())
    return header, sections


def parse_vrp(text: str) -> CvrpInstance:
    """Parse the text of a CVRPLIB .vrp file (EUC_2D only)."""
    header, sections = _header_and_sections(text)
    weight_type = header.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    if weight_type != "EUC_2D":
        raise ValueError(f"unsupported EDGE_WEIGHT_TYPE {weight_type}")
    ids = [int(row[0]) for row in sections["NODE_COORD_SECTION"]]
    coords = [(float(row[1]), float(row[2])) for row in sections["NODE_COORD_SECTION"]]
    demand_by_id = {int(row[0]): int(row[1]) for row in sections["DEMAND_SECTION"]}
    depot_ids = [int(row[0]) for row in sections.get("DEPOT_SECTION", []) if int(row[0]) > 0]
    if depot_ids and depot_ids[0] != ids[0]:
        raise ValueError("the depot must be the first node")
    return CvrpInstance(
        name=header.get("NAME", ""),
        capacity=int(header["CAPACITY"]),
        coords=coords,
        demands=[demand_by_id[i] for i in ids],
    )


def read_vrp(path: str | Path) -> CvrpInstance:
    """Read a CVRPLIB .vrp file."""
    return parse_vrp(Path(path).read_text())


def parse_sol(text: str) -> CvrpSolution:
    """Parse the text of a CVRPLIB .sol file (``Route #i: a b c`` lines and ``Cost x``)."""
    routes: list[list[int]] = []
    cost: int | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.lower().startswith("route"):
            routes.append([int(tok) for tok in line.split(":", 1)[1].split()])
        elif line.lower().startswith("cost"):
            cost = int(float(line.split()[1]))
    return CvrpSolution(routes=routes, cost=cost)


def read_sol(path: str | Path) -> CvrpSolution:
    """Read a CVRPLIB .sol file."""
    return parse_sol(Path(path).read_text())


def route_cost(dist: np.ndarray, routes: list[list[int]]) -> int:
    """Total length of routes that start and end at depot 0."""
    total = 0
    for route in routes:
        path = [0, *route, 0]
        total += int(sum(dist[a, b] for a, b in itertools.pairwise(path)))
    return total


def check_solution(instance: CvrpInstance, routes: list[list[int]]) -> list[str]:
    """Problems with a solution: customers missed or repeated, capacity exceeded. Empty if feasible."""
    problems: list[str] = []
    visited = sorted(c for route in routes for c in route)
    if visited != list(range(1, instance.n_customers + 1)):
        problems.append("customers not visited exactly once")
    for i, route in enumerate(routes):
        load = sum(instance.demands[c] for c in route)
        if load > instance.capacity:
            problems.append(f"route {i} load {load} > capacity {instance.capacity}")
    return problems
