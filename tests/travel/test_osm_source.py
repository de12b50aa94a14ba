"""OsmSource matrices: snapping, walking to the road, stop time, unreachable places, OSRM."""

from __future__ import annotations

import numpy as np
import pytest
from travel_osm_helpers import need_osrm_url

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel import (
    DEFAULT_PROFILES,
    UNREACHABLE,
    OsmSource,
    OsrmSource,
    TravelSource,
    great_circle_distance_m,
)
from hjemmetjeneste.travel.osm import WALK_MPS, split_weights

_RNG = np.random.default_rng(21)
HELSINKI_POINTS = [
    GeoPoint(lat=float(a), lon=float(b))
    for a, b in zip(_RNG.uniform(60.165, 60.178, 40), _RNG.uniform(24.937, 24.952, 40), strict=True)
]
FAR_AWAY = GeoPoint(lat=60.25, lon=25.10)  # about 12 km from the Helsinki extract


def test_osm_source_is_a_travel_source(helsinki):
    """OsmSource satisfies the TravelSource protocol and is named 'osm'."""
    source = OsmSource(helsinki)
    assert isinstance(source, TravelSource)
    assert source.name == "osm"


@pytest.mark.parametrize("mode", list(TravelMode))
def test_duration_is_walk_plus_road_plus_walk_plus_stop(helsinki, mode):
    """Each entry is snap walk + fastest road time + snap walk + the mode's stop time."""
    source = OsmSource(helsinki)
    matrix = source.matrix(HELSINKI_POINTS, mode)
    graph = helsinki.graph(mode)
    lat = np.array([p.lat for p in HELSINKI_POINTS])
    lon = np.array([p.lon for p in HELSINKI_POINTS])
    nodes, snap_m = graph.snap(lat, lon)
    time_ms, length_dm = split_weights(graph.path_weights(nodes, nodes))
    stop_s = DEFAULT_PROFILES[mode].stop_s
    for i, j in [(0, 1), (5, 17), (39, 2), (12, 30)]:
        expected_s = time_ms[i, j] / 1000 + (snap_m[i] + snap_m[j]) / WALK_MPS
        assert matrix.duration_s[i, j] == round(expected_s) + stop_s
        assert matrix.distance_m[i, j] == round(length_dm[i, j] / 10 + snap_m[i] + snap_m[j])
    assert (np.diag(matrix.duration_s) == 0).all()
    assert (np.diag(matrix.distance_m) == 0).all()


def test_road_distance_is_never_shorter_than_the_straight_line(helsinki):
    """Road metres (with the snap legs) are at least the great-circle distance."""
    for mode in TravelMode:
        matrix = OsmSource(helsinki).matrix(HELSINKI_POINTS, mode)
        straight = great_circle_distance_m(HELSINKI_POINTS)
        assert (matrix.distance_m >= np.floor(straight) - 1).all()


def test_one_way_streets_make_car_matrices_asymmetric_but_not_walking(helsinki):
    """Cars meet one-way streets (asymmetric), pedestrians do not (symmetric up to rounding)."""
    source = OsmSource(helsinki)
    car = source.matrix(HELSINKI_POINTS, TravelMode.CAR).distance_m.astype(int)
    foot = source.matrix(HELSINKI_POINTS, TravelMode.FOOT).distance_m.astype(int)
    assert np.abs(car - car.T).max() > 50
    assert np.abs(foot - foot.T).max() <= 1


def test_walking_takes_longer_than_driving_between_distant_places(helsinki):
    """Across the extract the car beats walking despite its longer stop time."""
    source = OsmSource(helsinki)
    car = source.matrix(HELSINKI_POINTS, TravelMode.CAR).duration_s
    foot = source.matrix(HELSINKI_POINTS, TravelMode.FOOT).duration_s
    far = great_circle_distance_m(HELSINKI_POINTS) > 1000
    assert far.any()
    assert (car[far] < foot[far]).all()


def test_same_address_twice_costs_nothing(helsinki):
    """Two visits at the same place: zero time and distance between them."""
    points = [*HELSINKI_POINTS[:3], HELSINKI_POINTS[1]]
    matrix = OsmSource(helsinki).matrix(points, TravelMode.CAR)
    assert matrix.duration_s[1, 3] == matrix.duration_s[3, 1] == 0
    assert matrix.duration_s[0, 3] == matrix.duration_s[0, 1]


def test_place_beyond_the_snap_limit_is_unreachable(helsinki):
    """A place 12 km outside the extract gets UNREACHABLE both ways; its diagonal stays 0."""
    points = [*HELSINKI_POINTS[:5], FAR_AWAY]
    matrix = OsmSource(helsinki).matrix(points, TravelMode.CAR)
    assert (matrix.duration_s[5, :5] == UNREACHABLE).all()
    assert (matrix.duration_s[:5, 5] == UNREACHABLE).all()
    assert (matrix.distance_m[:5, 5] == UNREACHABLE).all()
    assert matrix.duration_s[5, 5] == 0
    assert matrix.unreachable()[:5, :5].sum() == 0
    assert (matrix.duration_s[:5, :5] < UNREACHABLE).all()


def test_a_generous_snap_limit_makes_the_far_place_reachable(helsinki):
    """With max_snap_m above its distance the far place is reached by walking to the road."""
    points = [*HELSINKI_POINTS[:5], FAR_AWAY]
    matrix = OsmSource(helsinki, max_snap_m=50_000).matrix(points, TravelMode.CAR)
    assert not matrix.unreachable().any()
    assert matrix.duration_s[0, 5] > 10_000 / WALK_MPS  # the walk dominates


def test_bad_points_and_modes_are_rejected(helsinki):
    """Empty lists raise ValueError; a network without the mode names the modes it has."""
    source = OsmSource(helsinki)
    with pytest.raises(ValueError, match="at least one point"):
        source.matrix([], TravelMode.CAR)
    with pytest.raises(ValueError, match="max_snap_m"):
        OsmSource(helsinki, max_snap_m=0)


def test_numba_car_times_agree_with_osrm_on_monaco(monaco):
    """On Monaco the car road times correlate with OSRM's (r >= 0.95, median ratio 0.85-1.15)."""
    url = need_osrm_url()
    graph = monaco.graph(TravelMode.CAR)
    # 400 random places over Monaco and the hills behind it, snapped to the car graph.
    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(43.725, 43.765, 400), rng.uniform(7.38, 7.46, 400)
    nodes = np.unique(graph.snap(lat, lon)[0])
    assert nodes.size > 250  # distinct road nodes (places in the sea share coast nodes)
    time_ms, length_dm = split_weights(graph.path_weights(nodes, nodes))
    osrm_s, osrm_m, _ = OsrmSource(url, max_table_size=10_000).raw_table(
        graph.lat[nodes], graph.lon[nodes], TravelMode.CAR
    )
    off = ~np.eye(nodes.size, dtype=bool) & np.isfinite(osrm_s) & (osrm_s > 0)
    ours = time_ms[off] / 1000
    theirs = osrm_s[off]
    r = np.corrcoef(ours, theirs)[0, 1]
    ratio = float(np.median(ours / theirs))
    assert r >= 0.95, f"Pearson r {r:.3f}"
    assert 0.85 <= ratio <= 1.15, f"median ratio {ratio:.3f}"
    r_dist = np.corrcoef(length_dm[off] / 10, osrm_m[off])[0, 1]
    assert r_dist >= 0.95, f"distance Pearson r {r_dist:.3f}"
