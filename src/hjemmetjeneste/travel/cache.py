"""A disk cache of travel matrices, so that re-planning the same places computes nothing.

:class:`CachedSource` wraps any :class:`~hjemmetjeneste.travel.TravelSource` that has an
``identity`` (a text naming everything its matrices depend on besides the points: for
:class:`~hjemmetjeneste.travel.OsmSource` the extract's SHA-256, the road profiles and the
stop times). A matrix is stored per (identity, mode, exact point list) in one ``.npz`` file
named by the SHA-256 of those three, under ``<cache dir>/matrices``. A source without an
identity (or ``identity`` None) is passed through uncached. Files are written atomically;
a damaged or foreign file is ignored and recomputed. Nothing is ever evicted: delete the
folder to reclaim space.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel.matrix import TravelMatrix, TravelSource, points_to_arrays
from hjemmetjeneste.travel.osm import default_cache_dir

CACHE_FORMAT = 1


def matrix_key(identity: str, mode: TravelMode, points: Sequence[GeoPoint]) -> str:
    """Hex SHA-256 naming one matrix: source identity, mode and the exact coordinates."""
    lat, lon = points_to_arrays(points)
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}|{identity}|{TravelMode(mode).value}|{lat.size}|".encode())
    digest.update(lat.tobytes())
    digest.update(lon.tobytes())
    return digest.hexdigest()


class CachedSource:
    """A travel source whose matrices are kept on disk (see the module docstring).

    ``hits`` and ``misses`` count lookups since creation.
    """

    def __init__(self, inner: TravelSource, cache_dir: Path | None = None) -> None:
        self.inner = inner
        self.directory = (cache_dir or default_cache_dir()) / "matrices"
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        """The wrapped source's name."""
        return self.inner.name

    @property
    def identity(self) -> str | None:
        """The wrapped source's identity (None: not cached)."""
        return getattr(self.inner, "identity", None)

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        """The stored matrix for these points and mode, else the inner source's (then stored)."""
        identity = self.identity
        if identity is None:
            return self.inner.matrix(points, mode)
        key = matrix_key(identity, mode, points)
        path = self.directory / f"{key}.npz"
        cached = _load(path, key, len(points), TravelMode(mode))
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = self.inner.matrix(points, mode)
        _store(path, key, result)
        return result


def _load(path: Path, key: str, n: int, mode: TravelMode) -> TravelMatrix | None:
    """The matrix in ``path`` when it is intact and really the one for ``key``."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            duration = np.array(data["duration_s"])
            distance = np.array(data["distance_m"])
        if duration.shape != (n, n):
            return None
        return TravelMatrix(duration_s=duration, distance_m=distance, mode=mode)
    except (OSError, ValueError, KeyError):
        return None


def _store(path: Path, key: str, matrix: TravelMatrix) -> None:
    """Write atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, key=np.array(key), duration_s=matrix.duration_s, distance_m=matrix.distance_m)
        os.replace(tmp, path)
    except OSError:
        return
