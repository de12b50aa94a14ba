"""The horizon view of continuity of care: permanent caregivers per patient for the rota
period, chosen from the roster before the shifts are planned."""

from __future__ import annotations

from datetime import date, timedelta

from factories import TINY_DAY, tiny_tables, write_tables
from hjemmetjeneste.domain import PlanningRules, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.tasks.horizon import Need, cover, preferred_caregivers, rota_period

D1, D2 = (date(2026, 12, 1), ShiftKind.DAY), (date(2026, 12, 2), ShiftKind.DAY)
EVE = (date(2026, 12, 1), ShiftKind.EVENING)
HERE = (63.43, 10.42)


def _room(*keys: tuple[str, tuple[date, ShiftKind]], minutes: float = 400) -> dict:
    return dict.fromkeys(keys, minutes)


def test_cover_takes_who_covers_most_then_the_lower_id():
    """B works both days of the patient's visits, A and C one each: B alone covers her.
    A tie (A and C, one visit each) goes to the lower id."""
    needs = {"P": [Need(D1, frozenset("AB"), 1, 30), Need(D2, frozenset("BC"), 1, 30)]}
    room = _room(("A", D1), ("B", D1), ("B", D2), ("C", D2))
    assert cover(needs, room, {"P": HERE}) == {"P": ("B",)}
    tie = {"P": [Need(D1, frozenset("CA"), 1, 30)]}
    assert cover(tie, room, {"P": HERE}) == {"P": ("A",)}
    assert cover(needs, room, {"P": HERE}) == cover(needs, room, {"P": HERE})


def test_cover_never_names_someone_who_cannot_do_a_visit():
    """Only the able caregivers of a visit (on its shift, qualified, not refused) can take
    it; a visit nobody can take leaves the set as it is."""
    needs = {
        "P": [Need(D1, frozenset("A"), 1, 30), Need(EVE, frozenset("E"), 1, 30)],
        "Q": [Need(D1, frozenset(), 1, 30)],
    }
    room = _room(("A", D1), ("B", D1), ("E", EVE))
    assert cover(needs, room, {"P": HERE, "Q": HERE}) == {"P": ("A", "E"), "Q": ()}


def test_cover_respects_each_caregivers_room_on_a_shift():
    """Two 30-minute visits on one shift and 40 minutes of room each: two caregivers (the
    first takes one, the other goes to the next); with 60 minutes one does both."""
    needs = {"P": [Need(D1, frozenset("AB"), 1, 30), Need(D1, frozenset("AB"), 1, 30)]}
    tight = _room(("A", D1), ("B", D1), minutes=40)
    assert cover(needs, tight, {"P": HERE}) == {"P": ("A", "B")}
    roomy = _room(("A", D1), ("B", D1), minutes=60)
    assert cover(needs, roomy, {"P": HERE}) == {"P": ("A",)}


def test_cover_gives_a_double_staffed_visit_two():
    needs = {"P": [Need(D1, frozenset("ABC"), 2, 30)]}
    room = _room(("A", D1), ("B", D1), ("C", D1))
    assert cover(needs, room, {"P": HERE}) == {"P": ("A", "B")}


def test_cover_keeps_a_caregivers_patients_together():
    """P (most minutes, first) takes A; Q lives 10 km away and takes B (free, one unit
    away) rather than A (ten); R lives next to P and takes A."""
    both = frozenset("AB")
    needs = {
        "P": [Need(D1, both, 1, 60)],
        "Q": [Need(D1, both, 1, 30)],
        "R": [Need(D1, both, 1, 20)],
    }
    where = {"P": HERE, "Q": (HERE[0] + 0.09, HERE[1]), "R": (HERE[0] + 0.001, HERE[1])}
    room = _room(("A", D1), ("B", D1))
    assert cover(needs, room, where) == {"P": ("A",), "Q": ("B",), "R": ("A",)}


def test_rota_period_is_the_continuity_days_block_of_the_roster(tmp_path):
    data = read_export(write_tables(tiny_tables(), tmp_path))
    first, last = TINY_DAY - timedelta(days=1), TINY_DAY + timedelta(days=1)
    assert rota_period(data, TINY_DAY, "D1") == (first, last)
    assert rota_period(data, last + timedelta(days=1), "D1") is None
    rules = PlanningRules(continuity_days=2)
    short = data.model_copy(
        update={"municipality": data.municipality.model_copy(update={"rules": rules})}
    )
    assert rota_period(short, TINY_DAY, "D1") == (first, TINY_DAY)
    assert rota_period(short, last, "D1") == (last, last)


def test_preferred_caregivers_follow_shifts_qualification_and_refusals(tmp_path):
    """In the tiny export, with Kari's (P1) lunch needing a helsefagarbeider as her morning
    medicine does: Nora (S3, assistent) is never hers; Anne's (P3) evening visits come from
    Per (S4), the only one on the evening shift; a caregiver Kari refuses is not hers
    either. The same roster gives the same sets."""
    tables = tiny_tables()
    for row in tables["interventions"]:
        if row["patient_id"] == "P1":
            row["required_competence"] = "helsefagarbeider"
    data = read_export(write_tables(tables, tmp_path / "a"))
    first, last = TINY_DAY - timedelta(days=1), TINY_DAY + timedelta(days=1)
    sets = preferred_caregivers(data, "D1", first, last)
    assert "S3" not in sets["P1"] and sets["P1"]
    assert "S4" in sets["P3"] and "S5" not in sets["P3"]
    assert all(set(s) <= {"S1", "S2", "S3", "S4"} for s in sets.values())
    again = read_export(write_tables(tables, tmp_path / "b"))
    assert preferred_caregivers(again, "D1", first, last) == sets
    refused = sets["P1"][0]
    for row in tables["patients"]:
        if row["patient_id"] == "P1":
            row["refused_staff_ids"] = refused
    data = read_export(write_tables(tables, tmp_path / "c"))
    assert refused not in preferred_caregivers(data, "D1", first, last)["P1"]


def test_the_day_plan_carries_the_sets_when_the_horizon_is_on(tmp_path):
    data = read_export(write_tables(tiny_tables(), tmp_path))
    rules = data.municipality.rules.model_copy(update={"continuity_horizon": True})
    data = data.model_copy(
        update={"municipality": data.municipality.model_copy(update={"rules": rules})}
    )
    plan = build_day_plan(data, TINY_DAY, ShiftKind.EVENING, "D1")
    first, last = TINY_DAY - timedelta(days=1), TINY_DAY + timedelta(days=1)
    sets = preferred_caregivers(data, "D1", first, last)
    assert plan.continuity_sets == tuple((p.patient_id, sets[p.patient_id]) for p in plan.patients)
    for update in ({"continuity_horizon": False}, {"continuity_weight": 0}):
        rules = data.municipality.rules.model_copy(update=update)
        off = data.model_copy(
            update={"municipality": data.municipality.model_copy(update={"rules": rules})}
        )
        assert build_day_plan(off, TINY_DAY, ShiftKind.EVENING, "D1").continuity_sets == ()
