"""Travel-time matrices: profiles per travel mode and sources behind one protocol.

Sources: :class:`GreatCircleSource` (no road data; the fallback), :class:`OsmSource` (the
roads of an OpenStreetMap extract, numba multi-source Dijkstra), :class:`OsrmSource` (an OSRM
server's ``/table`` service). :class:`CachedSource` keeps computed matrices on disk.
Pairs without a route hold :data:`UNREACHABLE`.

numba lives only in :mod:`hjemmetjeneste.travel._kernels` and
:mod:`hjemmetjeneste.travel._graph_kernels`; ``_kernels`` also settles ``NUMBA_CACHE_DIR``
(a writable default when unset) before importing numba.
"""

from hjemmetjeneste.travel._kernels import EARTH_RADIUS_M
from hjemmetjeneste.travel.cache import CachedSource
from hjemmetjeneste.travel.matrix import (
    UNREACHABLE,
    GreatCircleSource,
    TravelMatrix,
    TravelSource,
    great_circle_distance_m,
    numpy_great_circle_matrix_m,
    travel_matrices,
)
from hjemmetjeneste.travel.osm import OsmSource, RoadGraph, RoadNetwork, read_road_network
from hjemmetjeneste.travel.osrm import OsrmError, OsrmSource, parse_osrm_urls
from hjemmetjeneste.travel.profiles import DEFAULT_PROFILES, TravelProfile
from hjemmetjeneste.travel.roads import ROAD_PROFILES, RoadProfile

__all__ = [
    "DEFAULT_PROFILES",
    "EARTH_RADIUS_M",
    "ROAD_PROFILES",
    "UNREACHABLE",
    "CachedSource",
    "GreatCircleSource",
    "OsmSource",
    "OsrmError",
    "OsrmSource",
    "RoadGraph",
    "RoadNetwork",
    "RoadProfile",
    "TravelMatrix",
    "TravelProfile",
    "TravelSource",
    "great_circle_distance_m",
    "numpy_great_circle_matrix_m",
    "parse_osrm_urls",
    "read_road_network",
    "travel_matrices",
]
