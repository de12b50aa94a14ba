"""Sentences for planners: why work is unplaced and what a checked plan breaks.

Violations come from :func:`hjemmetjeneste.solver.check.check_solution` as data; they are
worded by the solver's one :func:`~hjemmetjeneste.solver.check.describe`, with
:class:`PlanNames` naming caregivers, visits, clock times (Europe/Oslo) and minutes. Jobs the
search leaves out get their reason here (:func:`why_dropped`); visits kept out before the
search come with their facts (:class:`~hjemmetjeneste.planning.to_problem.KeptOutFacts`)
and are worded here too (:func:`kept_out_sentence`), one sentence per task.
"""

from __future__ import annotations

from collections.abc import Callable

from hjemmetjeneste.domain import (
    CompetenceLevel,
    DayPlan,
    Municipality,
    Skill,
    Staff,
    Task,
    UnplacedReason,
    Visit,
)
from hjemmetjeneste.planning.to_problem import (
    BuiltProblem,
    KeptOutFacts,
    Prefiltered,
    second_staff_role,
)
from hjemmetjeneste.solver import Solution, Violation
from hjemmetjeneste.solver.check import Names, describe
from hjemmetjeneste.tasks import defined_shifts_text

__all__ = [
    "PlanNames",
    "competence_sentence",
    "describe_violation",
    "kept_out_sentence",
    "outside_every_shift_sentence",
    "why_dropped",
    "window_sentence",
]

TIME_CRITICAL_PREFIX = "TIME-CRITICAL. "
"""Put before the explanation of each unplaced task that is itself time-critical."""


def outside_every_shift_sentence(task: Task, municipality: Municipality) -> str:
    """Why a task is in no plan: its window lies in none of the municipality's shifts."""
    return (
        f"No shift covers this task: it must start between {task.window_start:%H:%M} and "
        f"{task.window_end:%H:%M} on {task.date}, and the municipality defines only "
        f"{defined_shifts_text(municipality)}. Add the shift or move the task's time."
    )


class PlanNames(Names):
    """Violations in planner terms: caregivers by name, visits by id, clock times, minutes."""

    def __init__(self, built: BuiltProblem) -> None:
        self.index = built.index

    def vehicle(self, v: int) -> str:
        return self.index.staff_label(v)

    def job(self, node: int) -> str:
        return str(self.index.job_visit[node])

    def pair(self, a: int, b: int) -> str:
        return self.job(a)  # both jobs are the same visit

    def moment(self, s: int) -> str:
        return self.index.clock(s)

    def duration(self, s: int) -> str:
        return f"{int(s) // 60} min"


def describe_violation(built: BuiltProblem, violation: Violation) -> str:
    """The violation as a planner reads it (caregivers, visits, clock times, minutes)."""
    return describe(violation, PlanNames(built))


def why_dropped(
    built: BuiltProblem, solution: Solution, node: int, visit: Visit
) -> tuple[UnplacedReason, str]:
    """Reason and sentence for a job the solver left out.

    A gap rule when a served dose of the same gap group leaves no start inside the window;
    otherwise no time left, naming the qualified caregiver whose route passes nearest.
    """
    problem, index = built.problem, built.index
    starts = {stop.node: stop.start_s for r in solution.routes for stop in r.stops}
    lo, hi = int(problem.window_start_s[node]), int(problem.window_end_s[node])
    for p in problem.precedences:
        if p.second == node and p.first in starts:
            lo = max(lo, starts[p.first] + p.min_s)
            if p.max_s is not None:
                hi = min(hi, starts[p.first] + p.max_s)
        if p.first == node and p.second in starts:
            hi = min(hi, starts[p.second] - p.min_s)
            if p.max_s is not None:
                lo = max(lo, starts[p.second] - p.max_s)
    if lo > hi:
        return (
            UnplacedReason.GAP_RULE,
            "Gap rule: another dose of the same medication is planned too close to (or too "
            f"far from) this one; no start between {index.clock(int(problem.window_start_s[node]))}"
            f" and {index.clock(int(problem.window_end_s[node]))} keeps the required gap.",
        )
    allowed = problem.allowed_vehicles[node]
    nearest = ""
    if allowed:
        routes = {r.vehicle: r for r in solution.routes}

        def distance(v: int) -> int:
            travel = problem.travel_for(v)
            places = [int(problem.vehicle_start_node[v])]
            places += [s.node for s in routes[v].stops] if v in routes else []
            return min(int(travel[p, node]) for p in places)

        best = min(allowed, key=distance)
        nearest = (
            f" The nearest candidate, {index.staff_label(best)}, passes "
            f"{distance(best) // 60} min away but has no room in that window."
        )
    return (
        UnplacedReason.NO_TIME_LEFT,
        f"No time left: none of the {len(allowed)} qualified caregiver(s) on shift could fit "
        f"the {visit.duration_min} min visit starting between "
        f"{index.clock(int(problem.window_start_s[node]))} and "
        f"{index.clock(int(problem.window_end_s[node]))} into their route." + nearest,
    )


def kept_out_sentence(
    kept: Prefiltered, task: Task, built: BuiltProblem, staff: tuple[Staff, ...]
) -> str:
    """Why ``task`` of a visit kept out before the search is unplaced, from the facts."""
    facts, visit, index = kept.facts, kept.visit, built.index
    day = index.day_start.date()

    def clock(s: int) -> str:
        """HH:MM, with the date when it is not the plan's date (no "from 02:12" that is
        really tomorrow)."""
        moment = index.to_instant(s)
        return index.clock(s) + ("" if moment.date() == day else f" on {moment.date()}")

    match kept.reason:
        case UnplacedReason.IMPLAUSIBLE_LOCATION if facts.location is not None:
            lat, lon = facts.location
            return (
                f"The patient's coordinates ({lat:.5f}, {lon:.5f}) cannot be planned from: "
                f"{facts.location_why}. Correct the address or coordinates in the source system."
            )
        case UnplacedReason.NO_STAFF_ON_SHIFT:
            return "Nobody is rostered on this shift."
        case UnplacedReason.NO_QUALIFIED_STAFF:
            return competence_sentence(task, visit, staff)
        case UnplacedReason.ALL_REFUSED:
            return (
                f"Every qualified caregiver on shift ({facts.qualified}) is one the patient "
                "has refused."
            )
        case UnplacedReason.UNREACHABLE:
            return (
                "There is no route between the base and the patient's address by "
                f"{' or '.join(facts.modes)} (the address may lie off the road map)."
            )
        case UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF:
            return (
                f"The visit needs 2 qualified caregivers at once; only {facts.qualified} on shift."
            )
        case UnplacedReason.PIN_CONFLICT:
            if facts.pinned_why == "absent":
                return (
                    f"The visit is pinned to caregiver {facts.pinned_staff}, who is not on "
                    "this shift."
                )
            return f"The visit is pinned to {facts.pinned_staff}, who is {facts.pinned_why} for it."
        case UnplacedReason.GAP_RULE if facts.gap is not None:
            group, at, lo, hi = facts.gap
            bound = f"at least {lo // 60} min" + (
                f" and at most {hi // 60} min" if hi is not None else ""
            )
            return (
                f"Gap rule: the last dose of '{group}' was given at {clock(at)} in an earlier "
                f"shift; this one must follow {bound} later, which no time in this shift allows."
            )
        case _:
            return window_sentence(visit.duration_min, facts, clock)


def window_sentence(duration_min: int, facts: KeptOutFacts, clock: Callable[[int], str]) -> str:
    """Why no start in the windows works, quoting only numbers that show it.

    Checked in order, so that each sentence's numbers bear it out: the windows lie outside
    the shift's bounds; the earliest arrival is after the windows (clipped to the shift)
    close; the latest start that gets back in time is before they open; otherwise the
    windows fall between those two times without a start that fits.
    """
    lo, hi = facts.bounds
    inside = [(max(a, lo), min(b, hi)) for a, b in facts.windows if max(a, lo) <= min(b, hi)]
    opens = min(a for a, _ in facts.windows)
    closes = max(b for _, b in facts.windows)
    arrive, last_start = facts.reachable
    if not inside:
        return (
            f"The window cannot be met inside the shift: the {duration_min} min visit must "
            f"start between {clock(opens)} and {clock(closes)}, but the shift allows starts "
            f"only between {clock(lo)} and {clock(hi)}."
        )
    first, last = min(a for a, _ in inside), max(b for _, b in inside)
    if arrive > last:
        return (
            f"The window cannot be met: the {duration_min} min visit must start by "
            f"{clock(last)}, but the earliest a caregiver can get there from the base is "
            f"{clock(arrive)}."
        )
    if last_start < first:
        return (
            f"The window cannot be met: the {duration_min} min visit cannot start before "
            f"{clock(first)}, but it must start by {clock(last_start)} for the caregiver to "
            "be back at the base by the end of the shift."
        )
    return (
        f"The window cannot be met: a caregiver can start the {duration_min} min visit only "
        f"between {clock(arrive)} and {clock(last_start)}, and none of its start windows "
        f"({', '.join(f'{clock(a)}–{clock(b)}' for a, b in inside)}) holds a start there."
    )


def competence_sentence(task: Task, visit: Visit, staff: tuple[Staff, ...]) -> str:
    """Which competence or skill nobody on shift has, for this task itself or, when the
    task's own needs are met, for the other task of the visit that it shares."""
    own = _missing(task.required_competence, task.required_skills, staff)
    if own:
        return own
    for other in visit.tasks:
        missing = _missing(other.required_competence, other.required_skills, staff)
        if missing:
            return (
                "A caregiver on shift could do this task, but it shares the visit with "
                f"'{other.description}': {missing}"
            )
    needs = _missing(visit.required_competence, visit.required_skills, staff)
    return f"Together, the tasks of this visit need more than anyone on shift has: {needs}"


def staff_lacks(
    day_plan: DayPlan, staff_id: str, visit_id: str, *, second_role: bool = False
) -> str:
    """What a caregiver lacks for a visit: the competence level and the skills, by name.

    ``second_role``: the caregiver fills the second role of a double-staffed visit (its
    level and skills when the plan names one)."""
    staff = next(s for s in day_plan.staff if s.staff_id == staff_id)
    visit = next(v for v in day_plan.visits if v.visit_id == visit_id)
    level, needed = visit.required_competence, visit.required_skills
    role = second_staff_role(visit) if second_role else None
    if role is not None:
        level, needed = role
    lacking: list[str] = []
    if not staff.competence.satisfies(level):
        lacking.append(f"competence {level.value} (has {staff.competence.value})")
    skills = sorted(needed - staff.skills)
    if skills:
        lacking.append(f"skill {', '.join(skills)}")
    return (
        "lacks " + " and ".join(lacking) if lacking else "is not allowed on it (a refusal or a pin)"
    )


def _missing(level: CompetenceLevel, skills: frozenset[Skill], staff: tuple[Staff, ...]) -> str:
    """'' when someone on shift qualifies; otherwise the sentence naming what is missing."""
    if any(s.qualifies_for(level, skills) for s in staff):
        return ""
    senior = [s for s in staff if s.competence.satisfies(level)]
    if not senior:
        return f"No caregiver on shift has competence {level.value} or higher."
    lacking = sorted(k for k in skills if all(k not in s.skills for s in senior))
    if lacking:
        return (
            f"No caregiver on shift with competence {level.value} or higher has the skill "
            f"{', '.join(lacking)}."
        )
    return (
        f"No caregiver on shift with competence {level.value} or higher has all of "
        f"{', '.join(sorted(skills))} at once."
    )
