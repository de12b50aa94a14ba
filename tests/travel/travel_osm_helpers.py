"""Helpers of the road tests: where the shared extracts are, skipping without them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import ci_guard

REPO = Path(__file__).resolve().parents[2]


def osm_dir() -> Path:
    """Folder of the shared OSM extracts."""
    return Path(os.environ.get("HJEMMETJENESTE_OSM_DIR") or REPO.parent / "shared" / "osm")


def need_extract(name: str) -> Path:
    """Path of a shared extract; skip (fail in CI) when it is missing."""
    path = osm_dir() / name
    if not path.is_file():
        ci_guard.skip("osm", f"OSM extract {path} not found (set HJEMMETJENESTE_OSM_DIR)")
    return path


def need_osrm_url() -> str:
    """URL of the OSRM server on the Monaco extract (car); skip (fail in CI) when unset."""
    url = os.environ.get("HJEMMETJENESTE_TEST_OSRM_URL")
    if not url:
        ci_guard.skip(
            "osrm", "HJEMMETJENESTE_TEST_OSRM_URL is not set (scripts/start_osrm.sh starts one)"
        )
    return url


# A tiny extract: a square of four junctions 0.001 degrees apart (about 111 m north-south,
# 77 m east-west at 46 degrees), a one-way street, a private road and a footway.
#
#   n3 ---- n4            street A: n1 - n2 (two-way, residential)
#   |        |            street B: n2 - n4 (one-way north, maxspeed 50)
#   |        |            street C: n4 - n3 - n1 (two-way, residential, through n3)
#   n1 ---- n2            private:  n1 - n4 diagonal (access=private: cars may not)
#        n5 (footway n2 - n5: only on foot and pushing a bike)
TINY_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="46.0000" lon="7.0000"/>
  <node id="2" version="1" lat="46.0000" lon="7.0010"/>
  <node id="3" version="1" lat="46.0010" lon="7.0000"/>
  <node id="4" version="1" lat="46.0010" lon="7.0010"/>
  <node id="5" version="1" lat="45.9995" lon="7.0010"/>
  <node id="6" version="1" lat="46.0005" lon="7.0000"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="residential"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/><tag k="maxspeed" v="50"/></way>
  <way id="12" version="1"><nd ref="4"/><nd ref="3"/><nd ref="6"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="13" version="1"><nd ref="1"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="access" v="private"/></way>
  <way id="14" version="1"><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="footway"/></way>
</osm>
"""


def random_nodes(n_nodes: int, k: int, seed: int) -> np.ndarray:
    """``k`` distinct node indices out of ``n_nodes``, seeded."""
    return np.random.default_rng(seed).choice(n_nodes, size=min(k, n_nodes), replace=False)
