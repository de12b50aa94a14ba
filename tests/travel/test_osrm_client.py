"""The OSRM /table client: blocks, unreachable cells, errors; against a fake and a real server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from travel_osm_helpers import need_osrm_url

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.travel import (
    DEFAULT_PROFILES,
    UNREACHABLE,
    OsrmError,
    OsrmSource,
    TravelSource,
    parse_osrm_urls,
)
from hjemmetjeneste.travel.osm import WALK_MPS

_RNG = np.random.default_rng(8)
POINTS = [
    GeoPoint(lat=float(a), lon=float(b))
    for a, b in zip(_RNG.uniform(43.73, 43.745, 11), _RNG.uniform(7.41, 7.43, 11), strict=True)
]


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table like OSRM: duration = 10*|i-j| + (i > j), distance = 100*|i-j|.

    Points are identified by their longitude's position in ``POINTS``. A point listed in
    ``server.no_route`` has no route to or from anyone; ``server.snap_m`` sets waypoint
    snap distances; ``server.fail`` makes every answer that error code.
    """

    def do_GET(self) -> None:
        server = self.server
        server.requests.append(self.path)
        parts = urlsplit(self.path)
        coords = parts.path.split("/table/v1/")[1].split("/", 1)[1].split(";")
        if server.fail:
            self._send(400, {"code": server.fail, "message": "fake failure"})
            return
        if len(coords) > server.max_coords:
            self._send(400, {"code": "TooBig", "message": "Too many table coordinates"})
            return
        lons = [float(c.split(",")[0]) for c in coords]
        ids = [min(range(len(POINTS)), key=lambda k, x=x: abs(POINTS[k].lon - x)) for x in lons]
        query = parse_qs(parts.query)
        src = [int(s) for s in query["sources"][0].split(";")] if "sources" in query else None
        dst = (
            [int(s) for s in query["destinations"][0].split(";")]
            if "destinations" in query
            else None
        )
        src = src if src is not None else list(range(len(ids)))
        dst = dst if dst is not None else list(range(len(ids)))

        def cell(i: int, j: int, scale: float, asym: float) -> float | None:
            a, b = ids[i], ids[j]
            if a != b and (a in server.no_route or b in server.no_route):
                return None
            return scale * abs(a - b) + (asym if a > b else 0.0)

        self._send(
            200,
            {
                "code": "Ok",
                "durations": [[cell(i, j, 10.0, 1.0) for j in dst] for i in src],
                "distances": [[cell(i, j, 100.0, 0.0) for j in dst] for i in src],
                "sources": [{"distance": server.snap_m.get(ids[i], 0.0)} for i in src],
                "destinations": [{"distance": server.snap_m.get(ids[j], 0.0)} for j in dst],
            },
        )

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def fake_osrm() -> Iterator[ThreadingHTTPServer]:
    """A fake OSRM on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    server.requests = []
    server.no_route = set()
    server.snap_m = {}
    server.fail = None
    server.max_coords = 1000
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def expected_seconds(n: int) -> np.ndarray:
    i = np.arange(n)
    return 10.0 * np.abs(i[:, None] - i[None, :]) + (i[:, None] > i[None, :])


def test_osrm_source_is_a_travel_source(fake_osrm):
    """OsrmSource satisfies the TravelSource protocol and is named 'osrm'."""
    source = OsrmSource(url_of(fake_osrm))
    assert isinstance(source, TravelSource)
    assert source.name == "osrm"


def test_one_request_when_the_points_fit(fake_osrm):
    """11 points under the table limit: one request; durations plus the car stop time."""
    source = OsrmSource(url_of(fake_osrm), max_table_size=100)
    matrix = source.matrix(POINTS, TravelMode.CAR)
    assert len(fake_osrm.requests) == 1
    stop = DEFAULT_PROFILES[TravelMode.CAR].stop_s
    expected = expected_seconds(len(POINTS)) + stop
    np.fill_diagonal(expected, 0)
    np.testing.assert_array_equal(matrix.duration_s, expected)


def test_blocks_reassemble_the_same_matrix(fake_osrm):
    """With max_table_size 4 the 11 points go in blocks of 2 and give the identical matrix."""
    single = OsrmSource(url_of(fake_osrm), max_table_size=1000).matrix(POINTS, TravelMode.CAR)
    fake_osrm.requests.clear()
    fake_osrm.max_coords = 4
    blocked = OsrmSource(url_of(fake_osrm), max_table_size=4).matrix(POINTS, TravelMode.CAR)
    assert len(fake_osrm.requests) == 36  # 6 blocks squared
    np.testing.assert_array_equal(blocked.duration_s, single.duration_s)
    np.testing.assert_array_equal(blocked.distance_m, single.distance_m)


def test_too_big_request_is_explained(fake_osrm):
    """A server limit below the client's gives an OsrmError that says what to change."""
    fake_osrm.max_coords = 4
    with pytest.raises(OsrmError, match=r"TooBig.*max-table-size"):
        OsrmSource(url_of(fake_osrm), max_table_size=100).matrix(POINTS, TravelMode.CAR)


def test_null_cells_become_the_unreachable_sentinel(fake_osrm):
    """A point OSRM cannot route to or from gets UNREACHABLE in its row and column only."""
    fake_osrm.no_route = {3}
    matrix = OsrmSource(url_of(fake_osrm)).matrix(POINTS, TravelMode.FOOT)
    others = [k for k in range(len(POINTS)) if k != 3]
    assert (matrix.duration_s[3, others] == UNREACHABLE).all()
    assert (matrix.distance_m[others, 3] == UNREACHABLE).all()
    assert matrix.duration_s[3, 3] == 0
    assert (matrix.duration_s[np.ix_(others, others)] < UNREACHABLE).all()


def test_snap_distance_is_walked_and_a_far_snap_is_unreachable(fake_osrm):
    """Snap metres are walked at 1.4 m/s at both ends; beyond max_snap_m the place is cut off."""
    fake_osrm.snap_m = {0: 14.0, 1: 28.0, 2: 5000.0}
    matrix = OsrmSource(url_of(fake_osrm), max_snap_m=1000).matrix(POINTS, TravelMode.BIKE)
    stop = DEFAULT_PROFILES[TravelMode.BIKE].stop_s
    assert matrix.duration_s[0, 1] == round(10 + (14 + 28) / WALK_MPS) + stop
    assert matrix.distance_m[0, 1] == 100 + 14 + 28
    assert matrix.duration_s[0, 2] == UNREACHABLE
    assert matrix.duration_s[2, 4] == UNREACHABLE


def test_error_answer_raises_with_the_servers_code(fake_osrm):
    """An answer other than Ok raises OsrmError carrying OSRM's code and message."""
    fake_osrm.fail = "InvalidQuery"
    with pytest.raises(OsrmError, match="InvalidQuery: fake failure"):
        OsrmSource(url_of(fake_osrm)).matrix(POINTS, TravelMode.CAR)


def test_unreachable_server_raises_a_clear_error():
    """Nobody listening: OsrmError naming the URL."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(OsrmError, match=f"cannot reach OSRM at http://127.0.0.1:{port}"):
        OsrmSource(f"http://127.0.0.1:{port}", timeout_s=2).matrix(POINTS, TravelMode.CAR)


def test_urls_per_mode_and_for_all_modes():
    """A bare URL serves every mode; mode=URL entries name one mode each; bad input is named."""
    assert parse_osrm_urls(["http://127.0.0.1:5000/"]) == dict.fromkeys(
        TravelMode, "http://127.0.0.1:5000"
    )
    assert parse_osrm_urls(["car=http://h:1", "foot=http://h:2"]) == {
        TravelMode.CAR: "http://h:1",
        TravelMode.FOOT: "http://h:2",
    }
    with pytest.raises(ValueError, match="unknown travel mode 'boat'"):
        parse_osrm_urls(["boat=http://h:1"])
    with pytest.raises(ValueError, match=r"http://127\.0\.0\.1:5000"):
        parse_osrm_urls(["ftp://h"])
    source = OsrmSource({TravelMode.CAR: "http://h:1"})
    with pytest.raises(ValueError, match="no OSRM server for mode"):
        source.matrix(POINTS, TravelMode.FOOT)


def test_real_osrm_gives_the_same_matrix_in_blocks_and_whole():
    """Against osrm-routed on Monaco: blocks of 25 points equal one request, and pairs route."""
    url = need_osrm_url()
    whole = OsrmSource(url, max_table_size=10_000).matrix(POINTS * 5, TravelMode.CAR)
    blocked = OsrmSource(url, max_table_size=50).matrix(POINTS * 5, TravelMode.CAR)
    np.testing.assert_array_equal(whole.duration_s, blocked.duration_s)
    assert not whole.unreachable().any()
    assert whole.duration_s.max() > DEFAULT_PROFILES[TravelMode.CAR].stop_s
