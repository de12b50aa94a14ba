"""Numba kernels of the travel matrices (numba itself comes from :mod:`hjemmetjeneste._numba`).

Callers validate their input first (see :mod:`hjemmetjeneste.travel.matrix`); the kernels
trust it. Distances use the chord form of the great-circle distance on a sphere of radius
:data:`EARTH_RADIUS_M`: points become unit vectors ``p``, the chord is ``c = |p_i - p_j|``,
and the distance is ``2 R asin(c / 2)``. ``fastmath`` is off, so the arithmetic is IEEE.

Two speed notes, both measured on a 2-core VM at N = 10,000 (points in one town):

* The output is allocated by numpy in the thin Python wrappers, not inside the jitted code.
  numpy asks the OS for transparent huge pages on large arrays; numba's allocator does
  not, and the first-touch page faults of 800 MB then cost about 0.4 s, ten times the
  arithmetic.
* ``asin(h)`` is taken from its Taylor series when ``h < 1/64`` (pairs closer than about
  199 km: every pair inside a municipality). The series is plain multiply-adds, so the
  row loop vectorises, which a call to libm's ``asin`` prevents (0.04 s instead of 0.12 s).
  Its truncation error is below ``0.023 h**10 < 2e-20`` relative, far under double
  precision, so the result is as exact as libm's. Rows with larger ``h`` get a second,
  scalar pass with libm for those pairs only.
"""

from __future__ import annotations

import numpy as np

from hjemmetjeneste._numba import njit, prange

EARTH_RADIUS_M = 6371008.8
"""Mean earth radius R1 of IUGG/WGS84 in metres (geopy's ``EARTH_RADIUS`` is 6371.009 km)."""

_SERIES_MAX_HALF_CHORD = 1.0 / 64.0
"""Below this half chord ``asin`` comes from its Taylor series (see the module docstring)."""

_COINCIDENT_M = 0.5
"""Points closer than this many metres count as the same place (no travel, no stop time)."""


@njit(cache=True)
def _unit_vectors(
    lat_deg: np.ndarray, lon_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cartesian unit vectors (x, y, z) of WGS84 degrees on the unit sphere."""
    n = lat_deg.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    z = np.empty(n)
    for i in range(n):
        phi = np.radians(lat_deg[i])
        lam = np.radians(lon_deg[i])
        cos_phi = np.cos(phi)
        x[i] = cos_phi * np.cos(lam)
        y[i] = cos_phi * np.sin(lam)
        z[i] = np.sin(phi)
    return x, y, z


@njit(cache=True)
def _asin_series(h: float) -> float:
    """``asin(h)`` for ``0 <= h < 1/64`` by its Taylor series up to ``h**9``."""
    h2 = h * h
    return h + h * h2 * (1.0 / 6.0 + h2 * (3.0 / 40.0 + h2 * (5.0 / 112.0 + h2 * (35.0 / 1152.0))))


@njit(cache=True)
def _half_angle_libm(
    xi: float, yi: float, zi: float, xj: float, yj: float, zj: float, h: float
) -> float:
    """Half the central angle for a half chord ``h >= 1/64``, with libm's ``asin``.

    Beyond 90° ``asin(h)`` is ill-conditioned (its slope grows without bound near the
    antipode), so there the half chord ``s`` towards the antipode of ``p_j`` is used:
    ``h**2 + s**2 = 1`` and ``asin(h) = pi/2 - asin(s)``. One ``asin`` of the smaller of
    the two, then a branch-free select.
    """
    sx = xi + xj
    sy = yi + yj
    sz = zi + zj
    s = 0.5 * np.sqrt(sx * sx + sy * sy + sz * sz)
    a = np.arcsin(min(h, s))
    return a if h <= s else 0.5 * np.pi - a


@njit(cache=True, parallel=True)
def _fill_great_circle(lat_deg: np.ndarray, lon_deg: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (N×N float64) with great-circle distances in metres, rows in parallel."""
    n = lat_deg.shape[0]
    x, y, z = _unit_vectors(lat_deg, lon_deg)
    two_r = 2.0 * EARTH_RADIUS_M
    for i in prange(n):
        xi = x[i]
        yi = y[i]
        zi = z[i]
        n_far = 0
        for j in range(n):  # branch-free: vectorises
            dx = xi - x[j]
            dy = yi - y[j]
            dz = zi - z[j]
            h = 0.5 * np.sqrt(dx * dx + dy * dy + dz * dz)
            out[i, j] = two_r * _asin_series(h)
            n_far += h >= _SERIES_MAX_HALF_CHORD
        if n_far > 0:
            for j in range(n):
                dx = xi - x[j]
                dy = yi - y[j]
                dz = zi - z[j]
                h = 0.5 * np.sqrt(dx * dx + dy * dy + dz * dz)
                if h >= _SERIES_MAX_HALF_CHORD:
                    out[i, j] = two_r * _half_angle_libm(xi, yi, zi, x[j], y[j], z[j], h)


@njit(cache=True, parallel=True)
def _fill_road_travel(
    dist_m: np.ndarray,
    detour: float,
    speed_mps: float,
    stop_s: int,
    duration_s: np.ndarray,
    distance_m: np.ndarray,
) -> None:
    """Fill the int32 duration and road-distance matrices from great-circle metres."""
    n = dist_m.shape[0]
    for i in prange(n):
        for j in range(n):
            d = dist_m[i, j]
            if d > _COINCIDENT_M:
                road = d * detour
                distance_m[i, j] = np.int32(np.rint(road))
                duration_s[i, j] = np.int32(np.rint(road / speed_mps)) + stop_s
            else:
                distance_m[i, j] = 0
                duration_s[i, j] = 0


def great_circle_matrix_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """N×N float64 great-circle distances in metres between already validated points.

    Symmetric with an exactly zero diagonal. No input checks: use
    :func:`hjemmetjeneste.travel.great_circle_distance_m` from outside this package.
    """
    lat = np.ascontiguousarray(lat_deg, dtype=np.float64)
    lon = np.ascontiguousarray(lon_deg, dtype=np.float64)
    out = np.empty((lat.shape[0], lat.shape[0]), dtype=np.float64)
    _fill_great_circle(lat, lon, out)
    return out


def road_travel_matrices(
    dist_m: np.ndarray, detour: float, speed_mps: float, stop_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """int32 ``(duration_s, distance_m)`` from an N×N great-circle distance matrix.

    Between distinct places (more than 0.5 m apart) the road distance is
    ``round(dist * detour)`` and the duration ``round(dist * detour / speed_mps) + stop_s``;
    coincident places and the diagonal get 0 for both. Rounding is half to even. The
    caller guarantees the values fit in int32 (see ``TravelProfile``).
    """
    dist = np.ascontiguousarray(dist_m, dtype=np.float64)
    n = dist.shape[0]
    duration = np.empty((n, n), dtype=np.int32)
    distance = np.empty((n, n), dtype=np.int32)
    _fill_road_travel(dist, float(detour), float(speed_mps), int(stop_s), duration, distance)
    return duration, distance
