"""Location sanity: coordinates that cannot be right for a Norwegian home-care district.

A patient placed in Oslo in a Trondheim district, or with latitude and longitude swapped,
is otherwise planned with hours of travel and explained as a window that cannot be met.
These checks find them before planning: outside Norway's bounds (mainland and Svalbard),
swapped (the swapped pair lies in Norway), or farther than a configurable distance from the
district's base (a base is checked against the middle of its district's patients).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np

from hjemmetjeneste.domain import GeoPoint, MunicipalityData
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.travel.osm import haversine_m

#: (south, north, west, east) boxes: mainland Norway with its islands, and Svalbard.
NORWAY_BOXES = ((57.8, 71.4, 4.0, 31.3), (74.0, 81.0, 10.0, 35.0))
#: The default of ``Settings.location_max_km``.
DEFAULT_MAX_KM = 60.0

#: Why coordinates cannot be right, in English; ``{km}`` and ``{limit}`` are kilometres. The
#: message catalogue (hjemmetjeneste/locale) has them in bokmål for the explanations.
SWAPPED = N_("latitude and longitude look swapped (the swapped pair lies in Norway)")
OUTSIDE = N_("the coordinates lie outside Norway")
FAR_FROM_BASE = N_("{km} km from the district's base (limit {limit} km)")
FAR_FROM_PATIENTS = N_("{km} km from the middle of its district's patients (limit {limit} km)")


@dataclass(frozen=True)
class LocationIssue:
    """A patient or base whose coordinates cannot be right, and why: ``reason`` is one of
    the messages above, ``km`` and ``limit_km`` its numbers."""

    kind: str  # "patient" or "base"
    record_id: str
    district_id: str
    location: GeoPoint
    reason: str
    km: int = 0
    limit_km: float = 0.0

    @property
    def why(self) -> str:
        """The reason in the planner's words (English)."""
        return self.reason.format(km=self.km, limit=f"{self.limit_km:g}")

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.record_id} (district {self.district_id}) at "
            f"{self.location.lat:.5f}, {self.location.lon:.5f}: {self.why}"
        )


def in_norway(point: GeoPoint) -> bool:
    """True when the point lies in mainland Norway's or Svalbard's bounding box."""
    return any(s <= point.lat <= n and w <= point.lon <= e for s, n, w, e in NORWAY_BOXES)


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle kilometres between two points."""
    metres = haversine_m(np.array([a.lat]), np.array([a.lon]), np.array([b.lat]), np.array([b.lon]))
    return float(metres[0]) / 1000.0


def _outside(point: GeoPoint) -> str | None:
    if in_norway(point):
        return None
    if -90 <= point.lon <= 90 and in_norway(GeoPoint(lat=point.lon, lon=point.lat)):
        return SWAPPED
    return OUTSIDE


def location_issues(
    data: MunicipalityData, max_km: float = DEFAULT_MAX_KM
) -> tuple[LocationIssue, ...]:
    """Every patient and base whose location cannot be right for its district."""
    issues: list[LocationIssue] = []
    bases = {b.base_id: b for b in data.bases}
    for district in data.districts:
        base = bases[district.base_id]
        members = [p for p in data.patients if p.district_id == district.district_id]
        why = _outside(base.location)
        km = 0.0
        placed = [p.location for p in members if _outside(p.location) is None]
        if why is None and placed:
            middle = GeoPoint(
                lat=statistics.median(p.lat for p in placed),
                lon=statistics.median(p.lon for p in placed),
            )
            km = distance_km(base.location, middle)
            if km > max_km:
                why = FAR_FROM_PATIENTS
        if why is not None:
            issues.append(
                LocationIssue(
                    "base",
                    base.base_id,
                    district.district_id,
                    base.location,
                    why,
                    round(km),
                    max_km,
                )
            )
        base_ok = why is None
        for patient in members:
            why, km = _outside(patient.location), 0.0
            if why is None and base_ok:
                km = distance_km(patient.location, base.location)
                if km > max_km:
                    why = FAR_FROM_BASE
            if why is not None:
                issues.append(
                    LocationIssue(
                        "patient",
                        patient.patient_id,
                        district.district_id,
                        patient.location,
                        why,
                        round(km),
                        max_km,
                    )
                )
    return tuple(issues)
