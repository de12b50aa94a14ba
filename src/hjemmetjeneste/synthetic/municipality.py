"""A synthetic large municipality: Oslo's fifteen districts (bydeler), two weeks of roster.

Each district is built like the demo district (``synthetic.demo``): patients with
care plans of four care-need levels, a staff of 80 with the demo's competence mix and a
14-day roster from 2026-11-30 with day, evening and night shifts. Districts differ in size
(``patients`` per district, drawn around the mean), so that some are short of staff and
others have time to spare: what staff lending between neighbours is for. With the default
of 195 patients per district the municipality has about 6,000 visits a day.

Geography: each district's base sits at the centre of one of Oslo's fifteen bydeler
(approximate published centre points); its patients keep the demo's neighbourhood pattern
(clustered residential boxes, scaled to about 2 × 3.5 km) moved onto that centre, with
street names of the district. Everything personal is invented: names come from the demo's
lists of common first names and made-up surnames, house numbers are random. No real person
appears. The output depends only on the seed.

``python -m hjemmetjeneste.synthetic.municipality --out DIR`` writes the canonical CSV export.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hjemmetjeneste.domain import (
    Base,
    BreakRule,
    CarePlan,
    District,
    GeoPoint,
    Municipality,
    MunicipalityData,
    Patient,
    PlanningRules,
    ProblemArea,
    Roster,
    RosterEntry,
    Staff,
)
from hjemmetjeneste.synthetic.demo import (
    _care_plans,
    _patients,
    _roster,
    _staff,
)

__all__ = [
    "LARGE_MUNICIPALITY_ID",
    "LARGE_RULES",
    "OSLO_DISTRICTS",
    "generate_municipality",
    "main",
]

LARGE_MUNICIPALITY_ID = "0301"  # Oslo's municipality number
_DEMO_CENTRE = (63.4262, 10.4398)  # the demo base the demo's patients are drawn around
_SCALE = 0.6  # the demo's ~3.5 × 5.6 km area shrunk to a city district's


@dataclass(frozen=True)
class _Bydel:
    code: str
    name: str
    lat: float
    lon: float
    streets: tuple[str, ...]


# Approximate centre points of Oslo's fifteen bydeler and a few of their streets.
OSLO_DISTRICTS: tuple[_Bydel, ...] = (
    _Bydel("gamle-oslo", "Gamle Oslo", 59.9085, 10.7800, ("Tøyengata", "Hagegata", "Kolstadgata")),
    _Bydel(
        "grunerlokka",
        "Grünerløkka",
        59.9250,
        10.7600,
        ("Thorvald Meyers gate", "Sofienberggata", "Toftes gate"),
    ),
    _Bydel(
        "sagene", "Sagene", 59.9375, 10.7530, ("Sandakerveien", "Kierschows gate", "Arendalsgata")
    ),
    _Bydel(
        "st-hanshaugen",
        "St. Hanshaugen",
        59.9275,
        10.7380,
        ("Ullevålsveien", "Waldemar Thranes gate", "Colletts gate"),
    ),
    _Bydel(
        "frogner", "Frogner", 59.9200, 10.7050, ("Bygdøy allé", "Frognerveien", "Gyldenløves gate")
    ),
    _Bydel("ullern", "Ullern", 59.9250, 10.6600, ("Ullernchausseen", "Hoffsveien", "Vækerøveien")),
    _Bydel(
        "vestre-aker",
        "Vestre Aker",
        59.9600,
        10.6750,
        ("Holmenkollveien", "Slemdalsveien", "Sørkedalsveien"),
    ),
    _Bydel(
        "nordre-aker",
        "Nordre Aker",
        59.9550,
        10.7550,
        ("Kaj Munks vei", "Tåsen terrasse", "Maridalsveien"),
    ),
    _Bydel("bjerke", "Bjerke", 59.9400, 10.8100, ("Trondheimsveien", "Økernveien", "Refstadveien")),
    _Bydel("grorud", "Grorud", 59.9600, 10.8800, ("Grorudveien", "Ammerudveien", "Kalbakkveien")),
    _Bydel(
        "stovner",
        "Stovner",
        59.9620,
        10.9250,
        ("Stovner senter", "Fossumberget", "Karl Fossums vei"),
    ),
    _Bydel("alna", "Alna", 59.9300, 10.8550, ("Tvetenveien", "Furusetveien", "Trosterudveien")),
    _Bydel(
        "ostensjo", "Østensjø", 59.8900, 10.8300, ("Østensjøveien", "Manglerudveien", "Bølerlia")
    ),
    _Bydel(
        "nordstrand",
        "Nordstrand",
        59.8650,
        10.7900,
        ("Nordstrandveien", "Ljabruveien", "Simensbråtveien"),
    ),
    _Bydel(
        "sondre-nordstrand",
        "Søndre Nordstrand",
        59.8350,
        10.8050,
        ("Holmliaveien", "Mortensrudveien", "Bjørndalsbakken"),
    ),
)


def _moved(point: GeoPoint, bydel: _Bydel) -> GeoPoint:
    """A demo patient's location moved from Trondheim onto ``bydel``'s centre (scaled)."""
    lat0, lon0 = _DEMO_CENTRE
    north_km = (point.lat - lat0) * 111.2 * _SCALE
    east_km = (point.lon - lon0) * 111.2 * math.cos(math.radians(lat0)) * _SCALE
    lat = bydel.lat + north_km / 111.2
    lon = bydel.lon + east_km / (111.2 * math.cos(math.radians(bydel.lat)))
    return GeoPoint(lat=round(lat, 6), lon=round(lon, 6))


def _district(
    seed: int, bydel: _Bydel, n_patients: int
) -> tuple[District, Base, list[Patient], list[CarePlan], list[Staff], list[RosterEntry]]:
    """One district: demo-like patients, plans, staff and roster under the district's ids."""
    code, mid = bydel.code, LARGE_MUNICIPALITY_ID
    rng = random.Random(f"{seed}:{code}:patients")
    drawn: list[Patient] = []
    while len(drawn) < n_patients:  # the demo draws 170 at a time
        drawn += _patients(rng)
    street = random.Random(f"{seed}:{code}:streets")
    patients = [
        p.model_copy(
            update={
                "patient_id": f"{code}-P{i:04d}",
                "municipality_id": mid,
                "district_id": code,
                "address": f"{street.choice(bydel.streets)} {street.randint(1, 140)}",
                "location": _moved(p.location, bydel),
            }
        )
        for i, p in enumerate(drawn[:n_patients], start=1)
    ]
    plans = [
        plan.model_copy(
            update={
                "care_plan_id": f"{code}-{plan.care_plan_id}",
                "interventions": tuple(
                    i.model_copy(update={"intervention_id": f"{code}-{i.intervention_id}"})
                    for i in plan.interventions
                ),
            }
        )
        for plan in _care_plans(random.Random(f"{seed}:{code}:plans"), patients)
    ]
    demo_staff = _staff(random.Random(f"{seed}:{code}:staff"))
    staff_ids = {s.staff_id: f"{code}-{s.staff_id}" for s in demo_staff}
    staff = [
        s.model_copy(
            update={"staff_id": staff_ids[s.staff_id], "municipality_id": mid, "district_id": code}
        )
        for s in demo_staff
    ]
    roster = [
        e.model_copy(update={"staff_id": staff_ids[e.staff_id], "district_id": code})
        for e in _roster(random.Random(f"{seed}:{code}:roster"), demo_staff, plans)
    ]
    base_id = f"{code}-base"
    base = Base(
        base_id=base_id,
        name=f"Hjemmetjenesten {bydel.name} (synthetic base)",
        address=f"{bydel.streets[0]} 1",
        location=GeoPoint(lat=bydel.lat, lon=bydel.lon),
    )
    district = District(
        district_id=code,
        municipality_id=mid,
        name=f"{bydel.name} (synthetic)",
        base_id=base_id,
    )
    return district, base, patients, plans, staff, roster


def _with_gaps(plan: CarePlan) -> CarePlan:
    """Medication given at several fixed times a day keeps a minimum gap between doses."""
    items = []
    for i in plan.interventions:
        minutes = sorted(t.hour * 60 + t.minute for t in i.schedule.times)
        spaced = len(minutes) > 1 and min(b - a for a, b in itertools.pairwise(minutes)) >= 180
        if i.problem_area == ProblemArea.MEDICATION and spaced:
            i = i.model_copy(update={"gap_group": "medisin", "min_gap_min": _MIN_GAP_MIN})
        items.append(i)
    return plan.model_copy(update={"interventions": tuple(items)})


#: The rules the large municipality plans with: breaks by the Working Environment Act,
#: continuity of care (a new caregiver costs as much as 15 minutes of driving) and gaps.
LARGE_RULES = PlanningRules(breaks=BreakRule(), continuity_weight=900)
_MIN_GAP_MIN = 120


def generate_municipality(
    seed: int = 2026, *, districts: int = 15, patients: int = 200, rules: bool = True
) -> MunicipalityData:
    """The synthetic large municipality: ``districts`` of Oslo's bydeler (at most 15).

    Districts get ``patients`` patients on average (±25 %, seeded), so their need varies
    while each has the demo district's staff and roster. With ``rules`` (the default) the
    municipality plans with breaks and continuity of care (:data:`LARGE_RULES`), and
    medication given at fixed times at least three hours apart keeps two hours between
    doses (gap group ``medisin``). Fully determined by the arguments.
    """
    if not 1 <= districts <= len(OSLO_DISTRICTS):
        raise ValueError(f"districts must be between 1 and {len(OSLO_DISTRICTS)}")
    if patients < 1:
        raise ValueError("patients must be at least 1")
    sizes = random.Random(f"{seed}:sizes")
    parts = [
        _district(seed, bydel, max(1, round(patients * sizes.uniform(0.75, 1.25))))
        for bydel in OSLO_DISTRICTS[:districts]
    ]
    return MunicipalityData(
        municipality=Municipality(
            municipality_id=LARGE_MUNICIPALITY_ID,
            name="Oslo (synthetic)",
            rules=LARGE_RULES if rules else PlanningRules(),
        ),
        districts=tuple(p[0] for p in parts),
        bases=tuple(p[1] for p in parts),
        patients=tuple(x for p in parts for x in p[2]),
        care_plans=tuple(_with_gaps(x) if rules else x for p in parts for x in p[3]),
        staff=tuple(x for p in parts for x in p[4]),
        roster=Roster(entries=tuple(x for p in parts for x in p[5])),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write the synthetic large municipality as a canonical CSV export."""
    from hjemmetjeneste.formats import write_export

    parser = argparse.ArgumentParser(
        prog="python -m hjemmetjeneste.synthetic.municipality",
        description="Generate the synthetic large municipality (Oslo) as a canonical CSV export.",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--districts", type=int, default=15)
    parser.add_argument("--patients", type=int, default=200, help="mean patients per district")
    parser.add_argument("--out", type=Path, default=Path("out/oslo"))
    args = parser.parse_args(argv)
    data = generate_municipality(args.seed, districts=args.districts, patients=args.patients)
    write_export(data, args.out)
    print(
        f"Wrote {args.out}: {len(data.districts)} districts, {len(data.patients)} patients, "
        f"{sum(len(c.interventions) for c in data.care_plans)} interventions, "
        f"{len(data.staff)} staff, {len(data.roster.entries)} roster entries"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
