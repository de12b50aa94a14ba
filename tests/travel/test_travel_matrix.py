"""Travel profiles, the int32 travel kernel, TravelMatrix and GreatCircleSource."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel import (
    DEFAULT_PROFILES,
    GreatCircleSource,
    TravelMatrix,
    TravelProfile,
    TravelSource,
    great_circle_distance_m,
)
from hjemmetjeneste.travel._kernels import road_travel_matrices

CAR = DEFAULT_PROFILES[TravelMode.CAR]

# Seeded places in Trondheim, two of them at the same address.
_RNG = np.random.default_rng(11)
TRONDHEIM = [
    GeoPoint(lat=lat, lon=lon)
    for lat, lon in zip(_RNG.uniform(63.38, 63.45, 12), _RNG.uniform(10.30, 10.50, 12), strict=True)
]
TRONDHEIM.append(TRONDHEIM[3])


def reference_travel(dist_m: float, profile: TravelProfile) -> tuple[int, int]:
    """(duration_s, distance_m) for one pair, the slow and obvious way."""
    if dist_m <= 0.5:
        return 0, 0
    road = dist_m * profile.detour_factor
    return round(road / profile.speed_mps) + profile.stop_s, round(road)


# --- profiles -------------------------------------------------------------------------------


def test_default_profiles_cover_every_mode_with_the_documented_values():
    """Every TravelMode has a default profile with the agreed speed, detour and stop time."""
    assert set(DEFAULT_PROFILES) == set(TravelMode)
    assert DEFAULT_PROFILES[TravelMode.CAR] == TravelProfile(30.0, 1.3, 180)
    assert DEFAULT_PROFILES[TravelMode.BIKE] == TravelProfile(15.0, 1.25, 60)
    assert DEFAULT_PROFILES[TravelMode.FOOT] == TravelProfile(4.8, 1.2, 30)


def test_default_profiles_are_read_only():
    """The default mapping and its profiles cannot be changed."""
    with pytest.raises(TypeError):
        DEFAULT_PROFILES[TravelMode.CAR] = TravelProfile(50.0, 1.3, 180)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAR.speed_kmh = 50.0  # type: ignore[misc]


def test_profile_speed_in_metres_per_second():
    """30 km/h is 8.33 m/s."""
    assert CAR.speed_mps == pytest.approx(30.0 / 3.6)
    assert CAR.travel_s(1000.0) == pytest.approx(1300.0 / (30.0 / 3.6) + 180)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed_kmh": 0.0, "detour_factor": 1.3, "stop_s": 0}, "speed_kmh"),
        ({"speed_kmh": -5.0, "detour_factor": 1.3, "stop_s": 0}, "speed_kmh"),
        ({"speed_kmh": float("nan"), "detour_factor": 1.3, "stop_s": 0}, "speed_kmh"),
        ({"speed_kmh": 30.0, "detour_factor": 0.9, "stop_s": 0}, "detour_factor"),
        ({"speed_kmh": 30.0, "detour_factor": float("inf"), "stop_s": 0}, "detour_factor"),
        ({"speed_kmh": 30.0, "detour_factor": 1.3, "stop_s": -1}, "stop_s"),
        ({"speed_kmh": 30.0, "detour_factor": 1.3, "stop_s": 1.5}, "stop_s"),
        ({"speed_kmh": 1e-5, "detour_factor": 1.3, "stop_s": 0}, "int32"),
    ],
)
def test_invalid_profile_raises_value_error(kwargs, message):
    """Non-positive speed, detour below 1, bad stop time or int32 overflow are rejected."""
    with pytest.raises(ValueError, match=message):
        TravelProfile(**kwargs)


# --- the int32 travel kernel ----------------------------------------------------------------


def test_travel_kernel_matches_reference_per_pair():
    """Duration and distance equal round(d·detour/speed) + stop and round(d·detour)."""
    dist = great_circle_distance_m(TRONDHEIM)
    for mode, profile in DEFAULT_PROFILES.items():
        duration, distance = road_travel_matrices(
            dist, profile.detour_factor, profile.speed_mps, profile.stop_s
        )
        assert duration.dtype == np.int32, mode
        assert distance.dtype == np.int32, mode
        for i in range(len(TRONDHEIM)):
            for j in range(len(TRONDHEIM)):
                want = reference_travel(dist[i, j], profile)
                assert (int(duration[i, j]), int(distance[i, j])) == want, (mode, i, j)


def test_travel_kernel_known_value():
    """1 km great-circle by car: 1300 m road at 30 km/h is 156 s, plus 180 s parking."""
    dist = np.array([[0.0, 1000.0], [1000.0, 0.0]])
    duration, distance = road_travel_matrices(dist, 1.3, 30.0 / 3.6, 180)
    assert duration.tolist() == [[0, 336], [336, 0]]
    assert distance.tolist() == [[0, 1300], [1300, 0]]


def test_travel_seconds_are_monotone_in_distance():
    """A longer great-circle distance never gives a shorter travel time or road distance."""
    row = np.concatenate([[0.0, 0.25, 0.5, 0.51, 1.0], np.linspace(2.0, 50_000.0, 995)])
    dist = np.zeros((row.size, row.size))
    dist[0] = row
    duration, distance = road_travel_matrices(dist, CAR.detour_factor, CAR.speed_mps, CAR.stop_s)
    assert np.all(np.diff(duration[0]) >= 0)
    assert np.all(np.diff(distance[0]) >= 0)


def test_stop_time_only_between_distinct_places():
    """Coincident places (<= 0.5 m apart) cost 0 s; any real move costs at least stop_s."""
    dist = np.array(
        [
            [0.0, 0.3, 0.5, 0.6, 10.0],
            [0.3, 0.0, 0.2, 0.3, 9.7],
            [0.5, 0.2, 0.0, 0.1, 9.5],
            [0.6, 0.3, 0.1, 0.0, 9.4],
            [10.0, 9.7, 9.5, 9.4, 0.0],
        ]
    )
    duration, distance = road_travel_matrices(dist, 1.3, 30.0 / 3.6, 180)
    coincident = dist <= 0.5
    assert np.all(duration[coincident] == 0)
    assert np.all(distance[coincident] == 0)
    assert np.all(duration[~coincident] >= 180)
    assert duration[0, 3] == 180  # 0.78 m of road rounds to 0 s of driving
    assert distance[0, 3] == 1


def test_modes_differ_and_parking_makes_the_car_slow_on_short_hops():
    """Foot is slower than car beyond ~200 m, bike beyond ~830 m; short hops favour walking.

    Break-even from the default profiles: car 0.156 s/m + 180 s, bike 0.300 s/m + 60 s,
    foot 0.900 s/m + 30 s.
    """
    source = GreatCircleSource()
    dist = great_circle_distance_m(TRONDHEIM)
    car = source.matrix(TRONDHEIM, TravelMode.CAR).duration_s
    bike = source.matrix(TRONDHEIM, TravelMode.BIKE).duration_s
    foot = source.matrix(TRONDHEIM, TravelMode.FOOT).duration_s
    distinct = dist > 0.5
    assert np.all(foot[distinct] > bike[distinct])
    assert np.all(foot[dist > 250.0] > car[dist > 250.0])
    assert np.all(bike[dist > 1000.0] > car[dist > 1000.0])
    assert (dist > 1000.0).any()

    hop = [GeoPoint(lat=63.4300, lon=10.3950), GeoPoint(lat=63.4309, lon=10.3950)]  # ~100 m
    walk_s = source.matrix(hop, TravelMode.FOOT).duration_s[0, 1]
    drive_s = source.matrix(hop, TravelMode.CAR).duration_s[0, 1]
    assert walk_s < drive_s


# --- TravelMatrix ---------------------------------------------------------------------------


def _square(n: int, dtype: type = np.int32) -> np.ndarray:
    return np.zeros((n, n), dtype=dtype)


@pytest.mark.parametrize(
    ("duration", "distance", "message"),
    [
        (np.zeros((2, 3), dtype=np.int32), np.zeros((2, 3), dtype=np.int32), "square"),
        (np.zeros(4, dtype=np.int32), np.zeros(4, dtype=np.int32), "square"),
        (_square(2), _square(3), "same shape"),
        (_square(2, np.int64), _square(2), "int32"),
        (_square(2), _square(2, np.float64), "int32"),
        (np.array([[0, -1], [1, 0]], dtype=np.int32), _square(2), "negative"),
        ([[0, 1], [1, 0]], _square(2), "numpy array"),
    ],
)
def test_invalid_travel_matrix_raises_value_error(duration, distance, message):
    """Non-square, mismatched, wrongly typed or negative matrices are rejected."""
    with pytest.raises(ValueError, match=message):
        TravelMatrix(duration_s=duration, distance_m=distance, mode=TravelMode.CAR)


def test_travel_matrix_is_read_only_and_leaves_the_input_writable():
    """The stored arrays are read-only views; the caller's arrays stay writable."""
    duration, distance = _square(3), _square(3)
    matrix = TravelMatrix(duration_s=duration, distance_m=distance, mode=TravelMode.FOOT)
    with pytest.raises(ValueError, match="read-only"):
        matrix.duration_s[0, 1] = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        matrix.mode = TravelMode.CAR  # type: ignore[misc]
    duration[0, 1] = 5
    assert matrix.size == 3


# --- GreatCircleSource ----------------------------------------------------------------------


def test_great_circle_source_is_a_travel_source():
    """GreatCircleSource satisfies the TravelSource protocol and names itself."""
    source = GreatCircleSource()
    assert isinstance(source, TravelSource)
    assert source.name == "great_circle"


def test_great_circle_source_builds_consistent_int32_matrices():
    """The source's matrices equal the per-pair reference for every mode."""
    source = GreatCircleSource()
    dist = great_circle_distance_m(TRONDHEIM)
    for mode in TravelMode:
        matrix = source.matrix(TRONDHEIM, mode)
        assert matrix.mode is mode
        assert matrix.size == len(TRONDHEIM)
        assert matrix.duration_s.dtype == np.int32
        assert matrix.distance_m.dtype == np.int32
        assert np.all(np.diag(matrix.duration_s) == 0)
        assert np.array_equal(matrix.duration_s, matrix.duration_s.T)
        profile = DEFAULT_PROFILES[mode]
        i, j = 0, 5
        assert (int(matrix.duration_s[i, j]), int(matrix.distance_m[i, j])) == reference_travel(
            dist[i, j], profile
        )


def test_same_address_costs_nothing():
    """Two visits at the same address: 0 s and 0 m between them, no stop time."""
    matrix = GreatCircleSource().matrix(TRONDHEIM, TravelMode.CAR)
    last = len(TRONDHEIM) - 1
    assert matrix.duration_s[3, last] == 0
    assert matrix.distance_m[3, last] == 0
    assert matrix.duration_s[2, last] == matrix.duration_s[2, 3]


def test_custom_profiles_and_string_modes():
    """A source with its own profiles uses them; modes may be given as their string value."""
    slow = TravelProfile(speed_kmh=3.6, detour_factor=1.0, stop_s=0)
    source = GreatCircleSource(profiles={TravelMode.FOOT: slow})
    points = [GeoPoint(lat=63.43, lon=10.39), GeoPoint(lat=63.44, lon=10.39)]
    matrix = source.matrix(points, "foot")  # type: ignore[arg-type]
    dist = great_circle_distance_m(points)[0, 1]
    assert matrix.duration_s[0, 1] == round(dist)  # 1 m/s, no detour, no stop
    assert matrix.mode is TravelMode.FOOT
    with pytest.raises(ValueError, match="no travel profile for mode"):
        source.matrix(points, TravelMode.CAR)
    with pytest.raises(ValueError, match="no travel profile for mode"):
        source.matrix(points, "helicopter")  # type: ignore[arg-type]


def test_source_rejects_bad_profiles_and_points():
    """Non-profile values and invalid points raise ValueError with a clear message."""
    with pytest.raises(ValueError, match="must be a TravelProfile"):
        GreatCircleSource(profiles={TravelMode.CAR: (30.0, 1.3, 180)})  # type: ignore[dict-item]
    source = GreatCircleSource()
    with pytest.raises(ValueError, match="at least one point"):
        source.matrix([], TravelMode.CAR)
    with pytest.raises(ValueError, match="latitude 91"):
        source.matrix([GeoPoint.model_construct(lat=91.0, lon=10.0)], TravelMode.CAR)
    with pytest.raises(ValueError, match="non-finite"):
        source.matrix([GeoPoint.model_construct(lat=float("nan"), lon=10.0)], TravelMode.CAR)


def test_geopoint_itself_rejects_latitude_91():
    """Validated GeoPoints never reach the kernel with lat 91 (pydantic's error is a ValueError)."""
    with pytest.raises(ValueError, match="lat"):
        GeoPoint(lat=91.0, lon=10.0)
