"""The rules of reading a finished plan back onto the solver's jobs (``planning.mapping``).

Small hand-made shifts, so that every rule is seen on its own: caregivers are matched by
staff id and visits by visit id (or, once regrouped, by the ids of their tasks), never by
position; each caregiver of a double-staffed visit takes her own job, the one pinned to her
first, then one she may serve; what matches nothing is named, never dropped. Each test
compares the whole mapping. Fast on purpose: these are the tests ``make mutation`` runs
against the module.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.domain import (
    DayPlan,
    District,
    PlanResult,
    ShiftInstance,
    ShiftKind,
    Task,
    UnplacedTask,
    Visit,
    Worklist,
    WorklistTask,
    WorklistVisit,
)
from hjemmetjeneste.planning.mapping import (
    MappedStop,
    MappedWorklist,
    PlanMapping,
    Unmatched,
    map_plan,
)
from hjemmetjeneste.planning.to_problem import BuiltProblem, IndexMap
from hjemmetjeneste.solver import ProblemBuilder

DAY = date(2026, 12, 1)
ZONE = ZoneInfo("Europe/Oslo")
STAFF = ("anna", "bjorn", "cato")  # vehicles 0, 1, 2


def _visit(visit_id: str, *task_ids: str) -> Visit:
    tasks = tuple(Task.model_construct(task_id=t) for t in task_ids or (f"{visit_id}-t",))
    return Visit.model_construct(visit_id=visit_id, tasks=tasks)


def _day_plan(*visits: Visit) -> DayPlan:
    return DayPlan.model_construct(
        district=District.model_construct(district_id="d1"),
        shift=ShiftInstance.model_construct(date=DAY, kind=ShiftKind.DAY),
        visits=visits,
    )


def _built(
    jobs: list[tuple[str, dict]],
    staff: tuple[str, ...] = STAFF,
) -> BuiltProblem:
    """Node 0 the base, then one job node per (visit id, add_job options) in order."""
    builder = ProblemBuilder()
    builder.add_travel_class([[0] * (len(jobs) + 1)] * (len(jobs) + 1))
    base = builder.add_depot(0, (0, 10_000))
    for _ in staff:
        builder.add_vehicle(start_depot=base, window=(0, 10_000))
    for k, (_, options) in enumerate(jobs):
        builder.add_job(k + 1, service_s=60, windows=[(0, 10_000)], penalty=1000, **options)
    index = IndexMap(
        day_start=datetime(2026, 12, 1, tzinfo=ZONE),
        zone=ZONE,
        job_visit=(None, *(visit_id for visit_id, _ in jobs)),
        vehicle_staff=staff,
        travel_modes=(),
    )
    return BuiltProblem(builder.build(), index, ())


def _stop(visit_id: str, *task_ids: str) -> WorklistVisit:
    tasks = tuple(WorklistTask.model_construct(task_id=t) for t in task_ids or (f"{visit_id}-t",))
    return WorklistVisit.model_construct(visit_id=visit_id, tasks=tasks)


def _worklist(staff_id: str, *visits: WorklistVisit) -> Worklist:
    return Worklist.model_construct(staff_id=staff_id, visits=visits)


def _unplaced(visit_id: str, task_id: str | None = None) -> UnplacedTask:
    return UnplacedTask.model_construct(visit_id=visit_id, task_id=task_id or f"{visit_id}-t")


def _result(
    *worklists: Worklist,
    unplaced: tuple[UnplacedTask, ...] = (),
    district_id: str = "d1",
    day: date = DAY,
    shift: ShiftKind = ShiftKind.DAY,
) -> PlanResult:
    return PlanResult.model_construct(
        district_id=district_id, date=day, shift=shift, worklists=worklists, unplaced=unplaced
    )


def test_caregivers_by_staff_id_and_visits_by_visit_id_in_the_worklists_order():
    """Worklists come in any order; each one's visits become its vehicle's jobs in the order
    the caregiver does them, not in node order."""
    day_plan = _day_plan(_visit("v1"), _visit("v2"), _visit("v3"))
    built = _built([("v1", {}), ("v2", {}), ("v3", {})])
    cato = _worklist("cato", _stop("v3"), _stop("v1"))
    anna = _worklist("anna", _stop("v2"))
    mapping = map_plan(day_plan, built, _result(cato, anna))
    assert mapping == PlanMapping(
        worklists=(
            MappedWorklist(
                2,
                cato,
                (MappedStop(cato.visits[0], 3, True), MappedStop(cato.visits[1], 1, True)),
            ),
            MappedWorklist(0, anna, (MappedStop(anna.visits[0], 2, True),)),
        ),
        unmatched=(),
        unplaced_nodes=(),
    )
    assert mapping.routes(3) == [[2], [], [3, 1]]


def test_a_caregiver_not_on_the_shift_and_a_visit_that_is_no_job_are_named():
    """Nothing is dropped silently: an unknown caregiver's worklist and an unknown visit
    come back as unmatched, and the rest of the plan is still mapped."""
    day_plan = _day_plan(_visit("v1"), _visit("v2"))
    built = _built([("v1", {}), ("v2", {})])
    stranger = _worklist("dina", _stop("v1"))
    anna = _worklist("anna", _stop("ghost"), _stop("v2"))
    mapping = map_plan(day_plan, built, _result(stranger, anna))
    assert mapping == PlanMapping(
        worklists=(MappedWorklist(0, anna, (MappedStop(anna.visits[1], 2, True),)),),
        unmatched=(Unmatched("dina", None), Unmatched("anna", "ghost")),
        unplaced_nodes=(),
    )


def test_a_single_visit_planned_twice_is_a_job_once():
    """The second caregiver who claims a single-staffed visit gets no job for it."""
    day_plan = _day_plan(_visit("v1"))
    built = _built([("v1", {})])
    anna, bjorn = _worklist("anna", _stop("v1")), _worklist("bjorn", _stop("v1"))
    mapping = map_plan(day_plan, built, _result(anna, bjorn))
    assert mapping == PlanMapping(
        worklists=(
            MappedWorklist(0, anna, (MappedStop(anna.visits[0], 1, True),)),
            MappedWorklist(1, bjorn, ()),
        ),
        unmatched=(Unmatched("bjorn", "v1"),),
        unplaced_nodes=(),
    )
    assert mapping.routes(3) == [[1], [], []]


def test_each_caregiver_of_a_pair_takes_the_job_pinned_to_her_first():
    """Bjørn comes first and may serve both jobs of the pair, but the second is pinned to
    him: he takes it, and Anna the other."""
    day_plan = _day_plan(_visit("pair"))
    built = _built([("pair", {}), ("pair", {"pinned_vehicle": 1})])
    bjorn, anna = _worklist("bjorn", _stop("pair")), _worklist("anna", _stop("pair"))
    mapping = map_plan(day_plan, built, _result(bjorn, anna))
    assert mapping.worklists == (
        MappedWorklist(1, bjorn, (MappedStop(bjorn.visits[0], 2, True),)),
        MappedWorklist(0, anna, (MappedStop(anna.visits[0], 1, True),)),
    )
    assert mapping.unmatched == ()


def test_each_caregiver_of_a_pair_takes_a_job_she_may_serve():
    """The pair's first job needs a competence only Bjørn has: Anna, first in the plan,
    takes the second job, so both are servable."""
    day_plan = _day_plan(_visit("pair"))
    built = _built([("pair", {"allowed": [1]}), ("pair", {})])
    anna, bjorn = _worklist("anna", _stop("pair")), _worklist("bjorn", _stop("pair"))
    mapping = map_plan(day_plan, built, _result(anna, bjorn))
    assert mapping.worklists == (
        MappedWorklist(0, anna, (MappedStop(anna.visits[0], 2, True),)),
        MappedWorklist(1, bjorn, (MappedStop(bjorn.visits[0], 1, True),)),
    )
    assert mapping.routes(3) == [[2], [1], []]


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"allowed": [1, 2]}, "lacks the competence"),
        ({"refused": [0]}, "is refused by the patient"),
        ({"pinned_vehicle": 2}, "is pinned to another caregiver"),
    ],
)
def test_a_job_the_caregiver_may_not_serve_is_mapped_but_not_servable(options, why):
    """Anna planned a visit she may not serve (she {why}): check still sees it on her
    route, a warm start leaves it out."""
    day_plan = _day_plan(_visit("v1"), _visit("v2"))
    built = _built([("v1", options), ("v2", {})])
    anna = _worklist("anna", _stop("v1"), _stop("v2"))
    mapping = map_plan(day_plan, built, _result(anna))
    assert mapping == PlanMapping(
        worklists=(
            MappedWorklist(
                0,
                anna,
                (MappedStop(anna.visits[0], 1, False), MappedStop(anna.visits[1], 2, True)),
            ),
        ),
        unmatched=(),
        unplaced_nodes=(),
    )
    assert mapping.routes(3) == [[2], [], []]
    assert mapping.routes(3, servable_only=False) == [[1, 2], [], []]


def test_an_unpinned_job_any_allowed_caregiver_may_serve():
    """A job with no pin is servable by every caregiver it allows (a pin of -1 binds no one)."""
    day_plan = _day_plan(_visit("v1"), _visit("v2"))
    built = _built([("v1", {}), ("v2", {})])
    cato = _worklist("cato", _stop("v1"))
    anna = _worklist("anna", _stop("v2"))
    mapping = map_plan(day_plan, built, _result(cato, anna))
    assert [s.servable for w in mapping.worklists for s in w.stops] == [True, True]
    assert mapping.routes(3) == [[2], [], [1]]


def test_regrouped_visits_map_through_their_tasks():
    """The plan was made before the visits were regrouped: its visit ids are gone, so each
    visit maps to the job its tasks belong to now. Tasks that left the shift, or whose visit
    was kept out of the solve (no job), are passed over for the next task."""
    day_plan = _day_plan(
        _visit("new-a", "t1", "t2"), _visit("kept-out", "t3"), _visit("new-b", "t4")
    )
    built = _built([("new-a", {}), ("new-b", {})])
    anna = _worklist("anna", _stop("old-1", "t2"), _stop("old-2", "gone", "t3", "t4"))
    bjorn = _worklist("bjorn", _stop("old-3", "gone", "t3"))
    mapping = map_plan(day_plan, built, _result(anna, bjorn))
    assert mapping == PlanMapping(
        worklists=(
            MappedWorklist(
                0,
                anna,
                (MappedStop(anna.visits[0], 1, True), MappedStop(anna.visits[1], 2, True)),
            ),
            MappedWorklist(1, bjorn, ()),
        ),
        unmatched=(Unmatched("bjorn", "old-3"),),
        unplaced_nodes=(),
    )


def test_a_visit_id_still_in_the_problem_wins_over_its_tasks():
    """A visit whose id is still a job maps by id, even when its tasks now belong elsewhere."""
    day_plan = _day_plan(_visit("v1", "t1"), _visit("v2", "t2"))
    built = _built([("v1", {}), ("v2", {})])
    anna = _worklist("anna", _stop("v1", "t2"))
    mapping = map_plan(day_plan, built, _result(anna))
    assert mapping.worklists == (MappedWorklist(0, anna, (MappedStop(anna.visits[0], 1, True),)),)


def test_unplaced_tasks_name_the_jobs_no_worklist_serves():
    """The unplaced nodes are the jobs of the unplaced tasks' visits (by visit id first, or
    through the task once regrouped) that no caregiver took, in node order: a pair of which one
    caregiver came keeps only its other job; unknown visits add nothing."""
    day_plan = _day_plan(
        _visit("v1"), _visit("pair"), _visit("v3"), _visit("new-4", "t4"), _visit("v5")
    )
    built = _built([("v1", {}), ("pair", {}), ("pair", {}), ("v3", {}), ("new-4", {}), ("v5", {})])
    anna = _worklist("anna", _stop("pair"), _stop("v1"))
    unplaced = (
        _unplaced("v3"),
        _unplaced("pair"),
        _unplaced("old-4", "t4"),
        _unplaced("nowhere"),
        _unplaced("v1"),
        _unplaced("v5", "renamed-task"),  # its task id is gone, its visit id is not
    )
    mapping = map_plan(day_plan, built, _result(anna, unplaced=unplaced))
    assert mapping == PlanMapping(
        worklists=(
            MappedWorklist(
                0,
                anna,
                (MappedStop(anna.visits[0], 2, True), MappedStop(anna.visits[1], 1, True)),
            ),
        ),
        unmatched=(),
        unplaced_nodes=(3, 4, 5, 6),
    )


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"district_id": "d2"}, "d2 2026-12-01 day"),
        ({"day": date(2026, 12, 2)}, "d1 2026-12-02 day"),
        ({"shift": ShiftKind.EVENING}, "d1 2026-12-01 evening"),
    ],
)
def test_a_plan_of_another_shift_is_refused_naming_both(given, said):
    """A plan is read back onto its own district, date and shift only."""
    day_plan = _day_plan(_visit("v1"))
    built = _built([("v1", {})])
    message = (
        f"the plan is for {said}, not d1 2026-12-01 day: a plan is read back onto its own "
        "shift only (warm starts re-plan the same shift)"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        map_plan(day_plan, built, _result(_worklist("anna", _stop("v1")), **given))


def test_a_caregiver_listed_twice_keeps_the_visits_of_both_lists():
    """A hand-edited plan may list a caregiver twice: her route is both lists in order, so
    a check judges every visit she was given."""
    day_plan = _day_plan(_visit("v1"), _visit("v2"), _visit("v3"))
    built = _built([("v1", {}), ("v2", {}), ("v3", {})])
    first = _worklist("bjorn", _stop("v2"))
    again = _worklist("bjorn", _stop("v3"), _stop("v1"))
    mapping = map_plan(day_plan, built, _result(first, again))
    assert mapping.routes(3) == [[], [2, 3, 1], []]
