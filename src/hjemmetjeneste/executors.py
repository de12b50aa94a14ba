"""Planning a municipality's period on an executor: a local process pool, or Dask distributed.

A period run plans every district × day × shift. Within a district the shifts are planned
in time order, each seeing the plans before it (gaps across shifts, continuity of care), so
a district is a chain of units; districts are independent chains that run side by side.
A **unit** is one district × day × shift, given its predecessors' history; it runs in a
worker process as :func:`run_unit`, which reads the municipality's data from the store and
writes its plan back to the store (``store.periods``) under a key of municipality, district,
date, shift, kind and the digest of everything it depends on. A unit whose key is already
stored is not solved again, and of two attempts that race, one insert wins: a unit retried
after its worker died never writes twice.

Two executors behind one interface (:class:`Executor`): :class:`LocalPool`, a pool of
spawned processes (the default, nothing to set up), and :class:`DaskPool`, a client of a
Dask distributed scheduler (``HJEMMETJENESTE_DASK_SCHEDULER``). :func:`plan_period` is the
same code for both. When a worker dies mid-solve, Dask reschedules its unit on another
worker by itself; the local pool breaks, and :func:`plan_period` starts a fresh pool and
submits the lost units again. A unit that fails for its data (e.g. a shift kind the
municipality does not define) is reported with its district, date and shift; the rest of
the period is planned.

After the period, **staff lending**: for each shift where a district left visits unplaced,
an adjacent district (nearest bases) that placed all of its own visits re-plans its shift
with the borrower's unplaced visits offered to its caregivers, starting from its own plan
(the stability cost keeps its caregivers' visits where they were, and tasks with a gap rule
keep their caregivers and starts). The visits its caregivers take are reported as loans.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import math
import multiprocessing
import os
import resource
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from hjemmetjeneste.domain import (
    CareHistory,
    MunicipalityData,
    Pin,
    PlanResult,
    ServedTask,
    ShiftKind,
)
from hjemmetjeneste.errors import (
    HjemmetjenesteError,
    dates_out_of_order,
    phrase_record,
    run_failure,
)
from hjemmetjeneste.pipeline import SHIFT_ORDER, plan_day_plan, served_tasks
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan

__all__ = [
    "DaskPool",
    "Executor",
    "Loan",
    "LocalPool",
    "PeriodReport",
    "UnitOutcome",
    "UnitSpec",
    "make_executor",
    "plan_period",
    "run_unit",
]

#: Attempts of a unit whose worker died (the local pool; Dask counts its own).
MAX_ATTEMPTS = 3
#: Districts a short district may borrow from: the nearest bases, within this distance.
NEIGHBOURS = 2
NEIGHBOUR_KM = 12.0
#: A loan re-plan may find this many times the solutions of a shift's work budget.
LEND_BUDGET_FACTOR = 10


# -- units --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    """One unit of work: plan one district's shift (``plan``) or a loan re-plan (``lend``).

    ``history`` is what the district's earlier shifts of the period served. A ``lend`` unit
    re-plans the lender ``district_id`` with the ``offered`` visits of ``borrower_id``; it
    reads both districts' own plans from the store by their digests.
    """

    database_url: str
    municipality_id: str
    export_digest: str
    district_id: str
    day: date
    shift: ShiftKind
    params: SolveParams
    history: CareHistory = field(default_factory=CareHistory)
    kind: str = "plan"
    borrower_id: str | None = None
    offered: tuple[str, ...] = ()
    lender_digest: str | None = None
    borrower_digest: str | None = None
    borrower_history: CareHistory = field(default_factory=CareHistory)

    @property
    def label(self) -> str:
        """District, date and shift, as a planner names the unit."""
        return f"{self.district_id} {self.day} {self.shift.value}"

    def input_digest(self) -> str:
        """SHA-256 of everything the unit's plan depends on (its idempotency key)."""
        parts = {
            "export": self.export_digest,
            "params": self.params.model_dump(mode="json"),
            "history": self.history.model_dump(mode="json"),
            "kind": self.kind,
            "borrower": self.borrower_id,
            "offered": list(self.offered),
            "lender_digest": self.lender_digest,
            "borrower_digest": self.borrower_digest,
            "borrower_history": self.borrower_history.model_dump(mode="json"),
        }
        text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class UnitOutcome:
    """What a unit did: its plan (or the error that stopped it) and what it cost."""

    district_id: str
    day: date
    shift: ShiftKind
    kind: str
    input_digest: str
    result: PlanResult | None
    violations: int = 0
    error: str | None = None
    solve_seconds: float = 0.0
    unit_seconds: float = 0.0
    worker: str = ""
    peak_rss_mb: float = 0.0
    written: bool = False

    @property
    def label(self) -> str:
        """District, date and shift."""
        return f"{self.district_id} {self.day} {self.shift.value}"


_ENGINES: dict[str, Any] = {}
_DATA: dict[tuple[str, str, str], MunicipalityData] = {}


def _engine(url: str) -> Any:
    """One engine per database URL and worker process (schema migrated by the driver)."""
    if url not in _ENGINES:
        from hjemmetjeneste.store import create_store_engine

        _ENGINES[url] = create_store_engine(url)
    return _ENGINES[url]


def _data(spec: UnitSpec) -> MunicipalityData:
    """The municipality's data as imported under ``spec.export_digest``, cached per process."""
    key = (spec.database_url, spec.municipality_id, spec.export_digest)
    if key not in _DATA:
        from hjemmetjeneste.store import Store

        store = Store(_engine(spec.database_url))
        batch = store.latest_batch(spec.municipality_id)
        if batch is None or batch.export_digest != spec.export_digest:
            raise HjemmetjenesteError(
                "the store's data changed since the period run started; start it again"
            )
        _DATA.clear()  # one municipality version at a time per worker
        _DATA[key] = store.load_municipality(spec.municipality_id)
    return _DATA[key]


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _stored_plan(spec: UnitSpec, district_id: str, digest: str | None) -> PlanResult:
    from hjemmetjeneste.store.periods import UnitKey, get_unit

    key = UnitKey(
        spec.municipality_id, district_id, spec.day, spec.shift.value, "plan", digest or ""
    )
    stored = get_unit(_engine(spec.database_url), key)
    if stored is None:
        raise HjemmetjenesteError(f"no stored plan of {district_id} {spec.day} {spec.shift}")
    return PlanResult.model_validate_json(stored.result_json)


def _solve(spec: UnitSpec) -> tuple[PlanResult, int]:
    """Plan the unit: the district's own shift, or the lender's shift with offered visits."""
    data = _data(spec)
    if spec.kind == "plan":
        day_plan = build_day_plan(
            data, spec.day, spec.shift, spec.district_id, history=spec.history
        )
        outcome = plan_day_plan(day_plan, params=spec.params)
        return outcome.result, len(outcome.violations)
    own = _stored_plan(spec, spec.district_id, spec.lender_digest)
    borrower = build_day_plan(
        data, spec.day, spec.shift, spec.borrower_id or "", history=spec.borrower_history
    )
    offered = set(spec.offered)
    visits = tuple(v for v in borrower.visits if v.visit_id in offered)
    patients = {
        p.patient_id for p in borrower.patients if any(v.patient_id == p.patient_id for v in visits)
    }
    # Tasks with a gap rule keep the caregiver and start the district's own plan gave them:
    # its later shifts were planned against those times.
    gaps = {i.intervention_id for c in data.care_plans for i in c.interventions if i.gap_group}
    pins = tuple(
        Pin(task_id=t.task_id, staff_id=w.staff_id, start=v.start)
        for w in own.worklists
        for v in w.visits
        for t in v.tasks
        if t.intervention_id in gaps and not v.partner_staff_ids
    )
    lender = build_day_plan(
        data,
        spec.day,
        spec.shift,
        spec.district_id,
        pins=pins,
        history=CareHistory(served=spec.history.served + spec.borrower_history.served),
    )
    day_plan = lender.model_copy(
        update={
            "visits": lender.visits + visits,
            "patients": lender.patients
            + tuple(p for p in borrower.patients if p.patient_id in patients),
        }
    )
    outcome = plan_day_plan(day_plan, params=spec.params, previous=own)
    return outcome.result, len(outcome.violations)


def run_unit(spec: UnitSpec) -> UnitOutcome:
    """Plan one unit in this worker and write its plan to the store, once.

    A unit whose key is stored already is answered from the store without solving. A unit
    that fails for its data is returned with the error (nothing is written); anything else
    (the store unreachable, the process killed) is left to the executor to retry.
    """
    from hjemmetjeneste.store.periods import StoredUnit, UnitKey, get_unit, record_unit

    started = time.perf_counter()
    digest = spec.input_digest()
    engine = _engine(spec.database_url)
    key = UnitKey(
        spec.municipality_id, spec.district_id, spec.day, spec.shift.value, spec.kind, digest
    )
    base = {
        "district_id": spec.district_id,
        "day": spec.day,
        "shift": spec.shift,
        "kind": spec.kind,
        "input_digest": digest,
        "worker": _worker_name(),
    }
    stored = get_unit(engine, key)
    written = False
    if stored is None:
        try:
            result, violations = _solve(spec)
        except (HjemmetjenesteError, KeyError, ValueError) as exc:
            return UnitOutcome(
                **base,
                result=None,
                error=phrase_record(run_failure(exc)),
                unit_seconds=time.perf_counter() - started,
                peak_rss_mb=_peak_rss_mb(),
            )
        unit = StoredUnit(
            result.model_dump_json(), violations, result.solve_seconds, base["worker"]
        )
        stored, written = record_unit(engine, key, unit)
    return UnitOutcome(
        **base,
        result=PlanResult.model_validate_json(stored.result_json),
        violations=stored.violations,
        solve_seconds=stored.solve_seconds if written else 0.0,
        unit_seconds=time.perf_counter() - started,
        peak_rss_mb=_peak_rss_mb(),
        written=written,
    )


# -- executors ----------------------------------------------------------------------------


class Executor(Protocol):
    """Where units run: ``submit`` gives a ``concurrent.futures.Future`` of the outcome."""

    workers: int
    generation: int

    def submit(self, fn: Callable[[UnitSpec], UnitOutcome], spec: UnitSpec) -> cf.Future[Any]:
        """Run ``fn(spec)`` on a worker."""
        ...

    def lost(self, exc: BaseException) -> bool:
        """True when ``exc`` says the unit's worker died (the unit may be submitted again)."""
        ...

    def renew(self, generation: int) -> None:
        """Replace workers lost in ``generation`` (once per generation)."""
        ...

    def close(self) -> None:
        """Stop the workers this executor started."""
        ...


def _warm_worker() -> None:
    """Load the solver's modules (and numba kernels) once per worker, before any unit."""
    from hjemmetjeneste.solver import lns

    lns.warm_up()


class LocalPool:
    """A pool of ``workers`` spawned processes on this machine (the embedded default)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.generation = 0
        self._pool = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_worker,
        )

    def submit(self, fn: Callable[[UnitSpec], UnitOutcome], spec: UnitSpec) -> cf.Future[Any]:
        """Run ``fn(spec)`` in one of the pool's processes."""
        return self._pool.submit(fn, spec)

    def lost(self, exc: BaseException) -> bool:
        """A process of the pool died: every unit it held fails with ``BrokenProcessPool``."""
        from concurrent.futures.process import BrokenProcessPool

        return isinstance(exc, BrokenProcessPool)

    def renew(self, generation: int) -> None:
        """Start a fresh pool when the one of ``generation`` broke."""
        if generation != self.generation:
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()
        self.generation += 1

    def worker_pids(self) -> list[int]:
        """Process ids of the pool's live workers (tests kill one)."""
        return [p.pid for p in getattr(self._pool, "_processes", {}).values() if p.is_alive()]

    def close(self) -> None:
        """Stop the pool's processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskPool:
    """Units on a Dask distributed cluster: the scheduler at ``address``, or a given client.

    Dask reschedules the unit of a worker that dies on another worker (up to the scheduler's
    ``allowed-failures``), so :meth:`lost` is False: what reaches :func:`plan_period` as an
    error is final.
    """

    def __init__(self, address: str | None = None, *, client: Any = None) -> None:
        from distributed import Client

        self._own = client is None
        self.client = client if client is not None else Client(address)
        self.generation = 0
        self._executor = self.client.get_executor(pure=False)
        self.client.run(_warm_worker)

    @property
    def workers(self) -> int:  # type: ignore[override]
        """Worker processes the scheduler knows now."""
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def submit(self, fn: Callable[[UnitSpec], UnitOutcome], spec: UnitSpec) -> cf.Future[Any]:
        """Run ``fn(spec)`` on a worker the scheduler picks."""
        return self._executor.submit(fn, spec)

    def lost(self, exc: BaseException) -> bool:
        """Never: Dask has already retried the unit elsewhere."""
        return False

    def renew(self, generation: int) -> None:
        """Nothing to do: the cluster replaces its workers."""

    def close(self) -> None:
        """Close the client when this pool opened it (the cluster keeps running)."""
        if self._own:
            self.client.close()


@contextmanager
def make_executor(dask_scheduler: str | None, workers: int | None = None) -> Iterator[Executor]:
    """Dask when a scheduler address is given (``HJEMMETJENESTE_DASK_SCHEDULER``), else local."""
    executor: Executor
    if dask_scheduler:
        executor = DaskPool(dask_scheduler)
    else:
        executor = LocalPool(workers or os.cpu_count() or 1)
    try:
        yield executor
    finally:
        executor.close()


# -- the period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Loan:
    """A visit of one district done by a caregiver of a neighbouring district (utlån)."""

    day: date
    shift: ShiftKind
    borrower_id: str
    lender_id: str
    staff_id: str
    visit_id: str
    time_critical: bool


@dataclass
class PeriodReport:
    """A period run: every unit's outcome, the loans, and how the run went."""

    outcomes: list[UnitOutcome] = field(default_factory=list)
    lend_outcomes: list[UnitOutcome] = field(default_factory=list)
    loans: list[Loan] = field(default_factory=list)
    declined: list[UnitOutcome] = field(default_factory=list)
    retried: int = 0
    wall_seconds: float = 0.0
    own_seconds: float = 0.0  # the districts' own plans (the first pass)
    lend_seconds: float = 0.0  # the loan re-plans (the second pass)
    workers: int = 1

    @property
    def failed(self) -> list[UnitOutcome]:
        """Units that failed for their data."""
        return [o for o in self.outcomes + self.lend_outcomes if o.error is not None]

    def final_plans(self) -> list[PlanResult]:
        """Each district's plan per shift: the loan re-plan where there was one."""
        plans = {(o.district_id, o.day, o.shift): o.result for o in self.outcomes if o.result}
        for o in self.lend_outcomes:
            if o.result is not None:
                plans[(o.district_id, o.day, o.shift)] = o.result
        return [
            plans[k] for k in sorted(plans, key=lambda k: (k[0], k[1], SHIFT_ORDER.index(k[2])))
        ]


def _chain(first: date, last: date, shifts: tuple[ShiftKind, ...]) -> list[tuple[date, ShiftKind]]:
    order = [s for s in SHIFT_ORDER if s in shifts]
    days = (last - first).days + 1
    return [(first + timedelta(days=k), s) for k in range(days) for s in order]


def _recent(served: list[ServedTask], day: date, keep_days: int) -> CareHistory:
    horizon = day - timedelta(days=keep_days)
    return CareHistory(served=tuple(t for t in served if t.start.date() >= horizon))


def _run_all(
    executor: Executor,
    specs: Iterable[UnitSpec],
    next_of: Callable[[UnitOutcome, UnitSpec], UnitSpec | None],
    on_unit: Callable[[UnitOutcome], None] | None,
    report: PeriodReport,
) -> list[UnitOutcome]:
    """Run ``specs`` and whatever ``next_of`` makes of each outcome; retry lost units."""
    inflight: dict[cf.Future[Any], tuple[UnitSpec, int, int]] = {}

    def submit(spec: UnitSpec, attempt: int) -> None:
        generation = executor.generation
        try:
            future = executor.submit(run_unit, spec)
        except Exception as exc:  # a pool found broken at submit: renew it once
            if not executor.lost(exc):
                raise
            executor.renew(generation)
            generation = executor.generation
            future = executor.submit(run_unit, spec)
        inflight[future] = (spec, attempt, generation)

    for spec in specs:
        submit(spec, 1)
    outcomes: list[UnitOutcome] = []
    while inflight:
        done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
        for future in done:
            spec, attempt, generation = inflight.pop(future)
            exc = future.exception()
            if exc is not None and executor.lost(exc) and attempt < MAX_ATTEMPTS:
                executor.renew(generation)
                report.retried += 1
                submit(spec, attempt + 1)
                continue
            if exc is not None:
                outcome = UnitOutcome(
                    district_id=spec.district_id,
                    day=spec.day,
                    shift=spec.shift,
                    kind=spec.kind,
                    input_digest=spec.input_digest(),
                    result=None,
                    error=phrase_record(run_failure(exc)),
                )
            else:
                outcome = future.result()
            outcomes.append(outcome)
            if on_unit is not None:
                on_unit(outcome)
            following = next_of(outcome, spec)
            if following is not None:
                submit(following, 1)
    return outcomes


def _neighbours(data: MunicipalityData) -> dict[str, list[str]]:
    """Each district's nearest other districts by base, within ``NEIGHBOUR_KM``."""
    where = {d.district_id: data.base(d.base_id).location for d in data.districts}

    def km(a: str, b: str) -> float:
        pa, pb = where[a], where[b]
        dlat = math.radians(pb.lat - pa.lat)
        dlon = math.radians(pb.lon - pa.lon) * math.cos(math.radians((pa.lat + pb.lat) / 2))
        return 6371.0 * math.hypot(dlat, dlon)

    return {
        a: [
            b
            for b in sorted(where, key=lambda b: (km(a, b), b))
            if b != a and km(a, b) <= NEIGHBOUR_KM
        ][:NEIGHBOURS]
        for a in where
    }


def _spare_s(result: PlanResult) -> int:
    k = result.kpis
    return max(0, k.paid_s - k.service_s - k.travel_s)


def _lend_specs(
    data: MunicipalityData,
    plans: dict[tuple[str, date, ShiftKind], UnitOutcome],
    histories: dict[tuple[str, date, ShiftKind], CareHistory],
    base_spec: Callable[..., UnitSpec],
) -> list[UnitSpec]:
    """Loan re-plans: per shift, each short district's unplaced visits to one neighbour."""
    gaps = {i.intervention_id for c in data.care_plans for i in c.interventions if i.gap_group}
    near = _neighbours(data)
    specs = []
    slots = sorted(
        {(day, shift) for _, day, shift in plans}, key=lambda s: (s[0], SHIFT_ORDER.index(s[1]))
    )
    for day, shift in slots:
        taken: set[str] = set()
        short = [
            (d, o)
            for (d, dd, s), o in sorted(plans.items(), key=lambda x: x[0][0])
            if dd == day and s == shift and o.result is not None and o.result.unplaced
        ]
        short.sort(key=lambda x: (-len(x[1].result.unplaced), x[0]))  # type: ignore[union-attr]
        for district, outcome in short:
            assert outcome.result is not None
            # Visits whose tasks have a gap rule stay home: the district's later shifts were
            # planned without them.
            offered = tuple(
                sorted(
                    {u.visit_id for u in outcome.result.unplaced if u.intervention_id not in gaps}
                )
            )
            if not offered:
                continue
            lenders = [
                (plans[(n, day, shift)], n)
                for n in near[district]
                if n not in taken
                and (n, day, shift) in plans
                and plans[(n, day, shift)].result is not None
                and not plans[(n, day, shift)].result.unplaced  # type: ignore[union-attr]
            ]
            if not lenders:
                continue
            lender, lender_id = max(lenders, key=lambda x: (_spare_s(x[0].result), x[1]))  # type: ignore[arg-type]
            taken.add(lender_id)
            specs.append(
                base_spec(
                    district_id=lender_id,
                    day=day,
                    shift=shift,
                    history=histories[(lender_id, day, shift)],
                    kind="lend",
                    borrower_id=district,
                    offered=offered,
                    lender_digest=lender.input_digest,
                    borrower_digest=outcome.input_digest,
                    borrower_history=histories[(district, day, shift)],
                )
            )
    return specs


def _lend_budget(params: SolveParams) -> SolveParams:
    """A loan re-plan's budget: ``LEND_BUDGET_FACTOR`` times the shift's work budget.

    It starts from the lender's finished plan and must insert the offered visits one by one,
    each insertion a solution: with the shift's own budget of 5 solutions, 2 of 36 loan
    re-plans of the synthetic Oslo's first five days placed a visit.
    """
    if params.solution_limit is None:
        return params
    return params.model_copy(update={"solution_limit": params.solution_limit * LEND_BUDGET_FACTOR})


def _keeps_own(result: PlanResult, offered: set[str]) -> bool:
    """True when a loan re-plan left none of the lender's own visits unplaced."""
    return all(u.visit_id in offered for u in result.unplaced)


def _loans(result: PlanResult, offer: UnitSpec, borrower: PlanResult | None) -> list[Loan]:
    """The offered visits a loan re-plan gave to the lender's caregivers, one per caregiver."""
    offered = set(offer.offered)
    critical = {u.visit_id for u in borrower.unplaced if u.time_critical} if borrower else set()
    return [
        Loan(
            day=offer.day,
            shift=offer.shift,
            borrower_id=offer.borrower_id or "",
            lender_id=offer.district_id,
            staff_id=worklist.staff_id,
            visit_id=visit.visit_id,
            time_critical=visit.visit_id in critical,
        )
        for worklist in result.worklists
        for visit in worklist.visits
        if visit.visit_id in offered
    ]


def plan_period(
    database_url: str,
    first: date,
    last: date,
    executor: Executor,
    *,
    municipality_id: str | None = None,
    shifts: tuple[ShiftKind, ...] = SHIFT_ORDER,
    districts: tuple[str, ...] | None = None,
    params: SolveParams | None = None,
    lending: bool = True,
    on_unit: Callable[[UnitOutcome], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> PeriodReport:
    """Plan every district × day × shift of ``first`` .. ``last`` on ``executor``.

    Reads the municipality from the store at ``database_url`` (the only one when no id is
    given); districts run side by side, each district's shifts in time order. ``on_unit``
    gets each outcome as it arrives; ``on_planned`` the number of units as it grows (the
    lending pass adds units). Then, with ``lending``, the loan re-plans (module docstring).
    """
    from hjemmetjeneste.store import open_store

    if last < first:
        raise dates_out_of_order(first, last)
    params = params or SolveParams()
    started = time.perf_counter()
    store = open_store(database_url)
    try:
        data = store.load_municipality(municipality_id)
        mid = data.municipality.municipality_id
        batch = store.latest_batch(mid)
    finally:
        store.close()
    if batch is None:
        raise HjemmetjenesteError(f"municipality {mid} has no import in the store")
    chosen = districts or tuple(d.district_id for d in data.districts)
    for district_id in chosen:
        data.district(district_id)  # KeyError for an unknown district, before any work
    chain = _chain(first, last, shifts)
    keep_days = data.municipality.rules.continuity_days + 2
    report = PeriodReport(workers=executor.workers)
    served: dict[str, list[ServedTask]] = {d: [] for d in chosen}
    position: dict[str, int] = dict.fromkeys(chosen, 0)
    histories: dict[tuple[str, date, ShiftKind], CareHistory] = {}

    def spec(**fields: Any) -> UnitSpec:
        return UnitSpec(
            database_url=database_url,
            municipality_id=mid,
            export_digest=batch.export_digest,
            params=_lend_budget(params) if fields.get("kind") == "lend" else params,
            **fields,
        )

    def unit(district_id: str) -> UnitSpec:
        day, shift = chain[position[district_id]]
        history = _recent(served[district_id], day, keep_days)
        histories[(district_id, day, shift)] = history
        return spec(district_id=district_id, day=day, shift=shift, history=history)

    def next_of(outcome: UnitOutcome, done: UnitSpec) -> UnitSpec | None:
        if outcome.result is not None:
            served[done.district_id] += served_tasks(data, outcome.result)
        position[done.district_id] += 1
        return unit(done.district_id) if position[done.district_id] < len(chain) else None

    total = len(chosen) * len(chain)
    if on_planned is not None:
        on_planned(total)
    report.outcomes = _run_all(executor, [unit(d) for d in chosen], next_of, on_unit, report)
    report.own_seconds = time.perf_counter() - started
    if lending:
        plans = {(o.district_id, o.day, o.shift): o for o in report.outcomes}
        lend = _lend_specs(data, plans, histories, spec)
        if lend and on_planned is not None:
            on_planned(total + len(lend))
        report.lend_outcomes = _run_all(executor, lend, lambda o, s: None, on_unit, report)
        by_key = {(s.district_id, s.day, s.shift): s for s in lend}
        kept = []
        for o in report.lend_outcomes:
            offer = by_key[(o.district_id, o.day, o.shift)]
            if o.result is None or not _keeps_own(o.result, set(offer.offered)):
                report.declined.append(o)
                continue
            kept.append(o)
            borrower = plans[(offer.borrower_id or "", o.day, o.shift)].result
            report.loans += _loans(o.result, offer, borrower)
        report.lend_outcomes = kept
    report.wall_seconds = time.perf_counter() - started
    report.lend_seconds = report.wall_seconds - report.own_seconds
    return report
