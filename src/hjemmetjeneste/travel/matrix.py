"""Travel matrices (reisetidsmatriser): durations and road distances between visit places.

Every source of travel times implements :class:`TravelSource`; the solver only ever sees
the :class:`TravelMatrix` it returns (int32 seconds and metres, row = from, column = to).
:class:`GreatCircleSource` estimates both from the great-circle distance and a
:class:`~hjemmetjeneste.travel.profiles.TravelProfile`; a road-network engine can take its
place behind the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import numpy as np

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel import _kernels
from hjemmetjeneste.travel._kernels import EARTH_RADIUS_M
from hjemmetjeneste.travel.profiles import DEFAULT_PROFILES, TravelProfile

UNREACHABLE = (2**31 - 1) // 4
"""Sentinel for a pair with no route: ``duration_s`` and ``distance_m`` are both 536,870,911.

A quarter of the int32 range (about 17 years, or 537,000 km), so that sums of a few
matrix entries still fit in int32 and can never be mistaken for a real trip. Consumers
must test ``value >= UNREACHABLE`` before doing arithmetic with an entry (the solver
leaves such visits out as unreachable and clamps the rest).
"""


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Reisetidsmatrise: travel seconds and road metres between N places, for one mode.

    ``duration_s[i, j]`` is the time from place ``i`` to place ``j``, including the stop
    time at ``j``; ``distance_m[i, j]`` the road distance. Both are square int32 arrays of
    the same shape with non-negative values. They are stored as read-only views, so the
    matrix cannot be changed through its attributes.
    """

    duration_s: np.ndarray
    distance_m: np.ndarray
    mode: TravelMode

    def __post_init__(self) -> None:
        for name in ("duration_s", "distance_m"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray):
                raise ValueError(f"{name} must be a numpy array, got {type(value).__name__}")
            if value.ndim != 2 or value.shape[0] != value.shape[1]:
                raise ValueError(f"{name} must be a square N×N matrix, got shape {value.shape}")
            if value.dtype != np.int32:
                raise ValueError(f"{name} must have dtype int32, got {value.dtype}")
            if value.size and value.min() < 0:
                raise ValueError(f"{name} has negative entries")
            view = value.view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        if self.duration_s.shape != self.distance_m.shape:
            raise ValueError(
                "duration_s and distance_m must have the same shape, got "
                f"{self.duration_s.shape} and {self.distance_m.shape}"
            )
        object.__setattr__(self, "mode", TravelMode(self.mode))

    @property
    def size(self) -> int:
        """Number of places N (the matrices are N×N)."""
        return int(self.duration_s.shape[0])

    def unreachable(self) -> np.ndarray:
        """Boolean N×N mask of the pairs without a route (``duration_s >= UNREACHABLE``)."""
        return self.duration_s >= UNREACHABLE


@runtime_checkable
class TravelSource(Protocol):
    """Anything that turns places and a travel mode into a :class:`TravelMatrix`."""

    @property
    def name(self) -> str:
        """A short, stable name of the source, e.g. for logs and stored plans."""
        ...

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        """The travel matrix between ``points`` (in order) for ``mode``."""
        ...


@dataclass(frozen=True)
class GreatCircleSource:
    """Travel estimated from great-circle distance with one :class:`TravelProfile` per mode.

    No road data: good for planning and tests, and the fallback when no routing engine is
    configured.
    """

    profiles: Mapping[TravelMode, TravelProfile] = field(default_factory=lambda: DEFAULT_PROFILES)

    def __post_init__(self) -> None:
        profiles = {TravelMode(mode): profile for mode, profile in self.profiles.items()}
        for mode, profile in profiles.items():
            if not isinstance(profile, TravelProfile):
                raise ValueError(
                    f"profile for {mode!r} must be a TravelProfile, got {type(profile).__name__}"
                )
        object.__setattr__(self, "profiles", MappingProxyType(profiles))

    @property
    def name(self) -> str:
        """``"great_circle"``."""
        return "great_circle"

    def profile(self, mode: TravelMode) -> TravelProfile:
        """The profile used for ``mode``; ValueError when there is none."""
        try:
            return self.profiles[TravelMode(mode)]
        except (KeyError, ValueError):
            known = ", ".join(str(m) for m in self.profiles) or "none"
            raise ValueError(f"no travel profile for mode {mode!r} (known: {known})") from None

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        """Durations and road distances between ``points`` for ``mode``.

        Raises ValueError for an empty list, non-finite or out-of-range coordinates and an
        unknown mode.
        """
        return self.matrices(points, (mode,))[TravelMode(mode)]

    def matrices(
        self, points: Sequence[GeoPoint], modes: Sequence[TravelMode]
    ) -> dict[TravelMode, TravelMatrix]:
        """:meth:`matrix` for each of ``modes``, the great-circle distances computed once."""
        # profile() first: an unknown mode is named in its error before TravelMode(mode).
        pairs = [(mode, self.profile(mode)) for mode in modes]
        profiles = {TravelMode(mode): profile for mode, profile in pairs}
        dist = great_circle_distance_m(points)
        out: dict[TravelMode, TravelMatrix] = {}
        for mode, profile in profiles.items():
            duration, distance = _kernels.road_travel_matrices(
                dist, profile.detour_factor, profile.speed_mps, profile.stop_s
            )
            out[mode] = TravelMatrix(duration_s=duration, distance_m=distance, mode=mode)
        return out


def travel_matrices(
    source: TravelSource, points: Sequence[GeoPoint], modes: Sequence[TravelMode]
) -> dict[TravelMode, TravelMatrix]:
    """The matrix of each of ``modes`` between ``points``: in one call where the source
    shares work between modes (:meth:`GreatCircleSource.matrices`), else mode by mode."""
    together = getattr(source, "matrices", None)
    if callable(together):
        return dict(together(points, modes))
    return {TravelMode(mode): source.matrix(points, mode) for mode in modes}


def great_circle_distance_m(points: Sequence[GeoPoint]) -> np.ndarray:
    """N×N float64 great-circle distances in metres between ``points`` (numba kernel).

    Uses the chord form ``2 R asin(|p_i - p_j| / 2)`` on the mean earth radius
    R = 6371008.8 m; symmetric with an exactly zero diagonal. Raises ValueError for an
    empty sequence and for non-finite or out-of-range coordinates (points built with
    ``model_construct`` skip pydantic's checks).
    """
    lat, lon = points_to_arrays(points)
    check_coordinates(lat, lon)
    return _kernels.great_circle_matrix_m(lat, lon)


def points_to_arrays(points: Sequence[GeoPoint]) -> tuple[np.ndarray, np.ndarray]:
    """float64 latitude and longitude arrays of ``points`` (not validated)."""
    lat = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
    lon = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
    return lat, lon


def numpy_great_circle_matrix_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """The same chord formula as the kernel, vectorised with numpy broadcasting.

    A plain N×N numpy implementation, used as the benchmark baseline and as a second
    reference in tests. It applies ``asin`` to the chord directly, so within about 1 m of
    the antipode it is less precise than the kernel (about 0.1 m). Validates like
    :func:`great_circle_distance_m`.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    check_coordinates(lat, lon)
    phi = np.radians(lat)
    lam = np.radians(lon)
    cos_phi = np.cos(phi)
    chord_sq = np.zeros((lat.shape[0], lat.shape[0]))
    for component in (cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)):
        diff = component[:, None] - component[None, :]
        diff *= diff
        chord_sq += diff
    half_chord = np.sqrt(chord_sq, out=chord_sq)
    half_chord *= 0.5
    distance = np.arcsin(half_chord, out=half_chord)
    distance *= 2.0 * EARTH_RADIUS_M
    return distance


def check_coordinates(lat: np.ndarray, lon: np.ndarray) -> None:
    """Raise ValueError unless lat/lon are equal-length, non-empty, finite WGS84 degrees."""
    if lat.ndim != 1 or lat.shape != lon.shape:
        raise ValueError(
            "latitudes and longitudes must be 1-D arrays of the same length, got shapes "
            f"{lat.shape} and {lon.shape}"
        )
    if lat.size == 0:
        raise ValueError("at least one point is required, got none")
    finite = np.isfinite(lat) & np.isfinite(lon)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(f"point {i} has a non-finite coordinate (lat={lat[i]}, lon={lon[i]})")
    bad_lat = np.abs(lat) > 90.0
    if bad_lat.any():
        i = int(np.argmax(bad_lat))
        raise ValueError(f"point {i} has latitude {lat[i]}, outside [-90, 90] degrees")
    bad_lon = np.abs(lon) > 180.0
    if bad_lon.any():
        i = int(np.argmax(bad_lon))
        raise ValueError(f"point {i} has longitude {lon[i]}, outside [-180, 180] degrees")
