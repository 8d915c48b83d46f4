"""Reader for the multi-depot VRP instances of Cordeau, Gendreau & Laporte (1997), as VROOM's benchmark has them.

Line 1: ``type m n t`` (m vehicles per depot, n customers, t depots); t lines ``D Q`` (route duration limit,
0 = none; capacity) per depot; n customer lines ``id x y service demand ...``; t depot lines ``id x y ...``.
Distances are Euclidean; like VROOM's benchmark, solvers see them times 1000, rounded to integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCALE = 1000  # integer distances are Euclidean x 1000, rounded
PIN_FILL = 0.98  # share of a depot's fleet capacity that pinned loads may fill (room for packing them)


@dataclass(frozen=True)
class MdvrpInstance:
    """Depots 0..t-1 then customers, by location; every depot has ``vehicles`` vehicles of ``capacity``."""

    name: str
    vehicles: int
    capacity: int
    depot_xy: list[tuple[float, float]]
    customer_xy: list[tuple[float, float]]
    demands: list[int]
    service: list[float]

    def distance_matrix(self) -> np.ndarray:
        """Integer distances (Euclidean x 1000, rounded) over depots then customers."""
        xy = np.asarray(self.depot_xy + self.customer_xy, dtype=float)
        return np.rint(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) * SCALE).astype(np.int64)

    def nearest_depot(self) -> list[int]:
        """Each customer's depot as an allocation that pins loads would choose it: the nearest one whose fleet
        can still take the customer's demand, closest pairs first, filling a fleet to at most ``PIN_FILL`` of its
        capacity (on p07 the nearest depots alone would overload a fleet)."""
        dist = self.distance_matrix()
        t = len(self.depot_xy)
        room = [PIN_FILL * self.vehicles * self.capacity] * t
        home = [-1] * len(self.customer_xy)
        for flat in np.argsort(dist[t:, :t], axis=None, kind="stable").tolist():
            c, k = divmod(flat, t)
            if home[c] < 0 and room[k] >= self.demands[c]:
                home[c], room[k] = k, room[k] - self.demands[c]
        return home


def parse_mdvrp(text: str, name: str = "") -> MdvrpInstance:
    """Parse the text of a Cordeau MDVRP instance file (type 2)."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    kind, m, n, t = (int(v) for v in rows[0])
    if kind != 2:
        raise ValueError(f"not a multi-depot VRP instance (type {kind})")
    limits = [(float(d), int(q)) for d, q in (r[:2] for r in rows[1 : 1 + t])]
    if any(d > 0 for d, _ in limits) or len({q for _, q in limits}) != 1:
        raise ValueError("only instances without duration limits and with one capacity are supported")
    customers = rows[1 + t : 1 + t + n]
    depots = rows[1 + t + n : 1 + t + n + t]
    return MdvrpInstance(
        name=name,
        vehicles=m,
        capacity=limits[0][1],
        depot_xy=[(float(r[1]), float(r[2])) for r in depots],
        customer_xy=[(float(r[1]), float(r[2])) for r in customers],
        demands=[int(r[4]) for r in customers],
        service=[float(r[3]) for r in customers],
    )


def read_mdvrp(path: str | Path) -> MdvrpInstance:
    """Read a Cordeau MDVRP instance file."""
    path = Path(path)
    return parse_mdvrp(path.read_text(), path.stem)
