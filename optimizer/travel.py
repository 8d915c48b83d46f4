"""Travel time, distance and cost between sources and demand points, per transport mode.

The allocation model asks one provider for whole matrices at once, so a real road-network
engine (OSRM, Valhalla) can be plugged in later behind the same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

# The IUGG mean Earth radius: the one radius every distance in the project is computed with.
EARTH_RADIUS_KM = 6371.0088


class Located(Protocol):
    lat: float
    lon: float
    modes: frozenset[str]


@dataclass(frozen=True)
class TravelMatrix:
    """One mode's source x point matrices; unavailable pairs are ``inf`` in all three."""

    hours: np.ndarray
    cost_per_tonne: np.ndarray
    km: np.ndarray


class TravelProvider(Protocol):
    """Gives, per mode, travel hours, cost per tonne and distance for every source -> point pair."""

    def matrices(self, sources: Sequence[Located], points: Sequence[Located]) -> dict[str, TravelMatrix]: ...


def great_circle_km(
    lat1: float | np.ndarray, lon1: float | np.ndarray, lat2: float | np.ndarray, lon2: float | np.ndarray
) -> float | np.ndarray:
    """Great-circle (haversine) distance in km between points given in degrees, element by element.

    Takes Python floats (and returns a float) or numpy arrays that broadcast against each other (and returns
    an array of their broadcast shape).
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(km) if np.ndim(km) == 0 else km


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance between every row point (lat1, lon1) and column point (lat2, lon2)."""
    lat1, lon1, lat2, lon2 = (np.asarray(a, dtype=float) for a in (lat1, lon1, lat2, lon2))
    return great_circle_km(lat1[:, None], lon1[:, None], lat2[None, :], lon2[None, :])


@dataclass(frozen=True)
class ModeParams:
    """Detour factor over the great circle, speed, fixed handling time and cost of one mode.

    ``access_km`` is the road leg at each end (to the station or airfield and the last mile), which
    rail and air need and road does not.
    """

    detour: float
    speed_kmh: float
    handling_hours: float
    cost_per_tkm: float
    access_km: float = 0.0


DEFAULT_MODES: dict[str, ModeParams] = {
    "road": ModeParams(detour=1.3, speed_kmh=60.0, handling_hours=1.0, cost_per_tkm=0.6),
    "rail": ModeParams(detour=1.2, speed_kmh=80.0, handling_hours=4.0, cost_per_tkm=0.25, access_km=20.0),
    "air": ModeParams(detour=1.05, speed_kmh=500.0, handling_hours=3.0, cost_per_tkm=6.0, access_km=15.0),
}


@dataclass
class GreatCircleTravel:
    """Default provider: haversine distance x detour factor, speed and handling time per mode."""

    modes: dict[str, ModeParams] = field(default_factory=lambda: dict(DEFAULT_MODES))

    def matrices(self, sources: Sequence[Located], points: Sequence[Located]) -> dict[str, TravelMatrix]:
        """Per-mode matrices for all pairs, vectorised (5,000 x 1,000 pairs in well under a second)."""
        gc = haversine_km(
            _coords(sources, "lat"), _coords(sources, "lon"), _coords(points, "lat"), _coords(points, "lon")
        )
        road = self.modes["road"]
        out: dict[str, TravelMatrix] = {}
        for name, mp in self.modes.items():
            access = 2 * mp.access_km * road.detour
            km = gc * mp.detour + access
            hours = km / mp.speed_kmh + mp.handling_hours
            if access:
                # Access legs go by road: drive them at road speed and pay road rates for them.
                hours = hours - access / mp.speed_kmh + access / road.speed_kmh
            cost = (km - access) * mp.cost_per_tkm + access * road.cost_per_tkm
            mask = _mode_mask(sources, points, name)
            out[name] = TravelMatrix(
                hours=np.where(mask, hours, np.inf),
                cost_per_tonne=np.where(mask, cost, np.inf),
                km=np.where(mask, km, np.inf),
            )
        return out


def _coords(objs: Sequence[Located], attr: str) -> np.ndarray:
    return np.fromiter((getattr(o, attr) for o in objs), dtype=float, count=len(objs))


def _mode_mask(sources: Sequence[Located], points: Sequence[Located], mode: str) -> np.ndarray:
    has_s = np.fromiter((mode in s.modes for s in sources), dtype=bool, count=len(sources))
    has_p = np.fromiter((mode in p.modes for p in points), dtype=bool, count=len(points))
    return has_s[:, None] & has_p[None, :]
