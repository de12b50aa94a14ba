"""The disk cache of travel matrices: hits, misses, what the key covers, damaged files."""

from __future__ import annotations

import numpy as np
import pytest

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel import CachedSource, GreatCircleSource, TravelMatrix, TravelSource

POINTS = [GeoPoint(lat=63.43 + 0.001 * k, lon=10.39 + 0.002 * k) for k in range(6)]


class CountingSource:
    """A source with an identity that counts how often it computes."""

    def __init__(self, identity: str | None = "counting|v1") -> None:
        self.calls = 0
        self._identity = identity
        self.inner = GreatCircleSource()

    @property
    def name(self) -> str:
        return "counting"

    @property
    def identity(self) -> str | None:
        return self._identity

    def matrix(self, points, mode) -> TravelMatrix:
        self.calls += 1
        return self.inner.matrix(points, mode)


def test_cached_source_is_a_travel_source(tmp_path):
    """The wrapper is itself a TravelSource and keeps the inner name."""
    cached = CachedSource(CountingSource(), tmp_path)
    assert isinstance(cached, TravelSource)
    assert cached.name == "counting"


def test_second_request_is_served_from_disk(tmp_path):
    """Same points and mode: computed once, then read back equal, also by a new wrapper."""
    inner = CountingSource()
    first = CachedSource(inner, tmp_path).matrix(POINTS, TravelMode.CAR)
    again_wrapper = CachedSource(inner, tmp_path)
    again = again_wrapper.matrix(POINTS, TravelMode.CAR)
    assert inner.calls == 1
    assert again_wrapper.hits == 1
    np.testing.assert_array_equal(again.duration_s, first.duration_s)
    np.testing.assert_array_equal(again.distance_m, first.distance_m)
    assert again.mode is TravelMode.CAR


@pytest.mark.parametrize(
    "change",
    ["mode", "order", "moved point", "identity"],
)
def test_anything_in_the_key_changing_recomputes(tmp_path, change):
    """Another mode, point order, a moved point or another source identity is a miss."""
    inner = CountingSource()
    CachedSource(inner, tmp_path).matrix(POINTS, TravelMode.CAR)
    points, mode = POINTS, TravelMode.CAR
    if change == "mode":
        mode = TravelMode.FOOT
    elif change == "order":
        points = list(reversed(POINTS))
    elif change == "moved point":
        points = [*POINTS[:-1], GeoPoint(lat=POINTS[-1].lat + 1e-7, lon=POINTS[-1].lon)]
    else:
        inner._identity = "counting|v2"
    CachedSource(inner, tmp_path).matrix(points, mode)
    assert inner.calls == 2


def test_source_without_identity_is_never_cached(tmp_path):
    """identity None (e.g. OSRM with an unknown extract) passes straight through."""
    inner = CountingSource(identity=None)
    cached = CachedSource(inner, tmp_path)
    cached.matrix(POINTS, TravelMode.CAR)
    cached.matrix(POINTS, TravelMode.CAR)
    assert inner.calls == 2
    assert not (tmp_path / "matrices").exists()


def test_damaged_cache_file_is_recomputed(tmp_path):
    """A truncated file is ignored and replaced by a fresh computation."""
    inner = CountingSource()
    CachedSource(inner, tmp_path).matrix(POINTS, TravelMode.CAR)
    (stored,) = (tmp_path / "matrices").glob("*.npz")
    stored.write_bytes(b"not a zip file")
    result = CachedSource(inner, tmp_path).matrix(POINTS, TravelMode.CAR)
    assert inner.calls == 2
    assert result.size == len(POINTS)
