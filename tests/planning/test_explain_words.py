"""Why a visit kept out before the search is unplaced: the facts, and the sentence they make
in bokmål (the default) and in English (``planning.explain``).

Every test compares the whole explanation (sentence code and every fact: caregivers by id
and name, instants, minutes) and the whole sentence; ``make mutation`` runs these.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.domain import (
    CatalogueName,
    CompetenceLevel,
    CompetenceTitle,
    DayPlan,
    Explanation,
    GeoPoint,
    Municipality,
    PlanResult,
    ProblemArea,
    ShiftDefinition,
    ShiftKind,
    Skill,
    Staff,
    Task,
    TravelMode,
    UnplacedReason,
    UnplacedTask,
    Visit,
)
from hjemmetjeneste.planning.explain import (
    Why,
    competence_why,
    kept_out_why,
    outside_every_shift_why,
    staff_lacks,
    window_why,
    word,
    worded,
)
from hjemmetjeneste.planning.to_problem import BuiltProblem, IndexMap, KeptOutFacts, Prefiltered
from hjemmetjeneste.solver import ProblemBuilder
from hjemmetjeneste.travel.locations import (
    FAR_FROM_BASE,
    FAR_FROM_PATIENTS,
    SWAPPED,
    LocationIssue,
)

ZONE = ZoneInfo("Europe/Oslo")
DAY = date(2026, 12, 1)
H = 3600
NURSE, HEALTH_WORKER = CompetenceLevel.NURSE, CompetenceLevel.HEALTH_WORKER


def at(hours: float) -> str:
    """An instant of the plan day (winter time, +01:00) as the facts quote it."""
    h, m = int(hours), round(hours % 1 * 60)
    return f"2026-12-01T{h:02d}:{m:02d}:00+01:00"


def _at(s: int) -> str:
    """Seconds of the plan day -> the instant, as ``kept_out_why`` passes them."""
    return INDEX.to_instant(s).isoformat()


def _built() -> BuiltProblem:
    """Three caregivers on shift: Anna (anna), Bjørn (bjorn) and cato without a first name."""
    builder = ProblemBuilder()
    builder.add_travel_class([[0, 60], [60, 0]])
    base = builder.add_depot(0, (6 * H, 16 * H))
    for _ in range(3):
        builder.add_vehicle(start_depot=base, window=(6 * H, 16 * H))
    builder.add_job(1, service_s=600, windows=[(8 * H, 9 * H)], penalty=1000)
    index = IndexMap(
        day_start=datetime(2026, 12, 1, tzinfo=ZONE),
        zone=ZONE,
        job_visit=(None, "v1"),
        vehicle_staff=("anna", "bjorn", "cato"),
        travel_modes=(),
        vehicle_names=("Anna", "Bjørn"),
    )
    return BuiltProblem(builder.build(), index, ())


INDEX = _built().index


def _staff(sid: str, level: CompetenceLevel | CompetenceTitle, *skills: Skill) -> Staff:
    return Staff(
        staff_id=sid,
        municipality_id="m",
        district_id="d",
        first_name=sid,
        competence=level,
        skills=frozenset(skills),
        travel_mode=TravelMode.CAR,
    )


def _task(
    tid: str, level: CompetenceLevel = HEALTH_WORKER, *skills: Skill, critical: bool = False
) -> Task:
    start = datetime(2026, 12, 1, 8, tzinfo=ZONE)
    return Task(
        task_id=tid,
        intervention_id=tid,
        patient_id="p",
        date=DAY,
        window_start=start,
        window_end=start.replace(hour=9, minute=30),
        duration_min=20,
        description=f"task {tid}",
        problem_area=ProblemArea.MEDICATION,
        required_competence=level,
        required_skills=frozenset(skills),
        time_critical=critical,
    )


NO_FACTS = KeptOutFacts()


def _kept(reason: UnplacedReason, facts: KeptOutFacts = NO_FACTS) -> Explanation:
    task = _task("t1")
    visit = Visit(visit_id="v1", patient_id="p", tasks=(task, _task("t2")))
    staff = (_staff("anna", NURSE),)
    return kept_out_why(Prefiltered(visit, reason, facts), task, _built(), staff)


def _both(why: Explanation) -> tuple[str, str]:
    return word(why, DAY, "en"), word(why, DAY, "nb")


# -- kept out before the search ------------------------------------------------------------

SWAPPED_ISSUE = LocationIssue(
    "patient", "p", "d", GeoPoint(lat=10.4312, lon=63.4301), SWAPPED, 0, 60.0
)
FAR_ISSUE = LocationIssue(
    "patient", "p", "d", GeoPoint(lat=59.9139, lon=10.7522), FAR_FROM_BASE, 391, 60.0
)
BASE_ISSUE = LocationIssue(
    "base", "B1", "d", GeoPoint(lat=59.9, lon=10.75), FAR_FROM_PATIENTS, 390, 60.5
)


@pytest.mark.parametrize(
    ("reason", "facts", "why", "english", "bokmal"),
    [
        (
            UnplacedReason.IMPLAUSIBLE_LOCATION,
            KeptOutFacts(location=(10.4312, 63.4301), location_issue=SWAPPED_ISSUE),
            Explanation(
                code=Why.IMPLAUSIBLE_LOCATION,
                facts={
                    "lat": 10.4312,
                    "lon": 63.4301,
                    "location_why": SWAPPED,
                    "km": 0,
                    "limit_km": 60.0,
                },
            ),
            "The patient's coordinates (10.43120, 63.43010) cannot be planned from: latitude "
            "and longitude look swapped (the swapped pair lies in Norway). Correct the address "
            "or coordinates in the source system.",
            "Brukerens koordinater (10.43120, 63.43010) kan ikke brukes i planleggingen: "
            "breddegrad og lengdegrad ser ut til å være byttet om (det ombyttede paret ligger i "
            "Norge). Rett adressen eller koordinatene i fagsystemet.",
        ),
        (
            UnplacedReason.IMPLAUSIBLE_LOCATION,
            KeptOutFacts(location=(59.9139, 10.7522), location_issue=FAR_ISSUE),
            Explanation(
                code=Why.IMPLAUSIBLE_LOCATION,
                facts={
                    "lat": 59.9139,
                    "lon": 10.7522,
                    "location_why": FAR_FROM_BASE,
                    "km": 391,
                    "limit_km": 60.0,
                },
            ),
            "The patient's coordinates (59.91390, 10.75220) cannot be planned from: 391 km from "
            "the district's base (limit 60 km). Correct the address or coordinates in the "
            "source system.",
            "Brukerens koordinater (59.91390, 10.75220) kan ikke brukes i planleggingen: 391 km "
            "fra distriktets base (grense 60 km). Rett adressen eller koordinatene i "
            "fagsystemet.",
        ),
        (
            UnplacedReason.IMPLAUSIBLE_LOCATION,
            KeptOutFacts(location=(63.43, 10.4), location_issue=BASE_ISSUE),
            Explanation(
                code=Why.IMPLAUSIBLE_BASE,
                facts={
                    "lat": 59.9,
                    "lon": 10.75,
                    "location_why": FAR_FROM_PATIENTS,
                    "km": 390,
                    "limit_km": 60.5,
                    "base_id": "B1",
                },
            ),
            "The district's base B1 at (59.90000, 10.75000) cannot be planned from: 390 km "
            "from the middle of its district's patients (limit 60.5 km). Correct the base's "
            "address or coordinates.",
            "Distriktets base B1 på (59.90000, 10.75000) kan ikke brukes i planleggingen: 390 "
            "km fra midten av distriktets brukere (grense 60.5 km). Rett basens adresse eller "
            "koordinater.",
        ),
        (
            UnplacedReason.NO_STAFF_ON_SHIFT,
            KeptOutFacts(),
            Explanation(code=Why.NO_STAFF_ON_SHIFT),
            "Nobody is rostered on this shift.",
            "Ingen er satt opp på denne vakten.",
        ),
        (
            UnplacedReason.ALL_REFUSED,
            KeptOutFacts(qualified=2),
            Explanation(code=Why.ALL_REFUSED, facts={"qualified": 2}),
            "Every qualified caregiver on shift (2) is one the patient has refused.",
            "Brukeren har avslått alle kvalifiserte pleiere på vakt (2).",
        ),
        (
            UnplacedReason.UNREACHABLE,
            KeptOutFacts(modes=("bike", "car")),
            Explanation(code=Why.UNREACHABLE, facts={"modes": ["bike", "car"]}),
            "There is no route between the base and the patient's address by bike or car (the "
            "address may lie off the road map).",
            "Det finnes ingen rute mellom basen og brukerens adresse med sykkel eller bil "
            "(adressen ligger kanskje utenfor veikartet).",
        ),
        (
            UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF,
            KeptOutFacts(qualified=1),
            Explanation(code=Why.NOT_ENOUGH_QUALIFIED_STAFF, facts={"qualified": 1}),
            "The visit needs 2 qualified caregivers at once; only 1 on shift.",
            "Besøket trenger 2 kvalifiserte pleiere samtidig; bare 1 på vakt.",
        ),
        (
            UnplacedReason.PIN_CONFLICT,
            KeptOutFacts(pinned_staff="zed", pinned_why="absent"),
            Explanation(code=Why.PIN_ABSENT, facts={"staff_id": "zed", "staff_name": ""}),
            "The visit is pinned to caregiver zed, who is not on this shift.",
            "Besøket er låst til pleier zed, som ikke er på denne vakten.",
        ),
        (
            UnplacedReason.PIN_CONFLICT,
            KeptOutFacts(pinned_staff="bjorn", pinned_why="refused"),
            Explanation(code=Why.PIN_REFUSED, facts={"staff_id": "bjorn", "staff_name": "Bjørn"}),
            "The visit is pinned to Bjørn (bjorn), whom the patient has refused.",
            "Besøket er låst til Bjørn (bjorn), som brukeren har avslått.",
        ),
        (
            UnplacedReason.PIN_CONFLICT,
            KeptOutFacts(pinned_staff="anna", pinned_why="not_qualified"),
            Explanation(
                code=Why.PIN_NOT_QUALIFIED, facts={"staff_id": "anna", "staff_name": "Anna"}
            ),
            "The visit is pinned to Anna (anna), who is not qualified for it.",
            "Besøket er låst til Anna (anna), som ikke er kvalifisert for det.",
        ),
        (
            UnplacedReason.GAP_RULE,
            KeptOutFacts(gap=("paracet", 7 * H, 4 * H, None)),
            Explanation(
                code=Why.GAP_EARLIER_SHIFT,
                facts={"group": "paracet", "last_dose_at": at(7), "min_gap_min": 240},
            ),
            "Gap rule: the last dose of 'paracet' was given at 07:00 in an earlier shift; this "
            "one must follow at least 240 min later, which no time in this shift allows.",
            "Intervallregel: siste dose av 'paracet' ble gitt 07:00 på en tidligere vakt; denne "
            "må komme minst 240 min senere, og ingen tid på denne vakten tillater det.",
        ),
        (
            UnplacedReason.GAP_RULE,
            KeptOutFacts(gap=("paracet", -2 * H, 4 * H + 59, 8 * H + 30)),
            Explanation(
                code=Why.GAP_EARLIER_SHIFT_AT_MOST,
                facts={
                    "group": "paracet",
                    "last_dose_at": "2026-11-30T22:00:00+01:00",
                    "min_gap_min": 240,
                    "max_gap_min": 480,
                },
            ),
            "Gap rule: the last dose of 'paracet' was given at 22:00 on 2026-11-30 in an "
            "earlier shift; this one must follow at least 240 min and at most 480 min later, "
            "which no time in this shift allows.",
            "Intervallregel: siste dose av 'paracet' ble gitt 22:00 den 2026-11-30 på en "
            "tidligere vakt; denne må komme minst 240 min og høyst 480 min senere, og ingen tid "
            "på denne vakten tillater det.",
        ),
    ],
)
def test_a_visit_kept_out_is_explained_by_its_facts(reason, facts, why, english, bokmal):
    """Each reason a visit is kept out of the search, with the facts that show it."""
    explanation = _kept(reason, facts)
    assert explanation == why
    assert _both(explanation) == (english, bokmal)


WINDOW = KeptOutFacts(windows=((6 * H, 7 * H),), bounds=(8 * H, 15 * H), reachable=(8 * H, 14 * H))
WINDOW_WHY = Explanation(
    code=Why.WINDOW_NOT_IN_SHIFT,
    facts={
        "duration_min": 40,
        "opens_at": at(6),
        "closes_at": at(7),
        "shift_from_at": at(8),
        "shift_to_at": at(15),
    },
)


@pytest.mark.parametrize(
    "reason",
    [
        UnplacedReason.WINDOW_OUTSIDE_SHIFT,
        UnplacedReason.IMPLAUSIBLE_LOCATION,  # without a location: the window is the story
        UnplacedReason.GAP_RULE,  # without an earlier dose: the window is the story
    ],
)
def test_a_visit_kept_out_for_its_window_quotes_the_visit_duration(reason):
    """The duration is the visit's (both tasks: 40 min), not the task's own 20 min."""
    assert _kept(reason, WINDOW) == WINDOW_WHY


def test_a_merged_visits_competence_is_told_per_task():
    """A visit of a vernepleier's medicine and a nurse's insulin, with only a vernepleier on
    shift: the insulin task lacks its competence; the medicine task is told that it shares
    the visit with the insulin; the explanation is not copied from one task to the other."""
    medicine = _task("med", CompetenceLevel.SOCIAL_EDUCATOR)
    insulin = _task("ins", NURSE, Skill.INSULIN)
    visit = Visit(visit_id="v", patient_id="p", tasks=(medicine, insulin))
    staff = (_staff("a", CompetenceLevel.SOCIAL_EDUCATOR, Skill.INSULIN),)
    kept = Prefiltered(visit, UnplacedReason.NO_QUALIFIED_STAFF)
    own = kept_out_why(kept, insulin, _built(), staff)
    shared = kept_out_why(kept, medicine, _built(), staff)
    assert own == Explanation(code=Why.COMPETENCE_MISSING, facts={"level": "sykepleier"})
    assert shared == Explanation(
        code=Why.SHARED_VISIT,
        facts={"other_task": "task ins", "lack": "competence_missing", "level": "sykepleier"},
    )
    assert _both(shared) == (
        "A caregiver on shift could do this task, but it shares the visit with 'task ins': "
        "No caregiver on shift has competence sykepleier or higher.",
        "En pleier på vakt kunne gjort dette oppdraget, men det deler besøk med 'task ins': "
        "Ingen pleier på vakt har kompetanse sykepleier eller høyere.",
    )


# -- competence and skills -----------------------------------------------------------------


def test_the_skill_lacking_is_the_one_no_senior_enough_caregiver_has():
    """Two nurses hold insulin and wound care between them; nobody senior enough holds the
    catheter (the health worker who does is not senior enough): only the catheter is missing."""
    task = _task("t", NURSE, Skill.INSULIN, Skill.WOUND_CARE, Skill.CATHETER)
    staff = (
        _staff("a", NURSE, Skill.INSULIN),
        _staff("b", CompetenceLevel.SPECIALIST_NURSE, Skill.WOUND_CARE),
        _staff("c", HEALTH_WORKER, Skill.CATHETER),
    )
    why = competence_why(task, Visit(visit_id="v", patient_id="p", tasks=(task,)), staff)
    assert why == Explanation(
        code=Why.SKILL_MISSING, facts={"level": "sykepleier", "skills": ["catheter"]}
    )
    assert _both(why) == (
        "No caregiver on shift with competence sykepleier or higher has the skill catheter.",
        "Ingen pleier på vakt med kompetanse sykepleier eller høyere har ferdigheten kateter.",
    )


def test_skills_held_apart_are_not_held_together():
    """Each skill is held by some nurse, none holds both: both are named, sorted."""
    task = _task("t", NURSE, Skill.WOUND_CARE, Skill.INSULIN)
    staff = (_staff("a", NURSE, Skill.INSULIN), _staff("b", NURSE, Skill.WOUND_CARE))
    why = competence_why(task, Visit(visit_id="v", patient_id="p", tasks=(task,)), staff)
    assert why == Explanation(
        code=Why.SKILLS_NOT_TOGETHER,
        facts={"level": "sykepleier", "skills": ["insulin", "wound_care"]},
    )
    assert _both(why) == (
        "No caregiver on shift with competence sykepleier or higher has all of insulin, "
        "wound_care at once.",
        "Ingen pleier på vakt med kompetanse sykepleier eller høyere har alle disse samtidig: "
        "insulin, sårstell.",
    )


def test_tasks_each_doable_but_not_together_say_what_the_visit_needs():
    """A nurse's task and an insulin task: the nurse lacks insulin, the health worker with
    insulin is not a nurse; each task alone is doable, the visit needs a nurse with insulin."""
    nurse_task, insulin_task = _task("n", NURSE), _task("i", HEALTH_WORKER, Skill.INSULIN)
    visit = Visit(visit_id="v", patient_id="p", tasks=(nurse_task, insulin_task))
    staff = (_staff("a", NURSE), _staff("b", HEALTH_WORKER, Skill.INSULIN))
    why = competence_why(nurse_task, visit, staff)
    assert why == Explanation(
        code=Why.VISIT_TOGETHER,
        facts={"lack": "skill_missing", "level": "sykepleier", "skills": ["insulin"]},
    )
    assert _both(why) == (
        "Together, the tasks of this visit need more than anyone on shift has: No caregiver on "
        "shift with competence sykepleier or higher has the skill insulin.",
        "Til sammen krever oppdragene i dette besøket mer enn noen på vakt har: Ingen pleier "
        "på vakt med kompetanse sykepleier eller høyere har ferdigheten insulin.",
    )


def test_a_visit_someone_can_do_names_nothing_missing():
    """Asked about a visit someone on shift can do, the explanation quotes no lack."""
    task = _task("t", NURSE)
    why = competence_why(
        task, Visit(visit_id="v", patient_id="p", tasks=(task,)), (_staff("a", NURSE),)
    )
    assert why == Explanation(code=Why.VISIT_TOGETHER)
    assert word(why, DAY, "en") == (
        "Together, the tasks of this visit need more than anyone on shift has: "
    )


def test_what_a_caregiver_lacks_for_a_visit():
    """By name: the competence she lacks (and has), the skills she lacks; else a refusal or
    a pin keeps her off it."""
    visits = (
        Visit(visit_id="easy", patient_id="p", tasks=(_task("e"),)),
        Visit(visit_id="hard", patient_id="p", tasks=(_task("h", NURSE, Skill.INSULIN,
                                                            Skill.CATHETER),)),
    )  # fmt: skip
    staff = (
        _staff("nurse", NURSE, Skill.INSULIN),
        _staff("worker", HEALTH_WORKER, Skill.CATHETER),
    )
    plan = DayPlan.model_construct(staff=staff, visits=visits)
    assert staff_lacks(plan, "worker", "hard") == (
        "lacks competence sykepleier (has helsefagarbeider) and skill insulin"
    )
    assert staff_lacks(plan, "nurse", "hard") == "lacks skill catheter"
    assert staff_lacks(plan, "nurse", "easy") == "is not allowed on it (a refusal or a pin)"
    assert staff_lacks(plan, "worker", "easy") == "is not allowed on it (a refusal or a pin)"
    plan = DayPlan.model_construct(staff=(_staff("w", HEALTH_WORKER),), visits=visits)
    assert staff_lacks(plan, "w", "hard") == (
        "lacks competence sykepleier (has helsefagarbeider) and skill catheter, insulin"
    )
    own = _staff("o", CompetenceTitle("Sosionom", CompetenceLevel.ASSISTANT), Skill.INSULIN)
    own = own.model_copy(update={"skills": frozenset({Skill.INSULIN, CatalogueName("PEG")})})
    plan = DayPlan.model_construct(staff=(own,), visits=visits)
    assert staff_lacks(plan, "o", "hard") == (  # an own title, said with its level
        "lacks competence sykepleier (has Sosionom, which counts as assistent) and skill catheter"
    )


def test_the_second_caregiver_is_judged_by_the_second_role():
    """A double-staffed visit for a nurse with wound care and a helper with a catheter skill:
    in the second place a caregiver lacks what the helper's role needs, in the first what the
    visit needs; a double-staffed visit without a second role judges both places alike."""
    two_roles = _task("r", NURSE, Skill.WOUND_CARE).model_copy(
        update={
            "staff_count": 2,
            "second_staff_competence": HEALTH_WORKER,
            "second_staff_skills": frozenset({Skill.CATHETER}),
        }
    )
    one_role = _task("o", NURSE, Skill.WOUND_CARE).model_copy(update={"staff_count": 2})
    visits = (
        Visit(visit_id="roles", patient_id="p", tasks=(two_roles,)),
        Visit(visit_id="alike", patient_id="p", tasks=(one_role,)),
    )
    staff = (
        _staff("helper", HEALTH_WORKER),
        _staff("assistant", CompetenceLevel.ASSISTANT, Skill.CATHETER),
    )
    plan = DayPlan.model_construct(staff=staff, visits=visits)
    assert staff_lacks(plan, "helper", "roles", second_role=True) == "lacks skill catheter"
    assert staff_lacks(plan, "helper", "roles") == (
        "lacks competence sykepleier (has helsefagarbeider) and skill wound_care"
    )
    assert staff_lacks(plan, "assistant", "roles", second_role=True) == (
        "lacks competence helsefagarbeider (has assistent)"
    )
    assert staff_lacks(plan, "helper", "alike", second_role=True) == (
        "lacks competence sykepleier (has helsefagarbeider) and skill wound_care"
    )


# -- windows ---------------------------------------------------------------------------------


def _window(windows, bounds=(8 * H, 15 * H), reachable=(8 * H, 14 * H)) -> Explanation:
    facts = KeptOutFacts(windows=tuple(windows), bounds=bounds, reachable=reachable)
    return window_why(40, facts, _at)


def test_windows_outside_the_shift_quote_the_earliest_opening_and_latest_closing():
    why = _window([(16 * H, 17 * H), (6 * H, 7 * H)])
    assert why == Explanation(
        code=Why.WINDOW_NOT_IN_SHIFT,
        facts={
            "duration_min": 40,
            "opens_at": at(6),
            "closes_at": at(17),
            "shift_from_at": at(8),
            "shift_to_at": at(15),
        },
    )
    assert _both(why) == (
        "The window cannot be met inside the shift: the 40 min visit must start between 06:00 "
        "and 17:00, but the shift allows starts only between 08:00 and 15:00.",
        "Tidsvinduet kan ikke nås innenfor vakten: besøket på 40 min må starte mellom 06:00 og "
        "17:00, men vakten tillater bare start mellom 08:00 og 15:00.",
    )


def test_a_window_touching_the_shift_is_inside_it():
    """07:00–08:00 against a shift that allows starts from 08:00 holds 08:00: the arrival
    at 09:00 is what rules it out, not the shift."""
    why = _window([(7 * H, 8 * H), (16 * H, 17 * H)], reachable=(9 * H, 14 * H))
    assert why == Explanation(
        code=Why.WINDOW_CLOSES_BEFORE_ARRIVAL,
        facts={"duration_min": 40, "last_at": at(8), "arrive_at": at(9)},
    )
    assert _both(why) == (
        "The window cannot be met: the 40 min visit must start by 08:00, but the earliest a "
        "caregiver can get there from the base is 09:00.",
        "Tidsvinduet kan ikke nås: besøket på 40 min må starte senest 08:00, men en pleier kan "
        "tidligst være der fra basen 09:00.",
    )


def test_an_arrival_after_every_window_quotes_the_latest_close_inside_the_shift():
    """Windows 09:00–10:00 and 14:00–16:00 in a shift allowing starts until 15:00: the
    last start is 15:00 (clipped), the arrival 15:01 is after it."""
    why = _window([(9 * H, 10 * H), (14 * H, 16 * H)], reachable=(15 * H + 60, 15 * H))
    assert why == Explanation(
        code=Why.WINDOW_CLOSES_BEFORE_ARRIVAL,
        facts={"duration_min": 40, "last_at": at(15), "arrive_at": at(15 + 1 / 60)},
    )


def test_a_window_opening_after_the_last_start_that_gets_back_in_time():
    """Window 07:00–12:00 clipped to the shift's 08:00; a caregiver must start by 07:30 to
    be back: the window opens (08:00, not 07:00) too late."""
    why = _window([(11 * H, 12 * H), (7 * H, 12 * H)], reachable=(7 * H, 7 * H + 1800))
    assert why == Explanation(
        code=Why.WINDOW_OPENS_TOO_LATE_TO_RETURN,
        facts={"duration_min": 40, "first_at": at(8), "last_start_at": at(7.5)},
    )
    assert _both(why) == (
        "The window cannot be met: the 40 min visit cannot start before 08:00, but it must "
        "start by 07:30 for the caregiver to be back at the base by the end of the shift.",
        "Tidsvinduet kan ikke nås: besøket på 40 min kan ikke starte før 08:00, men må starte "
        "senest 07:30 for at pleieren skal være tilbake på basen når vakten slutter.",
    )


def test_reachable_times_between_the_windows_quote_each_window_inside_the_shift():
    """A caregiver can start only 10:00–12:00; the windows, clipped to the shift, are
    08:00–09:00 and 13:00–15:00."""
    why = _window([(7 * H, 9 * H), (13 * H, 16 * H)], reachable=(10 * H, 12 * H))
    assert why == Explanation(
        code=Why.WINDOW_BETWEEN,
        facts={
            "duration_min": 40,
            "arrive_at": at(10),
            "last_start_at": at(12),
            "windows": [f"{at(8)}/{at(9)}", f"{at(13)}/{at(15)}"],
        },
    )
    assert _both(why) == (
        "The window cannot be met: a caregiver can start the 40 min visit only between 10:00 "
        "and 12:00, and none of its start windows (08:00–09:00, 13:00–15:00) holds a start "
        "there.",
        "Tidsvinduet kan ikke nås: en pleier kan bare starte besøket på 40 min mellom 10:00 og "
        "12:00, og ingen av starttidsvinduene (08:00–09:00, 13:00–15:00) har en starttid der.",
    )


@pytest.mark.parametrize(
    ("reachable", "code"),
    [
        ((10 * H, 14 * H), Why.WINDOW_BETWEEN),  # arriving as the window closes is in time
        ((10 * H + 1, 14 * H), Why.WINDOW_CLOSES_BEFORE_ARRIVAL),
        ((7 * H, 9 * H), Why.WINDOW_BETWEEN),  # the last start as it opens is in time
        ((7 * H, 9 * H - 1), Why.WINDOW_OPENS_TOO_LATE_TO_RETURN),
    ],
)
def test_a_start_exactly_on_a_bound_is_in_time(reachable, code):
    assert _window([(9 * H, 10 * H)], reachable=reachable).code == code


# -- tasks outside every shift ---------------------------------------------------------------


def test_a_task_outside_every_shift_names_the_shifts_there_are():
    municipality = Municipality(
        municipality_id="m",
        name="M",
        shifts=(
            ShiftDefinition(kind=ShiftKind.DAY, start=time(7, 30), end=time(15)),
            ShiftDefinition(kind=ShiftKind.EVENING, start=time(15), end=time(22, 30)),
        ),
    )
    night = _task("n").model_copy(
        update={
            "window_start": datetime(2026, 12, 1, 2, tzinfo=ZONE),
            "window_end": datetime(2026, 12, 1, 3, tzinfo=ZONE),
        }
    )
    why = outside_every_shift_why(night, municipality)
    assert why == Explanation(
        code=Why.OUTSIDE_EVERY_SHIFT,
        facts={
            "window_start_at": at(2),
            "window_end_at": at(3),
            "date": "2026-12-01",
            "shift_kinds": ["day", "evening"],
            "shift_times": ["07:30–15:00", "15:00–22:30"],
        },
    )
    assert _both(why) == (
        "No shift covers this task: it must start between 02:00 and 03:00 on 2026-12-01, and "
        "the municipality defines only day 07:30–15:00, evening 15:00–22:30. Add the shift or "
        "move the task's time.",
        "Ingen vakt dekker dette oppdraget: det må starte mellom 02:00 og 03:00 den 2026-12-01, "
        "og kommunen har bare definert dagvakt 07:30–15:00, kveldsvakt 15:00–22:30. Legg til "
        "vakten eller flytt tidspunktet for oppdraget.",
    )
    none = Municipality.model_construct(municipality_id="m", name="M", shifts=())
    assert outside_every_shift_why(night, none).facts["shift_kinds"] == []
    assert "defines only none." in word(outside_every_shift_why(night, none), DAY, "en")
    assert "har bare definert ingen." in word(outside_every_shift_why(night, none), DAY, "nb")


# -- a plan in either language ---------------------------------------------------------------


def _unplaced(task: Task, why: Explanation | None, explanation: str = "") -> UnplacedTask:
    return UnplacedTask(
        task_id=task.task_id,
        visit_id="v",
        intervention_id=task.intervention_id,
        patient_id="p",
        description=task.description,
        window_start=task.window_start,
        window_end=task.window_end,
        time_critical=task.time_critical,
        reason=UnplacedReason.NO_STAFF_ON_SHIFT,
        explanation=explanation,
        why=why,
    )


def test_a_plan_is_worded_in_the_language_asked_for():
    """Bokmål by default, English on request; a time-critical task's sentence (only its own)
    begins so; an explanation stored without its facts is kept as it is."""
    nobody = Explanation(code=Why.NO_STAFF_ON_SHIFT)
    outside = Explanation(
        code=Why.GAP_NO_START, facts={"window_start_at": at(2), "window_end_at": at(3)}
    )
    result = PlanResult.model_construct(
        date=DAY,
        unplaced=(
            _unplaced(_task("c", critical=True), nobody),
            _unplaced(_task("o"), nobody),
            _unplaced(_task("old"), None, "as it was"),
        ),
        outside_every_shift=(_unplaced(_task("x"), outside),),
    )
    english = worded(result, "en")
    assert [u.explanation for u in (*english.unplaced, *english.outside_every_shift)] == [
        "TIME-CRITICAL. Nobody is rostered on this shift.",
        "Nobody is rostered on this shift.",
        "as it was",
        "Gap rule: another dose of the same medication is planned too close to (or too far "
        "from) this one; no start between 02:00 and 03:00 keeps the required gap.",
    ]
    assert [u.why for u in english.unplaced] == [nobody, nobody, None]
    bokmal = worded(english, "nb")
    assert [u.explanation for u in (*bokmal.unplaced, *bokmal.outside_every_shift)] == [
        "TIDSKRITISK. Ingen er satt opp på denne vakten.",
        "Ingen er satt opp på denne vakten.",
        "as it was",
        "Intervallregel: en annen dose av samme legemiddel er planlagt for nær (eller for langt "
        "fra) denne; ingen start mellom 02:00 og 03:00 holder det påkrevde intervallet.",
    ]
    assert word(nobody, DAY, time_critical=True) == bokmal.unplaced[0].explanation
    assert word(nobody, DAY) == "Ingen er satt opp på denne vakten."


def test_a_time_on_another_day_carries_its_date():
    """A night shift's 02:00 of the next day reads with its date, in words of the language."""
    why = Explanation(code=Why.GAP_NO_START, facts={
        "window_start_at": "2026-12-01T23:30:00+01:00",
        "window_end_at": "2026-12-02T02:00:00+01:00",
    })  # fmt: skip
    assert word(why, DAY, "en").endswith(
        "no start between 23:30 and 02:00 on 2026-12-02 keeps the required gap."
    )
    assert word(why, DAY, "nb").endswith(
        "ingen start mellom 23:30 og 02:00 den 2026-12-02 holder det påkrevde intervallet."
    )
    assert "between 23:30 on 2026-12-01 and 02:00 keeps" in word(why, date(2026, 12, 2), "en")
