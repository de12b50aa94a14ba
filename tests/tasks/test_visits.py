"""Merging a patient's tasks into visits by overlapping start windows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

import pytest

from hjemmetjeneste.domain import CompetenceLevel, ProblemArea, Task
from hjemmetjeneste.tasks import merge_into_visits


def ids(visits) -> list[tuple[str, ...]]:
    """The task ids of each visit, in output order."""
    return [tuple(t.task_id for t in v.tasks) for v in visits]


def test_overlapping_windows_merge_into_one_visit(make_task):
    """08–10 and 09–11 at one patient become one visit with window 09–10 and summed time."""
    a = make_task("A", "08:00", "10:00", duration_min=10)
    b = make_task("B", "09:00", "11:00", duration_min=20)
    (visit,) = merge_into_visits([b, a])
    assert ids([visit]) == [("A", "B")]
    assert visit.visit_id == "visit:A"
    assert visit.patient_id == "P1"
    assert (visit.window_start.time(), visit.window_end.time()) == (time(9, 0), time(10, 0))
    assert visit.duration_min == 30


def test_non_overlapping_windows_stay_separate(make_task):
    """08–09 and 10–11 at one patient are two visits, in time order."""
    visits = merge_into_visits([make_task("B", "10:00", "11:00"), make_task("A", "08:00", "09:00")])
    assert ids(visits) == [("A",), ("B",)]


def test_touching_windows_merge_at_the_shared_instant(make_task):
    """Windows are closed: 08–09 and 09–10 meet at 09:00 and form one visit starting then."""
    (visit,) = merge_into_visits(
        [make_task("A", "08:00", "09:00"), make_task("B", "09:00", "10:00")]
    )
    assert visit.window_start == visit.window_end
    assert visit.window_start.time() == time(9, 0)


def test_different_staff_counts_do_not_merge(make_task):
    """A double-staffed task and a single-staffed one in the same window stay two visits."""
    visits = merge_into_visits(
        [make_task("A", "08:00", "10:00"), make_task("B", "08:00", "10:00", staff_count=2)]
    )
    assert ids(visits) == [("A",), ("B",)]
    assert sorted(v.staff_count for v in visits) == [1, 2]


def test_single_staffed_tasks_merge_around_a_double_staffed_one(make_task):
    """First fit: A(1) and C(1) merge although B(2) comes between them in time."""
    visits = merge_into_visits(
        [
            make_task("A", "08:00", "10:00"),
            make_task("B", "08:30", "10:00", staff_count=2),
            make_task("C", "09:00", "10:00"),
        ]
    )
    assert ids(visits) == [("B",), ("A", "C")]


def test_chain_merges_only_while_the_intersection_stays_non_empty(make_task):
    """A∩B is non-empty but (A∩B)∩C is empty: visits {A, B} and {C}."""
    a = make_task("A", "08:00", "09:00")
    b = make_task("B", "08:30", "10:00")
    c = make_task("C", "09:30", "11:00")
    visits = merge_into_visits([c, b, a])
    assert ids(visits) == [("A", "B"), ("C",)]
    assert [v.visit_id for v in visits] == ["visit:A", "visit:C"]
    assert visits[0].window_start.time() == time(8, 30)
    assert visits[0].window_end.time() == time(9, 0)


def test_tasks_of_different_patients_never_merge(make_task):
    """Identical windows at two patients give one visit each."""
    visits = merge_into_visits(
        [make_task("B", "08:00", "10:00", patient_id="P2"), make_task("A", "08:00", "10:00")]
    )
    assert [(v.patient_id, ids([v])[0]) for v in visits] == [("P1", ("A",)), ("P2", ("B",))]


def test_output_is_the_same_for_any_input_order(make_task):
    """Shuffled inputs give identical visits, ids and order."""
    tasks = [
        make_task("A", "08:00", "09:00"),
        make_task("B", "08:30", "10:00"),
        make_task("C", "09:30", "11:00"),
        make_task("D", "08:00", "12:00", patient_id="P2"),
        make_task("E", "07:00", "07:30", patient_id="P3", staff_count=2),
        make_task("F", "08:00", "09:00", patient_id="P2"),
    ]
    expected = merge_into_visits(tasks)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = tasks[:]
        rng.shuffle(shuffled)
        assert merge_into_visits(shuffled) == expected
    assert [v.visit_id for v in expected] == ["visit:E", "visit:D", "visit:A", "visit:C"]


def test_repeated_task_ids_are_rejected(make_task):
    """Two tasks with one id would make visit ids ambiguous: ValueError."""
    with pytest.raises(ValueError, match="repeated: A"):
        merge_into_visits([make_task("A", "08:00", "09:00"), make_task("A", "10:00", "11:00")])


def test_overlap_is_judged_on_instants_in_the_repeated_hour():
    """02:15–02:45 CEST and 02:00–02:30 CET overlap on the clock but not in time: two visits."""

    def task(task_id: str, start_utc: datetime, end_utc: datetime) -> Task:
        return Task(
            task_id=task_id,
            intervention_id=task_id,
            patient_id="P1",
            date=start_utc.date(),
            window_start=start_utc,
            window_end=end_utc,
            duration_min=10,
            description="check",
            problem_area=ProblemArea.SLEEP_AND_REST,
            required_competence=CompetenceLevel.ASSISTANT,
        )

    first = task(
        "FIRST",
        datetime(2026, 10, 25, 0, 15, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 45, tzinfo=UTC),
    )
    second = task(
        "SECOND",
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )
    assert ids(merge_into_visits([second, first])) == [("FIRST",), ("SECOND",)]
