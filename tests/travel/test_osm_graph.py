"""Road graphs from OSM extracts and the numba searches on them, against scipy's Dijkstra."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from travel_osm_helpers import random_nodes

from hjemmetjeneste.domain.common import TravelMode
from hjemmetjeneste.travel import RoadGraph, RoadNetwork, read_road_network
from hjemmetjeneste.travel import osm as osm_module
from hjemmetjeneste.travel.osm import NO_PATH, haversine_m, split_weights


def scipy_weights(graph: RoadGraph, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """scipy's Dijkstra on the very CSR matrix the kernel searches, as int64 (inf: NO_PATH)."""
    data, indices, indptr = graph.csr_weight_matrix()
    matrix = csr_matrix((data, indices, indptr), shape=(graph.n_nodes, graph.n_nodes))
    result = dijkstra(matrix, directed=True, indices=sources)[:, targets]
    out = np.full(result.shape, NO_PATH, dtype=np.int64)
    finite = np.isfinite(result)
    out[finite] = result[finite].astype(np.int64)
    return out


def node_of(graph: RoadGraph, osm_id: int) -> int:
    """Index of the node with OSM id ``osm_id``."""
    return int(np.flatnonzero(graph.osm_ids == osm_id)[0])


# --- the tiny hand-made extract -------------------------------------------------------------


def test_tiny_car_graph_obeys_oneway_and_private_access(tiny_extract, tmp_path):
    """Cars go n2 -> n4 but not back, never on the private diagonal or the footway."""
    car = read_road_network(tiny_extract, cache_dir=tmp_path).graph(TravelMode.CAR)
    assert sorted(car.osm_ids.tolist()) == [1, 2, 3, 4, 6]  # no footway end n5
    n = {i: node_of(car, i) for i in (1, 2, 3, 4)}
    w = car.path_weights(np.array([n[2], n[4], n[1]]), np.array([n[4], n[2], n[4]]))
    time_ms, length_dm = split_weights(w)
    side_ns = haversine_m(46.0, 7.0, 46.001, 7.0)  # about 111 m
    side_ew = haversine_m(46.0, 7.0, 46.0, 7.001)  # about 77 m
    # n2 -> n4 straight up the one-way street at 50 km/h x 0.8.
    assert length_dm[0, 0] == pytest.approx(side_ns * 10, abs=1)
    assert time_ms[0, 0] == pytest.approx(side_ns / (40 / 3.6) * 1000, abs=1)
    # n4 -> n2 must go round via n3, n1 (three sides at 25 km/h), not down the one-way.
    assert length_dm[1, 1] == pytest.approx((2 * side_ew + side_ns) * 10, abs=3)
    assert time_ms[1, 1] == pytest.approx((2 * side_ew + side_ns) / (25 / 3.6) * 1000, abs=3)
    # n1 -> n4: the private diagonal (about 135 m) would be shorter; cars take n2 and B.
    assert length_dm[2, 2] == pytest.approx((side_ew + side_ns) * 10, abs=2)


def test_tiny_foot_graph_ignores_oneway_and_uses_the_footway(tiny_extract, tmp_path):
    """On foot n4 -> n2 is the direct street (one-way does not bind), and n5 is reachable."""
    foot = read_road_network(tiny_extract, cache_dir=tmp_path).graph(TravelMode.FOOT)
    assert 5 in foot.osm_ids.tolist()
    w = foot.path_weights(np.array([node_of(foot, 4)]), np.array([node_of(foot, 2)]))
    _, length_dm = split_weights(w)
    assert length_dm[0, 0] == pytest.approx(haversine_m(46.001, 7.001, 46.0, 7.001) * 10, abs=1)


def test_the_largest_strong_component_drops_dead_ends(tiny_extract, tmp_path):
    """A one-way spur n2 -> n5 is a dead end: cars lose n5, pedestrians (both ways) keep it."""
    text = tiny_extract.read_text(encoding="utf-8").replace(
        '<tag k="highway" v="footway"/>',
        '<tag k="highway" v="residential"/><tag k="oneway" v="yes"/>',
    )
    tiny_extract.write_text(text, encoding="utf-8")
    network = read_road_network(tiny_extract, cache_dir=tmp_path)
    assert 5 not in network.graph(TravelMode.CAR).osm_ids.tolist()  # n2 -> n5 only: dead end
    assert 5 in network.graph(TravelMode.FOOT).osm_ids.tolist()  # on foot both ways


# --- the real extracts ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(TravelMode))
def test_helsinki_graphs_are_one_strong_component_of_plausible_size(helsinki, mode):
    """Each mode's graph is strongly connected; the car graph has 1,000-2,027 nodes."""
    graph = helsinki.graph(mode)
    data, indices, indptr = graph.csr_weight_matrix()
    matrix = csr_matrix((data, indices, indptr), shape=(graph.n_nodes, graph.n_nodes))
    n_comp, _ = connected_components(matrix, directed=True, connection="strong")
    assert n_comp == 1
    assert graph.n_core_nodes < graph.n_nodes
    assert (graph.time_ms > 0).all()
    if mode is TravelMode.CAR:
        # SOURCES.md: 2,027 drivable nodes, 1,797 in the largest SCC (no access filter).
        assert 1_000 <= graph.n_nodes <= 2_027


@pytest.mark.parametrize("mode", list(TravelMode))
def test_numba_weights_equal_scipy_dijkstra_exactly_on_helsinki(helsinki, mode):
    """The numba search (contracted and full) equals scipy's Dijkstra on the same CSR matrix."""
    graph = helsinki.graph(mode)
    sources = random_nodes(graph.n_nodes, 150, seed=1)
    targets = random_nodes(graph.n_nodes, 200, seed=2)
    expected = scipy_weights(graph, sources, targets)
    np.testing.assert_array_equal(graph.path_weights(sources, targets), expected)
    np.testing.assert_array_equal(graph.path_weights_full(sources, targets), expected)


def test_numba_weights_equal_scipy_dijkstra_exactly_on_monaco(monaco):
    """Monaco's car graph (one-ways, hills, 14,000 nodes): equal to scipy for 300 nodes."""
    graph = monaco.graph(TravelMode.CAR)
    nodes = random_nodes(graph.n_nodes, 300, seed=3)
    np.testing.assert_array_equal(
        graph.path_weights(nodes, nodes), scipy_weights(graph, nodes, nodes)
    )


def test_monaco_car_graph_matches_the_documented_size(monaco):
    """SOURCES.md counts 14,360 nodes in the drivable SCC; access rules change that a little."""
    assert 13_000 <= monaco.graph(TravelMode.CAR).n_nodes <= 15_712


def test_search_on_a_graph_that_is_not_strongly_connected_reports_no_path():
    """Where scipy finds no path (inf) both kernels write NO_PATH, and the rest still agree."""
    rng = np.random.default_rng(7)
    n = 40
    tails = rng.integers(0, n, 90)
    heads = rng.integers(0, n, 90)
    keep = tails != heads
    tails, heads = tails[keep], heads[keep]
    pairs = np.unique(np.stack([tails, heads], axis=1), axis=0)
    tails, heads = pairs[:, 0], pairs[:, 1]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    graph = RoadGraph(
        mode=TravelMode.CAR,
        indptr=indptr,
        indices=heads.astype(np.int64),
        time_ms=rng.integers(1, 1000, heads.size).astype(np.int64),
        length_dm=rng.integers(1, 500, heads.size).astype(np.int64),
        lat=rng.uniform(60, 60.01, n),
        lon=rng.uniform(10, 10.01, n),
        osm_ids=np.arange(n, dtype=np.int64),
    )
    all_nodes = np.arange(n)
    expected = scipy_weights(graph, all_nodes, all_nodes)
    assert (expected == NO_PATH).any()
    np.testing.assert_array_equal(graph.path_weights(all_nodes, all_nodes), expected)
    np.testing.assert_array_equal(graph.path_weights_full(all_nodes, all_nodes), expected)


def _chain_graph(seed: int) -> RoadGraph:
    """Random junctions joined by streets of 0-4 shape points, two-way or one-way, loops too."""
    rng = np.random.default_rng(seed)
    n_junctions = 12
    tails: list[int] = []
    heads: list[int] = []
    n = n_junctions
    for _ in range(30):
        a, b = (int(x) for x in rng.integers(0, n_junctions, 2))
        inner = list(range(n, n + int(rng.integers(0, 5))))
        n += len(inner)
        path = [a, *inner, b]
        if len(set(path)) < 2:
            continue
        two_way = rng.random() < 0.6
        for u, v in itertools.pairwise(path):
            tails.append(u)
            heads.append(v)
            if two_way:
                tails.append(v)
                heads.append(u)
    t = np.asarray(tails)
    h = np.asarray(heads)
    pairs = np.unique(np.stack([t, h], axis=1), axis=0)
    t, h = pairs[:, 0], pairs[:, 1]
    keep = t != h
    t, h = t[keep], h[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=n), out=indptr[1:])
    return RoadGraph(
        mode=TravelMode.FOOT,
        indptr=indptr,
        indices=h.astype(np.int64),
        time_ms=rng.integers(1, 50, h.size).astype(np.int64),  # small: many ties
        length_dm=rng.integers(1, 30, h.size).astype(np.int64),
        lat=rng.uniform(60, 60.01, n),
        lon=rng.uniform(10, 10.01, n),
        osm_ids=np.arange(n, dtype=np.int64),
    )


@pytest.mark.parametrize("seed", range(12))
def test_contracted_search_equals_scipy_on_random_street_networks(seed):
    """Chains of shape points (one-way, two-way, loops, parallel streets) contract exactly."""
    graph = _chain_graph(seed)
    nodes = np.arange(graph.n_nodes)
    expected = scipy_weights(graph, nodes, nodes)
    np.testing.assert_array_equal(graph.path_weights(nodes, nodes), expected)


def test_split_weights_decodes_time_and_length_and_marks_no_path():
    """High bits are milliseconds, low 26 bits decimetres; NO_PATH becomes -1."""
    weights = np.array([(1234 << 26) + 567, NO_PATH, 0], dtype=np.int64)
    time_ms, length_dm = split_weights(weights)
    assert time_ms.tolist() == [1234, -1, 0]
    assert length_dm.tolist() == [567, -1, 0]


def test_snap_finds_the_nearest_node_like_a_brute_force_search(helsinki):
    """The grid search returns the planar-nearest node, also for points outside the extract."""
    graph = helsinki.graph(TravelMode.CAR)
    rng = np.random.default_rng(5)
    lat = np.concatenate([rng.uniform(60.160, 60.183, 300), [60.30, 60.0]])
    lon = np.concatenate([rng.uniform(24.930, 24.958, 300), [25.2, 24.5]])
    nodes, snap_m = graph.snap(lat, lon)
    px, py = graph.projected(lat, lon)
    nx, ny = graph.projected(graph.lat, graph.lon)
    d2 = (px[:, None] - nx[None, :]) ** 2 + (py[:, None] - ny[None, :]) ** 2
    np.testing.assert_array_equal(d2[np.arange(lat.size), nodes], d2.min(axis=1))
    assert snap_m[-2] > 10_000  # 15 km north-east of the extract


def test_second_read_comes_from_the_cache_without_parsing(tiny_extract, tmp_path, monkeypatch):
    """The graph is cached by the extract's digest; a changed extract is parsed again."""
    first = read_road_network(tiny_extract, cache_dir=tmp_path)

    def no_parsing(path):
        raise AssertionError("the extract was parsed again")

    monkeypatch.setattr(osm_module, "_read_ways", no_parsing)
    again = read_road_network(tiny_extract, cache_dir=tmp_path)
    for mode in TravelMode:
        np.testing.assert_array_equal(again.graph(mode).weights, first.graph(mode).weights)
        np.testing.assert_array_equal(again.graph(mode).lat, first.graph(mode).lat)
    tiny_extract.write_text(
        tiny_extract.read_text().replace('lat="46.0010" lon="7.0010"', 'lat="46.0012" lon="7.0010"')
    )
    with pytest.raises(AssertionError, match="parsed again"):
        read_road_network(tiny_extract, cache_dir=tmp_path)


def test_missing_extract_is_a_clear_error(tmp_path):
    """A path that does not exist raises FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match=r"nowhere\.osm\.pbf"):
        read_road_network(tmp_path / "nowhere.osm.pbf", cache_dir=tmp_path)


def test_network_without_the_mode_names_the_built_modes(helsinki):
    """Asking for an unknown mode says which graphs exist."""
    network = RoadNetwork(helsinki.digest, {TravelMode.CAR: helsinki.graph(TravelMode.CAR)}, "x")
    with pytest.raises(ValueError, match="built: car"):
        network.graph(TravelMode.FOOT)


def test_corrupt_extract_is_a_clear_error(tmp_path):
    """A file that is not OSM data raises ValueError naming the file."""
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"this is not a protobuf blob")
    with pytest.raises(ValueError, match=r"broken\.osm\.pbf: not a readable OSM extract"):
        read_road_network(bad, cache_dir=tmp_path)


def test_mode_without_usable_ways_gets_no_graph(tiny_extract, tmp_path):
    """An extract of footways only: foot and bike graphs exist, asking for car says so."""
    text = tiny_extract.read_text(encoding="utf-8").replace('v="residential"', 'v="footway"')
    tiny_extract.write_text(text, encoding="utf-8")
    network = read_road_network(tiny_extract, cache_dir=tmp_path)
    assert set(network.graphs) == {TravelMode.BIKE, TravelMode.FOOT}
    with pytest.raises(ValueError, match="no road graph for mode"):
        network.graph(TravelMode.CAR)


def test_extract_without_roads_is_refused(tiny_extract, tmp_path):
    """No highway at all: ValueError instead of empty graphs."""
    text = tiny_extract.read_text(encoding="utf-8").replace('k="highway"', 'k="building"')
    tiny_extract.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="no road any travel mode may use"):
        read_road_network(tiny_extract, cache_dir=tmp_path)


ISLAND = """
  <node id="7" version="1" lat="45.9950" lon="7.0010"/>
  <node id="8" version="1" lat="45.9950" lon="7.0020"/>
  <way id="20" version="1"><nd ref="7"/><nd ref="8"/>
    <tag k="highway" v="residential"/></way>
  <way id="21" version="1"><nd ref="2"/><nd ref="7"/>
    <tag k="route" v="ferry"/>{extra}</way>
</osm>
"""


def _with_island(extract, extra: str) -> None:
    """Add an island (n7 - n8) reached from n2 by a ferry with ``extra`` tags."""
    text = extract.read_text(encoding="utf-8").replace("</osm>", ISLAND.format(extra=extra))
    extract.write_text(text, encoding="utf-8")


def test_ferry_connects_an_island_at_ferry_speed(tiny_extract, tmp_path):
    """Cars reach the island over the ferry at 5 km/h; the crossing's time is length / speed."""
    _with_island(tiny_extract, "")
    car = read_road_network(tiny_extract, cache_dir=tmp_path).graph(TravelMode.CAR)
    assert {7, 8} <= set(car.osm_ids.tolist())
    w = car.path_weights(np.array([node_of(car, 2)]), np.array([node_of(car, 7)]))
    time_ms, _ = split_weights(w)
    crossing_m = haversine_m(46.0, 7.001, 45.995, 7.001)
    assert time_ms[0, 0] == pytest.approx(crossing_m / (5 / 3.6) * 1000, abs=1)


def test_ferry_duration_tag_sets_the_crossing_time(tiny_extract, tmp_path):
    """duration=00:10 makes the crossing take 600 s, whatever its length."""
    _with_island(tiny_extract, '<tag k="duration" v="00:10"/>')
    car = read_road_network(tiny_extract, cache_dir=tmp_path).graph(TravelMode.CAR)
    w = car.path_weights(np.array([node_of(car, 2)]), np.array([node_of(car, 7)]))
    assert split_weights(w)[0][0, 0] == pytest.approx(600_000, abs=2)


def test_foot_ferry_leaves_cars_on_the_mainland(tiny_extract, tmp_path):
    """motor_vehicle=no on the ferry: the island is not in the car graph but is on foot."""
    _with_island(tiny_extract, '<tag k="motor_vehicle" v="no"/>')
    network = read_road_network(tiny_extract, cache_dir=tmp_path)
    assert 7 not in network.graph(TravelMode.CAR).osm_ids.tolist()
    assert 7 in network.graph(TravelMode.FOOT).osm_ids.tolist()


def test_inconsistent_graph_arrays_are_rejected():
    """A head outside the node range or mismatched arc arrays raise ValueError."""
    base = {
        "mode": TravelMode.CAR,
        "indptr": np.array([0, 1, 2]),
        "indices": np.array([1, 0]),
        "time_ms": np.array([10, 10]),
        "length_dm": np.array([5, 5]),
        "lat": np.array([60.0, 60.001]),
        "lon": np.array([10.0, 10.0]),
        "osm_ids": np.array([1, 2]),
    }
    assert RoadGraph(**base).n_arcs == 2
    with pytest.raises(ValueError, match="node numbers"):
        RoadGraph(**{**base, "indices": np.array([1, 2])})
    with pytest.raises(ValueError, match="one entry per arc"):
        RoadGraph(**{**base, "time_ms": np.array([10])})
    with pytest.raises(ValueError, match="indptr"):
        RoadGraph(**{**base, "indptr": np.array([0, 2, 1])})
