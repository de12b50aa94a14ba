"""Why work is unplaced and what a checked plan breaks: the facts, and the sentences they make.

An unplaced task's reason is first gathered as data, an :class:`~hjemmetjeneste.domain.Explanation`
(a sentence code and the facts it quotes: caregivers, visits, instants, minutes), in one
place per kind: jobs the search leaves out (:func:`why_dropped`), visits kept out before the
search from their :class:`~hjemmetjeneste.planning.to_problem.KeptOutFacts`
(:func:`kept_out_why`, one explanation per task) and tasks no shift covers
(:func:`outside_every_shift_why`). :func:`word` then makes the sentence in Norwegian bokmål
(the default) or English from the message catalogue (:mod:`hjemmetjeneste.i18n`);
:func:`worded` re-words a whole plan, so the CLI (``--lang``) and the API (``?lang=``) show
the same facts in the language asked for.

Violations come from :func:`hjemmetjeneste.solver.check.check_solution` as data; they are
worded by the solver's one :func:`~hjemmetjeneste.solver.check.describe`, with
:class:`PlanNames` naming caregivers, visits, clock times (Europe/Oslo) and minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from hjemmetjeneste.domain import (
    CompetenceLevel,
    DayPlan,
    Explanation,
    Municipality,
    PlanResult,
    Skill,
    Staff,
    Task,
    UnplacedReason,
    UnplacedTask,
    Visit,
)
from hjemmetjeneste.domain.worklists import Fact
from hjemmetjeneste.i18n import DEFAULT_LANGUAGE, N_, as_written, translate
from hjemmetjeneste.planning.to_problem import (
    BuiltProblem,
    KeptOutFacts,
    Prefiltered,
    second_staff_role,
)
from hjemmetjeneste.solver import Solution, Violation
from hjemmetjeneste.solver.check import Names, describe

__all__ = [
    "PlanNames",
    "Why",
    "competence_why",
    "describe_violation",
    "kept_out_why",
    "outside_every_shift_why",
    "why_dropped",
    "window_why",
    "word",
    "worded",
]


class Why(StrEnum):
    """The sentence an explanation makes (``Explanation.code``)."""

    OUTSIDE_EVERY_SHIFT = "outside_every_shift"
    IMPLAUSIBLE_LOCATION = "implausible_location"
    IMPLAUSIBLE_BASE = "implausible_base"
    NO_STAFF_ON_SHIFT = "no_staff_on_shift"
    ALL_REFUSED = "all_refused"
    UNREACHABLE = "unreachable"
    NOT_ENOUGH_QUALIFIED_STAFF = "not_enough_qualified_staff"
    PIN_ABSENT = "pin_absent"
    PIN_REFUSED = "pin_refused"
    PIN_NOT_QUALIFIED = "pin_not_qualified"
    GAP_EARLIER_SHIFT = "gap_earlier_shift"
    GAP_EARLIER_SHIFT_AT_MOST = "gap_earlier_shift_at_most"
    WINDOW_NOT_IN_SHIFT = "window_not_in_shift"
    WINDOW_CLOSES_BEFORE_ARRIVAL = "window_closes_before_arrival"
    WINDOW_OPENS_TOO_LATE_TO_RETURN = "window_opens_too_late_to_return"
    WINDOW_BETWEEN = "window_between"
    COMPETENCE_MISSING = "competence_missing"
    SKILL_MISSING = "skill_missing"
    SKILLS_NOT_TOGETHER = "skills_not_together"
    SHARED_VISIT = "shared_visit"
    VISIT_TOGETHER = "visit_together"
    GAP_NO_START = "gap_no_start"
    NO_TIME_LEFT = "no_time_left"
    NO_TIME_LEFT_NEAREST = "no_time_left_nearest"


#: Each sentence in English, as the catalogue knows it; ``{name}`` is the fact of that name
#: (``*_at`` a clock time, with its date when it is not the plan's date).
SENTENCES: dict[Why, str] = {
    Why.OUTSIDE_EVERY_SHIFT: N_(
        "No shift covers this task: it must start between {window_start_at} and "
        "{window_end_at} on {date}, and the municipality defines only {shifts}. Add the shift "
        "or move the task's time."
    ),
    Why.IMPLAUSIBLE_LOCATION: N_(
        "The patient's coordinates ({lat}, {lon}) cannot be planned from: {location_why}. "
        "Correct the address or coordinates in the source system."
    ),
    Why.IMPLAUSIBLE_BASE: N_(
        "The district's base {base_id} at ({lat}, {lon}) cannot be planned from: "
        "{location_why}. Correct the base's address or coordinates."
    ),
    Why.NO_STAFF_ON_SHIFT: N_("Nobody is rostered on this shift."),
    Why.ALL_REFUSED: N_(
        "Every qualified caregiver on shift ({qualified}) is one the patient has refused."
    ),
    Why.UNREACHABLE: N_(
        "There is no route between the base and the patient's address by {modes} (the "
        "address may lie off the road map)."
    ),
    Why.NOT_ENOUGH_QUALIFIED_STAFF: N_(
        "The visit needs 2 qualified caregivers at once; only {qualified} on shift."
    ),
    Why.PIN_ABSENT: N_("The visit is pinned to caregiver {staff}, who is not on this shift."),
    Why.PIN_REFUSED: N_("The visit is pinned to {staff}, whom the patient has refused."),
    Why.PIN_NOT_QUALIFIED: N_("The visit is pinned to {staff}, who is not qualified for it."),
    Why.GAP_EARLIER_SHIFT: N_(
        "Gap rule: the last dose of '{group}' was given at {last_dose_at} in an earlier "
        "shift; this one must follow at least {min_gap_min} min later, which no time in this "
        "shift allows."
    ),
    Why.GAP_EARLIER_SHIFT_AT_MOST: N_(
        "Gap rule: the last dose of '{group}' was given at {last_dose_at} in an earlier "
        "shift; this one must follow at least {min_gap_min} min and at most {max_gap_min} min "
        "later, which no time in this shift allows."
    ),
    Why.WINDOW_NOT_IN_SHIFT: N_(
        "The window cannot be met inside the shift: the {duration_min} min visit must start "
        "between {opens_at} and {closes_at}, but the shift allows starts only between "
        "{shift_from_at} and {shift_to_at}."
    ),
    Why.WINDOW_CLOSES_BEFORE_ARRIVAL: N_(
        "The window cannot be met: the {duration_min} min visit must start by {last_at}, but "
        "the earliest a caregiver can get there from the base is {arrive_at}."
    ),
    Why.WINDOW_OPENS_TOO_LATE_TO_RETURN: N_(
        "The window cannot be met: the {duration_min} min visit cannot start before "
        "{first_at}, but it must start by {last_start_at} for the caregiver to be back at the "
        "base by the end of the shift."
    ),
    Why.WINDOW_BETWEEN: N_(
        "The window cannot be met: a caregiver can start the {duration_min} min visit only "
        "between {arrive_at} and {last_start_at}, and none of its start windows ({windows}) "
        "holds a start there."
    ),
    Why.COMPETENCE_MISSING: N_("No caregiver on shift has competence {level} or higher."),
    Why.SKILL_MISSING: N_(
        "No caregiver on shift with competence {level} or higher has the skill {skills}."
    ),
    Why.SKILLS_NOT_TOGETHER: N_(
        "No caregiver on shift with competence {level} or higher has all of {skills} at once."
    ),
    Why.SHARED_VISIT: N_(
        "A caregiver on shift could do this task, but it shares the visit with "
        "'{other_task}': {lack}"
    ),
    Why.VISIT_TOGETHER: N_(
        "Together, the tasks of this visit need more than anyone on shift has: {lack}"
    ),
    Why.GAP_NO_START: N_(
        "Gap rule: another dose of the same medication is planned too close to (or too far "
        "from) this one; no start between {window_start_at} and {window_end_at} keeps the "
        "required gap."
    ),
    Why.NO_TIME_LEFT: N_(
        "No time left: none of the {qualified} qualified caregiver(s) on shift could fit the "
        "{duration_min} min visit starting between {window_start_at} and {window_end_at} into "
        "their route."
    ),
    Why.NO_TIME_LEFT_NEAREST: N_(
        "No time left: none of the {qualified} qualified caregiver(s) on shift could fit the "
        "{duration_min} min visit starting between {window_start_at} and {window_end_at} into "
        "their route. The nearest candidate, {staff}, passes {nearest_min} min away but has "
        "no room in that window."
    ),
}

TIME_CRITICAL = N_("TIME-CRITICAL. ")
"""Put before the explanation of each unplaced task that is itself time-critical."""

#: Words that facts quote as codes (shift kinds, travel modes, skills), for the catalogue.
CODE_WORDS = (
    N_("day"), N_("evening"), N_("night"), N_("none"),
    N_("car"), N_("bike"), N_("foot"),
    N_("insulin"), N_("wound_care"), N_("catheter"), N_("stoma"), N_("tube_feeding"),
    N_("palliative_pump"), N_("language_en"), N_("language_pl"), N_("language_ar"),
)  # fmt: skip

#: How a list fact is joined (English; translated like any message).
_JOINS = {"modes": N_(" or ")}
_ON_DATE = N_("{time} on {date}")


# -- wording -------------------------------------------------------------------------------


def word(
    why: Explanation, day: date, lang: str = DEFAULT_LANGUAGE, time_critical: bool = False
) -> str:
    """The sentence ``why`` makes in ``lang`` (``nb`` or ``en``) for a plan of ``day``.

    Instants read as clock times, with their date when it is not ``day``; lists of codes
    (skills, travel modes, shifts) in words; a time-critical task's sentence begins so.
    """
    facts = why.facts

    def say(message: str) -> str:
        return translate(message, lang)

    def clock(iso: str) -> str:
        moment = datetime.fromisoformat(iso)
        text = f"{moment:%H:%M}"
        if moment.date() == day:
            return text
        return say(_ON_DATE).format(time=text, date=moment.date().isoformat())

    values: dict[str, str] = {}
    for key, fact in facts.items():
        if key.endswith("_at"):
            values[key] = clock(str(fact))
        elif key == "windows":
            values[key] = ", ".join(
                "–".join(clock(end) for end in str(w).split("/")) for w in list(fact)
            )
        elif isinstance(fact, list):
            values[key] = say(_JOINS.get(key, ", ")).join(say(str(x)) for x in fact)
        elif isinstance(fact, float):
            values[key] = f"{fact:.5f}"
        else:
            values[key] = str(fact)
    if "staff_id" in facts:
        name = facts["staff_name"]
        values["staff"] = f"{name} ({facts['staff_id']})" if name else str(facts["staff_id"])
    if "shift_kinds" in facts:
        times = list(facts["shift_times"])
        shifts = [f"{say(str(k))} {times[i]}" for i, k in enumerate(list(facts["shift_kinds"]))]
        values["shifts"] = ", ".join(shifts) or say("none")
    if "location_why" in facts:
        values["location_why"] = say(str(facts["location_why"])).format(
            km=facts["km"], limit=f"{facts['limit_km']:g}"
        )
    # What a visit lacks is quoted by its own sentence, worded from the same facts.
    lack = facts.get("lack")
    values["lack"] = say(SENTENCES[Why(str(lack))]).format(**values) if lack else ""
    sentence = say(SENTENCES[Why(why.code)]).format(**values)
    return say(TIME_CRITICAL) + sentence if time_critical else sentence


def worded(result: PlanResult, lang: str) -> PlanResult:
    """``result`` with every explanation that has its facts worded in ``lang``."""

    def again(tasks: tuple[UnplacedTask, ...]) -> tuple[UnplacedTask, ...]:
        return tuple(
            u
            if u.why is None
            else u.model_copy(
                update={"explanation": word(u.why, result.date, lang, u.time_critical)}
            )
            for u in tasks
        )

    update = {
        "unplaced": again(result.unplaced),
        "outside_every_shift": again(result.outside_every_shift),
    }
    return result.model_copy(update=update)


# -- violations ----------------------------------------------------------------------------


class PlanNames(Names):
    """Violations in planner terms: caregivers by name, visits by id, clock times, minutes."""

    def __init__(self, built: BuiltProblem, say: Callable[[str], str] = as_written) -> None:
        super().__init__(say)
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
        return self.say(N_("{n} min")).format(n=int(s) // 60)


def describe_violation(
    built: BuiltProblem, violation: Violation, say: Callable[[str], str] = as_written
) -> str:
    """The violation as a planner reads it (caregivers, visits, clock times, minutes), in
    the language of ``say`` (English by default)."""
    return describe(violation, PlanNames(built, say))


def staff_lacks(
    day_plan: DayPlan,
    staff_id: str,
    visit_id: str,
    *,
    second_role: bool = False,
    say: Callable[[str], str] = as_written,
) -> str:
    """What a caregiver lacks for a visit: the competence level and the skills, by name.

    ``second_role``: the caregiver fills the second role of a double-staffed visit (its
    level and skills when the plan names one). In the language of ``say`` (English)."""
    staff = next(s for s in day_plan.staff if s.staff_id == staff_id)
    visit = next(v for v in day_plan.visits if v.visit_id == visit_id)
    level, needed = visit.required_competence, visit.required_skills
    role = second_staff_role(visit) if second_role else None
    if role is not None:
        level, needed = role
    lacking: list[str] = []
    if not staff.competence.satisfies(level):
        has = staff.competence.value
        if staff.competence.value != staff.competence.level.value:  # an own title
            has = say(N_("{title}, which counts as {level}")).format(
                title=has, level=staff.competence.level.value
            )
        lacking.append(say(N_("competence {level} (has {has})")).format(level=level.value, has=has))
    skills = sorted(needed - staff.skills)
    if skills:
        named = ", ".join(say(str(k)) for k in skills)
        lacking.append(say(N_("skill {skills}")).format(skills=named))
    if not lacking:
        return say(N_("is not allowed on it (a refusal or a pin)"))
    return say(N_("lacks {what}")).format(what=say(N_(" and ")).join(lacking))


# -- the facts -----------------------------------------------------------------------------


def outside_every_shift_why(task: Task, municipality: Municipality) -> Explanation:
    """Why a task is in no plan: its window lies in none of the municipality's shifts."""
    return Explanation(
        code=Why.OUTSIDE_EVERY_SHIFT,
        facts={
            "window_start_at": task.window_start.isoformat(),
            "window_end_at": task.window_end.isoformat(),
            "date": task.date.isoformat(),
            "shift_kinds": [d.kind.value for d in municipality.shifts],
            "shift_times": [f"{d.start:%H:%M}–{d.end:%H:%M}" for d in municipality.shifts],
        },
    )


def why_dropped(
    built: BuiltProblem, solution: Solution, node: int, visit: Visit
) -> tuple[UnplacedReason, Explanation]:
    """Reason and facts for a job the solver left out.

    A gap rule when a served dose of the same gap group leaves no start inside the window;
    otherwise no time left, naming the qualified caregiver whose route passes nearest.
    """
    problem, index = built.problem, built.index
    related = [p for p in problem.precedences if node in (p.first, p.second)]
    starts = (
        {stop.node: stop.start_s for r in solution.routes for stop in r.stops} if related else {}
    )
    lo, hi = int(problem.window_start_s[node]), int(problem.window_end_s[node])
    window: dict[str, Fact] = {
        "window_start_at": index.to_instant(lo).isoformat(),
        "window_end_at": index.to_instant(hi).isoformat(),
    }
    for p in related:
        if p.second == node and p.first in starts:
            lo = max(lo, starts[p.first] + p.min_s)
            if p.max_s is not None:
                hi = min(hi, starts[p.first] + p.max_s)
        if p.first == node and p.second in starts:
            hi = min(hi, starts[p.second] - p.min_s)
            if p.max_s is not None:
                lo = max(lo, starts[p.second] - p.max_s)
    if lo > hi:
        return UnplacedReason.GAP_RULE, Explanation(code=Why.GAP_NO_START, facts=window)
    allowed = problem.allowed_vehicles[node]
    facts: dict[str, Fact] = {
        "qualified": len(allowed),
        "duration_min": visit.duration_min,
        **window,
    }
    if not allowed:
        return UnplacedReason.NO_TIME_LEFT, Explanation(code=Why.NO_TIME_LEFT, facts=facts)
    routes = {r.vehicle: r for r in solution.routes}

    def distance(v: int) -> int:
        places = [int(problem.vehicle_start_node[v])]
        places += [s.node for s in routes[v].stops] if v in routes else []
        return int(problem.travel_for(v)[places, node].min())

    best = min(allowed, key=distance)
    facts |= _staff(built, best) | {"nearest_min": distance(best) // 60}
    return UnplacedReason.NO_TIME_LEFT, Explanation(code=Why.NO_TIME_LEFT_NEAREST, facts=facts)


def _staff(built: BuiltProblem, vehicle: int) -> dict[str, Fact]:
    """The caregiver of ``vehicle`` by staff id and (when known) first name."""
    index = built.index
    names = index.vehicle_names
    name = names[vehicle] if vehicle < len(names) else ""
    return {"staff_id": index.vehicle_staff[vehicle], "staff_name": name}


def kept_out_why(
    kept: Prefiltered, task: Task, built: BuiltProblem, staff: tuple[Staff, ...]
) -> Explanation:
    """Why ``task`` of a visit kept out before the search is unplaced, from the facts."""
    facts, visit, index = kept.facts, kept.visit, built.index

    def at(s: int) -> str:
        return index.to_instant(s).isoformat()

    match kept.reason:
        case UnplacedReason.IMPLAUSIBLE_LOCATION if facts.location_issue is not None:
            issue = facts.location_issue
            where: dict[str, Fact] = {
                "lat": issue.location.lat,
                "lon": issue.location.lon,
                "location_why": issue.reason,
                "km": issue.km,
                "limit_km": issue.limit_km,
            }
            if issue.kind == "base":
                return Explanation(
                    code=Why.IMPLAUSIBLE_BASE, facts=where | {"base_id": issue.record_id}
                )
            return Explanation(code=Why.IMPLAUSIBLE_LOCATION, facts=where)
        case UnplacedReason.NO_STAFF_ON_SHIFT:
            return Explanation(code=Why.NO_STAFF_ON_SHIFT)
        case UnplacedReason.NO_QUALIFIED_STAFF:
            return competence_why(task, visit, staff)
        case UnplacedReason.ALL_REFUSED:
            return Explanation(code=Why.ALL_REFUSED, facts={"qualified": facts.qualified})
        case UnplacedReason.UNREACHABLE:
            return Explanation(code=Why.UNREACHABLE, facts={"modes": list(facts.modes)})
        case UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF:
            return Explanation(
                code=Why.NOT_ENOUGH_QUALIFIED_STAFF, facts={"qualified": facts.qualified}
            )
        case UnplacedReason.PIN_CONFLICT:
            code = {"absent": Why.PIN_ABSENT, "refused": Why.PIN_REFUSED}.get(
                facts.pinned_why, Why.PIN_NOT_QUALIFIED
            )
            vehicles = index.vehicle_staff
            who: dict[str, Fact] = {"staff_id": facts.pinned_staff, "staff_name": ""}
            if facts.pinned_staff in vehicles:
                who = _staff(built, vehicles.index(facts.pinned_staff))
            return Explanation(code=code, facts=who)
        case UnplacedReason.GAP_RULE if facts.gap is not None:
            group, last, min_s, max_s = facts.gap
            gap: dict[str, Fact] = {
                "group": group,
                "last_dose_at": at(last),
                "min_gap_min": min_s // 60,
            }
            if max_s is None:
                return Explanation(code=Why.GAP_EARLIER_SHIFT, facts=gap)
            gap["max_gap_min"] = max_s // 60
            return Explanation(code=Why.GAP_EARLIER_SHIFT_AT_MOST, facts=gap)
        case _:
            return window_why(visit.duration_min, facts, at)


def window_why(duration_min: int, facts: KeptOutFacts, at: Callable[[int], str]) -> Explanation:
    """Why no start in the windows works, quoting only numbers that show it.

    Checked in order, so that each sentence's numbers bear it out: the windows lie outside
    the shift's bounds; the earliest arrival is after the windows (clipped to the shift)
    close; the latest start that gets back in time is before they open; otherwise the
    windows fall between those two times without a start that fits. ``at`` turns seconds
    of the plan day into an instant (ISO 8601).
    """
    lo, hi = facts.bounds
    inside = [(max(a, lo), min(b, hi)) for a, b in facts.windows if max(a, lo) <= min(b, hi)]
    arrive, last_start = facts.reachable
    known: dict[str, Fact] = {"duration_min": duration_min}
    if not inside:
        return Explanation(
            code=Why.WINDOW_NOT_IN_SHIFT,
            facts=known
            | {
                "opens_at": at(min(a for a, _ in facts.windows)),
                "closes_at": at(max(b for _, b in facts.windows)),
                "shift_from_at": at(lo),
                "shift_to_at": at(hi),
            },
        )
    first, last = min(a for a, _ in inside), max(b for _, b in inside)
    if arrive > last:
        return Explanation(
            code=Why.WINDOW_CLOSES_BEFORE_ARRIVAL,
            facts=known | {"last_at": at(last), "arrive_at": at(arrive)},
        )
    if last_start < first:
        return Explanation(
            code=Why.WINDOW_OPENS_TOO_LATE_TO_RETURN,
            facts=known | {"first_at": at(first), "last_start_at": at(last_start)},
        )
    return Explanation(
        code=Why.WINDOW_BETWEEN,
        facts=known
        | {
            "arrive_at": at(arrive),
            "last_start_at": at(last_start),
            "windows": [f"{at(a)}/{at(b)}" for a, b in inside],
        },
    )


def competence_why(task: Task, visit: Visit, staff: tuple[Staff, ...]) -> Explanation:
    """Which competence or skill nobody on shift has, for this task itself or, when the
    task's own needs are met, for the other task of the visit that it shares."""
    own = _missing(task.required_competence, task.required_skills, staff)
    if own is not None:
        return own
    for other in visit.tasks:
        missing = _missing(other.required_competence, other.required_skills, staff)
        if missing is not None:
            return Explanation(
                code=Why.SHARED_VISIT,
                facts={"other_task": other.description, "lack": missing.code} | missing.facts,
            )
    needs = _missing(visit.required_competence, visit.required_skills, staff)
    lack: dict[str, Fact] = {"lack": needs.code} | needs.facts if needs else {}
    return Explanation(code=Why.VISIT_TOGETHER, facts=lack)


def _missing(
    level: CompetenceLevel, skills: frozenset[Skill], staff: tuple[Staff, ...]
) -> Explanation | None:
    """None when someone on shift qualifies; otherwise what is missing."""
    if any(s.qualifies_for(level, skills) for s in staff):
        return None
    senior = [s for s in staff if s.competence.satisfies(level)]
    if not senior:
        return Explanation(code=Why.COMPETENCE_MISSING, facts={"level": level.value})
    lacking = sorted(k.value for k in skills if all(k not in s.skills for s in senior))
    if lacking:
        return Explanation(code=Why.SKILL_MISSING, facts={"level": level.value, "skills": lacking})
    return Explanation(
        code=Why.SKILLS_NOT_TOGETHER,
        facts={"level": level.value, "skills": sorted(k.value for k in skills)},
    )
