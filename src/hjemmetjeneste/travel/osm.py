"""Travel on real roads from an OpenStreetMap extract (``.osm.pbf``), computed with numba.

:func:`read_road_network` reads the ways of an extract with pyosmium and builds one directed
graph per travel mode (see :mod:`hjemmetjeneste.travel.roads` for which ways, directions and
speeds), keeps its largest strongly connected component and caches the result on disk,
keyed by the extract's SHA-256 and the profiles. :class:`OsmSource` snaps every place to the
nearest node of the mode's graph, runs a parallel multi-source Dijkstra (numba, CSR arrays)
between the snapped nodes and adds the snap distance at walking pace at both ends.

Arc weights are integers so that every path length is exact: an arc of ``t`` milliseconds and
``d`` decimetres weighs ``t * 2**26 + d``. A shortest path for that weight is the fastest
path and, among equally fast ones, the shortest; its time and length are the high and low
bits of the sum (valid while a path is shorter than 2**26 dm = 6,710 km).

Map data © OpenStreetMap contributors, available under the Open Database License (ODbL).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.travel import _graph_kernels
from hjemmetjeneste.travel._kernels import EARTH_RADIUS_M, great_circle_matrix_m
from hjemmetjeneste.travel.matrix import (
    UNREACHABLE,
    TravelMatrix,
    check_coordinates,
    points_to_arrays,
)
from hjemmetjeneste.travel.profiles import DEFAULT_PROFILES, TravelProfile
from hjemmetjeneste.travel.roads import ROAD_PROFILES, RoadProfile, parse_duration_s

DIST_BITS = 26
"""Low bits of a path weight that hold its length in decimetres."""
DIST_MASK = (1 << DIST_BITS) - 1
NO_PATH = int(_graph_kernels.NO_PATH)
"""Weight the search reports for a node it cannot reach."""
WALK_MPS = 1.4
"""Walking pace (m/s) over the snap distance between a place and its road node."""
DEFAULT_MAX_SNAP_M = 1000.0
"""A place farther than this from every road of a mode is unreachable in that mode."""
CACHE_FORMAT = 2
"""Version of the on-disk graph cache; bump when the arrays or their meaning change."""
_COINCIDENT_M = 0.5


def default_cache_dir() -> Path:
    """``Settings.cache_dir``: ``$HJEMMETJENESTE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/hjemmetjeneste`` (``~/.cache``)."""
    return Settings().cache_dir


def file_digest(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle metres between WGS84 degree arrays (haversine, mean earth radius)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """Vegnett: the directed road graph of one travel mode in CSR form.

    Node ``u``'s arcs are ``indptr[u] : indptr[u + 1]`` of ``indices`` (head node),
    ``time_ms`` and ``length_dm``; ``weights`` is ``time_ms * 2**26 + length_dm``. ``lat``/
    ``lon`` are node coordinates and ``osm_ids`` the OSM node ids. The graph is one strongly
    connected component: every node reaches every other.
    """

    mode: TravelMode
    indptr: np.ndarray
    indices: np.ndarray
    time_ms: np.ndarray
    length_dm: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    osm_ids: np.ndarray
    weights: np.ndarray = field(init=False, repr=False)
    _grid: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _grid_meta: tuple[float, float, float, int, int, float] = field(init=False, repr=False)
    _core: tuple[np.ndarray, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", TravelMode(self.mode))
        for name in ("indptr", "indices", "time_ms", "length_dm", "osm_ids", "lat", "lon"):
            dtype = np.float64 if name in ("lat", "lon") else np.int64
            value = np.array(getattr(self, name), dtype=dtype)  # a private, read-only copy
            if value.ndim != 1:
                raise ValueError(f"{name} must be a 1-D array, got shape {value.shape}")
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        n, m = self.indptr.shape[0] - 1, self.indices.shape[0]
        if n < 1 or self.indptr[0] != 0 or self.indptr[-1] != m or (np.diff(self.indptr) < 0).any():
            raise ValueError("indptr must start at 0, never decrease and end at len(indices)")
        if not all(getattr(self, k).shape[0] == m for k in ("time_ms", "length_dm")):
            raise ValueError("indices, time_ms and length_dm must have one entry per arc")
        if not all(getattr(self, k).shape[0] == n for k in ("lat", "lon", "osm_ids")):
            raise ValueError("lat, lon and osm_ids must have one entry per node")
        if m and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError(f"indices must be node numbers in 0..{n - 1}")
        if m and (self.time_ms.min() < 0 or self.length_dm.min() < 0):
            raise ValueError("arc times and lengths must not be negative")
        if m and self.length_dm.max() > DIST_MASK:
            raise ValueError(f"an arc is longer than {DIST_MASK} dm")
        object.__setattr__(self, "weights", (self.time_ms << DIST_BITS) + self.length_dm)
        self.weights.flags.writeable = False
        self._build_grid()
        self._build_core()

    @property
    def n_core_nodes(self) -> int:
        """Number of junctions: the nodes the contracted search visits."""
        return int(self._core[0].shape[0] - 1)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_arcs(self) -> int:
        """Number of directed arcs."""
        return int(self.indices.shape[0])

    def path_weights(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """int64 S×T shortest-path weights between node indices (numba, parallel).

        Searches the contracted core (junctions only, one arc per street between two
        junctions) and steps along the streets at both ends: the same numbers as a search
        of the full graph (:meth:`path_weights_full`), several times faster. ``NO_PATH``
        where there is none (never inside one strong component). Split a weight with
        :func:`split_weights`.
        """
        src, dst = self._check_nodes(sources, targets)
        out = np.empty((src.shape[0], dst.shape[0]), dtype=np.int64)
        if src.size and dst.size:
            blocks = max(1, min(src.shape[0], 8 * _graph_kernels.thread_count()))
            _graph_kernels.multi_source_contracted(*self._core, src, dst, blocks, out)
        return out

    def path_weights_full(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """:meth:`path_weights` by a plain multi-source Dijkstra over every node."""
        src, dst = self._check_nodes(sources, targets)
        out = np.empty((src.shape[0], dst.shape[0]), dtype=np.int64)
        if src.size and dst.size:
            blocks = max(1, min(src.shape[0], 8 * _graph_kernels.thread_count()))
            _graph_kernels.multi_source_lengths(
                self.indptr, self.indices, self.weights, src, dst, blocks, out
            )
        return out

    def _check_nodes(self, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, ...]:
        """Sources and targets as contiguous int64 node indices; ValueError when invalid."""
        src = np.ascontiguousarray(sources, dtype=np.int64)
        dst = np.ascontiguousarray(targets, dtype=np.int64)
        for name, arr in (("sources", src), ("targets", dst)):
            if arr.ndim != 1:
                raise ValueError(f"{name} must be a 1-D array of node indices")
            if arr.size and (arr.min() < 0 or arr.max() >= self.n_nodes):
                raise ValueError(f"{name} holds a node index outside 0..{self.n_nodes - 1}")
        return src, dst

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the great-circle metres to it."""
        lat = np.ascontiguousarray(lat, dtype=np.float64)
        lon = np.ascontiguousarray(lon, dtype=np.float64)
        x0, y0, cell_m, nx, ny, lat0 = self._grid_meta
        px, py = _project(lat, lon, lat0)
        nodes = np.empty(lat.shape[0], dtype=np.int64)
        node_x, node_y, cell_start, cell_nodes = self._grid
        _graph_kernels.nearest_in_grid(
            node_x, node_y, cell_start, cell_nodes, x0, y0, cell_m, nx, ny, px, py, nodes
        )
        return nodes, haversine_m(lat, lon, self.lat[nodes], self.lon[nodes])

    def projected(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Planar metres (x, y) in the graph's local projection (used for snapping)."""
        return _project(np.asarray(lat, float), np.asarray(lon, float), self._grid_meta[5])

    def csr_weight_matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(data, indices, indptr)`` of the weight matrix as float64 for a CSR reference.

        Parallel arcs are already merged, so ``scipy.sparse.csr_matrix((data, indices,
        indptr))`` is the very graph the kernel searches.
        """
        return self.weights.astype(np.float64), self.indices.copy(), self.indptr.copy()

    def _build_core(self) -> None:
        """Contract the streets between junctions (see :mod:`._graph_kernels`)."""
        is_chain = _graph_kernels.chain_nodes(self.indptr, self.indices)
        (
            core_of,
            chain_of,
            cum_f,
            cum_b,
            chain_a,
            chain_b,
            two_way,
            tot_f,
            tot_b,
            tails,
            heads,
            weights,
        ) = _graph_kernels.contract_chains(self.indptr, self.indices, self.weights, is_chain)
        n_core = int(core_of.max()) + 1
        order = np.lexsort((weights, heads, tails))
        tails, heads, weights = tails[order], heads[order], weights[order]
        first = np.ones(tails.size, dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        tails, heads, weights = tails[first], heads[first], weights[first]
        core_indptr = np.zeros(n_core + 1, dtype=np.int64)
        np.cumsum(np.bincount(tails, minlength=n_core), out=core_indptr[1:])
        object.__setattr__(
            self,
            "_core",
            (
                core_indptr,
                heads,
                weights,
                core_of,
                chain_of,
                cum_f,
                cum_b,
                chain_a,
                chain_b,
                two_way,
                tot_f,
                tot_b,
            ),
        )

    def _build_grid(self) -> None:
        lat0 = float(np.mean(self.lat)) if self.lat.size else 0.0
        x, y = _project(self.lat, self.lon, lat0)
        if x.size == 0:
            raise ValueError(f"the {self.mode.value} road graph has no nodes")
        x0, y0 = float(x.min()), float(y.min())
        width = max(float(x.max()) - x0, 1.0)
        height = max(float(y.max()) - y0, 1.0)
        cell_m = max(50.0, 2.0 * math.sqrt(width * height / x.size))
        nx = min(int(width // cell_m) + 1, 4096)
        ny = min(int(height // cell_m) + 1, 4096)
        cell_m = max(cell_m, width / nx * 1.000001, height / ny * 1.000001)
        ix = np.minimum(((x - x0) // cell_m).astype(np.int64), nx - 1)
        iy = np.minimum(((y - y0) // cell_m).astype(np.int64), ny - 1)
        cell = iy * nx + ix
        order = np.argsort(cell, kind="stable").astype(np.int64)
        counts = np.bincount(cell, minlength=nx * ny)
        cell_start = np.zeros(nx * ny + 1, dtype=np.int64)
        np.cumsum(counts, out=cell_start[1:])
        object.__setattr__(self, "_grid", (x, y, cell_start, order))
        object.__setattr__(self, "_grid_meta", (x0, y0, cell_m, nx, ny, lat0))


def split_weights(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(milliseconds, decimetres) of path weights; ``NO_PATH`` entries give (-1, -1)."""
    weights = np.asarray(weights, dtype=np.int64)
    missing = weights == NO_PATH
    time_ms = np.where(missing, -1, weights >> DIST_BITS)
    length_dm = np.where(missing, -1, weights & DIST_MASK)
    return time_ms, length_dm


def _project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular metres around latitude ``lat0`` (good to 0.1 % inside a municipality)."""
    scale = EARTH_RADIUS_M * math.pi / 180.0
    x = np.ascontiguousarray(lon * (scale * math.cos(math.radians(lat0))), dtype=np.float64)
    y = np.ascontiguousarray(lat * scale, dtype=np.float64)
    return x, y


@dataclass(frozen=True)
class _Ways:
    """Every highway way of an extract as flat arrays, before any mode is applied."""

    node_ids: np.ndarray  # OSM ids of the distinct nodes used by highway ways
    lat: np.ndarray
    lon: np.ndarray
    seg_from: np.ndarray  # node index per consecutive pair of way nodes
    seg_to: np.ndarray
    seg_way: np.ndarray  # way number (into tags) per pair
    tags: list[dict[str, str]]


_WANTED_TAGS = frozenset(
    {
        "highway",
        "oneway",
        "oneway:bicycle",
        "junction",
        "maxspeed",
        "maxspeed:forward",
        "maxspeed:backward",
        "access",
        "vehicle",
        "motor_vehicle",
        "motorcar",
        "bicycle",
        "foot",
        "motorroad",
        "area",
        "route",
        "duration",
    }
)


def _read_ways(path: Path) -> _Ways:
    """All ways with a ``highway`` tag, their node locations and the tags that matter."""
    import osmium

    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway", "route"))
    )
    refs: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    way_of_ref: list[int] = []
    tags: list[dict[str, str]] = []
    for obj in processor:
        if not obj.is_way():
            continue
        way_tags = {t.k: t.v for t in obj.tags if t.k in _WANTED_TAGS}
        if "highway" not in way_tags and way_tags.get("route") != "ferry":
            continue  # bus lines, hiking routes, ... (relations carry those; ways rarely)
        if way_tags.get("area") == "yes":
            continue  # the outline of a square is not a street
        number = len(tags)
        added = 0
        for node in obj.nodes:
            loc = node.location
            if not loc.valid():
                continue  # a node missing from the extract (clipped way)
            refs.append(node.ref)
            lats.append(loc.lat)
            lons.append(loc.lon)
            added += 1
        if added:
            way_of_ref.extend([number] * added)
            tags.append(way_tags)
    ref_arr = np.asarray(refs, dtype=np.int64)
    way_arr = np.asarray(way_of_ref, dtype=np.int64)
    node_ids, first, inverse = np.unique(ref_arr, return_index=True, return_inverse=True)
    lat = np.asarray(lats, dtype=np.float64)[first]
    lon = np.asarray(lons, dtype=np.float64)[first]
    same_way = way_arr[1:] == way_arr[:-1]
    seg_from = inverse[:-1][same_way]
    seg_to = inverse[1:][same_way]
    seg_way = way_arr[:-1][same_way]
    keep = seg_from != seg_to
    return _Ways(node_ids, lat, lon, seg_from[keep], seg_to[keep], seg_way[keep], tags)


def _build_graph(ways: _Ways, profile: RoadProfile) -> RoadGraph | None:
    """The largest strongly connected component of the directed graph for ``profile``.

    None when no way of the extract is usable by the profile's mode.
    """
    speeds = np.array([profile.way_speeds(t) for t in ways.tags], dtype=np.float64).reshape(-1, 2)
    length_m = haversine_m(
        ways.lat[ways.seg_from],
        ways.lon[ways.seg_from],
        ways.lat[ways.seg_to],
        ways.lon[ways.seg_to],
    )
    # A ferry with a timetable duration takes that long, whatever its length.
    way_length = np.bincount(ways.seg_way, weights=length_m, minlength=len(ways.tags))
    for w, tags in enumerate(ways.tags):
        if tags.get("route") == "ferry" and speeds[w].any():
            duration_s = parse_duration_s(tags.get("duration"))
            if duration_s is not None and way_length[w] > 0:
                kmh = way_length[w] / duration_s * 3.6
                speeds[w] = np.where(speeds[w] > 0, kmh, 0.0)
    fwd = speeds[ways.seg_way, 0]
    bwd = speeds[ways.seg_way, 1]
    tails = np.concatenate([ways.seg_from[fwd > 0], ways.seg_to[bwd > 0]])
    heads = np.concatenate([ways.seg_to[fwd > 0], ways.seg_from[bwd > 0]])
    arc_len = np.concatenate([length_m[fwd > 0], length_m[bwd > 0]])
    arc_kmh = np.concatenate([fwd[fwd > 0], bwd[bwd > 0]])
    time_ms = np.maximum(np.rint(arc_len * 3600.0 / arc_kmh), 1).astype(np.int64)
    length_dm = np.rint(arc_len * 10.0).astype(np.int64)
    if tails.size == 0:
        return None
    # Parallel arcs: keep the lightest (same order as the combined weight).
    weight = (time_ms << DIST_BITS) + length_dm
    order = np.lexsort((weight, heads, tails))
    tails, heads, time_ms, length_dm = tails[order], heads[order], time_ms[order], length_dm[order]
    first = np.ones(tails.size, dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, time_ms, length_dm = tails[first], heads[first], time_ms[first], length_dm[first]
    # Largest strongly connected component, on the nodes the arcs touch.
    used, compact = np.unique(np.concatenate([tails, heads]), return_inverse=True)
    t_c, h_c = compact[: tails.size], compact[tails.size :]
    indptr = np.zeros(used.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(t_c, minlength=used.size), out=indptr[1:])
    comp = _graph_kernels.strong_components(indptr, h_c.astype(np.int64))
    largest = np.argmax(np.bincount(comp))
    keep_node = comp == largest
    keep_arc = keep_node[t_c] & keep_node[h_c]
    nodes = used[keep_node]
    # Renumber the kept nodes in a spatial order (rows of ~500 m) for cache locality.
    lat, lon = ways.lat[nodes], ways.lon[nodes]
    x, y = _project(lat, lon, float(np.mean(lat)))
    spatial = np.lexsort((x, np.floor((y - y.min()) / 500.0)))
    new_index = np.full(used.size, -1, dtype=np.int64)
    new_index[np.flatnonzero(keep_node)[spatial]] = np.arange(nodes.size)
    t_n = new_index[t_c[keep_arc]]
    h_n = new_index[h_c[keep_arc]]
    order = np.lexsort((h_n, t_n))
    indptr = np.zeros(nodes.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(t_n, minlength=nodes.size), out=indptr[1:])
    nodes = nodes[spatial]
    return RoadGraph(
        mode=profile.mode,
        indptr=indptr,
        indices=h_n[order].astype(np.int64),
        time_ms=time_ms[keep_arc][order],
        length_dm=length_dm[keep_arc][order],
        lat=ways.lat[nodes],
        lon=ways.lon[nodes],
        osm_ids=ways.node_ids[nodes],
    )


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """The road graphs of one extract, one per travel mode, and the extract's digest."""

    digest: str
    graphs: Mapping[TravelMode, RoadGraph]
    profiles_fingerprint: str

    def graph(self, mode: TravelMode) -> RoadGraph:
        """The graph for ``mode``; ValueError when the network has none."""
        try:
            return self.graphs[TravelMode(mode)]
        except (KeyError, ValueError):
            known = ", ".join(str(m) for m in self.graphs) or "none"
            raise ValueError(f"no road graph for mode {mode!r} (built: {known})") from None


_GRAPH_ARRAYS = ("indptr", "indices", "time_ms", "length_dm", "lat", "lon", "osm_ids")


def _fingerprint(profiles: Mapping[TravelMode, RoadProfile]) -> str:
    text = "\n".join(profiles[m].fingerprint() for m in sorted(profiles, key=str))
    return hashlib.sha256(f"{CACHE_FORMAT}\n{text}".encode()).hexdigest()


def read_road_network(
    path: Path | str,
    *,
    profiles: Mapping[TravelMode, RoadProfile] = ROAD_PROFILES,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """Read an ``.osm.pbf`` extract into one road graph per mode, through an on-disk cache.

    The cache file is named after the extract's SHA-256 and a hash of ``profiles``, so a
    changed extract or profile is rebuilt; it lives in ``cache_dir`` (default
    :func:`default_cache_dir`). A mode without any usable way gets no graph (asking for it
    raises ValueError). Raises FileNotFoundError for a missing extract and ValueError for an
    unreadable file or one without any usable road.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"OSM extract not found: {path}")
    digest = file_digest(path)
    fingerprint = _fingerprint(profiles)
    cache_file = (
        (cache_dir or default_cache_dir()) / "roads" / (f"{digest[:20]}-{fingerprint[:12]}.npz")
    )
    if use_cache and cache_file.is_file():
        cached = _load_cached(cache_file, digest, fingerprint)
        if cached is not None:
            return cached
    try:
        ways = _read_ways(path)
    except RuntimeError as exc:  # pyosmium's error for unreadable or corrupt files
        raise ValueError(f"{path}: not a readable OSM extract ({exc})") from exc
    built = {TravelMode(m): _build_graph(ways, p) for m, p in profiles.items()}
    graphs = {m: g for m, g in built.items() if g is not None}
    if not graphs:
        raise ValueError(f"{path}: no road any travel mode may use (no highway ways)")
    network = RoadNetwork(digest, MappingProxyType(graphs), fingerprint)
    if use_cache:
        _store_cached(cache_file, network)
    return network


def _store_cached(cache_file: Path, network: RoadNetwork) -> None:
    """Write the graphs atomically; a cache that cannot be written is skipped silently."""
    arrays = {
        f"{mode.value}__{name}": getattr(graph, name)
        for mode, graph in network.graphs.items()
        for name in _GRAPH_ARRAYS
    }
    meta = {
        "format": CACHE_FORMAT,
        "digest": network.digest,
        "fingerprint": network.profiles_fingerprint,
        "modes": [m.value for m in network.graphs],
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, cache_file)
    except OSError:
        return


def _load_cached(cache_file: Path, digest: str, fingerprint: str) -> RoadNetwork | None:
    """The cached network, or None when the file is unreadable or from another build."""
    try:
        with np.load(cache_file, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if (meta.get("format"), meta.get("digest"), meta.get("fingerprint")) != (
                CACHE_FORMAT,
                digest,
                fingerprint,
            ):
                return None
            graphs = {
                TravelMode(m): RoadGraph(
                    TravelMode(m), **{n: np.array(data[f"{m}__{n}"]) for n in _GRAPH_ARRAYS}
                )
                for m in meta["modes"]
            }
    except (OSError, ValueError, KeyError):
        return None
    return RoadNetwork(digest, MappingProxyType(graphs), fingerprint)


class OsmSource:
    """Travel times on the roads of an OSM extract (numba multi-source Dijkstra).

    ``duration_s[i, j]`` = walk from place i to its road node + the fastest road path +
    walk from the road node to place j + the stop time of the mode's
    :class:`~hjemmetjeneste.travel.profiles.TravelProfile` (parking, reaching the door); 0
    between coincident places. Places farther than ``max_snap_m`` from every road of the
    mode are unreachable: their row and column hold :data:`~hjemmetjeneste.travel.UNREACHABLE`.
    """

    def __init__(
        self,
        network: RoadNetwork | Path | str,
        *,
        stop_profiles: Mapping[TravelMode, TravelProfile] = DEFAULT_PROFILES,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        cache_dir: Path | None = None,
    ) -> None:
        if not isinstance(network, RoadNetwork):
            network = read_road_network(network, cache_dir=cache_dir)
        if not (math.isfinite(max_snap_m) and max_snap_m > 0):
            raise ValueError(f"max_snap_m must be a positive number, got {max_snap_m!r}")
        self.network = network
        self.stop_profiles = MappingProxyType(dict(stop_profiles))
        self.max_snap_m = float(max_snap_m)

    @property
    def name(self) -> str:
        """``"osm"``."""
        return "osm"

    @property
    def identity(self) -> str:
        """What the matrices depend on besides the points: extract, profiles, snapping."""
        stops = ",".join(f"{m.value}={p.stop_s}" for m, p in sorted(self.stop_profiles.items()))
        return (
            f"osm|{self.network.digest}|{self.network.profiles_fingerprint}|{stops}|"
            f"{self.max_snap_m:g}|{WALK_MPS:g}"
        )

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        """Durations and road distances between ``points`` for ``mode`` on the road graph.

        Raises ValueError for an empty list, bad coordinates or a mode without a graph.
        """
        mode = TravelMode(mode)
        graph = self.network.graph(mode)
        stop_s = self.stop_profiles[mode].stop_s if mode in self.stop_profiles else 0
        lat, lon = points_to_arrays(points)
        check_coordinates(lat, lon)
        nodes, snap_m = graph.snap(lat, lon)
        unique, inverse = np.unique(nodes, return_inverse=True)
        weights = graph.path_weights(unique, unique)[np.ix_(inverse, inverse)]
        time_ms, length_dm = split_weights(weights)
        walk_s = snap_m / WALK_MPS
        seconds = time_ms / 1000.0 + walk_s[:, None] + walk_s[None, :]
        metres = length_dm / 10.0 + snap_m[:, None] + snap_m[None, :]
        duration = np.rint(seconds).astype(np.int64) + stop_s
        distance = np.rint(metres).astype(np.int64)
        far = snap_m > self.max_snap_m
        unreachable = (weights == NO_PATH) | far[:, None] | far[None, :]
        duration[unreachable] = UNREACHABLE
        distance[unreachable] = UNREACHABLE
        np.minimum(duration, UNREACHABLE, out=duration)
        np.minimum(distance, UNREACHABLE, out=distance)
        same = great_circle_matrix_m(lat, lon) <= _COINCIDENT_M
        duration[same] = 0
        distance[same] = 0
        return TravelMatrix(
            duration_s=duration.astype(np.int32), distance_m=distance.astype(np.int32), mode=mode
        )
