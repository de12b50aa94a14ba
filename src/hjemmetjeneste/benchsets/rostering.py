"""Curtois & Qu employee shift-scheduling instances (Instance1–24) onto the roster model.

The reader keeps the file's own records (:class:`NrpInstance`); :func:`to_problem` maps them
onto :class:`~hjemmetjeneste.rostering.problem.RosterProblem`, the model the Norwegian roster
uses; :func:`evaluate` recomputes the objective and checks every hard constraint from the
records alone, never from the solver's number (format and rules:
``../shared/benchmarks/rostering/SOURCES.md``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hjemmetjeneste.rostering.problem import Cover, Employee, Request, RosterProblem, ShiftType


@dataclass(frozen=True)
class NrpStaff:
    """One SECTION_STAFF row."""

    name: str
    max_shifts: dict[str, int]
    max_total_min: int
    min_total_min: int
    max_consecutive: int
    min_consecutive: int
    min_consecutive_off: int
    max_weekends: int


@dataclass(frozen=True)
class NrpInstance:
    """The records of one instance file, as written."""

    horizon: int
    shifts: dict[str, tuple[int, frozenset[str]]]
    """Shift id -> (length in minutes, shift ids that may not follow it the next day)."""
    staff: tuple[NrpStaff, ...]
    days_off: dict[str, frozenset[int]]
    on_requests: tuple[tuple[str, int, str, int], ...]
    off_requests: tuple[tuple[str, int, str, int], ...]
    cover: tuple[tuple[int, str, int, int, int], ...]
    """(day, shift id, requirement, under weight, over weight)."""


def read_instance(path: Path) -> NrpInstance:
    """Parse an ``InstanceN.txt`` file; ValueError naming file, line and section on bad input."""
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
        elif current is None:
            raise ValueError(f"{path}, line {number}: data before the first section")
        else:
            sections[current].append((number, [f.strip() for f in line.split(",")]))

    def rows(name: str) -> list[tuple[int, list[str]]]:
        return sections.get(name, [])

    try:
        horizon = int(rows("SECTION_HORIZON")[0][1][0])
        shifts = {
            f[0]: (
                int(f[1]),
                frozenset(x for x in f[2].split("|") if x) if len(f) > 2 else frozenset(),
            )
            for _, f in rows("SECTION_SHIFTS")
        }
        staff = []
        for _, f in rows("SECTION_STAFF"):
            limits = {}
            for part in f[1].split("|"):
                shift, most = part.split("=")
                limits[shift] = int(most)
            staff.append(NrpStaff(f[0], limits, *(int(v) for v in f[2:8])))
        days_off = {
            f[0]: frozenset(int(d) for d in f[1:] if d) for _, f in rows("SECTION_DAYS_OFF")
        }
        on = tuple((f[0], int(f[1]), f[2], int(f[3])) for _, f in rows("SECTION_SHIFT_ON_REQUESTS"))
        off = tuple(
            (f[0], int(f[1]), f[2], int(f[3])) for _, f in rows("SECTION_SHIFT_OFF_REQUESTS")
        )
        cover = tuple(
            (int(f[0]), f[1], int(f[2]), int(f[3]), int(f[4])) for _, f in rows("SECTION_COVER")
        )
    except (IndexError, ValueError) as exc:
        raise ValueError(f"{path}: malformed instance ({exc})") from exc
    return NrpInstance(horizon, shifts, tuple(staff), days_off, on, off, cover)


def to_problem(inst: NrpInstance) -> RosterProblem:
    """The instance as a roster problem (day 0 is a Monday; no Act rules apply)."""
    shift_ids = list(inst.shifts)
    index = {s: i for i, s in enumerate(shift_ids)}
    emp_index = {s.name: i for i, s in enumerate(inst.staff)}
    shifts = tuple(ShiftType(s, 0, inst.shifts[s][0]) for s in shift_ids)
    forbidden = frozenset((index[a], index[b]) for a, (_, nxt) in inst.shifts.items() for b in nxt)
    employees = tuple(
        Employee(
            name=s.name,
            max_shifts=tuple(s.max_shifts.get(t, 0) for t in shift_ids),
            min_total_min=s.min_total_min,
            max_total_min=s.max_total_min,
            max_consecutive=s.max_consecutive,
            min_consecutive=s.min_consecutive,
            min_consecutive_off=s.min_consecutive_off,
            max_weekends=s.max_weekends,
            days_off=inst.days_off.get(s.name, frozenset()),
        )
        for s in inst.staff
    )
    covers = tuple(
        Cover(day, index[shift], req, under, over) for day, shift, req, under, over in inst.cover
    )
    requests = tuple(
        Request(emp_index[e], d, index[s], w, on)
        for rows, on in ((inst.on_requests, True), (inst.off_requests, False))
        for e, d, s, w in rows
    )
    return RosterProblem(
        n_days=inst.horizon,
        shifts=shifts,
        employees=employees,
        covers=covers,
        requests=requests,
        forbidden_next=forbidden,
    )


def evaluate(inst: NrpInstance, roster: dict[str, list[str | None]]) -> tuple[int, list[str]]:
    """The objective of ``roster`` (employee -> shift id or None per day) and its violations.

    Written from SOURCES.md's rules on the file's records, independently of the model.
    """
    problems: list[str] = []
    n = inst.horizon
    for s in inst.staff:
        days = roster.get(s.name)
        if days is None or len(days) != n:
            problems.append(f"{s.name}: roster does not cover {n} days")
            continue
        worked = [d is not None for d in days]
        for d, shift in enumerate(days):
            if shift is not None and shift not in inst.shifts:
                problems.append(f"{s.name} day {d}: unknown shift {shift}")
        for shift, most in s.max_shifts.items():
            if sum(1 for d in days if d == shift) > most:
                problems.append(f"{s.name}: more than {most} {shift} shifts")
        for shift in {d for d in days if d is not None} - set(s.max_shifts):
            problems.append(f"{s.name}: works {shift} without a limit for it")
        minutes = sum(inst.shifts[d][0] for d in days if d in inst.shifts)
        if not s.min_total_min <= minutes <= s.max_total_min:
            problems.append(f"{s.name}: {minutes} min outside {s.min_total_min}-{s.max_total_min}")
        for d in range(n - 1):
            a, b = days[d], days[d + 1]
            if a in inst.shifts and b is not None and b in inst.shifts[a][1]:
                problems.append(f"{s.name}: {b} on day {d + 1} may not follow {a}")
        runs: list[tuple[bool, int, int]] = []  # (working, first day, length)
        for d, w in enumerate(worked):
            if runs and runs[-1][0] == w:
                runs[-1] = (w, runs[-1][1], runs[-1][2] + 1)
            else:
                runs.append((w, d, 1))
        for w, first, length in runs:
            if w and length > s.max_consecutive:
                problems.append(f"{s.name}: {length} shifts in a row from day {first}")
            at_edge = first == 0 or first + length == n
            minimum = s.min_consecutive if w else s.min_consecutive_off
            if not at_edge and length < minimum:
                kind = "shifts" if w else "days off"
                problems.append(f"{s.name}: only {length} {kind} in a row from day {first}")
        weekends = sum(1 for k in range(n // 7) if worked[7 * k + 5] or worked[7 * k + 6])
        if weekends > s.max_weekends:
            problems.append(f"{s.name}: {weekends} weekends worked, at most {s.max_weekends}")
        for d in inst.days_off.get(s.name, frozenset()):
            if worked[d]:
                problems.append(f"{s.name}: works on day off {d}")
    return sum(penalty_parts(inst, roster).values()), problems


def penalty_parts(inst: NrpInstance, roster: dict[str, list[str | None]]) -> dict[str, int]:
    """The penalty of ``roster`` by kind: requests missed, cover rows short, cover rows over."""
    n = inst.horizon
    parts = {"requests": 0, "cover_under": 0, "cover_over": 0}
    for e, d, shift, w in inst.on_requests:
        if roster.get(e, [None] * n)[d] != shift:
            parts["requests"] += w
    for e, d, shift, w in inst.off_requests:
        if roster.get(e, [None] * n)[d] == shift:
            parts["requests"] += w
    for d, shift, req, under, over in inst.cover:
        count = sum(1 for days in roster.values() if days[d] == shift)
        if count < req:
            parts["cover_under"] += (req - count) * under
        else:
            parts["cover_over"] += (count - req) * over
    return parts


def solve_instance(
    path: Path, time_limit_s: float, workers: int = 2, seed: int = 0, local: int = 1
) -> tuple[int, list[str], float, dict[str, object]]:
    """Read, solve and independently evaluate one instance.

    ``local`` of the ``workers`` run the local search (see :func:`solve_roster`). Returns
    (evaluated objective, violations, wall seconds, details: the solver's own objective and
    bound, its status and the CPU seconds the solve got).
    """
    from hjemmetjeneste.rostering.cpsat import solve_roster

    inst = read_instance(path)
    problem = to_problem(inst)
    cpu = time.process_time()
    solution = solve_roster(
        problem, time_limit_s=time_limit_s, workers=workers, seed=seed, local=local
    )
    cpu_s = time.process_time() - cpu
    names = [s.name for s in problem.shifts]
    roster = {
        emp.name: [names[t] if t >= 0 else None for t in row]
        for emp, row in zip(problem.employees, solution.assignment, strict=True)
    }
    value, problems = evaluate(inst, roster)
    detail = {
        "solver_objective": solution.objective,
        "bound": round(solution.bound, 1),
        "status": solution.status,
        "cpu_s": round(cpu_s, 1),  # of this process, every thread: what a loaded machine gave
    }
    return value, problems, solution.wall_s, detail
