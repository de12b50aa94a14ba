"""Period runs on the executors: same plans on the local pool and on Dask, faults, loans.

Small synthetic municipalities (two or three districts of ~25 patients) and a work budget
(``solution_limit``) instead of a time limit, so that a plan depends only on its inputs.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftDefinition, ShiftKind
from hjemmetjeneste.errors import record_words
from hjemmetjeneste.executors import DaskPool, LocalPool, UnitOutcome, plan_period
from hjemmetjeneste.i18n import translate
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.store import open_store
from hjemmetjeneste.store.periods import count_units
from hjemmetjeneste.synthetic.municipality import generate_municipality

DAY = date(2026, 12, 1)
BUDGET = SolveParams(time_limit_s=60.0, solution_limit=20)
SMALL_BUDGET = SolveParams(time_limit_s=60.0, solution_limit=3)


@pytest.fixture(scope="module")
def pool():
    """Two spawned worker processes, shared by the tests that do not break them."""
    executor = LocalPool(2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def dask_client():
    """A Dask ``LocalCluster`` of two single-threaded worker processes, and its client."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def small() -> MunicipalityData:
    """Two districts of about 25 patients each."""
    return generate_municipality(11, districts=2, patients=25)


def _store(tmp_path: Path, data: MunicipalityData, name: str = "store") -> str:
    url = f"sqlite:///{tmp_path / name}.db"
    store = open_store(url)
    try:
        store.save_export(data)
    finally:
        store.close()
    return url


def _routes(result: PlanResult) -> tuple:
    """What a plan decides: each caregiver's visits with starts, and the unplaced tasks."""
    return (
        tuple(
            (w.staff_id, tuple((v.visit_id, v.start) for v in w.visits)) for w in result.worklists
        ),
        tuple(sorted((u.task_id, u.reason) for u in result.unplaced)),
    )


def _by_unit(outcomes: list[UnitOutcome]) -> dict:
    return {(o.district_id, o.day, o.shift, o.kind): o for o in outcomes}


def test_local_pool_and_dask_local_cluster_give_the_same_plans(tmp_path, small, pool, dask_client):
    """The same inputs and work budget give the same unit keys and plans on both executors."""
    local = plan_period(_store(tmp_path, small, "a"), DAY, DAY, pool, params=BUDGET)
    dask = DaskPool(client=dask_client)
    distributed = plan_period(_store(tmp_path, small, "b"), DAY, DAY, dask, params=BUDGET)
    dask.close()
    a = _by_unit(local.outcomes + local.lend_outcomes)
    b = _by_unit(distributed.outcomes + distributed.lend_outcomes)
    assert len(a) == 2 * 3 and not local.failed and not distributed.failed
    assert a.keys() == b.keys()
    for key, outcome in a.items():
        assert outcome.input_digest == b[key].input_digest, key
        assert _routes(outcome.result) == _routes(b[key].result), key
    assert sum(len(w.visits) for o in a.values() for w in o.result.worklists) > 50
    assert {o.worker for o in distributed.outcomes} != {o.worker for o in local.outcomes}


def test_a_worker_killed_mid_period_is_replaced_and_every_unit_is_stored_once(
    tmp_path, small, pool
):
    """Killing a pool process fails its units; they run again and each is written once."""
    url = _store(tmp_path, small)
    executor = LocalPool(2)
    killed: list[int] = []

    def on_unit(outcome: UnitOutcome) -> None:
        if not killed:  # the other district's unit is solving now
            pid = executor.worker_pids()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    try:
        report = plan_period(url, DAY, DAY, executor, params=BUDGET, lending=False, on_unit=on_unit)
    finally:
        executor.close()
    assert killed and report.retried >= 1
    assert not report.failed and len(report.outcomes) == 2 * 3
    store = open_store(url)
    try:
        stored = count_units(store.engine, "0301")
    finally:
        store.close()
    per_shift = Counter((d, day, shift) for d, day, shift, _kind, _digest in stored)
    assert len(per_shift) == 6 and set(per_shift.values()) == {1}
    assert {o.input_digest for o in report.outcomes} == {s[4] for s in stored}
    # Planning the period again finds every unit in the store and writes nothing.
    again = plan_period(url, DAY, DAY, pool, params=BUDGET, lending=False)
    assert not any(o.written for o in again.outcomes)
    assert {o.input_digest for o in again.outcomes} == {o.input_digest for o in report.outcomes}


def test_a_unit_that_fails_for_its_data_is_named_and_the_rest_complete(tmp_path, small, pool):
    """A municipality without a night shift: night units fail by name, the others are planned."""
    municipality = small.municipality.model_copy(
        update={"shifts": tuple(s for s in small.municipality.shifts if s.kind != ShiftKind.NIGHT)}
    )
    assert all(isinstance(s, ShiftDefinition) for s in municipality.shifts)
    data = small.model_copy(update={"municipality": municipality})
    report = plan_period(_store(tmp_path, data), DAY, DAY, pool, params=BUDGET, lending=False)
    failed = {(o.district_id, o.day, o.shift) for o in report.failed}
    assert failed == {(d.district_id, DAY, ShiftKind.NIGHT) for d in small.districts}
    reasons = {record_words(o.error, lambda m: translate(m, "nb")) for o in report.failed}
    assert reasons == {
        "kommune 0301 har ingen nattevakt; den har: dagvakt 07:30–15:00, kveldsvakt 15:00–22:30"
    }
    planned = [o for o in report.outcomes if o.result is not None]
    assert {(o.district_id, o.shift) for o in planned} == {
        (d.district_id, s) for d in small.districts for s in (ShiftKind.DAY, ShiftKind.EVENING)
    }


def test_a_short_district_borrows_caregivers_of_its_neighbour(tmp_path, pool):
    """With most of one district's day staff gone, its neighbour takes some of its visits."""
    data = generate_municipality(11, districts=2, patients=25)
    short = data.districts[0].district_id
    on_day = [
        e
        for e in data.roster.entries
        if e.district_id == short and e.date == DAY and e.shift == ShiftKind.DAY
    ]
    gone = {e.staff_id for e in on_day[2:]}
    roster = data.roster.model_copy(
        update={
            "entries": tuple(
                e
                for e in data.roster.entries
                if not (e.date == DAY and e.shift == ShiftKind.DAY and e.staff_id in gone)
            )
        }
    )
    data = data.model_copy(update={"roster": roster})
    report = plan_period(
        _store(tmp_path, data), DAY, DAY, pool, shifts=(ShiftKind.DAY,), params=SMALL_BUDGET
    )
    own = _by_unit(report.outcomes)[(short, DAY, ShiftKind.DAY, "plan")].result
    unplaced = {u.visit_id for u in own.unplaced}
    assert report.loans, "no visit was lent"
    lender = data.districts[1].district_id
    assert all(x.borrower_id == short and x.lender_id == lender for x in report.loans)
    assert {x.visit_id for x in report.loans} <= unplaced
    staff = {s.staff_id: s.district_id for s in data.staff}
    assert {staff[x.staff_id] for x in report.loans} == {lender}
    (replanned,) = report.lend_outcomes
    assert replanned.violations == 0
    assert all(u.visit_id in unplaced for u in replanned.result.unplaced)


def test_a_dask_worker_killed_mid_period_hands_its_unit_to_another(tmp_path, small, dask_client):
    """Dask reschedules the unit of a killed worker; every unit is still stored once."""
    url = _store(tmp_path, small)
    killed: list[int] = []
    dask = DaskPool(client=dask_client)

    def on_unit(outcome: UnitOutcome) -> None:
        if not killed:  # the other district's unit is on the other worker now
            pids = dask_client.run(os.getpid)
            pid = next(p for p in pids.values() if outcome.worker.split(":")[-1] != str(p))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    report = plan_period(url, DAY, DAY, dask, params=BUDGET, lending=False, on_unit=on_unit)
    dask.close()
    assert killed and not report.failed and len(report.outcomes) == 2 * 3
    store = open_store(url)
    try:
        stored = count_units(store.engine, "0301")
    finally:
        store.close()
    assert Counter((d, day, shift) for d, day, shift, _k, _g in stored) == Counter(
        (o.district_id, o.day, o.shift) for o in report.outcomes
    )
    assert len(stored) == 6
