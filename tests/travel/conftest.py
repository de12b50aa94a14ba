"""Fixtures of the road tests: the shared extracts as road networks, a tiny hand-made extract.

The real extracts live outside the repo in ``$HJEMMETJENESTE_OSM_DIR`` (default
``<repo>/../shared/osm``). Tests that need them skip when the folder is absent, except in CI
(``CI=true``), where a missing extract or OSRM server fails the run instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from travel_osm_helpers import TINY_OSM, need_extract

from hjemmetjeneste.travel import RoadNetwork, read_road_network


@pytest.fixture(scope="session")
def road_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so each extract is parsed once."""
    return tmp_path_factory.mktemp("road-cache")


@pytest.fixture(scope="session")
def helsinki(road_cache_dir: Path) -> RoadNetwork:
    """The road graphs of central Helsinki (small: the unit-test extract)."""
    return read_road_network(need_extract("Helsinki.osm.pbf"), cache_dir=road_cache_dir)


@pytest.fixture(scope="session")
def monaco(road_cache_dir: Path) -> RoadNetwork:
    """The road graphs of Monaco and the hills around it (OSRM's own test extract)."""
    return read_road_network(need_extract("monaco.osm.pbf"), cache_dir=road_cache_dir)


@pytest.fixture()
def tiny_extract(tmp_path: Path) -> Path:
    """The hand-written extract above as an ``.osm`` (XML) file."""
    path = tmp_path / "tiny.osm"
    path.write_text(TINY_OSM, encoding="utf-8")
    return path
