"""A whole shift planned on real roads: the demo district moved onto Monaco's road map."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from hjemmetjeneste.domain import GeoPoint, ShiftKind, UnplacedReason
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.travel import OsmSource

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DAY = date(2026, 12, 1)
# Monaco's built-up part and the hills right above it (lat, lon).
TARGET = ((43.728, 43.748), (7.405, 7.435))


def _moved(point: GeoPoint, source_box: tuple[tuple[float, float], ...]) -> GeoPoint:
    """``point`` mapped linearly from ``source_box`` into TARGET."""
    (slat0, slat1), (slon0, slon1) = source_box
    (tlat0, tlat1), (tlon0, tlon1) = TARGET
    lat = tlat0 + (point.lat - slat0) / (slat1 - slat0) * (tlat1 - tlat0)
    lon = tlon0 + (point.lon - slon0) / (slon1 - slon0) * (tlon1 - tlon0)
    return GeoPoint(lat=lat, lon=lon)


@pytest.fixture(scope="module")
def monaco_district():
    """The demo export with every address moved into Monaco (same layout, shrunk)."""
    data = read_export(DEMO)
    lats = [p.location.lat for p in data.patients] + [b.location.lat for b in data.bases]
    lons = [p.location.lon for p in data.patients] + [b.location.lon for b in data.bases]
    box = ((min(lats), max(lats) + 1e-9), (min(lons), max(lons) + 1e-9))
    return data.model_copy(
        update={
            "patients": tuple(
                p.model_copy(update={"location": _moved(p.location, box)}) for p in data.patients
            ),
            "bases": tuple(
                b.model_copy(update={"location": _moved(b.location, box)}) for b in data.bases
            ),
        }
    )


def test_shift_planned_on_monaco_roads_is_feasible_and_uses_road_times(monaco, monaco_district):
    """Visits are placed, the checker finds nothing, and each leg's travel is the road matrix's."""
    source = OsmSource(monaco)
    outcome = plan_shift(
        monaco_district,
        DAY,
        ShiftKind.DAY,
        travel=source,
        params=SolveParams(time_limit_s=2.0),
        location_max_km=None,  # Monaco lies outside Norway on purpose: the test map
    )
    result = outcome.result
    assert not outcome.violations
    assert result.kpis.visits_placed > 0
    assert all(u.reason is not UnplacedReason.UNREACHABLE for u in result.unplaced)
    # One worklist's legs, re-derived from the OSM matrix of its own stops.
    worklist = next(w for w in result.worklists if len(w.visits) >= 2)
    staff = next(s for s in monaco_district.staff if s.staff_id == worklist.staff_id)
    stops = [v.location for v in worklist.visits]
    matrix = source.matrix(stops, staff.travel_mode)
    for k in range(1, len(stops)):
        leg = int(matrix.duration_s[k - 1, k])
        assert worklist.visits[k].travel_s == leg
    assert np.isfinite(result.kpis.travel_share)
