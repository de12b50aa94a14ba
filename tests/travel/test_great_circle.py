"""The great-circle kernel against geopy, a slow pure-Python reference and the numpy version."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from geopy.distance import great_circle

from hjemmetjeneste import _numba
from hjemmetjeneste.domain.common import GeoPoint
from hjemmetjeneste.travel import (
    EARTH_RADIUS_M,
    _kernels,
    great_circle_distance_m,
    numpy_great_circle_matrix_m,
)

GEOPY_RADIUS_KM = EARTH_RADIUS_M / 1000.0  # 6371.0088, the same sphere as the kernel

OSLO = (59.9139, 10.7522)
TROMSO = (69.6492, 18.9553)
TRONDHEIM = (63.4305, 10.3951)
TRONDHEIM_ANTIPODE = (-63.4305, 10.3951 - 180.0)

FAR_POINTS = [
    OSLO,
    TROMSO,
    TRONDHEIM,
    (58.1467, 7.9956),  # Kristiansand
    (78.2232, 15.6267),  # Longyearbyen
    (-33.8688, 151.2093),  # Sydney
    (0.0, 0.0),
    (0.0, 179.9999),  # nearly antipodal to (0, 0)
    (90.0, 0.0),
    (-90.0, 0.0),
    (TRONDHEIM_ANTIPODE[0], TRONDHEIM_ANTIPODE[1] + 0.001),  # about 50 m from the antipode
    (TRONDHEIM_ANTIPODE[0] + 1e-6, TRONDHEIM_ANTIPODE[1]),  # about 0.1 m from it
    TRONDHEIM_ANTIPODE,
]


def reference_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The chord formula, written out plainly with the math module."""

    def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
        phi, lam = math.radians(lat), math.radians(lon)
        return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))

    chord = math.dist(unit_vector(*a), unit_vector(*b))
    return 2.0 * EARTH_RADIUS_M * math.asin(chord / 2.0)


def reference_matrix_m(points: list[tuple[float, float]]) -> np.ndarray:
    """Every pair through :func:`reference_distance_m`, one at a time."""
    n = len(points)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = reference_distance_m(points[i], points[j])
    return out


def geopy_matrix_m(points: list[tuple[float, float]]) -> np.ndarray:
    """Every pair through geopy's great_circle on the kernel's sphere."""
    n = len(points)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = great_circle(points[i], points[j], radius=GEOPY_RADIUS_KM).m
    return out


def random_points(
    n: int, lat: tuple[float, float], lon: tuple[float, float], seed: int
) -> list[tuple[float, float]]:
    """``n`` seeded uniform points in a lat/lon box."""
    rng = np.random.default_rng(seed)
    return list(zip(rng.uniform(*lat, n).tolist(), rng.uniform(*lon, n).tolist(), strict=True))


def kernel_matrix(points: list[tuple[float, float]]) -> np.ndarray:
    """The public, validating entry point on (lat, lon) tuples."""
    return great_circle_distance_m([GeoPoint(lat=lat, lon=lon) for lat, lon in points])


TRONDHEIM_POINTS = random_points(40, (63.35, 63.47), (10.20, 10.60), seed=7)
NORWAY_POINTS = random_points(30, (58.0, 71.0), (5.0, 31.0), seed=8)
WORLD_POINTS = random_points(30, (-90.0, 90.0), (-180.0, 180.0), seed=9)


@pytest.mark.parametrize(
    "points",
    [TRONDHEIM_POINTS, NORWAY_POINTS, WORLD_POINTS, FAR_POINTS],
    ids=["trondheim", "norway", "world", "far"],
)
def test_kernel_matches_geopy_great_circle_within_a_millimetre(points):
    """The kernel agrees with geopy's great_circle on the same sphere to < 1e-3 m."""
    diff = np.abs(kernel_matrix(points) - geopy_matrix_m(points))
    assert diff.max() < 1e-3


def test_oslo_tromso_distance_matches_geopy():
    """A known long pair, Oslo–Tromsø (about 1148 km), matches geopy to < 1e-3 m."""
    d = kernel_matrix([OSLO, TROMSO])
    expected = great_circle(OSLO, TROMSO, radius=GEOPY_RADIUS_KM).m
    assert d[0, 1] == pytest.approx(expected, abs=1e-3)
    assert 1_140_000 < d[0, 1] < 1_155_000


@pytest.mark.parametrize(
    "points",
    [TRONDHEIM_POINTS, NORWAY_POINTS, WORLD_POINTS],
    ids=["trondheim", "norway", "world"],
)
def test_kernel_matches_pure_python_reference(points):
    """The kernel equals the plain math-module chord formula to <= 1e-6 m."""
    np.testing.assert_allclose(
        kernel_matrix(points), reference_matrix_m(points), rtol=0.0, atol=1e-6
    )


def test_series_and_libm_branches_agree_at_the_threshold():
    """Pairs just below and just above the series cut-off (half chord 1/64) match the reference."""
    half_angle_deg = math.degrees(math.asin(1.0 / 64.0))
    points = [(60.0, 10.0)]
    for factor in (1 - 1e-9, 1 - 1e-12, 1.0, 1 + 1e-12, 1 + 1e-9, 0.5, 1.5):
        points.append((60.0 + 2.0 * half_angle_deg * factor, 10.0))
    got = kernel_matrix(points)[0]
    want = reference_matrix_m(points)[0]
    np.testing.assert_allclose(got, want, rtol=0.0, atol=1e-6)


def test_near_antipodal_points_stay_accurate():
    """Near the antipode the kernel stays within 1e-3 m of geopy (the naive formula does not)."""
    points = [TRONDHEIM, TRONDHEIM_ANTIPODE, FAR_POINTS[-2], FAR_POINTS[-3]]
    diff = np.abs(kernel_matrix(points) - geopy_matrix_m(points))
    assert diff.max() < 1e-3
    assert kernel_matrix(points)[0, 1] == pytest.approx(math.pi * EARTH_RADIUS_M, abs=1e-3)


@pytest.mark.parametrize(
    "points", [TRONDHEIM_POINTS, WORLD_POINTS, FAR_POINTS], ids=["trondheim", "world", "far"]
)
def test_matrix_is_symmetric_with_zero_diagonal(points):
    """d[i, j] == d[j, i] exactly and d[i, i] == 0 exactly."""
    d = kernel_matrix(points)
    assert d.dtype == np.float64
    assert d.shape == (len(points), len(points))
    assert np.array_equal(d, d.T)
    assert np.all(np.diag(d) == 0.0)


def test_coincident_points_are_zero_apart():
    """Two identical coordinates at different indices are exactly 0 m apart."""
    d = kernel_matrix([TRONDHEIM, OSLO, TRONDHEIM])
    assert d[0, 2] == 0.0
    assert d[2, 0] == 0.0
    assert d[0, 1] > 0.0


def test_single_point_gives_one_by_one_zero():
    """One point gives the 1×1 matrix [[0]]."""
    assert kernel_matrix([TRONDHEIM]).tolist() == [[0.0]]


@pytest.mark.parametrize(
    "points", [TRONDHEIM_POINTS, NORWAY_POINTS, WORLD_POINTS], ids=["trondheim", "norway", "world"]
)
def test_numpy_baseline_equals_kernel(points):
    """The numpy broadcasting version gives the kernel's distances (to 1e-6 m)."""
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    np.testing.assert_allclose(
        numpy_great_circle_matrix_m(lat, lon), kernel_matrix(points), rtol=0.0, atol=1e-6
    )


def test_kernel_accepts_non_contiguous_and_integer_arrays():
    """The private kernel wrapper copes with strided and integer input arrays."""
    lat = np.array([63, 0, 64, 0, 65])[::2]
    lon = np.array([10, 0, 11, 0, 12])[::2]
    got = _kernels.great_circle_matrix_m(lat, lon)
    want = reference_matrix_m([(63.0, 10.0), (64.0, 11.0), (65.0, 12.0)])
    np.testing.assert_allclose(got, want, rtol=0.0, atol=1e-6)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ([], [], "at least one point"),
        ([63.4, float("nan")], [10.4, 10.5], "point 1 has a non-finite coordinate"),
        ([63.4, 63.5], [10.4, float("inf")], "point 1 has a non-finite coordinate"),
        ([91.0], [10.4], "latitude 91.0, outside"),
        ([63.4, -90.5], [10.4, 10.4], "point 1 has latitude -90.5"),
        ([63.4], [180.5], "longitude 180.5, outside"),
        ([63.4, 63.5], [10.4], "same length"),
    ],
)
def test_invalid_coordinates_raise_value_error(lat, lon, message):
    """Empty, non-finite and out-of-range input raises ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        numpy_great_circle_matrix_m(np.array(lat), np.array(lon))
    if len(lat) == len(lon):
        points = [GeoPoint.model_construct(lat=a, lon=b) for a, b in zip(lat, lon, strict=True)]
        with pytest.raises(ValueError, match=message):
            great_circle_distance_m(points)


def test_kernel_writes_cache_files_to_numba_cache_dir(tmp_path):
    """With NUMBA_CACHE_DIR set, compiling the kernel leaves index files (*.nbi) there."""
    cache_dir = tmp_path / "numba-cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    code = (
        "import numpy as np\n"
        "from hjemmetjeneste.travel._kernels import great_circle_matrix_m\n"
        "d = great_circle_matrix_m(np.array([63.4, 63.5]), np.array([10.4, 10.5]))\n"
        "assert d[0, 1] > 0\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    assert list(cache_dir.rglob("*.nbi"))


def test_cache_dir_guard_honours_and_defaults(monkeypatch, tmp_path):
    """The guard keeps an explicit NUMBA_CACHE_DIR and otherwise picks a writable default."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "explicit"))
    assert _numba.ensure_cache_dir() == str(tmp_path / "explicit")

    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    chosen = _numba.ensure_cache_dir()
    assert chosen == str(tmp_path / "xdg" / "hjemmetjeneste" / "numba")
    assert os.environ["NUMBA_CACHE_DIR"] == chosen
    assert Path(chosen).is_dir()


def test_cache_dir_guard_falls_back_to_tempdir(monkeypatch, tmp_path):
    """When the user cache directory cannot be created, a directory in the tempdir is used."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache home should be")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(_numba.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    chosen = _numba.ensure_cache_dir()
    assert chosen is not None
    assert chosen.startswith(str(tmp_path / "tmp"))
    assert Path(chosen).is_dir()
