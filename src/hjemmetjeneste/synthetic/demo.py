"""A synthetic demo municipality: eastern Trondheim, one district, two weeks of roster.

Everything here is invented: names are drawn from lists of common Norwegian first names and
made-up surnames, addresses are real-sounding street names with random house numbers, and
the coordinates are uniform samples inside small boxes over residential neighbourhoods.
No real person appears. The output depends only on the seed.

Run ``python -m hjemmetjeneste.synthetic.demo --seed 2026 --out data/demo`` to
write the committed demo export (see ``docs/demo-data.md``).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from hjemmetjeneste.domain import (
    Base,
    BreakRule,
    CarePlan,
    CompetenceLevel,
    District,
    GeoPoint,
    HolidayRule,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    PlanningRules,
    Priority,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
)

__all__ = [
    "DEMO_DISTRICT_ID",
    "DEMO_MUNICIPALITY_ID",
    "HOLIDAY_RULES",
    "ROSTER_DAYS",
    "ROSTER_START",
    "generate_demo",
    "main",
]

DEMO_MUNICIPALITY_ID = "5001"  # Trondheim's municipality number
DEMO_BREAKS: BreakRule | None = BreakRule()
"""The demo's break rule: the Working Environment Act's (``BreakRule()`` defaults). Ruin and
recreate places breaks (issue #18), so a work budget (`plan --seed --iterations`) still fixes
the demo plan; ``None`` turns them off."""
DEMO_DISTRICT_ID = "trd-ost"
DEMO_BASE_ID = "trd-ost-base"
ROSTER_START = date(2026, 11, 30)  # a Monday
ROSTER_DAYS = 14
N_PATIENTS = 170

# The roster: staff on each shift, weekdays and weekends, and how many of them must be
# authorised for medication (vernepleier or higher).
_SHIFT_SIZE: dict[tuple[ShiftKind, bool], int] = {
    (ShiftKind.DAY, False): 22,
    (ShiftKind.EVENING, False): 13,
    (ShiftKind.NIGHT, False): 3,
    (ShiftKind.DAY, True): 20,
    (ShiftKind.EVENING, True): 12,
    (ShiftKind.NIGHT, True): 3,
}
_SHIFT_AUTHORISED: dict[tuple[ShiftKind, bool], int] = {
    (ShiftKind.DAY, False): 15,
    (ShiftKind.EVENING, False): 7,
    (ShiftKind.NIGHT, False): 2,
    (ShiftKind.DAY, True): 14,
    (ShiftKind.EVENING, True): 6,
    (ShiftKind.NIGHT, True): 2,
}

_A = CompetenceLevel.ASSISTANT
_H = CompetenceLevel.HEALTH_WORKER
_V = CompetenceLevel.SOCIAL_EDUCATOR
_N = CompetenceLevel.NURSE
_S = CompetenceLevel.SPECIALIST_NURSE


# --------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    """A small lat/lon box over a residential neighbourhood, with some of its streets."""

    name: str
    lat: tuple[float, float]
    lon: tuple[float, float]
    weight: int
    streets: tuple[str, ...]


# Boxes over built-up residential parts of eastern and central Trondheim (bydel Østbyen and
# its neighbours). They are kept small and away from the shore of the Trondheimsfjord
# (north), Nedre Elvehavn's basins and the river Nidelva (west), using published centre
# points of the neighbourhoods (e.g. Lade 63.446 N 10.443 E, Strindheim 63.426 N 10.442 E,
# Leangen 63.428 N 10.470 E, Charlottenlund 63.422 N 10.494 E) as anchors.
_AREAS: tuple[_Area, ...] = (
    _Area(
        "Møllenberg/Rosenborg",
        (63.4288, 63.4322),
        (10.4105, 10.4235),
        26,
        (
            "Nedre Møllenberg gate",
            "Biskop Darres gate",
            "Mellomveien",
            "Rosenborg gate",
            "Kirkegata",
            "Bakkegata",
        ),
    ),
    _Area(
        "Lademoen",
        (63.4330, 63.4365),
        (10.4215, 10.4370),
        30,
        ("Innherredsveien", "Nonnegata", "Stadsingeniør Dahls gate", "Lademoens gate"),
    ),
    _Area(
        "Lade",
        (63.4420, 63.4466),
        (10.4370, 10.4520),
        18,
        ("Lade allé", "Haakon VIIs gate", "Ladeveien", "Jarleveien"),
    ),
    _Area(
        "Singsaker",
        (63.4210, 63.4250),
        (10.4060, 10.4190),
        16,
        ("Gamle Kongevei", "Christian Frederiks gate", "Lillegårdsbakken", "Klostergata"),
    ),
    _Area(
        "Strindheim",
        (63.4235, 63.4275),
        (10.4320, 10.4520),
        20,
        ("Strindvegen", "Bromstadvegen", "Mellomila", "Innherredsveien"),
    ),
    _Area(
        "Tyholt/Persaunet",
        (63.4175, 63.4225),
        (10.4290, 10.4580),
        20,
        ("Tyholtveien", "Persaunvegen", "Jonsvannsveien", "Brøsetvegen"),
    ),
    _Area(
        "Leangen",
        (63.4262, 63.4300),
        (10.4580, 10.4700),
        10,
        ("Leangen allé", "Tungavegen", "Bromstadvegen"),
    ),
    _Area(
        "Charlottenlund/Jakobsli",
        (63.4150, 63.4225),
        (10.4820, 10.5050),
        18,
        ("Jakobslivegen", "Charlottenlundvegen", "Tunhøgda", "Skovgårdvegen"),
    ),
    _Area(
        "Ranheim",
        (63.4160, 63.4225),
        (10.5050, 10.5190),
        12,
        ("Ranheimsvegen", "Vikåsvegen", "Olderdalsvegen"),
    ),
)

_KEY_BOX_NOTES: tuple[str, ...] = (
    "Nøkkelboks ved inngangsdør, kode i turnusmappe",
    "Nøkkelboks på baksiden av huset, kode i turnusmappe",
    "Nøkkelboks ved postkassestativet, kode i turnusmappe",
    "Nøkkel i nøkkelskap på basen, merket med pasientnummer",
    "Ring på og vent, pasienten åpner selv. Nøkkelboks ved garasjen ved behov",
    "Trygghetsalarm. Nøkkelboks i oppgangen ved heisen, kode i turnusmappe",
)

# Common Norwegian first names of older women and men (patients) and of younger adults
# (staff), and made-up surname parts; combinations are synthetic.
_PATIENT_FIRST_NAMES: tuple[str, ...] = (
    "Kari", "Ingrid", "Anne", "Liv", "Bjørg", "Solveig", "Gerd", "Randi", "Berit", "Astrid",
    "Turid", "Marit", "Kirsten", "Jorunn", "Eva", "Ragnhild", "Aud", "Wenche", "Sigrid", "Inger",
    "Olav", "Arne", "Kjell", "Knut", "Per", "Jan", "Bjørn", "Svein", "Odd", "Terje",
    "Rolf", "Tor", "Hans", "Leif", "Einar", "Harald", "Magne", "Asbjørn", "Erling", "Nils",
)  # fmt: skip
_STAFF_FIRST_NAMES: tuple[str, ...] = (
    "Emma", "Nora", "Sara", "Ida", "Thea", "Maria", "Hanna", "Marte", "Silje", "Kristin",
    "Ingvild", "Camilla", "Julie", "Amalie", "Tone", "Hege", "Mona", "Linn", "Sofie", "Vilde",
    "Anders", "Jonas", "Martin", "Kristian", "Magnus", "Even", "Sindre", "Eirik", "Henrik",
    "Ole", "Fatima", "Ahmed", "Agnieszka", "Piotr", "Maryam", "Yonas", "Lina", "Adrian",
)  # fmt: skip
_SURNAME_STARTS: tuple[str, ...] = (
    "Aske", "Bjørke", "Dype", "Eike", "Fure", "Grane", "Hasle", "Kvist", "Linde", "Mose",
    "Nyre", "Ospe", "Rogne", "Selje", "Tinde", "Ulve", "Vier", "Ørne", "Lyng", "Sval",
)  # fmt: skip
_SURNAME_ENDS: tuple[str, ...] = (
    "bakk", "dal", "haug", "lid", "mo", "nes", "rud", "stad", "vang", "vold", "myr", "fjell",
)  # fmt: skip


def _synthetic_name(rng: random.Random) -> str:
    first = rng.choice(_PATIENT_FIRST_NAMES)
    return f"{first} {rng.choice(_SURNAME_STARTS)}{rng.choice(_SURNAME_ENDS)}"


def _patients(rng: random.Random) -> list[Patient]:
    weights = [a.weight for a in _AREAS]
    patients: list[Patient] = []
    for i in range(1, N_PATIENTS + 1):
        area = rng.choices(_AREAS, weights=weights)[0]
        lat = round(rng.uniform(*area.lat), 6)
        lon = round(rng.uniform(*area.lon), 6)
        number = rng.randint(1, 120)
        letter = rng.choice(("", "", "", "A", "B", "C"))
        note = rng.choice(_KEY_BOX_NOTES) if rng.random() < 0.45 else None
        patients.append(
            Patient(
                patient_id=f"P{i:04d}",
                municipality_id=DEMO_MUNICIPALITY_ID,
                district_id=DEMO_DISTRICT_ID,
                display_name=_synthetic_name(rng),
                address=f"{rng.choice(area.streets)} {number}{letter}",
                location=GeoPoint(lat=lat, lon=lon),
                key_box_note=note,
            )
        )
    return patients


# --------------------------------------------------------------------------------------
# Care plans
# --------------------------------------------------------------------------------------


def _t(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _fixed(
    times: str,
    tolerance: int,
    weekdays: Sequence[int] = (),
    every_n_weeks: int = 1,
    anchor: date | None = None,
) -> Schedule:
    return Schedule(
        kind=ScheduleKind.FIXED,
        times=tuple(_t(x) for x in times.split("|")),
        tolerance_min=tolerance,
        weekdays=frozenset(weekdays),
        every_n_weeks=every_n_weeks,
        week_anchor=anchor,
    )


def _window(
    windows: str,
    weekdays: Sequence[int] = (),
    every_n_weeks: int = 1,
    anchor: date | None = None,
) -> Schedule:
    parsed = []
    for item in windows.split("|"):
        start, end = item.split("-")
        parsed.append(TimeWindow(start=_t(start), end=_t(end)))
    return Schedule(
        kind=ScheduleKind.WINDOW,
        windows=tuple(parsed),
        weekdays=frozenset(weekdays),
        every_n_weeks=every_n_weeks,
        week_anchor=anchor,
    )


_AS_NEEDED = Schedule(kind=ScheduleKind.AS_NEEDED)


@dataclass(frozen=True)
class _Spec:
    """An intervention before it gets an id and a validity period."""

    area: ProblemArea
    description: str
    duration: int
    schedule: Schedule
    competence: CompetenceLevel = _A
    skills: frozenset[Skill] = frozenset()
    staff_count: int = 1
    priority: Priority = Priority.NORMAL
    time_critical: bool = False
    valid: tuple[date, date | None] | None = None  # a fixed validity period, when given


# Care need levels of patients: light, medium, heavy, palliative.
_LEVELS = ("light", "medium", "heavy", "palliative")
_LEVEL_WEIGHTS = (37, 41, 19, 3)

_P = tuple[float, float, float, float]  # a probability per level


def _pick(rng: random.Random, options: Sequence[tuple[float, str]]) -> str:
    return rng.choices([o for _, o in options], weights=[w for w, _ in options])[0]


def _pick_int(rng: random.Random, options: Sequence[tuple[float, int]]) -> int:
    return rng.choices([o for _, o in options], weights=[w for w, _ in options])[0]


def _weekdays_sample(rng: random.Random, k: int) -> list[int]:
    return sorted(rng.sample(range(1, 6), k))


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _win(start: int, end: int) -> str:
    return f"{_hm(start)}-{_hm(end)}"


def _plan_for(rng: random.Random, level: str) -> list[_Spec]:
    """The interventions of one patient with care need ``level``.

    Each patient gets a daily rhythm: a morning window and an evening window that the
    morning and evening tasks share (so they are done in one visit), and a late-morning
    window for weekly or occasional work. Patients who need two caregivers for lifts get
    their medication in a separate, earlier visit by an authorised caregiver.
    """
    lv = _LEVELS.index(level)
    heavy = level in ("heavy", "palliative")

    def has(p: _P) -> bool:
        return rng.random() < p[lv]

    specs: list[_Spec] = []
    add = specs.append
    med = ProblemArea.MEDICATION

    double_odds = 0.65 if heavy else 0.12 if level == "medium" else 0.0
    morning_care = has((0.03, 0.4, 0.9, 0.85))
    morning_double = morning_care and rng.random() < double_odds
    evening_care = has((0.0, 0.22, 0.78, 0.85))
    evening_double = evening_care and rng.random() < double_odds

    # Morning window (minutes after midnight), ending by 11:30 so that it stays apart from
    # lunch; a double-staffed morning starts at 09:00 or 09:30 so that medication can be
    # given in an earlier, separate visit (08:00 ±30).
    if morning_double:
        m_start = rng.choice((9 * 60, 9 * 60 + 30))
    elif morning_care:
        m_start = _pick_int(
            rng,
            ((15, 7 * 60 + 30), (30, 8 * 60), (20, 8 * 60 + 30), (20, 9 * 60), (15, 9 * 60 + 30)),
        )
    else:  # medication-only mornings spread over the whole morning
        m_start = rng.choice((7 * 60 + 30, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30))
    m_end = m_start + 120
    early = 8 * 60  # the separate medication visit before a double-staffed morning
    med_morning = early if morning_double else m_start + 60
    med_tolerance = 30 if morning_double else 60
    # Late-morning window for showers, wound care and the like, after the morning visit.
    l_start = max(10 * 60 + 30, m_end + 30)
    late = _win(l_start, max(l_start + 120, 14 * 60))
    # Evening window; a double-staffed evening starts at 19:00 or later (medication at 17:00).
    if evening_double:
        e_start = rng.choice((19 * 60, 20 * 60))
    elif evening_care:
        e_start = _pick_int(rng, ((25, 18 * 60), (40, 19 * 60), (35, 20 * 60)))
    else:  # medication-only evenings spread from 16:00 to 21:00
        e_start = rng.choice((15 * 60 + 30, 16 * 60, 17 * 60, 18 * 60, 19 * 60, 20 * 60))
    e_end = min(e_start + 120, 22 * 60)
    med_evening = 17 * 60 if evening_double else e_start + 60
    if e_start >= 20 * 60:
        supper = "17:00-19:00"
    elif e_start == 19 * 60:
        supper = "16:30-18:30"
    else:
        supper = _win(e_start, e_end)

    # --- Medication (legemiddelhåndtering): authorised staff, mostly multidose.
    if has((0.02, 0.06, 0.1, 0.2)):
        add(
            _Spec(
                med,
                "Administrere medisiner tre ganger daglig fra multidose",
                rng.choice((5, 5, 10)),
                _fixed(f"{_hm(med_morning)}|13:00|{_hm(med_evening)}", med_tolerance),
                _V,
                priority=Priority.HIGH,
            )
        )
    else:
        if has((0.16, 0.4, 0.65, 0.6)):
            bound = rng.random() < 0.15
            add(
                _Spec(
                    med,
                    "Administrere tidsbundne morgenmedisiner (Parkinson)"
                    if bound
                    else "Administrere morgenmedisiner fra multidose",
                    rng.choice((5, 5, 10)),
                    _fixed(_hm(med_morning), 30 if bound else med_tolerance),
                    _V,
                    priority=Priority.HIGH,
                    time_critical=bound,
                )
            )
        if has((0.02, 0.06, 0.15, 0.3)):
            add(
                _Spec(
                    med,
                    "Administrere middagsmedisiner",
                    5,
                    _fixed("13:00", 60),
                    _V,
                    priority=Priority.HIGH,
                )
            )
        if has((0.2, 0.3, 0.55, 0.7)):
            add(
                _Spec(
                    med,
                    "Administrere kveldsmedisiner fra multidose",
                    rng.choice((5, 5, 10)),
                    _fixed(_hm(med_evening), 60),
                    _V,
                    priority=Priority.HIGH,
                )
            )
    if has((0.04, 0.1, 0.2, 0.1)):
        twice = rng.random() < 0.7
        morning = early if morning_double else m_start + rng.choice((30, 60, 90))
        evening = 17 * 60 if evening_double else e_start + rng.choice((30, 60, 90))
        add(
            _Spec(
                med,
                "Måle blodsukker og sette insulin" + (" morgen og kveld" if twice else ""),
                rng.choice((5, 10)),
                _fixed(f"{_hm(morning)}|{_hm(evening)}" if twice else _hm(morning), 15),
                _V,
                frozenset({Skill.INSULIN}),
                priority=Priority.HIGH,
                time_critical=True,
            )
        )
    if has((0.0, 0.0, 0.08, 0.0)):
        add(
            _Spec(
                med,
                "Sette blodfortynnende sprøyte subkutant",
                5,
                _fixed(_hm(med_evening), 60),
                _V,
                priority=Priority.HIGH,
            )
        )

    if has((0.05, 0.05, 0.04, 0.0)):
        add(
            _Spec(
                med,
                "Dryppe øyedråper",
                5,
                _fixed(f"{_hm(med_morning)}|{_hm(med_evening)}", med_tolerance),
                _V,
            )
        )

    if has((0.1, 0.15, 0.15, 0.15)):
        add(
            _Spec(
                med,
                "Kontrollere multidoseruller og legemiddelliste for neste uke",
                15,
                _window(late, _weekdays_sample(rng, 1)),
                _N,
            )
        )

    # --- Personal hygiene (personlig hygiene).
    if morning_care:
        add(
            _Spec(
                ProblemArea.PERSONAL_HYGIENE,
                "Morgenstell med personløfter, to ansatte"
                if morning_double
                else "Morgenstell: hjelp til vask og påkledning",
                rng.choice((40, 45)) if heavy else rng.choice((30, 30, 35, 40)),
                _window(_win(m_start, m_end)),
                _H if (heavy or rng.random() < 0.6) else _A,
                staff_count=2 if morning_double else 1,
            )
        )
    if has((0.22, 0.3, 0.3, 0.1)):
        double = morning_double and rng.random() < 0.6
        # A shower needing two caregivers is done in the (double-staffed) morning visit.
        when = _win(m_start, m_end) if double else late
        if rng.random() < 0.3:
            weekday = rng.randint(1, 5)
            schedule = _window(when, [weekday], every_n_weeks=2, anchor=date(2026, 11, 23))
            text = "Dusj hver andre uke"
        else:
            schedule = _window(when, _weekdays_sample(rng, 1))
            text = "Dusj ukentlig"
        add(
            _Spec(
                ProblemArea.PERSONAL_HYGIENE,
                text + (" med dusjstol og løfter, to ansatte" if double else ", hjelp til hårvask"),
                45 if double else rng.choice((45, 50, 60)),
                schedule,
                _H,
                staff_count=2 if double else 1,
            )
        )

    # --- Sleep and rest (søvn og hvile): evening routine and night checks.
    if evening_care:
        add(
            _Spec(
                ProblemArea.SLEEP_AND_REST,
                "Kveldsstell og hjelp til å legge seg, to ansatte med løfter"
                if evening_double
                else "Kveldsstell og hjelp til å legge seg",
                rng.choice((20, 25, 30)),
                _window(_win(e_start, e_end)),
                _H if heavy else _A,
                staff_count=2 if evening_double else 1,
            )
        )
    night_pain = level == "palliative" and rng.random() < 0.5
    if has((0.01, 0.02, 0.05, 0.2)):
        add(
            _Spec(
                med,
                "Administrere nattmedisin",
                5,
                _fixed("23:30", 60),
                _V,
                priority=Priority.HIGH,
            )
        )
    if has((0.0, 0.02, 0.09, 0.4)):
        times = "23:00|04:00" if night_pain else rng.choice(("23:00|04:00", "23:30|05:00", "23:00"))
        add(
            _Spec(
                ProblemArea.SLEEP_AND_REST,
                "Tilsyn natt: se til at pasienten sover trygt",
                5,
                _fixed(times, 30),
                _H,
            )
        )

    # --- Skin and tissue (hud og vev).
    if has((0.05, 0.07, 0.07, 0.0)):
        add(
            _Spec(
                ProblemArea.SKIN_AND_TISSUE,
                "Ta på støttestrømper",
                10,
                _window(_win(m_start, m_end)),
                _H,
            )
        )
        add(
            _Spec(
                ProblemArea.SKIN_AND_TISSUE,
                "Ta av støttestrømper og smøre bena",
                10,
                _window(_win(e_start, e_end)),
                _A,
            )
        )
    if has((0.05, 0.11, 0.22, 0.3)):
        nurse = rng.random() < 0.6
        days = _pick(rng, ((40, "1,4"), (30, "1,3,5"), (20, ""), (10, "2,5")))
        add(
            _Spec(
                ProblemArea.SKIN_AND_TISSUE,
                "Sårstell leggsår etter prosedyre" if nurse else "Skifte bandasje på trykksår",
                rng.choice((20, 25, 30)),
                _window(late, [int(d) for d in days.split(",")] if days else []),
                _N if nurse else _H,
                frozenset({Skill.WOUND_CARE}),
            )
        )
    if has((0.0, 0.0, 0.05, 0.35)):
        add(
            _Spec(
                ProblemArea.SKIN_AND_TISSUE,
                "Snu pasienten i seng (trykkavlastning), to ansatte",
                15,
                _fixed("02:00", 30),
                _H,
                staff_count=2,
            )
        )

    # --- Nutrition (ernæring og væske).
    if has((0.03, 0.12, 0.15, 0.1)):
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Tilrettelegge frokost og påse væskeinntak",
                15,
                _window(_win(m_start, m_end)),
                _A,
            )
        )
    if has((0.05, 0.13, 0.2, 0.1)):
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Varme opp middag og tilrettelegge måltid",
                rng.choice((15, 20)),
                _window("12:00-14:00"),
                _A,
            )
        )
    if has((0.02, 0.08, 0.2, 0.1)):
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Smøre kveldsmat og påse væskeinntak",
                15,
                _window(supper),
                _A,
            )
        )
    if has((0.03, 0.06, 0.04, 0.0)) and not morning_double:
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Tilsyn og påminnelse om mat og drikke, tre ganger daglig",
                10,
                _window(f"{_win(m_start, m_end)}|12:00-14:00|{supper}"),
                _A,
            )
        )
    if has((0.0, 0.0, 0.03, 0.15)):
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Sondeernæring via PEG",
                30,
                _fixed(f"{_hm(med_morning)}|13:00|{_hm(med_evening)}", 30),
                _N,
                frozenset({Skill.TUBE_FEEDING}),
                priority=Priority.HIGH,
            )
        )

    if has((0.1, 0.1, 0.08, 0.0)):
        add(
            _Spec(
                ProblemArea.NUTRITION,
                "Veie pasienten og føre vektskjema",
                10,
                _window(late, _weekdays_sample(rng, 1)),
                _H,
            )
        )

    # --- Elimination (eliminasjon).
    if has((0.02, 0.05, 0.1, 0.2)):
        add(
            _Spec(
                ProblemArea.ELIMINATION,
                "Kateterstell og tømme urinpose",
                15,
                _window(late if morning_double else _win(m_start, m_end)),
                _H,
                frozenset({Skill.CATHETER}),
            )
        )
    if has((0.01, 0.02, 0.05, 0.0)):
        add(
            _Spec(
                ProblemArea.ELIMINATION,
                "Skifte stomipose og plate",
                20,
                _window(late, [2, 5]),
                _H,
                frozenset({Skill.STOMA}),
            )
        )
    if has((0.0, 0.03, 0.06, 0.0)):
        add(
            _Spec(
                ProblemArea.ELIMINATION,
                "Hjelp til toalettbesøk og skifte inkontinensutstyr",
                15,
                _window("12:00-14:00"),
                _A,
            )
        )

    # --- Pain (smerte): time-critical doses, the palliative pump, night doses.
    if has((0.01, 0.02, 0.05, 0.5)):
        first = early if morning_double else m_start + 30
        last = 17 * 60 if evening_double else e_start + 30
        add(
            _Spec(
                ProblemArea.PAIN,
                "Gi smertestillende til faste tider",
                5,
                _fixed(f"{_hm(first)}|13:30|{_hm(last)}", 30),
                _V,
                priority=Priority.HIGH,
                time_critical=True,
            )
        )
    if level == "palliative" and rng.random() < 0.7:
        check_morning = early if morning_double else m_start + 60
        check_evening = 17 * 60 if evening_double else e_start + 60
        add(
            _Spec(
                ProblemArea.PAIN,
                "Kontrollere smertepumpe og innstikksted",
                15,
                _fixed(f"{_hm(check_morning)}|{_hm(check_evening)}", 30),
                _N,
                frozenset({Skill.PALLIATIVE_PUMP}),
                priority=Priority.HIGH,
                time_critical=True,
            )
        )
    if night_pain:
        add(
            _Spec(
                ProblemArea.PAIN,
                "Smertelindring natt etter plan",
                10,
                _fixed("00:30", 30),
                _N,
                priority=Priority.HIGH,
                time_critical=True,
            )
        )

    # --- Infection risk (infeksjonsrisiko).
    if has((0.02, 0.05, 0.1, 0.1)):
        add(
            _Spec(
                ProblemArea.INFECTION_RISK,
                "Måle temperatur og observere tegn til infeksjon",
                10,
                _window(late if morning_double else _win(m_start, m_end), _weekdays_sample(rng, 3)),
                _H,
            )
        )

    # --- Advanced medical treatment (avansert medisinsk behandling): nurses.
    if has((0.0, 0.01, 0.05, 0.1)) and not morning_double and not evening_double:
        start = ROSTER_START - timedelta(days=rng.randint(1, 6))
        add(
            _Spec(
                ProblemArea.ADVANCED_TREATMENT,
                "Intravenøs antibiotika via perifer venekanyle",
                30,
                _fixed(f"{_hm(med_morning)}|16:00", 30),
                _N,
                priority=Priority.HIGH,
                time_critical=True,
                valid=(start, start + timedelta(days=10)),
            )
        )
    if has((0.01, 0.04, 0.08, 0.1)):
        add(
            _Spec(
                ProblemArea.ADVANCED_TREATMENT,
                "Ta blodprøve (INR) og sende til laboratoriet",
                15,
                _window(late if morning_double else _win(m_start, m_end), [rng.randint(1, 4)]),
                _N,
            )
        )
    if has((0.01, 0.03, 0.05, 0.1)):
        add(
            _Spec(
                ProblemArea.ADVANCED_TREATMENT,
                "Kontrollere blodtrykk, puls og vekt (hjertesvikt)",
                15,
                _window(late, [1, 4]),
                _N,
            )
        )
    if has((0.0, 0.0, 0.02, 0.2)):
        add(
            _Spec(
                ProblemArea.ADVANCED_TREATMENT,
                "Skylle veneport (VAP) hver fjerde uke",
                20,
                _window(late, [3], every_n_weeks=4, anchor=date(2026, 11, 16)),
                _N,
            )
        )

    # --- Rehabilitation (rehabilitering).
    if has((0.12, 0.08, 0.03, 0.0)):
        if rng.random() < 0.6:
            add(
                _Spec(
                    ProblemArea.REHABILITATION,
                    "Hverdagsrehabilitering: gåtrening med rullator",
                    30,
                    _window(late, [1, 3, 5]),
                    _H,
                )
            )
        else:
            add(
                _Spec(
                    ProblemArea.REHABILITATION,
                    "Øvelser etter program fra fysioterapeut",
                    20,
                    _window(late, [2, 4]),
                    _H,
                )
            )

    # --- Coping and motivation (mestring og motivasjon).
    if has((0.12, 0.08, 0.03, 0.1)):
        if rng.random() < 0.5:
            add(
                _Spec(
                    ProblemArea.COPING_AND_MOTIVATION,
                    "Samtale og motivasjon, planlegge uka sammen",
                    30,
                    _window(late, _weekdays_sample(rng, 1)),
                    _V,
                )
            )
        else:
            add(
                _Spec(
                    ProblemArea.COPING_AND_MOTIVATION,
                    "Følge på tur eller til butikken",
                    45,
                    _window(late, _weekdays_sample(rng, 1)),
                    _H,
                    priority=Priority.LOW,
                )
            )

    # --- Challenging behaviour (atferd som utfordrer).
    if has((0.0, 0.025, 0.08, 0.0)):
        if rng.random() < 0.5:
            add(
                _Spec(
                    ProblemArea.CHALLENGING_BEHAVIOUR,
                    "Trygghetsbesøk ved kveldsuro, skjerme for stimuli",
                    15,
                    _window(_win(e_start, e_end)),
                    _H,
                )
            )
        else:
            add(
                _Spec(
                    ProblemArea.CHALLENGING_BEHAVIOUR,
                    "Tilsyn med to ansatte ved kjent uro",
                    20,
                    _window(late),
                    _H,
                    staff_count=2,
                )
            )

    # --- As needed (ved behov): kept in the plan, never planned.
    if has((0.03, 0.06, 0.1, 0.6)):
        area, text, competence = rng.choice(
            (
                (ProblemArea.PAIN, "Ved behov: smertestillende ved gjennombruddssmerter", _V),
                (ProblemArea.MEDICATION, "Ved behov: kvalmestillende", _V),
                (ProblemArea.ELIMINATION, "Ved behov: skifte inkontinensutstyr", _A),
                (ProblemArea.COPING_AND_MOTIVATION, "Ved behov: besøk etter trygghetsalarm", _H),
            )
        )
        add(_Spec(area, text, rng.choice((10, 15, 20)), _AS_NEEDED, competence))

    if not specs:  # everyone in home care gets at least one intervention
        add(
            _Spec(
                ProblemArea.COPING_AND_MOTIVATION,
                "Oppfølgingsbesøk: samtale og kontroll av allmenntilstand",
                20,
                _window(late, _weekdays_sample(rng, 1)),
                _H,
            )
        )
    return specs


def _start_windows(spec: _Spec) -> list[tuple[int, int]]:
    """The spec's start windows in minutes after midnight (weekdays ignored)."""
    schedule = spec.schedule
    found = []
    for moment in schedule.times:
        minute = moment.hour * 60 + moment.minute
        found.append((minute - schedule.tolerance_min, minute + schedule.tolerance_min))
    for window in schedule.windows:
        found.append(
            (window.start.hour * 60 + window.start.minute, window.end.hour * 60 + window.end.minute)
        )
    return found


def _clashes(specs: Sequence[_Spec]) -> bool:
    """True when a patient's tasks would combine into an unworkable visit.

    Tasks whose windows overlap are done in one visit. Such a visit must leave at least 20
    minutes in which to start (or all of its narrowest window; windows that only touch are a
    clash), last at most 90 minutes, and not mix double-staffed work with work that needs
    authorised staff or special skills (both caregivers would need to qualify).
    """
    windows = sorted(
        ((w, spec) for spec in specs for w in _start_windows(spec)), key=lambda x: x[0]
    )
    group: list[_Spec] = []
    group_start, group_end, narrowest = -1, -1, 0
    for (start, end), spec in windows:
        if start <= group_end:
            group.append(spec)
            group_start, group_end = max(group_start, start), min(group_end, end)
            narrowest = min(narrowest, end - start)
            if group_end - group_start < min(20, narrowest):
                return True
            if sum(s.duration for s in group) > 90:
                return True
            doubles = any(s.staff_count > 1 for s in group)
            special = any(s.competence.rank >= _V.rank or s.skills for s in group)
            if doubles and special:
                return True
        else:
            group = [spec]
            group_start, group_end, narrowest = start, end, end - start
    return False


def _plan_without_clashes(rng: random.Random, level: str) -> list[_Spec]:
    """A plan for ``level`` whose tasks combine into workable visits (redrawn if not)."""
    specs = _plan_for(rng, level)
    for _ in range(50):
        if not _clashes(specs):
            break
        specs = _plan_for(rng, level)
    return specs


def _validity(rng: random.Random, spec: _Spec) -> tuple[date, date | None]:
    """Mostly open-ended from some date in the past; a few ended or not yet started."""
    if spec.valid is not None:
        return spec.valid
    start = date(2024, 3, 1) + timedelta(days=rng.randint(0, 990))
    roll = rng.random()
    if roll < 0.03:  # ended before the roster period (still in the exported plan)
        end = date(2026, 11, 29) - timedelta(days=rng.randint(0, 150))
        return min(start, end - timedelta(days=30)), end
    if roll < 0.06:  # starts during or after the roster period
        return ROSTER_START + timedelta(days=rng.choice((7, 9, 35))), None
    return start, None


#: What the demo's interventions do on a public holiday (the rest: as on any weekday).
#: Errands, laboratory samples and training pause (shops, laboratory and physiotherapist
#: are closed); showers and follow-up visits follow the Sunday rule, and no weekly one
#: falls on a Sunday, so they wait for the next week too. Medication, care and meals go on.
HOLIDAY_RULES: dict[str, HolidayRule] = {
    "Følge på tur eller til butikken": HolidayRule.SKIP,
    "Ta blodprøve (INR) og sende til laboratoriet": HolidayRule.SKIP,
    "Hverdagsrehabilitering: gåtrening med rullator": HolidayRule.SKIP,
    "Øvelser etter program fra fysioterapeut": HolidayRule.SKIP,
    "Samtale og motivasjon, planlegge uka sammen": HolidayRule.SKIP,
    "Dusj ukentlig, hjelp til hårvask": HolidayRule.AS_SUNDAY,
    "Dusj hver andre uke, hjelp til hårvask": HolidayRule.AS_SUNDAY,
    "Dusj ukentlig med dusjstol og løfter, to ansatte": HolidayRule.AS_SUNDAY,
    "Oppfølgingsbesøk: samtale og kontroll av allmenntilstand": HolidayRule.AS_SUNDAY,
}


def _care_plans(rng: random.Random, patients: Sequence[Patient]) -> list[CarePlan]:
    plans: list[CarePlan] = []
    counter = 0
    for patient in patients:
        level = rng.choices(_LEVELS, weights=_LEVEL_WEIGHTS)[0]
        items: list[Intervention] = []
        for spec in _plan_without_clashes(rng, level):
            counter += 1
            valid_from, valid_to = _validity(rng, spec)
            items.append(
                Intervention(
                    intervention_id=f"I{counter:05d}",
                    patient_id=patient.patient_id,
                    problem_area=spec.area,
                    description=spec.description,
                    duration_min=spec.duration,
                    schedule=spec.schedule.model_copy(
                        update={
                            "on_holidays": HOLIDAY_RULES.get(spec.description, HolidayRule.NORMAL)
                        }
                    ),
                    required_competence=spec.competence,
                    required_skills=spec.skills,
                    staff_count=spec.staff_count,
                    priority=spec.priority,
                    time_critical=spec.time_critical,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
        plans.append(
            CarePlan(
                care_plan_id=f"CP-{patient.patient_id}",
                patient_id=patient.patient_id,
                interventions=tuple(items),
            )
        )
    return plans


# --------------------------------------------------------------------------------------
# Staff and roster
# --------------------------------------------------------------------------------------

# Staff per competence level (15 % / 35 % / 10 % / 35 % / 5 %) and how many of them work
# nights only.
_STAFF_MIX: tuple[tuple[CompetenceLevel, int], ...] = (
    (_A, 12),
    (_H, 27),
    (_V, 8),
    (_N, 29),
    (_S, 4),
)
_NIGHT_STAFF: dict[CompetenceLevel, int] = {_H: 3, _N: 5}

_SKILL_ODDS: dict[CompetenceLevel, tuple[tuple[Skill, float], ...]] = {
    _A: ((Skill.LANGUAGE_EN, 0.5),),
    _H: (
        (Skill.WOUND_CARE, 0.35),
        (Skill.CATHETER, 0.45),
        (Skill.STOMA, 0.3),
        (Skill.LANGUAGE_EN, 0.4),
    ),
    _V: ((Skill.INSULIN, 0.85), (Skill.CATHETER, 0.3), (Skill.LANGUAGE_EN, 0.6)),
    _N: (
        (Skill.INSULIN, 0.95),
        (Skill.WOUND_CARE, 0.75),
        (Skill.CATHETER, 0.7),
        (Skill.STOMA, 0.45),
        (Skill.TUBE_FEEDING, 0.35),
        (Skill.PALLIATIVE_PUMP, 0.4),
        (Skill.LANGUAGE_EN, 0.7),
    ),
    _S: (
        (Skill.INSULIN, 1.0),
        (Skill.WOUND_CARE, 1.0),
        (Skill.CATHETER, 1.0),
        (Skill.STOMA, 0.8),
        (Skill.TUBE_FEEDING, 0.8),
        (Skill.PALLIATIVE_PUMP, 1.0),
        (Skill.LANGUAGE_EN, 0.8),
    ),
}
RUN_BONUS = 0.5
"""How much of her contracted share of the period a caregiver who worked yesterday's shift of
the same kind may be ahead of the others and still be picked first: rotas run in blocks of
days on one shift kind (at most five in a row), not single days scattered over the weeks."""
WEEKEND_PENALTY = 0.5
"""How much of her share a caregiver who works the other weekend must be behind the others to
be picked first on a Saturday or Sunday: every other weekend, where the staffing allows."""
_FTE_CHOICES: dict[CompetenceLevel, tuple[float, ...]] = {
    _A: (0.2, 0.3, 0.4, 0.5),
    _H: (0.6, 0.75, 0.8, 1.0, 1.0),
    _V: (0.8, 1.0),
    _N: (0.75, 0.8, 1.0, 1.0),
    _S: (1.0,),
}


@dataclass(eq=False)
class _Worker:
    staff: Staff
    night: bool
    target: float  # shifts in the 14 days
    shifts: dict[date, ShiftKind]


def _staff(rng: random.Random) -> list[Staff]:
    staff: list[Staff] = []
    number = 0
    for level, count in _STAFF_MIX:
        for _ in range(count):
            number += 1
            skills = {skill for skill, odds in _SKILL_ODDS[level] if rng.random() < odds}
            if rng.random() < 0.06:
                skills.add(rng.choice((Skill.LANGUAGE_PL, Skill.LANGUAGE_AR)))
            mode = rng.choices(
                (TravelMode.CAR, TravelMode.BIKE, TravelMode.FOOT), weights=(80, 13, 7)
            )[0]
            staff.append(
                Staff(
                    staff_id=f"S{number:03d}",
                    municipality_id=DEMO_MUNICIPALITY_ID,
                    district_id=DEMO_DISTRICT_ID,
                    first_name=rng.choice(_STAFF_FIRST_NAMES),
                    competence=level,
                    skills=frozenset(skills),
                    travel_mode=mode,
                    contracted_fte=rng.choice(_FTE_CHOICES[level]),
                )
            )
    return staff


_AUTHORISED = frozenset({_V, _N, _S})


def _is_authorised(member: Staff) -> bool:
    return member.competence in _AUTHORISED


def _skill_demand(plans: Sequence[CarePlan]) -> dict[ShiftKind, Counter[Skill]]:
    """Per shift, how many task times in the plans need each skill (weekdays ignored)."""
    demand: dict[ShiftKind, Counter[Skill]] = {kind: Counter() for kind in ShiftKind}
    for plan in plans:
        for item in plan.interventions:
            schedule = item.schedule
            starts = list(schedule.times) + [w.start for w in schedule.windows]
            for start in starts:
                demand[_shift_of(start)].update(item.required_skills)
    return demand


def _shift_of(moment: time) -> ShiftKind:
    if time(7, 30) <= moment < time(15, 0):
        return ShiftKind.DAY
    if time(15, 0) <= moment < time(22, 30):
        return ShiftKind.EVENING
    return ShiftKind.NIGHT


def _roster(
    rng: random.Random, staff: Sequence[Staff], plans: Sequence[CarePlan]
) -> list[RosterEntry]:
    """Fill every shift of the period: authorised staff and skills first, then the rest.

    Rules: one shift a day; no day shift right after an evening or night shift; no evening
    shift right after a night shift; at most five days in a row; staff are picked by how
    far they are below their contracted share, one who worked the same shift kind yesterday
    first (``RUN_BONUS``) and one who works the other weekend last (``WEEKEND_PENALTY``),
    with a seeded tie-break.
    """
    skill_demand = _skill_demand(plans)
    workers: list[_Worker] = []
    night_ids = _night_ids(staff)
    for member in staff:
        night = member.staff_id in night_ids
        target = member.contracted_fte * (7.0 if night else 9.5)
        workers.append(_Worker(member, night, target, {}))

    entries: list[RosterEntry] = []
    for offset in range(ROSTER_DAYS):
        day = ROSTER_START + timedelta(days=offset)
        weekend = day.isoweekday() >= 6
        for kind in (ShiftKind.NIGHT, ShiftKind.DAY, ShiftKind.EVENING):
            size = _SHIFT_SIZE[(kind, weekend)]
            requirements: list[tuple[Callable[[Staff], bool], int]] = [
                (_is_authorised, _SHIFT_AUTHORISED[(kind, weekend)]),
                (lambda s: s.competence in (_N, _S), 1),
            ]
            for skill, tasks in sorted(skill_demand[kind].items()):
                # Enough skilled caregivers for the skill's tasks (one per four task times),
                # and at least two for insulin on day and evening to cover the peaks.
                count = max(
                    -(-tasks // 4), 2 if skill == Skill.INSULIN and kind != ShiftKind.NIGHT else 1
                )
                requirements.append((lambda s, sk=skill: sk in s.skills, count))
            chosen: list[_Worker] = []
            pool = [w for w in workers if w.night == (kind == ShiftKind.NIGHT)]
            for predicate, count in requirements:
                have = sum(1 for w in chosen if predicate(w.staff))
                for _ in range(count - have):
                    pick = _best(rng, pool, chosen, day, kind, predicate)
                    if pick is None:
                        break
                    chosen.append(pick)
            while len(chosen) < size:
                pick = _best(rng, pool, chosen, day, kind, lambda s: True)
                if pick is None:
                    break
                chosen.append(pick)
            for worker in chosen:
                worker.shifts[day] = kind
            for worker in sorted(chosen, key=lambda w: w.staff.staff_id):
                entries.append(
                    RosterEntry(
                        staff_id=worker.staff.staff_id,
                        date=day,
                        shift=kind,
                        district_id=DEMO_DISTRICT_ID,
                    )
                )
    return entries


def _night_ids(staff: Sequence[Staff]) -> set[str]:
    """Night workers are a fixed group (_NIGHT_STAFF per level), nurses with the palliative
    pump skill first."""
    night_left = dict(_NIGHT_STAFF)
    by_level = sorted(
        staff,
        key=lambda s: (Skill.PALLIATIVE_PUMP not in s.skills, s.staff_id),
    )
    night_ids: set[str] = set()
    for member in by_level:
        if night_left.get(member.competence, 0) > 0:
            night_left[member.competence] -= 1
            night_ids.add(member.staff_id)
    return night_ids


def _can_work(worker: _Worker, day: date, kind: ShiftKind) -> bool:
    if day in worker.shifts:
        return False
    before = worker.shifts.get(day - timedelta(days=1))
    if before == ShiftKind.NIGHT and kind != ShiftKind.NIGHT:
        return False
    if before == ShiftKind.EVENING and kind == ShiftKind.DAY:
        return False
    streak = 0
    while day - timedelta(days=streak + 1) in worker.shifts:
        streak += 1
    return streak < 5


def _other_weekend(worker: _Worker, day: date) -> bool:
    """Whether ``day`` is in a weekend and she works another weekend of the roster."""
    weekend = _weekend(day)
    return weekend is not None and any(_weekend(d) not in (None, weekend) for d in worker.shifts)


def _weekend(day: date) -> int | None:
    """The roster week whose weekend ``day`` is in; None on a weekday."""
    return (day - ROSTER_START).days // 7 if day.isoweekday() >= 6 else None


def _best(
    rng: random.Random,
    pool: Sequence[_Worker],
    chosen: Sequence[_Worker],
    day: date,
    kind: ShiftKind,
    predicate: Callable[[Staff], bool],
) -> _Worker | None:
    candidates = [
        w for w in pool if w not in chosen and predicate(w.staff) and _can_work(w, day, kind)
    ]
    if not candidates:
        return None
    # Most behind on their contracted share first, a run of the same shift kind carried on
    # before a new one is started; random tie-break (seeded).
    yesterday = day - timedelta(days=1)
    keyed = [
        (
            len(w.shifts) / w.target
            - RUN_BONUS * (w.shifts.get(yesterday) == kind)
            + WEEKEND_PENALTY * _other_weekend(w, day),
            rng.random(),
            w,
        )
        for w in candidates
    ]
    keyed.sort(key=lambda x: (x[0], x[1]))
    return keyed[0][2]


# --------------------------------------------------------------------------------------
# Primary contacts and care teams
# --------------------------------------------------------------------------------------

# The district's day and evening caregivers work in four zones (soner) of neighbouring
# areas; a patient's primary contact (primærkontakt) and care team (primærteam) come from
# the zone the patient lives in, as in a home-care district organised in teams.
_ZONES: tuple[tuple[str, ...], ...] = (
    ("Møllenberg/Rosenborg", "Singsaker"),
    ("Lademoen", "Lade"),
    ("Strindheim", "Tyholt/Persaunet", "Leangen"),
    ("Charlottenlund/Jakobsli", "Ranheim"),
)
TEAM_SIZE = 8
"""Day and evening caregivers in a patient's care team, the primary contact included."""
DOUBLE_TEAM_EXTRA = 2
"""More day and evening caregivers in the team of a patient with double-staffed work."""
NIGHT_TEAM_SIZE = 3
"""Night workers in the care team of a patient with night visits."""
_CONTACT_LEVELS = frozenset({_H, _V, _N, _S})  # a primary contact is never an assistant


def _zone_of(location: GeoPoint) -> int:
    """The zone whose areas hold ``location`` (the nearest area's zone outside every box)."""

    def distance(area: _Area) -> float:
        lat = min(max(location.lat, area.lat[0]), area.lat[1])
        lon = min(max(location.lon, area.lon[0]), area.lon[1])
        return (lat - location.lat) ** 2 + ((lon - location.lon) / 2) ** 2

    nearest = min(_AREAS, key=distance)
    return next(z for z, names in enumerate(_ZONES) if nearest.name in names)


def _zone_staff(rng: random.Random, staff: Sequence[Staff], night: set[str]) -> list[list[Staff]]:
    """The day and evening caregivers dealt to the zones in proportion to the zones' patient
    weights, level by level (so that every zone has the competence mix)."""
    weights = [sum(a.weight for a in _AREAS if a.name in names) for names in _ZONES]
    total = sum(weights)
    zones: list[list[Staff]] = [[] for _ in _ZONES]
    for level, _count in _STAFF_MIX:
        members = [s for s in staff if s.competence == level and s.staff_id not in night]
        rng.shuffle(members)
        for i, member in enumerate(members):
            share = (i + 0.5) / len(members) * total
            zone = next(z for z in range(len(zones)) if share < sum(weights[: z + 1]))
            zones[zone].append(member)
    return zones


def _needs(plan: CarePlan) -> dict[ShiftKind, tuple[CompetenceLevel, frozenset[Skill]]]:
    """Per shift with planned work: the highest competence and every skill it asks for."""
    needs: dict[ShiftKind, tuple[CompetenceLevel, frozenset[Skill]]] = {}
    for item in plan.interventions:
        schedule = item.schedule
        for start in [*schedule.times, *(w.start for w in schedule.windows)]:
            kind = _shift_of(start)
            level, skills = needs.get(kind, (_A, frozenset()))
            if item.required_competence.rank > level.rank:
                level = item.required_competence
            needs[kind] = (level, skills | item.required_skills)
    return needs


def _with_care_teams(
    rng: random.Random,
    patients: Sequence[Patient],
    plans: Sequence[CarePlan],
    staff: Sequence[Staff],
    roster: Sequence[RosterEntry],
) -> list[Patient]:
    """Every patient with a primary contact and a care team from the zone's caregivers.

    A team is put together as a team leader does with the rota at hand: one by one, the
    caregiver of the zone who works most of the patient's shifts that the team does not
    cover yet, qualified for the patient's most demanding work first, and less so the more
    teams she is already in for her contracted hours. The first is the primary contact
    (never an assistant). Patients with night visits also get night workers in their team.
    """
    night = _night_ids(staff)
    zones = _zone_staff(rng, staff, night)
    night_staff = [s for s in staff if s.staff_id in night]
    works: dict[str, set[tuple[date, ShiftKind]]] = {s.staff_id: set() for s in staff}
    for entry in roster:
        works[entry.staff_id].add((entry.date, entry.shift))
    days = [ROSTER_START + timedelta(days=k) for k in range(ROSTER_DAYS)]
    load: Counter[str] = Counter()  # team memberships
    primaries: Counter[str] = Counter()
    plan_of = {p.patient_id: p for p in plans}

    def pick(
        pool: Sequence[Staff],
        k: int,
        need: tuple[CompetenceLevel, frozenset[Skill]],
        slots: set[tuple[date, ShiftKind]],
        counter: Counter[str] = load,
        spread: float = 0.25,
    ) -> list[Staff]:
        """``k`` caregivers of ``pool``, each covering most of what is left of ``slots``."""
        chosen: list[Staff] = []
        for _ in range(k):
            left = [s for s in pool if s not in chosen]
            if not left:
                break
            best = max(
                left,
                key=lambda s: (
                    s.qualifies_for(*need),
                    len(works[s.staff_id] & slots)
                    - spread * counter[s.staff_id] / s.contracted_fte,
                ),
            )
            chosen.append(best)
            slots = slots - works[best.staff_id]
            counter[best.staff_id] += 1
        return chosen

    out: list[Patient] = []
    for patient in patients:
        needs = _needs(plan_of[patient.patient_id])
        zone = list(zones[_zone_of(patient.location)])
        rng.shuffle(zone)  # a seeded tie-break between equally good caregivers
        kinds = [k for k in (ShiftKind.DAY, ShiftKind.EVENING) if k in needs] or [ShiftKind.DAY]
        level = max((needs.get(k, (_H, frozenset()))[0] for k in kinds), key=lambda c: c.rank)
        skills = frozenset().union(*(needs.get(k, (_H, frozenset()))[1] for k in kinds))
        slots = {(d, k) for d in days for k in kinds}
        contacts = [s for s in zone if s.competence in _CONTACT_LEVELS]
        # A primary contact has a handful of patients: the spread weighs heavier.
        (primary,) = pick(contacts, 1, (level, skills), slots, primaries, 4.0)
        load[primary.staff_id] += 1
        team = [primary]
        size = TEAM_SIZE + DOUBLE_TEAM_EXTRA * any(
            i.staff_count == 2 for i in plan_of[patient.patient_id].interventions
        )
        team += pick([s for s in zone if s is not primary], size - 1, (level, skills),
                     slots - works[primary.staff_id])  # fmt: skip
        if ShiftKind.NIGHT in needs:
            nights = {(d, ShiftKind.NIGHT) for d in days}
            team += pick(night_staff, NIGHT_TEAM_SIZE, needs[ShiftKind.NIGHT], nights)
        out.append(
            patient.model_copy(
                update={
                    "primary_contact_id": primary.staff_id,
                    "care_team_ids": frozenset(s.staff_id for s in team),
                }
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


def _misplaced_patient(number: int) -> tuple[Patient, CarePlan]:
    """One realistic impossible task: a patient newly registered with latitude and longitude
    swapped (a data-entry slip), with a daily morning visit. Planning leaves it unplaced as
    ``implausible_location`` naming the coordinates; import warns about it."""
    patient = Patient(
        patient_id=f"P{number:04d}",
        municipality_id=DEMO_MUNICIPALITY_ID,
        district_id=DEMO_DISTRICT_ID,
        display_name="Ny Bruker (synthetic)",
        address="Weidemanns vei 7",
        location=GeoPoint(lat=10.4312, lon=63.4301),  # swapped: Trondheim is 63.43 N 10.43 E
        key_box_note="Nøkkelboks på baksiden, kode hos teamleder",
    )
    visit = Intervention(
        intervention_id=f"I9{number:04d}",
        patient_id=patient.patient_id,
        problem_area=ProblemArea.PERSONAL_HYGIENE,
        description="Morgenstell og tilsyn",
        duration_min=30,
        schedule=_window("09:00-11:00"),
        required_competence=CompetenceLevel.HEALTH_WORKER,
        valid_from=date(2026, 11, 1),
    )
    plan = CarePlan(
        care_plan_id=f"CP-{patient.patient_id}",
        patient_id=patient.patient_id,
        interventions=(visit,),
    )
    return patient, plan


#: Synthetic homes (no real address) of the caregivers whose days start and end at home.
_HOMES = (GeoPoint(lat=63.4351, lon=10.4122), GeoPoint(lat=63.4187, lon=10.4655))
_PLANNED_DAY = ROSTER_START + timedelta(days=1)
#: Own hours of part-day and staggered day-shift entries: (start, end).
_DAY_HOURS = ((time(7, 30), time(11, 30)), (time(11, 0), time(15, 0)), (time(8, 30), time(16, 0)))


def _roster_as_it_is(
    rng: random.Random, staff: list[Staff], roster: list[RosterEntry]
) -> tuple[list[Staff], list[RosterEntry]]:
    """The roster as real rosters read: two caregivers start and end their day shifts at
    home, and on every day shift one works the morning only, one from late morning, and
    one starts an hour late and stays an hour longer."""
    day_entries = [e for e in roster if e.shift == ShiftKind.DAY]
    # The home starters work the day shift `make demo` plans (the roster's second day).
    day_workers = sorted({e.staff_id for e in day_entries if e.date == _PLANNED_DAY})
    home_ids = dict(zip(rng.sample(day_workers, len(_HOMES)), _HOMES, strict=True))
    staff = [
        s.model_copy(update={"home": home_ids[s.staff_id]}) if s.staff_id in home_ids else s
        for s in staff
    ]
    changed: dict[tuple[str, date], dict[str, object]] = {}
    for e in day_entries:
        if e.staff_id in home_ids:
            changed[(e.staff_id, e.date)] = {"start_place": "home", "end_place": "home"}
    for day in sorted({e.date for e in day_entries}):
        others = sorted(
            e.staff_id for e in day_entries if e.date == day and e.staff_id not in home_ids
        )
        for staff_id, (start, end) in zip(
            rng.sample(others, len(_DAY_HOURS)), _DAY_HOURS, strict=True
        ):
            changed[(staff_id, day)] = {"start": start, "end": end}
    roster = [
        e.model_copy(update=changed[(e.staff_id, e.date)])
        if e.shift == ShiftKind.DAY and (e.staff_id, e.date) in changed
        else e
        for e in roster
    ]
    return staff, roster


def _with_two_roles(plans: list[CarePlan]) -> list[CarePlan]:
    """The first double-staffed daytime intervention becomes one whose two caregivers fill
    different roles: a sykepleier with sårstell and a helsefagarbeider."""
    for k, plan in enumerate(plans):
        for j, item in enumerate(plan.interventions):
            starts = list(item.schedule.times) + [w.start for w in item.schedule.windows]
            if item.staff_count != 2 or not starts or _shift_of(starts[0]) != ShiftKind.DAY:
                continue
            if item.schedule.weekdays or item.schedule.every_n_weeks > 1:
                continue
            roles = item.model_copy(
                update={
                    "description": "Sårstell med forflytning: sykepleier og helsefagarbeider",
                    "required_competence": _N,
                    "required_skills": frozenset({Skill.WOUND_CARE}),
                    "second_staff_competence": _H,
                }
            )
            items = (*plan.interventions[:j], roles, *plan.interventions[j + 1 :])
            return [*plans[:k], plan.model_copy(update={"interventions": items}), *plans[k + 1 :]]
    return plans


def generate_demo(seed: int = 2026) -> MunicipalityData:
    """The synthetic demo municipality (Trondheim, district Østbyen), fully determined by ``seed``.

    170 patients in eastern Trondheim with care plans across all twelve problem
    areas, 80 staff with a realistic competence mix, and a 14-day roster from
    2026-11-30 covering day, evening and night shifts.
    """
    municipality = Municipality(
        municipality_id=DEMO_MUNICIPALITY_ID,
        name="Trondheim",
        rules=PlanningRules(breaks=DEMO_BREAKS),
    )
    base = Base(
        base_id=DEMO_BASE_ID,
        name="Hjemmetjenesten Østbyen (synthetic base)",
        address="Strindvegen 40",
        location=GeoPoint(lat=63.4262, lon=10.4398),
    )
    district = District(
        district_id=DEMO_DISTRICT_ID,
        municipality_id=DEMO_MUNICIPALITY_ID,
        name="Østbyen (synthetic)",
        base_id=DEMO_BASE_ID,
    )
    patients = _patients(random.Random(f"{seed}:patients"))
    plans = _care_plans(random.Random(f"{seed}:plans"), patients)
    misplaced, misplaced_plan = _misplaced_patient(len(patients) + 1)
    patients.append(misplaced)
    plans.append(misplaced_plan)
    staff = _staff(random.Random(f"{seed}:staff"))
    roster = _roster(random.Random(f"{seed}:roster"), staff, plans)
    staff, roster = _roster_as_it_is(random.Random(f"{seed}:days"), staff, roster)
    plans = _with_two_roles(plans)
    # Teams last, from their own random stream: everything above stays as it was.
    patients[:-1] = _with_care_teams(
        random.Random(f"{seed}:teams"), patients[:-1], plans[:-1], staff, roster
    )
    return MunicipalityData(
        municipality=municipality,
        districts=(district,),
        bases=(base,),
        patients=tuple(patients),
        care_plans=tuple(plans),
        staff=tuple(staff),
        roster=Roster(entries=tuple(roster)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo municipality as a canonical CSV export (``--seed``, ``--out``)."""
    from hjemmetjeneste.formats.canonical import write_export

    parser = argparse.ArgumentParser(
        prog="python -m hjemmetjeneste.synthetic.demo",
        description="Generate the synthetic demo municipality as a canonical CSV export.",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--out", type=Path, default=Path("data/demo"), help="output folder (default data/demo)"
    )
    args = parser.parse_args(argv)
    data = generate_demo(args.seed)
    write_export(data, args.out)
    interventions = [i for plan in data.care_plans for i in plan.interventions]
    shifts = Counter(e.shift.value for e in data.roster.entries)
    print(
        f"Wrote {args.out}: {len(data.patients)} patients, {len(interventions)} interventions, "
        f"{len(data.staff)} staff, {len(data.roster.entries)} roster entries "
        f"({', '.join(f'{k} {v}' for k, v in sorted(shifts.items()))})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
