"""Explanations never contradict themselves: the numbers each sentence quotes bear it out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hjemmetjeneste.planning.explain import window_why, word
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


def test_continuity_is_on_by_default_and_primary_contact_is_a_preference():
    from hjemmetjeneste.domain import PlanningRules

    rules = PlanningRules()
    assert rules.continuity_weight > 0
    assert rules.primary_contact_weight > 0
