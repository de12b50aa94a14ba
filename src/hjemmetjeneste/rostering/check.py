"""An independent roster checker: plain Python, no OR-Tools, no shared code with the model.

Like :mod:`hjemmetjeneste.solver.check` for routes, it re-derives every rule from the domain
data: each shift is placed on the calendar with the municipality's clock times in its time
zone (real elapsed time, DST included), and the Working Environment Act's and the contracts'
rules are checked on those intervals. Each violation names the rule, the person and the date.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hjemmetjeneste.domain import MunicipalityData, Roster, ShiftKind, Staff
from hjemmetjeneste.errors import Phrase, Say, Term
from hjemmetjeneste.i18n import N_, as_written
from hjemmetjeneste.rostering.rules import ActRuleSet, Contract, ShiftNeed
from hjemmetjeneste.tasks import shift_instance

Add = Callable[..., None]
"""``add(rule, day, message, **values)``: a violation, its message marked ``N_``."""

#: Each rule as a planner names it (English; the catalogue has them in bokmål).
RULE_NAMES = {
    "one_shift_a_day": N_("one shift a day"),
    "district": N_("district"),
    "allowed_shift": N_("shift not in the contract"),
    "fixed_day_off": N_("fixed day off"),
    "absence": N_("absence"),
    "daily_rest": N_("daily rest"),
    "weekly_rest": N_("weekly rest"),
    "shift_length": N_("shift length"),
    "night_shift_length": N_("night shift length"),
    "week_hours": N_("hours in a week"),
    "average_week_hours": N_("average weekly hours"),
    "contract_hours": N_("contracted hours"),
    "consecutive_days": N_("days in a row"),
    "consecutive_nights": N_("nights in a row"),
    "weekends": N_("weekends"),
}
RULES = tuple(RULE_NAMES)


@dataclass(frozen=True)
class RosterViolation:
    """One broken rule: which rule, whose roster, from which date, and why."""

    rule: str
    staff_id: str
    day: date | None
    message: str
    phrase: Phrase | None = field(default=None, compare=False)
    """``message`` as a catalogue message with its values, to word in another language."""

    @classmethod
    def of(
        cls, rule: str, staff_id: str, day: date | None, message: str, /, **values: object
    ) -> RosterViolation:
        """A violation whose ``message`` (marked ``N_``) has ``values`` filled in."""
        phrase = Phrase.of(message, **values)
        return cls(rule, staff_id, day, str(phrase), phrase)

    def in_words(self, say: Say = as_written) -> str:
        """Rule, person, date and why, in the language of ``say`` (English by default)."""
        rule = say(RULE_NAMES[self.rule]) if say is not as_written else self.rule
        why = self.message if self.phrase is None else self.phrase.worded(say)
        return f"{rule}: {self.staff_id} {self.day or ''}: {why}".replace("  ", " ")

    def __str__(self) -> str:
        return self.in_words()


@dataclass(frozen=True)
class _Worked:
    day: date
    kind: ShiftKind
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _hours_between(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600


def check_roster(
    data: MunicipalityData,
    roster: Roster,
    district_id: str,
    first: date,
    n_days: int,
    *,
    contracts: dict[str, Contract] | None = None,
    rules: ActRuleSet | None = None,
    absent: dict[str, frozenset[date]] | None = None,
) -> list[RosterViolation]:
    """Every Act and contract rule broken by the district's roster from ``first`` for
    ``n_days`` days (an empty list when the roster keeps them all).

    Time outside the period counts as rest, so a period's edges never break a rule.
    """
    rules = rules or ActRuleSet()
    contracts = contracts or {}
    absent = absent or {}
    last = first + timedelta(days=n_days - 1)
    staff = {s.staff_id: s for s in data.staff}
    violations: list[RosterViolation] = []
    shifts: dict[str, list[_Worked]] = defaultdict(list)
    for e in roster.entries:
        if not first <= e.date <= last:
            continue
        person = staff.get(e.staff_id)
        if person is None or person.district_id != e.district_id:
            violations.append(
                RosterViolation.of(
                    "district",
                    e.staff_id,
                    e.date,
                    N_("not staff of {district}"),
                    district=e.district_id,
                )
            )
            continue
        if e.district_id != district_id:
            continue
        inst = shift_instance(data.municipality, e.date, e.shift)
        shifts[e.staff_id].append(_Worked(e.date, e.shift, inst.start, inst.end))
    for staff_id, worked in sorted(shifts.items()):
        worked.sort(key=lambda w: w.start)
        contract = contracts.get(staff_id, Contract(staff_id))
        violations += _check_person(
            staff[staff_id], worked, contract, rules, first, n_days, absent.get(staff_id)
        )
    return violations


def _check_person(
    person: Staff,
    worked: list[_Worked],
    contract: Contract,
    rules: ActRuleSet,
    first: date,
    n_days: int,
    absent: frozenset[date] | None,
) -> list[RosterViolation]:
    sid = person.staff_id
    out: list[RosterViolation] = []

    def add(rule: str, day: date | None, message: str, /, **values: object) -> None:
        out.append(RosterViolation.of(rule, sid, day, message, **values))

    by_day: dict[date, list[_Worked]] = defaultdict(list)
    for w in worked:
        by_day[w.day].append(w)
    for day, ws in by_day.items():
        if len(ws) > 1:
            add("one_shift_a_day", day, N_("{n} shifts start on the same date"), n=len(ws))
    for w in worked:
        if w.kind not in contract.allowed_shifts:
            add(
                "allowed_shift",
                w.day,
                N_("works a {kind} shift the contract does not include"),
                kind=Term(w.kind),
            )
        if w.day.isoweekday() in contract.fixed_days_off:
            add("fixed_day_off", w.day, N_("works on a fixed day off"))
        if absent and w.day in absent:
            add("absence", w.day, N_("works while absent"))
        lengths = (
            (
                "shift_length",
                True,
                rules.max_shift_h,
                N_("{hours:.1f} h shift, at most {most:g} h"),
            ),
            (
                "night_shift_length",
                w.kind == ShiftKind.NIGHT,
                rules.max_night_shift_h,
                N_("{hours:.1f} h night, at most {most:g} h"),
            ),
        )
        for rule, applies, most, message in lengths:
            if applies and w.hours > most + 1e-9:
                add(rule, w.day, message, hours=w.hours, most=most)
    for a, b in itertools.pairwise(worked):
        gap = _hours_between(a.end, b.start)
        if gap < rules.min_daily_rest_h - 1e-9:
            add(
                "daily_rest",
                b.day,
                N_("{gap:.1f} h rest after the {day} {kind} shift, at least {least:g} h"),
                gap=gap,
                day=a.day,
                kind=Term(a.kind),
                least=rules.min_daily_rest_h,
            )
    _weekly(person, worked, rules, first, n_days, add)
    _runs(worked, rules, add)
    _weekends(worked, rules, first, n_days, add)
    return out


def _weeks(first: date, n_days: int) -> list[list[date]]:
    weeks: list[list[date]] = []
    for i in range(n_days):
        d = first + timedelta(days=i)
        if not weeks or d.weekday() == 0:
            weeks.append([])
        weeks[-1].append(d)
    return weeks


def _weekly(
    person: Staff, worked: list[_Worked], rules: ActRuleSet, first: date, n_days: int, add: Add
) -> None:
    total = sum(w.hours for w in worked)
    for week in _weeks(first, n_days):
        hours = sum(w.hours for w in worked if w.day in week)
        if hours > rules.max_week_h + 1e-9:
            add(
                "week_hours",
                week[0],
                N_("{hours:.1f} h in the week, at most {most:g} h"),
                hours=hours,
                most=rules.max_week_h,
            )
        if len(week) < 7:
            continue
        # The longest rest that includes a whole date of the week with no shift starting.
        best = 0.0
        for d in week:
            if any(w.day == d for w in worked):
                continue
            before = [w.end for w in worked if w.day < d]
            after = [w.start for w in worked if w.day > d]
            if not before or not after:  # the rest runs past the period's edge
                best = float("inf")
                break
            best = max(best, _hours_between(max(before), min(after)))
        if best < rules.weekly_rest_h - 1e-9:
            add(
                "weekly_rest",
                week[0],
                N_("longest rest in the week {best:.1f} h, at least {least:g} h"),
                best=best,
                least=rules.weekly_rest_h,
            )
    if total * 7 > rules.max_average_week_h * n_days + 1e-6:
        add(
            "average_week_hours",
            None,
            N_("{hours:.1f} h a week on average, at most {most:g} h"),
            hours=total * 7 / n_days,
            most=rules.max_average_week_h,
        )
    contracted = person.contracted_fte * rules.full_time_week_h * n_days / 7
    if total > contracted + max(rules.hours_tolerance_h, 0) + 1e-6 and total > max(
        (w.hours for w in worked), default=0
    ):
        add(
            "contract_hours",
            None,
            N_("{total:.1f} h in the period, position allows {allowed:.1f} h (+{tolerance:g} h)"),
            total=total,
            allowed=contracted,
            tolerance=rules.hours_tolerance_h,
        )
    return []


def _runs(worked: list[_Worked], rules: ActRuleSet, add: Add) -> None:
    days = sorted({w.day for w in worked})
    nights = sorted({w.day for w in worked if w.kind == ShiftKind.NIGHT})
    for seq, most, rule in (
        (days, rules.max_consecutive_days, "consecutive_days"),
        (nights, rules.max_consecutive_nights, "consecutive_nights"),
    ):
        for start, length in _streaks(seq):
            if length > most:
                add(rule, start, N_("{n} in a row, at most {most}"), n=length, most=most)


def _streaks(days: Sequence[date]) -> Iterable[tuple[date, int]]:
    start, length = None, 0
    for i, d in enumerate(days):
        if i and d - days[i - 1] == timedelta(days=1):
            length += 1
        else:
            if start is not None:
                yield start, length
            start, length = d, 1
    if start is not None:
        yield start, length


def _weekends(worked: list[_Worked], rules: ActRuleSet, first: date, n_days: int, add: Add) -> None:
    saturdays = []
    for i in range(n_days):
        d = first + timedelta(days=i)
        if d.weekday() == 5 or (i == 0 and d.weekday() == 6):
            saturdays.append(d if d.weekday() == 5 else d - timedelta(days=1))
    worked_days = {w.day for w in worked}
    flags = [sat in worked_days or sat + timedelta(days=1) in worked_days for sat in saturdays]
    most, span = rules.weekend_window
    for s in range(max(1, len(flags) - span + 1)):
        if sum(flags[s : s + span]) > most:
            add(
                "weekends",
                saturdays[s],
                N_("{n} weekends worked among {span} from here, at most {most}"),
                n=sum(flags[s : s + span]),
                span=span,
                most=most,
            )


def check_cover(
    roster: Roster, data: MunicipalityData, district_id: str, needs: Sequence[ShiftNeed]
) -> list[str]:
    """Each need the roster leaves short, one line each (the cover is the model's soft part)."""
    staff = {s.staff_id: s for s in data.staff}
    short: list[str] = []
    for need in needs:
        people = [staff[sid] for sid in roster.on_shift(need.day, need.shift, district_id)]
        if len(people) < need.total:
            short.append(f"{need.day} {need.shift}: {len(people)} of {need.total} caregivers")
        for level, count in need.by_competence.items():
            have = sum(p.competence.satisfies(level) for p in people)
            if have < count:
                short.append(f"{need.day} {need.shift}: {have} of {count} {level}")
        for skill, count in need.by_skill.items():
            have = sum(skill in p.skills for p in people)
            if have < count:
                short.append(f"{need.day} {need.shift}: {have} of {count} {skill}")
    return short
