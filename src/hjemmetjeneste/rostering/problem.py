"""The index-based rostering problem: what the CP-SAT model sees, in days and minutes.

One vocabulary serves the Norwegian roster (:mod:`hjemmetjeneste.rostering.roster`) and the
Curtois & Qu benchmark instances (:mod:`hjemmetjeneste.benchsets.rostering`): days ``0..n-1``
(day 0 falls on ``first_weekday``, 0 = Monday), shift types with clock times, employees with
their contract limits, cover rows with under/over weights, requests with weights. Rules that a
source does not use keep their neutral default (None or 0), so the model adds nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY_MIN = 1440


@dataclass(frozen=True)
class ShiftType:
    """A shift type: ``start_min`` after midnight of the day it starts, ``length_min`` long."""

    name: str
    start_min: int
    length_min: int
    night: bool = False
    category: str = ""
    """Fairness category ("evening", "night"; empty for none)."""

    @property
    def end_min(self) -> int:
        """Minutes after midnight of its start day at which the shift ends (may exceed 1440)."""
        return self.start_min + self.length_min


@dataclass(frozen=True)
class Employee:
    """One employee's contract and limits. ``max_shifts[t]`` 0 means shift type t is not allowed.

    ``min_total_min``/``max_total_min`` bound the minutes worked over the horizon;
    ``target_total_min`` (soft) is the contracted hours, deviations cost the problem's
    ``target_weight`` per hour. Consecutive limits count days with a shift starting on them.
    """

    name: str
    max_shifts: tuple[int, ...]
    min_total_min: int = 0
    max_total_min: int | None = None
    target_total_min: int | None = None
    max_consecutive: int | None = None
    min_consecutive: int = 1
    min_consecutive_off: int = 1
    max_weekends: int | None = None
    days_off: frozenset[int] = frozenset()
    fte: float = 1.0


@dataclass(frozen=True)
class Cover:
    """A cover row: on ``day``, shift type ``shift``, ``required`` people from ``eligible``.

    ``eligible`` None means every employee. Each person short costs ``under_weight`` and each
    person over ``over_weight`` (0: no upper limit). ``label`` names the row for the planner
    ("sykepleier", "insulin", "total").
    """

    day: int
    shift: int
    required: int
    under_weight: int
    over_weight: int = 0
    eligible: frozenset[int] | None = None
    label: str = "total"


@dataclass(frozen=True)
class Request:
    """A wish: employee ``employee`` wants (``on``) or does not want shift ``shift`` on ``day``.

    ``shift`` None in an off-request means the whole day off.
    """

    employee: int
    day: int
    shift: int | None
    weight: int
    on: bool


@dataclass(frozen=True)
class ActRules:
    """The Working Environment Act's limits as the model applies them (None: not applied)."""

    min_daily_rest_min: int | None = None
    """Rest between the end of one shift and the start of the next (§ 10-8 (1): 11 h)."""
    weekly_rest_min: int | None = None
    """Continuous rest in each calendar week (§ 10-8 (2): 35 h)."""
    max_week_min: int | None = None
    """Most minutes in any calendar week (§ 10-5 (2), averaged schedules: 48 h)."""
    max_average_week_min: int | None = None
    """Most minutes per week on average over the horizon (§ 10-5 (2): 40 h)."""
    max_shift_min: int | None = None
    """Longest shift (§ 10-5 (2): 10 h per 24 h under averaging)."""
    max_night_shift_min: int | None = None
    """Longest night shift (§ 10-11 (5): 9 h in 24 h)."""
    max_consecutive_nights: int | None = None
    weekend_window: tuple[int, int] | None = None
    """(k, m): at most k worked weekends in any m consecutive weekends (every third: (1, 3))."""


@dataclass(frozen=True)
class RosterProblem:
    """Everything the CP-SAT model needs; validated on construction."""

    n_days: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    covers: tuple[Cover, ...]
    requests: tuple[Request, ...] = ()
    forbidden_next: frozenset[tuple[int, int]] = frozenset()
    """(a, b): shift type b may not be worked on the day after shift type a."""
    first_weekday: int = 0
    act: ActRules = field(default_factory=ActRules)
    holidays: frozenset[int] = frozenset()
    """Days that are public holidays (fair distribution of holiday shifts)."""
    fairness_weight: int = 0
    """Cost per unit of the largest normalised count of evenings, nights and holiday shifts."""
    target_weight: int = 0
    """Cost per hour of deviation from an employee's ``target_total_min``."""
    previous: tuple[tuple[int, ...], ...] | None = None
    """An earlier roster, ``previous[e][d]`` = shift type or -1 (off): re-rostering."""
    change_weight: int = 0
    """Cost of each (employee, day) that differs from ``previous``."""
    locked_days: int = 0
    """Days ``0..locked_days-1`` keep ``previous`` exactly (published weeks)."""
    cover_first: bool = False
    """Lexicographic: first the fewest people short, then everything else at that cover."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        n_t = len(self.shifts)
        if self.n_days <= 0:
            problems.append("n_days must be positive")
        for e in self.employees:
            if len(e.max_shifts) != n_t:
                problems.append(f"employee {e.name}: max_shifts needs {n_t} entries")
            if any(not 0 <= d < self.n_days for d in e.days_off):
                problems.append(f"employee {e.name}: a day off lies outside the horizon")
        for c in self.covers:
            if not (0 <= c.day < self.n_days and 0 <= c.shift < n_t) or c.required < 0:
                problems.append(f"cover row {c} is out of range")
        for r in self.requests:
            if not (0 <= r.employee < len(self.employees) and 0 <= r.day < self.n_days):
                problems.append(f"request {r} is out of range")
        if self.previous is not None and (
            len(self.previous) != len(self.employees)
            or any(len(row) != self.n_days for row in self.previous)
        ):
            problems.append("previous needs one row of n_days per employee")
        if self.locked_days and self.previous is None:
            problems.append("locked_days needs a previous roster")
        if problems:
            raise ValueError("invalid roster problem: " + "; ".join(problems[:10]))

    def rest_forbidden_next(self) -> frozenset[tuple[int, int]]:
        """The given forbidden successions plus those the daily rest rule implies."""
        pairs = set(self.forbidden_next)
        rest = self.act.min_daily_rest_min
        if rest is not None:
            for a, sa in enumerate(self.shifts):
                for b, sb in enumerate(self.shifts):
                    if DAY_MIN + sb.start_min - sa.end_min < rest:
                        pairs.add((a, b))
        return frozenset(pairs)

    def weekday(self, day: int) -> int:
        """0 = Monday … 6 = Sunday."""
        return (self.first_weekday + day) % 7

    def weekends(self) -> list[tuple[int, ...]]:
        """The days of each weekend (Saturday and Sunday) that lie in the horizon, in order."""
        result: list[tuple[int, ...]] = []
        for d in range(self.n_days):
            if self.weekday(d) == 5:
                result.append(tuple(x for x in (d, d + 1) if x < self.n_days))
            elif self.weekday(d) == 6 and d == 0:
                result.append((0,))
        return result

    def weeks(self) -> list[tuple[int, ...]]:
        """The days of each calendar week (Monday to Sunday) that lie in the horizon."""
        result: list[list[int]] = []
        for d in range(self.n_days):
            if d == 0 or self.weekday(d) == 0:
                result.append([])
            result[-1].append(d)
        return [tuple(w) for w in result]


@dataclass(frozen=True)
class RosterSolution:
    """``assignment[e][d]`` is the shift type employee e works on day d, or -1 (off)."""

    assignment: tuple[tuple[int, ...], ...]
    objective: int
    """The solver's own objective value (evaluate independently before trusting it)."""
    bound: float
    status: str
    wall_s: float
    shortfalls: tuple[tuple[int, int, str, int], ...] = ()
    """(day, shift, label, missing people) for every cover row left short."""
