"""Roster generation: staffing need, contracts, wishes and the Act -> CP-SAT -> ``Roster``.

Each staffing need becomes cover rows (total, then "at least k of competence level L or
higher", then "at least k with skill S"); each staff member of the district becomes an
employee with the contract's shifts, fixed days off and hours (position percentage × the
full-time week); the Act's limits become :class:`~hjemmetjeneste.rostering.problem.ActRules`.
A need that cannot be met is never a crash or a silent gap: its shortfall is priced high and
reported in :attr:`RosterOutcome.shortfalls`, one sentence each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from hjemmetjeneste.domain import (
    MunicipalityData,
    Roster,
    RosterEntry,
    ShiftKind,
    Staff,
)
from hjemmetjeneste.pipeline import defined_shift_kinds
from hjemmetjeneste.rostering.problem import (
    DAY_MIN,
    ActRules,
    Cover,
    Employee,
    Request,
    RosterProblem,
    RosterSolution,
    ShiftType,
)
from hjemmetjeneste.rostering.rules import (
    ActRuleSet,
    Contract,
    ShiftNeed,
    Wish,
    dates,
    norwegian_holidays,
)

SHIFT_ORDER = (ShiftKind.DAY, ShiftKind.EVENING, ShiftKind.NIGHT)
UNDER_WEIGHT = 10_000
"""Cost of one caregiver short on one cover row: far above any other term."""
OVER_WEIGHT = {ShiftKind.DAY: 5, ShiftKind.EVENING: 60, ShiftKind.NIGHT: 2_000}
"""Cost of each person beyond a shift's need. Contracted hours left over go to day shifts
first; night work only where needed (arbeidsmiljøloven § 10-11: night work is not allowed
unless the work makes it necessary), so an extra night costs more than hours unworked."""
WISH_WEIGHT = 50
"""Cost per unit of a wish's weight when it is not granted."""
FAIRNESS_WEIGHT = 20
TARGET_WEIGHT = 1
"""Cost per minute away from the contracted hours of the period."""
CHANGE_WEIGHT = 1_000
"""Cost of each changed (person, day) when re-rostering: cover wins over stability, stability
over a shift's worth of hours away from the position (450-540), wishes and fairness."""

_WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_SHIFTS_NB = {
    ShiftKind.DAY: "dagvakt",
    ShiftKind.EVENING: "kveldsvakt",
    ShiftKind.NIGHT: "nattvakt",
}


@dataclass(frozen=True)
class Shortfall:
    """A cover row left short: on ``day``'s ``shift``, ``missing`` of ``required`` ``label``."""

    day: date
    shift: ShiftKind
    label: str
    required: int
    missing: int

    def sentence(self, english: bool = False) -> str:
        """The shortfall for the planner (bokmål unless ``english``)."""
        if english:
            return (
                f"{self.day:%A} {self.day} {self.shift} shift: {self.missing} {self.label} "
                f"short (need {self.required})"
            )
        return (
            f"{_WEEKDAYS_NB[self.day.weekday()]} {self.day} {_SHIFTS_NB[self.shift]}: mangler "
            f"{self.missing} {self.label} (behov {self.required})"
        )


@dataclass(frozen=True)
class RosterOutcome:
    """The generated roster, what it leaves short, and the solver's figures."""

    roster: Roster
    shortfalls: tuple[Shortfall, ...]
    objective: int
    status: str
    wall_s: float
    changed: int = 0
    """(person, day) pairs that differ from the previous roster (re-rostering)."""


@dataclass(frozen=True)
class RosterInput:
    """Everything a roster of one district needs besides the municipality's data."""

    district_id: str
    first: date
    n_days: int
    needs: Sequence[ShiftNeed]
    contracts: dict[str, Contract]
    wishes: Sequence[Wish] = ()
    rules: ActRuleSet = field(default_factory=ActRuleSet)
    previous: Roster | None = None
    lock_until: date | None = None
    """Dates before this keep ``previous`` exactly (published weeks)."""
    change_weight: int = CHANGE_WEIGHT
    absent: dict[str, frozenset[date]] | None = None
    """Dates a person cannot work (a long absence); added to their days off."""


def shift_types(data: MunicipalityData) -> tuple[ShiftType, ...]:
    """The shifts the municipality defines as shift types, in the order day, evening, night
    (shift type ``t`` is ``defined_shift_kinds(data)[t]``)."""
    types = []
    for kind in defined_shift_kinds(data):
        d = data.municipality.shift(kind)
        start = d.start.hour * 60 + d.start.minute
        end = d.end.hour * 60 + d.end.minute
        length = end - start if end > start else end + DAY_MIN - start
        category = "" if kind == ShiftKind.DAY else str(kind)
        types.append(ShiftType(str(kind), start, length, kind == ShiftKind.NIGHT, category))
    return tuple(types)


def district_staff(data: MunicipalityData, district_id: str) -> list[Staff]:
    """The district's staff, sorted by id (the employees of the roster problem)."""
    return sorted((s for s in data.staff if s.district_id == district_id), key=lambda s: s.staff_id)


def build_roster_problem(data: MunicipalityData, spec: RosterInput) -> RosterProblem:
    """The CP-SAT problem of ``spec``: employees, cover rows, wishes, rules, earlier roster."""
    staff = district_staff(data, spec.district_id)
    days = dates(spec.first, spec.n_days)
    day_index = {d: i for i, d in enumerate(days)}
    types = shift_types(data)
    kinds = list(defined_shift_kinds(data))
    rules = spec.rules
    longest = max(t.length_min for t in types)
    employees = []
    for s in staff:
        contract = spec.contracts.get(s.staff_id, Contract(s.staff_id))
        off = {i for i, d in enumerate(days) if d.isoweekday() in contract.fixed_days_off}
        absent = (spec.absent or {}).get(s.staff_id, frozenset())
        off |= {day_index[d] for d in absent if d in day_index}
        target = round(s.contracted_fte * rules.full_time_week_h * 60 * spec.n_days / 7)
        employees.append(
            Employee(
                name=s.staff_id,
                max_shifts=tuple(spec.n_days if k in contract.allowed_shifts else 0 for k in kinds),
                max_total_min=max(target + round(rules.hours_tolerance_h * 60), longest),
                target_total_min=target,
                max_consecutive=rules.max_consecutive_days,
                days_off=frozenset(off),
                fte=s.contracted_fte,
            )
        )
    covers = []
    for need in spec.needs:
        if need.shift not in kinds:
            raise ValueError(
                f"the staffing need has a {need.shift} shift on {need.day}, which municipality "
                f"{data.municipality.municipality_id} does not define (it defines "
                f"{', '.join(kinds)})"
            )
        if need.day not in day_index:
            continue
        d, t = day_index[need.day], kinds.index(need.shift)
        over = OVER_WEIGHT[need.shift]
        covers.append(Cover(d, t, need.total, UNDER_WEIGHT, over, label="total"))
        for level, count in need.by_competence.items():
            eligible = frozenset(i for i, s in enumerate(staff) if s.competence.satisfies(level))
            covers.append(Cover(d, t, count, UNDER_WEIGHT, eligible=eligible, label=str(level)))
        for skill, count in need.by_skill.items():
            eligible = frozenset(i for i, s in enumerate(staff) if skill in s.skills)
            covers.append(Cover(d, t, count, UNDER_WEIGHT, eligible=eligible, label=str(skill)))
    emp_index = {s.staff_id: i for i, s in enumerate(staff)}
    requests = tuple(
        Request(
            emp_index[w.staff_id],
            day_index[w.day],
            None if w.shift is None else kinds.index(w.shift),
            w.weight * WISH_WEIGHT,
            w.on,
        )
        for w in spec.wishes
        if w.staff_id in emp_index and w.day in day_index and w.shift in (None, *kinds)
    )
    previous, locked = None, 0
    if spec.previous is not None:
        grid = [[-1] * spec.n_days for _ in staff]
        for e in spec.previous.entries:
            if (
                e.staff_id in emp_index
                and e.date in day_index
                and e.district_id == spec.district_id
                and e.shift in kinds
            ):
                grid[emp_index[e.staff_id]][day_index[e.date]] = kinds.index(e.shift)
        previous = tuple(tuple(row) for row in grid)
        if spec.lock_until is not None:
            locked = max(0, min(spec.n_days, (spec.lock_until - spec.first).days))
    holidays = norwegian_holidays(days[0], days[-1])
    return RosterProblem(
        n_days=spec.n_days,
        shifts=types,
        employees=tuple(employees),
        covers=tuple(covers),
        requests=requests,
        first_weekday=spec.first.weekday(),
        act=ActRules(
            min_daily_rest_min=round(rules.min_daily_rest_h * 60),
            weekly_rest_min=round(rules.weekly_rest_h * 60),
            max_week_min=round(rules.max_week_h * 60),
            max_average_week_min=round(rules.max_average_week_h * 60),
            max_shift_min=round(rules.max_shift_h * 60),
            max_night_shift_min=round(rules.max_night_shift_h * 60),
            max_consecutive_nights=rules.max_consecutive_nights,
            weekend_window=rules.weekend_window,
        ),
        holidays=frozenset(day_index[d] for d in holidays),
        fairness_weight=FAIRNESS_WEIGHT,
        target_weight=TARGET_WEIGHT,
        previous=previous,
        change_weight=spec.change_weight if previous is not None else 0,
        locked_days=locked,
        cover_first=True,
    )


def to_roster(
    data: MunicipalityData, spec: RosterInput, solution: RosterSolution
) -> tuple[RosterEntry, ...]:
    """The solution's assignments as roster entries of the district, by date then staff."""
    staff = district_staff(data, spec.district_id)
    days = dates(spec.first, spec.n_days)
    kinds = defined_shift_kinds(data)
    entries = [
        RosterEntry(
            staff_id=s.staff_id,
            date=days[d],
            shift=kinds[t],
            district_id=spec.district_id,
        )
        for s, row in zip(staff, solution.assignment, strict=True)
        for d, t in enumerate(row)
        if t >= 0
    ]
    return tuple(sorted(entries, key=lambda e: (e.date, SHIFT_ORDER.index(e.shift), e.staff_id)))


def generate_roster(
    data: MunicipalityData,
    spec: RosterInput,
    *,
    time_limit_s: float = 30.0,
    workers: int = 2,
    seed: int = 0,
) -> RosterOutcome:
    """Generate (or re-generate, with ``spec.previous``) the district's roster for the period.

    Raises RuntimeError when the contracts and the Act admit no roster at all (never because
    of demand: that is reported as shortfalls).
    """
    from hjemmetjeneste.rostering.cpsat import solve_roster

    problem = build_roster_problem(data, spec)
    solution = solve_roster(problem, time_limit_s=time_limit_s, workers=workers, seed=seed)
    days = dates(spec.first, spec.n_days)
    required = {(c.day, c.shift, c.label): c.required for c in problem.covers}
    kinds = defined_shift_kinds(data)
    shortfalls = tuple(
        Shortfall(days[d], kinds[t], label, required[d, t, label], missing)
        for d, t, label, missing in solution.shortfalls
    )
    changed = 0
    if problem.previous is not None:
        changed = sum(
            a != b
            for old, new in zip(problem.previous, solution.assignment, strict=True)
            for a, b in zip(old, new, strict=True)
        )
    return RosterOutcome(
        roster=Roster(entries=to_roster(data, spec, solution)),
        shortfalls=shortfalls,
        objective=solution.objective,
        status=solution.status,
        wall_s=solution.wall_s,
        changed=changed,
    )


def merged_roster(
    data: MunicipalityData, district_id: str, first: date, n_days: int, generated: Roster
) -> Roster:
    """``data``'s roster with the district's period replaced by ``generated``."""
    last = first + timedelta(days=n_days - 1)
    kept = tuple(
        e
        for e in data.roster.entries
        if not (e.district_id == district_id and first <= e.date <= last)
    )
    return Roster(entries=kept + generated.entries)
