"""Travel times from an OSRM server's ``/table`` service (a client; no OSRM code in-process).

One ``osrm-routed`` serves one profile (car, bicycle or foot), so :class:`OsrmSource` takes one
base URL per travel mode (or one URL for all). Large point sets are cut into blocks so that
no request has more than ``max_table_size`` coordinates (osrm-routed's ``--max-table-size``,
100 unless the server was started with more); the blocks are sent over one kept-alive
connection. ``null`` cells (no route) become :data:`~hjemmetjeneste.travel.UNREACHABLE`.

As in :class:`~hjemmetjeneste.travel.osm.OsmSource`, each duration adds the walk between a
place and the point where OSRM snapped it to the road (OSRM's ``distance`` of each waypoint,
at 1.4 m/s) at both ends and the mode's stop time; distances add the snap metres.

``scripts/install_osrm.sh`` and ``scripts/start_osrm.sh`` install the OSRM programs from PyPI
into ``tools/`` and start a server on 127.0.0.1 (see ``docs/travel.md``).
"""

from __future__ import annotations

import http.client
import json
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from urllib.parse import urlsplit

import numpy as np

from hjemmetjeneste.domain.common import GeoPoint, TravelMode
from hjemmetjeneste.errors import HjemmetjenesteError
from hjemmetjeneste.travel._kernels import great_circle_matrix_m
from hjemmetjeneste.travel.matrix import (
    UNREACHABLE,
    TravelMatrix,
    check_coordinates,
    points_to_arrays,
)
from hjemmetjeneste.travel.osm import DEFAULT_MAX_SNAP_M, WALK_MPS
from hjemmetjeneste.travel.profiles import DEFAULT_PROFILES, TravelProfile

DEFAULT_MAX_TABLE_SIZE = 100
"""osrm-routed's default ``--max-table-size``: coordinates allowed in one request."""
_OSRM_PROFILE = {TravelMode.CAR: "driving", TravelMode.BIKE: "cycling", TravelMode.FOOT: "foot"}
_COINCIDENT_M = 0.5


class OsrmError(HjemmetjenesteError):
    """The OSRM server could not be reached or refused a request."""


def parse_osrm_urls(values: Sequence[str]) -> dict[TravelMode, str]:
    """``["http://h:5000"]`` (every mode) or ``["car=http://h:5000", "foot=http://h:5001"]``.

    Raises ValueError for an unknown mode, a URL that is not http(s) or a mode given twice.
    """
    urls: dict[TravelMode, str] = {}
    for value in values:
        mode_text, sep, url = value.partition("=")
        if sep and "://" not in mode_text:
            try:
                modes = [TravelMode(mode_text.strip())]
            except ValueError:
                known = ", ".join(m.value for m in TravelMode)
                raise ValueError(
                    f"unknown travel mode {mode_text!r} in --osrm (known: {known})"
                ) from None
        else:
            modes, url = list(TravelMode), value
        _split_url(url)
        for mode in modes:
            if mode in urls and sep:
                raise ValueError(f"--osrm names mode {mode.value} twice")
            urls[mode] = url.rstrip("/")
    return urls


def _split_url(url: str) -> tuple[str, int, str]:
    """(host, port, path prefix) of an http URL; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"OSRM URL must look like http://127.0.0.1:5000, got {url!r}")
    return parts.hostname, parts.port or 80, parts.path.rstrip("/")


class OsrmSource:
    """Travel matrices from OSRM ``/table`` (durations and distances), in blocks.

    Args:
        urls: One base URL for every mode, or one per mode (a mode without a URL raises
            ValueError when asked for).
        stop_profiles: Stop time per mode (parking, reaching the door), as for the other
            sources.
        max_table_size: Most coordinates per request; match the server's limit.
        max_snap_m: Places OSRM snaps farther than this are unreachable.
        timeout_s: Socket timeout per request.
        extract_digest: SHA-256 of the extract the server was prepared from; when given,
            :class:`~hjemmetjeneste.travel.cache.CachedSource` may cache this source's
            matrices (without it the server's data is unknown, so nothing is cached).
    """

    def __init__(
        self,
        urls: str | Mapping[TravelMode, str],
        *,
        stop_profiles: Mapping[TravelMode, TravelProfile] = DEFAULT_PROFILES,
        max_table_size: int = DEFAULT_MAX_TABLE_SIZE,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        timeout_s: float = 60.0,
        extract_digest: str | None = None,
    ) -> None:
        if isinstance(urls, str):
            urls = dict.fromkeys(TravelMode, urls)
        mapping = {TravelMode(m): u.rstrip("/") for m, u in urls.items()}
        for url in mapping.values():
            _split_url(url)
        if max_table_size < 2:
            raise ValueError(f"max_table_size must be at least 2, got {max_table_size}")
        if not (math.isfinite(max_snap_m) and max_snap_m > 0):
            raise ValueError(f"max_snap_m must be a positive number, got {max_snap_m!r}")
        self.urls = MappingProxyType(mapping)
        self.stop_profiles = MappingProxyType(dict(stop_profiles))
        self.max_table_size = int(max_table_size)
        self.max_snap_m = float(max_snap_m)
        self.timeout_s = float(timeout_s)
        self.extract_digest = extract_digest

    @property
    def name(self) -> str:
        """``"osrm"``."""
        return "osrm"

    @property
    def identity(self) -> str | None:
        """Cache identity (server URLs, extract, stops), or None when the extract is unknown."""
        if self.extract_digest is None:
            return None
        urls = ",".join(f"{m.value}={u}" for m, u in sorted(self.urls.items()))
        stops = ",".join(f"{m.value}={p.stop_s}" for m, p in sorted(self.stop_profiles.items()))
        return f"osrm|{self.extract_digest}|{urls}|{stops}|{self.max_snap_m:g}|{WALK_MPS:g}"

    def url(self, mode: TravelMode) -> str:
        """The server for ``mode``; ValueError when none was given."""
        try:
            return self.urls[TravelMode(mode)]
        except (KeyError, ValueError):
            known = ", ".join(str(m) for m in self.urls) or "none"
            raise ValueError(f"no OSRM server for mode {mode!r} (given: {known})") from None

    def raw_table(
        self, lat: np.ndarray, lon: np.ndarray, mode: TravelMode
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """OSRM's own numbers: float seconds, float metres (NaN = no route) and snap metres.

        Cuts the N points into blocks of at most ``max_table_size // 2`` and asks for every
        pair of blocks (one block alone when N fits into one request).
        """
        host, port, prefix = _split_url(self.url(mode))
        n = lat.shape[0]
        duration = np.full((n, n), np.nan)
        distance = np.full((n, n), np.nan)
        snap = np.zeros(n)
        coords = [f"{lon[i]:.6f},{lat[i]:.6f}" for i in range(n)]
        profile = _OSRM_PROFILE[TravelMode(mode)]
        conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
        try:
            if n <= self.max_table_size:
                blocks = [np.arange(n)]
            else:
                size = self.max_table_size // 2
                blocks = [np.arange(i, min(i + size, n)) for i in range(0, n, size)]
            for i, rows in enumerate(blocks):
                for j, cols in enumerate(blocks):
                    ids = rows if i == j else np.concatenate([rows, cols])
                    path = f"{prefix}/table/v1/{profile}/" + ";".join(coords[k] for k in ids)
                    query = "?annotations=duration,distance&generate_hints=false"
                    if i != j:
                        query += "&sources=" + ";".join(str(k) for k in range(len(rows)))
                        query += "&destinations=" + ";".join(
                            str(k) for k in range(len(rows), len(ids))
                        )
                    answer = self._get(conn, host, port, path + query)
                    dur = _as_array(answer.get("durations"), "durations")
                    dist = _as_array(answer.get("distances"), "distances")
                    duration[np.ix_(rows, cols)] = dur
                    distance[np.ix_(rows, cols)] = dist
                    if i == j:
                        snap[rows] = [w.get("distance", 0.0) for w in answer["sources"]]
        finally:
            conn.close()
        return duration, distance, snap

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        """Durations and distances between ``points`` for ``mode`` from the OSRM server.

        Raises ValueError for bad points or a mode without a server, OsrmError when the
        server cannot be reached or answers with an error.
        """
        mode = TravelMode(mode)
        self.url(mode)
        lat, lon = points_to_arrays(points)
        check_coordinates(lat, lon)
        seconds, metres, snap = self.raw_table(lat, lon, mode)
        stop_s = self.stop_profiles[mode].stop_s if mode in self.stop_profiles else 0
        unreachable = np.isnan(seconds) | np.isnan(metres)
        far = snap > self.max_snap_m
        unreachable |= far[:, None] | far[None, :]
        seconds = np.where(unreachable, 0.0, seconds)
        metres = np.where(unreachable, 0.0, metres)
        walk = snap / WALK_MPS
        duration = np.rint(seconds + walk[:, None] + walk[None, :]).astype(np.int64) + stop_s
        distance = np.rint(metres + snap[:, None] + snap[None, :]).astype(np.int64)
        np.minimum(duration, UNREACHABLE, out=duration)
        np.minimum(distance, UNREACHABLE, out=distance)
        duration[unreachable] = UNREACHABLE
        distance[unreachable] = UNREACHABLE
        same = great_circle_matrix_m(lat, lon) <= _COINCIDENT_M
        duration[same] = 0
        distance[same] = 0
        return TravelMatrix(
            duration_s=duration.astype(np.int32), distance_m=distance.astype(np.int32), mode=mode
        )

    def _get(self, conn: http.client.HTTPConnection, host: str, port: int, path: str) -> dict:
        """GET ``path`` and return the JSON answer; OsrmError for anything but code Ok."""
        where = f"OSRM at http://{host}:{port}"
        try:
            conn.request("GET", path, headers={"Connection": "keep-alive"})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise OsrmError(f"cannot reach {where}: {exc}") from exc
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise OsrmError(f"{where} answered HTTP {response.status} without a JSON object")
        if response.status != 200 or answer.get("code") != "Ok":
            code = answer.get("code", "?")
            message = answer.get("message", "")
            hint = ""
            if code == "TooBig":
                hint = " (lower max_table_size or start osrm-routed with --max-table-size)"
            raise OsrmError(
                f"{where} refused the table request: HTTP {response.status}, {code}: "
                f"{message}{hint}"
            )
        return answer


def _as_array(rows: object, name: str) -> np.ndarray:
    """A JSON matrix with ``null`` cells as float64 with NaN; OsrmError when absent."""
    if not isinstance(rows, list):
        raise OsrmError(f"OSRM answer has no {name} (is the server older than 5.18?)")
    try:
        return np.asarray(rows, dtype=np.float64)  # fast path: no null cell
    except (TypeError, ValueError):
        return np.array(
            [[np.nan if v is None else float(v) for v in row] for row in rows], dtype=np.float64
        )
