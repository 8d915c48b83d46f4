"""Great-circle travel provider: distances, per-mode availability, handling times and costs."""

import math

import numpy as np
import pytest

from optimizer.problem import DemandPoint, Source
from optimizer.travel import EARTH_RADIUS_KM, GreatCircleTravel, ModeParams, great_circle_km, haversine_km

BEIJING = (39.9042, 116.4074)
SHANGHAI = (31.2304, 121.4737)


def _source(lat, lon, modes=("road",)):
    return Source("s", "depot", "county", lat, lon, frozenset(modes))


def _point(lat, lon, modes=("road",)):
    return DemandPoint("p", lat, lon, frozenset(modes))


def test_haversine_beijing_shanghai():
    km = haversine_km(np.array([BEIJING[0]]), np.array([BEIJING[1]]), np.array([SHANGHAI[0]]), np.array([SHANGHAI[1]]))
    assert km.shape == (1, 1)
    assert km[0, 0] == pytest.approx(1067, abs=5)


def test_great_circle_takes_floats_and_gives_a_float():
    km = great_circle_km(*BEIJING, *SHANGHAI)
    assert isinstance(km, float)
    assert km == pytest.approx(1067.3, abs=0.5)
    # A quarter of a meridian is a quarter of the circumference.
    assert great_circle_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)


def test_great_circle_broadcasts_arrays_and_the_matrix_uses_it():
    lats, lons = np.array([BEIJING[0], SHANGHAI[0]]), np.array([BEIJING[1], SHANGHAI[1]])
    pairwise = great_circle_km(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
    assert pairwise.shape == (2, 2)
    assert pairwise[0, 1] == pytest.approx(great_circle_km(*BEIJING, *SHANGHAI))
    assert np.array_equal(haversine_km(lats, lons, lats, lons), pairwise)
    assert great_circle_km(lats, lons, *SHANGHAI)[1] == 0.0


def test_zero_distance_costs_only_handling():
    road = GreatCircleTravel().matrices([_source(*BEIJING)], [_point(*BEIJING)])["road"]
    assert road.hours[0, 0] == pytest.approx(1.0)
    assert road.km[0, 0] == pytest.approx(0.0)
    assert road.cost_per_tonne[0, 0] == pytest.approx(0.0)


def test_road_time_is_detoured_distance_over_speed_plus_handling():
    travel = GreatCircleTravel(
        modes={"road": ModeParams(detour=1.5, speed_kmh=50.0, handling_hours=2.0, cost_per_tkm=1.0)}
    )
    m = travel.matrices([_source(*BEIJING)], [_point(*SHANGHAI)])["road"]
    gc = haversine_km(np.array([BEIJING[0]]), np.array([BEIJING[1]]), np.array([SHANGHAI[0]]), np.array([SHANGHAI[1]]))[
        0, 0
    ]
    assert m.km[0, 0] == pytest.approx(gc * 1.5)
    assert m.hours[0, 0] == pytest.approx(gc * 1.5 / 50.0 + 2.0)
    assert m.cost_per_tonne[0, 0] == pytest.approx(gc * 1.5)


def test_air_adds_road_access_legs_and_beats_road_over_long_distance():
    mats = GreatCircleTravel().matrices(
        [_source(*BEIJING, modes=("road", "air"))], [_point(*SHANGHAI, ("road", "air"))]
    )
    air, road = mats["air"], mats["road"]
    assert air.hours[0, 0] < road.hours[0, 0]
    assert air.cost_per_tonne[0, 0] > road.cost_per_tonne[0, 0]
    near = GreatCircleTravel().matrices([_source(*BEIJING, modes=("air",))], [_point(*BEIJING, ("air",))])["air"]
    # At zero distance air still pays handling plus two road access legs.
    assert near.hours[0, 0] > 3.0
    assert near.km[0, 0] > 0


def test_mode_missing_at_either_end_is_unavailable():
    mats = GreatCircleTravel().matrices(
        [_source(30, 110, ("road",)), _source(30, 111, ("road", "air"))], [_point(31, 110, ("air",))]
    )
    assert math.isinf(mats["road"].hours[0, 0]) and math.isinf(mats["road"].hours[1, 0])
    assert math.isinf(mats["air"].hours[0, 0])
    assert math.isfinite(mats["air"].hours[1, 0])
    assert math.isinf(mats["rail"].cost_per_tonne[1, 0])


def test_vectorised_shapes():
    rng = np.random.default_rng(0)
    sources = [
        _source(lat, lon, ("road", "rail")) for lat, lon in zip(rng.uniform(20, 45, 300), rng.uniform(100, 122, 300))
    ]
    points = [_point(lat, lon) for lat, lon in zip(rng.uniform(20, 45, 70), rng.uniform(100, 122, 70))]
    mats = GreatCircleTravel().matrices(sources, points)
    assert set(mats) == {"road", "rail", "air"}
    assert mats["road"].hours.shape == (300, 70)
    assert np.isfinite(mats["road"].hours).all()
    assert np.isinf(mats["rail"].hours).all()  # the points have no rail access
