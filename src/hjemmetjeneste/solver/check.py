"""An independent feasibility checker: re-validates a solution without OR-Tools.

It recomputes every route's clock from the problem's matrices and reports typed violations,
so that a bug in the model, the extraction or a hand edit cannot go unnoticed. Each kind is a
rule a planner would name; each violation is data (kind, vehicle, job, the numbers), and
:func:`describe` is the one place that turns it into a sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from hjemmetjeneste.i18n import N_, as_written
from hjemmetjeneste.solver.problem import Route, RoutingProblem, Solution


class ViolationKind(StrEnum):
    """What rule a solution breaks."""

    NOT_A_JOB = "not_a_job"
    SERVED_TWICE = "served_twice"
    NEITHER_SERVED_NOR_DROPPED = "neither_served_nor_dropped"
    MISSING_COMPETENCE = "missing_competence"
    REFUSED_CAREGIVER = "refused_caregiver"
    PIN_IGNORED = "pin_ignored"
    STARTS_BEFORE_WINDOW = "starts_before_window"
    LATE_START = "late_start"
    START_BETWEEN_WINDOWS = "start_between_windows"
    STARTS_BEFORE_ARRIVAL = "starts_before_arrival"
    OVERLAP = "overlap"
    LEAVES_BEFORE_SHIFT = "leaves_before_shift"
    SHIFT_OVERRUN = "shift_overrun"
    MISSING_BREAK = "missing_break"
    BREAK_DURING_VISIT = "break_during_visit"
    UNSYNCHRONISED_DOUBLE_STAFFING = "unsynchronised_double_staffing"
    GAP_VIOLATED = "gap_violated"
    CAPACITY_EXCEEDED = "capacity_exceeded"


#: Each kind as a planner names it (English; the catalogue has them in bokmål).
KIND_NAMES: dict[ViolationKind, str] = {
    ViolationKind.NOT_A_JOB: N_("not a plannable visit"),
    ViolationKind.SERVED_TWICE: N_("planned twice"),
    ViolationKind.NEITHER_SERVED_NOR_DROPPED: N_("neither planned nor unplaced"),
    ViolationKind.MISSING_COMPETENCE: N_("missing competence"),
    ViolationKind.REFUSED_CAREGIVER: N_("refused caregiver"),
    ViolationKind.PIN_IGNORED: N_("pin ignored"),
    ViolationKind.STARTS_BEFORE_WINDOW: N_("too early"),
    ViolationKind.LATE_START: N_("too late"),
    ViolationKind.START_BETWEEN_WINDOWS: N_("between windows"),
    ViolationKind.STARTS_BEFORE_ARRIVAL: N_("starts before arrival"),
    ViolationKind.OVERLAP: N_("overlap"),
    ViolationKind.LEAVES_BEFORE_SHIFT: N_("leaves before the shift"),
    ViolationKind.SHIFT_OVERRUN: N_("shift overrun"),
    ViolationKind.MISSING_BREAK: N_("missing break"),
    ViolationKind.BREAK_DURING_VISIT: N_("break during a visit"),
    ViolationKind.UNSYNCHRONISED_DOUBLE_STAFFING: N_("double staffing out of step"),
    ViolationKind.GAP_VIOLATED: N_("gap broken"),
    ViolationKind.CAPACITY_EXCEEDED: N_("capacity exceeded"),
}


@dataclass(frozen=True)
class Violation:
    """One broken rule as data: the rule, where (vehicle, job), the other job or vehicle
    involved and the numbers (seconds, loads). :func:`describe` turns it into a sentence.

    ``other`` is the second job of an overlap, a double-staffed pair or a gap, or the vehicle
    a job is pinned to. ``values`` holds the rule's numbers by name: moments (``start_s``,
    ``window_end_s``, ...) and durations (``gap_s``, ``duration_s``, ...) in seconds of the
    plan day, plain counts (``count``, ``load``, ``capacity``) otherwise.
    """

    kind: ViolationKind
    vehicle: int | None
    node: int | None
    other: int | None = None
    values: dict[str, int] = field(default_factory=dict, hash=False)
    windows: tuple[tuple[int, int], ...] = ()

    @property
    def message(self) -> str:
        """The sentence in solver terms (vehicle and job indices, seconds)."""
        return describe(self)


class Names:
    """How :func:`describe` names things: solver indices and seconds. The planning layer
    passes its own (caregivers, visits, clock times, minutes). ``say`` words the messages
    (``cli.i18n._``, ``i18n.translate``); English as written by default."""

    def __init__(self, say: Callable[[str], str] = as_written) -> None:
        self.say = say

    def vehicle(self, v: int) -> str:
        """A vehicle (caregiver)."""
        return self.say(N_("vehicle {v}")).format(v=v)

    def job(self, node: int) -> str:
        """A job (visit)."""
        return self.say(N_("job {node}")).format(node=node)

    def pair(self, a: int, b: int) -> str:
        """The two jobs of a double-staffed visit."""
        return self.say(N_("jobs {a}/{b}")).format(a=a, b=b)

    def moment(self, s: int) -> str:
        """A moment, in seconds from the start of the plan day."""
        return f"{s}s"

    def duration(self, s: int) -> str:
        """A duration in seconds."""
        return f"{s}s"


def describe(v: Violation, names: Names | None = None) -> str:
    """The one place where violations become sentences; ``names`` names what they concern
    and words the sentence (its ``say``: English by default)."""
    n = names or Names()
    x = v.values
    job = n.job(v.node) if v.node is not None else ""
    car = n.vehicle(v.vehicle) if v.vehicle is not None else ""
    m, d = n.moment, n.duration

    def say(template: str, **values: object) -> str:
        return n.say(template).format(**values)

    match v.kind:
        case ViolationKind.NOT_A_JOB:
            return say(N_("node {node} is no job"), node=v.node)
        case ViolationKind.SERVED_TWICE:
            return say(N_("{job} served {count}×"), job=job, count=x["count"])
        case ViolationKind.NEITHER_SERVED_NOR_DROPPED:
            return say(N_("{job} is neither on a route nor reported as dropped"), job=job)
        case ViolationKind.REFUSED_CAREGIVER:
            return say(N_("the patient of {job} has refused {staff}"), job=job, staff=car)
        case ViolationKind.PIN_IGNORED if "pinned_start_s" in x:
            return say(
                N_("{job} is pinned to start at {pinned} but starts at {start}"),
                job=job,
                pinned=m(x["pinned_start_s"]),
                start=m(x["start_s"]),
            )
        case ViolationKind.PIN_IGNORED:
            return say(
                N_("{job} is pinned to {pinned} but is on {staff}"),
                job=job,
                pinned=n.vehicle(v.other or 0),
                staff=car,
            )
        case ViolationKind.MISSING_COMPETENCE:
            return say(N_("{staff} lacks competence or skills for {job}"), staff=car, job=job)
        case ViolationKind.STARTS_BEFORE_WINDOW:
            return say(
                N_("{job} starts at {start}, window opens {opens}"),
                job=job,
                start=m(x["start_s"]),
                opens=m(x["window_start_s"]),
            )
        case ViolationKind.LATE_START:
            return say(
                N_("{job} starts at {start}, window closes {closes}"),
                job=job,
                start=m(x["start_s"]),
                closes=m(x["window_end_s"]),
            )
        case ViolationKind.START_BETWEEN_WINDOWS:
            windows = ", ".join(f"{m(a)}–{m(b)}" for a, b in v.windows)
            return say(
                N_("{job} starts at {start}, between its windows {windows}"),
                job=job,
                start=m(x["start_s"]),
                windows=windows,
            )
        case ViolationKind.OVERLAP:
            return say(
                N_(
                    "{job} starts at {start} while the caregiver is still busy at {other} "
                    "until {until}"
                ),
                job=job,
                start=m(x["start_s"]),
                other=n.job(v.other or 0),
                until=m(x["busy_until_s"]),
            )
        case ViolationKind.STARTS_BEFORE_ARRIVAL:
            paused = x.get("break_s", 0)
            sentence = say(
                N_("{job} starts at {start} but cannot be reached before {earliest}"),
                job=job,
                start=m(x["start_s"]),
                earliest=m(x["earliest_s"]),
            )
            return sentence + (
                say(N_(" (with {pause} of break)"), pause=d(paused)) if paused else ""
            )
        case ViolationKind.LEAVES_BEFORE_SHIFT:
            return say(
                N_("{staff} leaves at {depart}, shift starts {starts}"),
                staff=car,
                depart=m(x["depart_s"]),
                starts=m(x["shift_start_s"]),
            )
        case ViolationKind.SHIFT_OVERRUN:
            return say(
                N_("{staff} is back at {back}, the shift may last until {end} at most"),
                staff=car,
                back=m(x["back_s"]),
                end=m(x["shift_end_s"]),
            )
        case ViolationKind.MISSING_BREAK:
            return say(
                N_("{staff} takes no {duration} break starting between {earliest} and {latest}"),
                staff=car,
                duration=d(x["duration_s"]),
                earliest=m(x["earliest_s"]),
                latest=m(x["latest_s"]),
            )
        case ViolationKind.BREAK_DURING_VISIT:
            return say(
                N_("{staff}'s break {start}–{end} overlaps {job} ({visit_start}–{visit_end})"),
                staff=car,
                start=m(x["break_start_s"]),
                end=m(x["break_end_s"]),
                job=job,
                visit_start=m(x["start_s"]),
                visit_end=m(x["end_s"]),
            )
        case ViolationKind.UNSYNCHRONISED_DOUBLE_STAFFING:
            pair = n.pair(v.node or 0, v.other or 0)
            if "start_s" in x:
                return say(
                    N_("double-staffed {pair} start at {start} and {other}"),
                    pair=pair,
                    start=m(x["start_s"]),
                    other=m(x["other_start_s"]),
                )
            if v.vehicle is not None:
                return say(N_("double-staffed {pair} are both on {staff}"), pair=pair, staff=car)
            return say(N_("only one caregiver of double-staffed {pair} is planned"), pair=pair)
        case ViolationKind.GAP_VIOLATED:
            bound = (
                say(N_("between {least} and {most}"), least=d(x["min_s"]), most=d(x["max_s"]))
                if "max_s" in x
                else say(N_("at least {least}"), least=d(x["min_s"]))
            )
            return say(
                N_("{job} starts {gap} after {other}; it must be {bound}"),
                job=job,
                gap=d(x["gap_s"]),
                other=n.job(v.other or 0),
                bound=bound,
            )
        case ViolationKind.CAPACITY_EXCEEDED:
            return say(
                N_("{staff} carries {load}, more than its capacity {capacity}"),
                staff=car,
                load=x["load"],
                capacity=x["capacity"],
            )
    raise ValueError(f"no sentence for {v.kind}")  # pragma: no cover - every kind has one


def check_solution(problem: RoutingProblem, solution: Solution) -> list[Violation]:
    """Every violation of the problem's hard rules in ``solution`` (empty when feasible).

    Soft rules (lateness after a soft window end, overtime before the hard maximum,
    preferences, continuity) cost but are never violations.
    """
    found: list[Violation] = []
    jobs = set(problem.job_nodes)
    counts = Counter(stop.node for r in solution.routes for stop in r.stops)
    for node, count in counts.items():
        if node not in jobs:
            found.append(Violation(ViolationKind.NOT_A_JOB, None, node))
        elif count > 1:
            found.append(Violation(ViolationKind.SERVED_TWICE, None, node, values={"count": count}))
    for node in sorted(jobs - set(counts) - set(solution.dropped)):
        found.append(Violation(ViolationKind.NEITHER_SERVED_NOR_DROPPED, None, node))
    starts: dict[int, tuple[int, int]] = {}
    for route in solution.routes:
        found += _check_route(problem, route.vehicle, route, starts)
    for a, b in problem.sync_groups:
        found += _check_sync(a, b, starts)
    found += _check_gaps(problem, starts)
    return found


def _check_assignment(problem: RoutingProblem, v: int, node: int) -> list[Violation]:
    """Who may serve the job: refusals first, then pins, then competence."""
    if v in problem.refused_vehicles[node]:
        return [Violation(ViolationKind.REFUSED_CAREGIVER, v, node)]
    pinned = int(problem.pinned_vehicle[node])
    if pinned >= 0 and pinned != v:
        return [Violation(ViolationKind.PIN_IGNORED, v, node, other=pinned)]
    if v not in problem.allowed_vehicles[node]:
        return [Violation(ViolationKind.MISSING_COMPETENCE, v, node)]
    return []


def _check_window(problem: RoutingProblem, v: int, node: int, start: int) -> list[Violation]:
    found: list[Violation] = []
    pinned = int(problem.pinned_start_s[node])
    if pinned >= 0 and start != pinned:
        found.append(
            Violation(
                ViolationKind.PIN_IGNORED,
                v,
                node,
                values={"pinned_start_s": pinned, "start_s": start},
            )
        )
    opens, closes = int(problem.window_start_s[node]), int(problem.window_end_s[node])
    if start < opens:
        found.append(
            Violation(
                ViolationKind.STARTS_BEFORE_WINDOW,
                v,
                node,
                values={"start_s": start, "window_start_s": opens},
            )
        )
    elif start > closes:
        found.append(
            Violation(
                ViolationKind.LATE_START, v, node, values={"start_s": start, "window_end_s": closes}
            )
        )
    elif not any(a <= start <= b for a, b in problem.time_windows[node]):
        found.append(
            Violation(
                ViolationKind.START_BETWEEN_WINDOWS,
                v,
                node,
                values={"start_s": start},
                windows=tuple(problem.time_windows[node]),
            )
        )
    return found


def _check_route(
    problem: RoutingProblem, v: int, route: Route, starts: dict[int, tuple[int, int]]
) -> list[Violation]:
    found: list[Violation] = []
    travel = problem.travel_for(v)
    if route.depart_s < problem.vehicle_start_s[v]:
        found.append(
            Violation(
                ViolationKind.LEAVES_BEFORE_SHIFT,
                v,
                None,
                values={
                    "depart_s": route.depart_s,
                    "shift_start_s": int(problem.vehicle_start_s[v]),
                },
            )
        )
    breaks = sorted(route.breaks)
    prev, ready, prev_end = int(problem.vehicle_start_node[v]), route.depart_s, None
    busy: list[tuple[int, int, int]] = []  # (start, end, node) of each service
    jobs = set(problem.job_nodes)
    for stop in route.stops:
        node = stop.node
        if node not in jobs:
            continue  # a depot or unknown node: check_solution reports it once, as not_a_job
        # A break taken between the previous stop and this one delays the arrival.
        paused = sum(d for s, d in breaks if ready <= s < stop.start_s)
        earliest = ready + int(travel[prev, node]) + paused
        found += _check_assignment(problem, v, node)
        if prev_end is not None and stop.start_s < prev_end:
            found.append(
                Violation(
                    ViolationKind.OVERLAP,
                    v,
                    node,
                    other=prev,
                    values={"start_s": stop.start_s, "busy_until_s": prev_end},
                )
            )
        elif stop.start_s < earliest:
            found.append(
                Violation(
                    ViolationKind.STARTS_BEFORE_ARRIVAL,
                    v,
                    node,
                    values={"start_s": stop.start_s, "earliest_s": earliest, "break_s": paused},
                )
            )
        found += _check_window(problem, v, node, stop.start_s)
        starts[node] = (v, stop.start_s)
        end = stop.start_s + int(problem.service_s[node])
        busy.append((stop.start_s, end, node))
        prev, ready, prev_end = node, max(end, ready), end
    if route.stops:
        paused = sum(d for s, d in breaks if s >= ready)
        back = ready + int(travel[prev, int(problem.vehicle_end_node[v])]) + paused
        back = max(back, route.return_s)
    else:
        back = ready
    if back > problem.vehicle_end_s[v]:
        found.append(
            Violation(
                ViolationKind.SHIFT_OVERRUN,
                v,
                None,
                values={"back_s": back, "shift_end_s": int(problem.vehicle_end_s[v])},
            )
        )
    found += _check_breaks(problem, v, breaks, busy)
    capacity = int(problem.vehicle_capacity[v])
    load = sum(int(problem.demand[s.node]) for s in route.stops if s.node in jobs)
    if capacity >= 0 and load > capacity:
        found.append(
            Violation(
                ViolationKind.CAPACITY_EXCEEDED,
                v,
                None,
                values={"load": load, "capacity": capacity},
            )
        )
    return found


def _check_breaks(
    problem: RoutingProblem,
    v: int,
    breaks: list[tuple[int, int]],
    busy: list[tuple[int, int, int]],
) -> list[Violation]:
    """Each required break is taken, long enough, inside its window and never during a visit."""
    found: list[Violation] = []
    specs = sorted(problem.vehicle_breaks[v], key=lambda b: b.earliest_s)
    # Which taken break counts for which required one is a matching (each break counts once):
    # a greedy choice could spend on a wide lunch window the only break a narrow pause fits.
    fits = [
        [i for i, (s, d) in enumerate(breaks) if spec.earliest_s <= s <= spec.latest_s
         and d >= spec.duration_s]
        for spec in specs
    ]  # fmt: skip
    counted_for: dict[int, int] = {}  # taken break -> the required break it counts for

    def count(k: int, tried: set[int]) -> bool:
        for i in fits[k]:
            if i not in tried:
                tried.add(i)
                if i not in counted_for or count(counted_for[i], tried):
                    counted_for[i] = k
                    return True
        return False

    for k, spec in enumerate(specs):
        if not count(k, set()):
            found.append(
                Violation(
                    ViolationKind.MISSING_BREAK,
                    v,
                    None,
                    values={
                        "duration_s": spec.duration_s,
                        "earliest_s": spec.earliest_s,
                        "latest_s": spec.latest_s,
                    },
                )
            )
    for start, duration in breaks:
        for s, e, node in busy:
            if start < e and s < start + duration:
                found.append(
                    Violation(
                        ViolationKind.BREAK_DURING_VISIT,
                        v,
                        node,
                        values={
                            "break_start_s": start,
                            "break_end_s": start + duration,
                            "start_s": s,
                            "end_s": e,
                        },
                    )
                )
    return found


def _check_sync(a: int, b: int, starts: dict[int, tuple[int, int]]) -> list[Violation]:
    served = (a in starts, b in starts)
    kind = ViolationKind.UNSYNCHRONISED_DOUBLE_STAFFING
    if served == (False, False):
        return []
    if served != (True, True):
        return [Violation(kind, None, a, other=b)]
    if starts[a][0] == starts[b][0]:
        return [Violation(kind, starts[a][0], a, other=b)]
    if starts[a][1] != starts[b][1]:
        values = {"start_s": starts[a][1], "other_start_s": starts[b][1]}
        return [Violation(kind, None, a, other=b, values=values)]
    return []


def _check_gaps(problem: RoutingProblem, starts: dict[int, tuple[int, int]]) -> list[Violation]:
    """Minimum and maximum gaps between the starts of two served jobs."""
    found: list[Violation] = []
    for p in problem.precedences:
        if p.first not in starts or p.second not in starts:
            continue
        gap = starts[p.second][1] - starts[p.first][1]
        if gap < p.min_s or (p.max_s is not None and gap > p.max_s):
            values = {"gap_s": gap, "min_s": p.min_s}
            if p.max_s is not None:
                values["max_s"] = p.max_s
            found.append(
                Violation(
                    ViolationKind.GAP_VIOLATED,
                    starts[p.second][0],
                    p.second,
                    other=p.first,
                    values=values,
                )
            )
    return found
