"""Explanations never contradict themselves: the numbers each sentence quotes bear it out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hjemmetjeneste.domain import (
    CompetenceLevel,
    ProblemArea,
    Skill,
    Staff,
    Task,
    TravelMode,
    Visit,
)
from hjemmetjeneste.planning.explain import competence_why, window_why, word
from hjemmetjeneste.planning.to_problem import KeptOutFacts

DAY_S = 24 * 3600
DAY = date(2026, 12, 1)


def at(s: int) -> str:
    return (datetime(2026, 12, 1, tzinfo=UTC) + timedelta(seconds=s)).isoformat()


def minutes(text: str) -> list[int]:
    return [int(h) * 60 + int(m) for h, m in re.findall(r"(\d\d):(\d\d)", text)]


def _minute(s: int) -> int:
    return s // 60


seconds = st.integers(min_value=0, max_value=DAY_S - 1)


def _no_start_fits(v: tuple[int, ...]) -> bool:
    a, b, lo, hi, arrive, last = v
    clipped = (max(a, lo), min(b, hi))
    return (
        a <= b
        and lo <= hi
        and (clipped[0] > clipped[1] or max(clipped[0], arrive) > min(clipped[1], last))
    )


def infeasible() -> st.SearchStrategy[KeptOutFacts]:
    """Windows, shift bounds and reachable times with no start that fits all three."""
    return (
        st.tuples(*[seconds] * 6)
        .filter(_no_start_fits)
        .map(
            lambda v: KeptOutFacts(
                windows=((v[0], v[1]),), bounds=(v[2], v[3]), reachable=(v[4], v[5])
            )
        )
    )


@given(infeasible(), st.integers(min_value=1, max_value=240))
def test_window_sentence_quotes_numbers_that_show_it(facts: KeptOutFacts, duration: int):
    sentence = word(window_why(duration, facts, at), DAY, "en")
    (a, b), (lo, hi) = facts.windows[0], facts.bounds
    arrive, last_start = facts.reachable
    quoted = minutes(sentence)
    assert f"{duration} min" in sentence
    if "the shift allows starts" in sentence:
        # The window and the shift's bounds do not overlap.
        w_open, w_close, s_lo, s_hi = quoted
        assert (w_open, w_close, s_lo, s_hi) == tuple(map(_minute, (a, b, lo, hi)))
        assert b < lo or a > hi
    elif "earliest a caregiver can get there" in sentence:
        must_by, earliest = quoted
        assert must_by == _minute(min(b, hi)) and earliest == _minute(arrive)
        assert arrive > min(b, hi)
    elif "back at the base" in sentence:
        not_before, must_by = quoted
        assert not_before == _minute(max(a, lo)) and must_by == _minute(last_start)
        assert last_start < max(a, lo)
    else:
        # Arrival and latest start lie around the window without a start inside it.
        from_, to = quoted[:2]
        assert (from_, to) == (_minute(arrive), _minute(last_start))
        assert arrive > last_start


def _staff(sid: str, level: CompetenceLevel, skills: frozenset[Skill] = frozenset()) -> Staff:
    return Staff(
        staff_id=sid,
        municipality_id="m",
        district_id="d",
        first_name=sid,
        competence=level,
        skills=skills,
        travel_mode=TravelMode.CAR,
    )


def _task(tid: str, level: CompetenceLevel, skills: frozenset[Skill] = frozenset()) -> Task:
    at = datetime(2026, 12, 1, 8, tzinfo=UTC)
    return Task(
        task_id=tid,
        intervention_id=tid,
        patient_id="p",
        date=date(2026, 12, 1),
        window_start=at,
        window_end=at,
        duration_min=10,
        description=f"task {tid}",
        problem_area=ProblemArea.MEDICATION,
        required_competence=level,
        required_skills=skills,
    )


def test_competence_sentence_names_what_each_task_lacks():
    """A vernepleier's medicine merged with a nurse's insulin: each task is told its own story."""
    staff = (
        _staff("a", CompetenceLevel.SOCIAL_EDUCATOR),
        _staff("b", CompetenceLevel.NURSE),
    )
    medicine = _task("med", CompetenceLevel.SOCIAL_EDUCATOR)
    insulin = _task("ins", CompetenceLevel.NURSE, frozenset({Skill.INSULIN}))
    visit = Visit(visit_id="v", patient_id="p", tasks=(medicine, insulin))
    own = word(competence_why(insulin, visit, staff), DAY, "en")
    assert (
        own == "No caregiver on shift with competence sykepleier or higher has the skill insulin."
    )
    shared = word(competence_why(medicine, visit, staff), DAY, "en")
    assert shared == (
        "A caregiver on shift could do this task, but it shares the visit with 'task ins': "
        "No caregiver on shift with competence sykepleier or higher has the skill insulin."
    )
    nobody = word(competence_why(insulin, visit, (staff[0],)), DAY, "en")
    assert nobody == "No caregiver on shift has competence sykepleier or higher."


def test_continuity_is_on_by_default_and_primary_contact_is_a_preference():
    from hjemmetjeneste.domain import PlanningRules

    rules = PlanningRules()
    assert rules.continuity_weight > 0
    assert rules.primary_contact_weight > 0
