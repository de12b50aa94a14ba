"""How a plan is shown: worklists, unplaced tasks and key figures as tables, plain text, CSV
or JSON, in Norwegian bokmål or English (gettext catalogues in ``hjemmetjeneste/locale``).

Every piece of data is escaped before rich sees it: free text is never read as markup.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table

from hjemmetjeneste.cli.app import console
from hjemmetjeneste.cli.i18n import N_, _
from hjemmetjeneste.domain import HOME, Municipality, PlanResult, UnplacedTask, WorklistPlace
from hjemmetjeneste.errors import worded
from hjemmetjeneste.solver.check import KIND_NAMES, Names, Violation, describe
from hjemmetjeneste.tasks import defined_shifts

FORMATS = ("table", "text", "csv", "json")


def _table(*, title: str, fmt: str = "table", title_justify: Any = "center") -> Table:
    """A table with boxes, or without (``text``) for logs and mail."""
    return Table(
        title=title,
        title_justify=title_justify,
        box=None if fmt == "text" else box.HEAVY_HEAD,
        show_edge=fmt != "text",
    )


def _place(place: WorklistPlace | None) -> str:
    """Where a day starts or ends when it is not the district's base, after its time."""
    if place is None:
        return ""
    return (
        f" ({_('home')})"
        if place.place_id == HOME
        else f" ({escape(place.name or place.place_id)})"
    )


def _print_csv(result: PlanResult) -> None:
    """One row per visit of each worklist, then the unplaced and outside-every-shift tasks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["status", "staff_id", "staff", "sequence", "arrival", "wait_min", "start", "end",
         "window", "patient_id", "patient", "address", "tasks", "key_box_note", "with",
         "reason", "explanation"]
    )  # fmt: skip
    names = {w.staff_id: w.first_name for w in result.worklists}
    for w in result.worklists:
        for v in w.visits:
            writer.writerow(
                ["planned", w.staff_id, w.first_name, v.sequence, v.arrival.isoformat(),
                 int((v.start - v.arrival).total_seconds()) // 60, v.start.isoformat(),
                 v.end.isoformat(), f"{_clock(v.window_start)}-{_clock(v.window_end)}",
                 v.patient_id, v.patient_name, v.address,
                 "; ".join(t.description for t in v.tasks), v.key_box_note or "",
                 ", ".join(names.get(s, s) for s in v.partner_staff_ids), "", ""]
            )  # fmt: skip
        for b in w.breaks:
            writer.writerow(
                ["break", w.staff_id, w.first_name, "", "", "", b.start.isoformat(),
                 b.end.isoformat(), "", "", "", "", "", "", "", "", ""]
            )  # fmt: skip
    for status, tasks in (("unplaced", result.unplaced),
                          ("outside_every_shift", result.outside_every_shift)):  # fmt: skip
        for u in tasks:
            writer.writerow(
                [status, "", "", "", "", "", "", "",
                 f"{_clock(u.window_start)}-{_clock(u.window_end)}", u.patient_id,
                 u.patient_name, u.address, u.description, "", "", u.reason.value,
                 u.explanation]
            )  # fmt: skip
    for c in result.cancelled:
        writer.writerow(
            ["cancelled", "", "", "", "", "", "", "",
             f"{_clock(c.window_start)}-{_clock(c.window_end)}", c.patient_id, "", "",
             c.description, "", "", "event", c.event_id]
        )  # fmt: skip
    # Plain output: no markup, no highlighting, no wrapping.
    console.out(buffer.getvalue(), end="", highlight=False)


def _clock(value: datetime) -> str:
    return value.strftime("%H:%M")


def _clock_offset(value: datetime, result: PlanResult) -> str:
    """HH:MM, with the UTC offset when the shift crosses a DST change (02:30 can then be
    two different instants, or the end can read earlier than the start)."""
    if result.shift_start.utcoffset() != result.shift_end.utcoffset():
        offset = value.strftime("%z")
        return f"{value:%H:%M} (UTC{offset[:3]}:{offset[3:]})"
    return _clock(value)


def _minutes(seconds: int) -> str:
    return _("{n} min").format(n=seconds // 60)


def hours(seconds: float) -> str:
    """Seconds as hours with one decimal and the unit of the language."""
    return _("{h:.1f} h").format(h=seconds / 3600)


def shifts_in_words(municipality: Municipality) -> str:
    """The shifts a municipality defines, as ``dagvakt 07:30–15:00, kveldsvakt 15:00–22:30``."""
    return worded(defined_shifts(municipality), _)


_STATUS_WORDS = {
    "not_solved": N_("not started"),
    "success": N_("plan found, no better one nearby"),
    "partial_success_local_optimum_not_reached": N_("plan found; the time limit ended the search"),
    "fail": N_("no plan found"),
    "fail_timeout": N_("no plan found within the time limit"),
    "invalid": N_("the model was invalid"),
    "infeasible": N_("no plan satisfies the rules"),
    "optimal": N_("best possible plan found"),
    "trivial": N_("nothing to plan"),
    "from_json": N_("plan read from a file"),
}


_KEPT = "kept: "
_IMPROVED = re.compile(r"(warm )?ruin and recreate: (\d+) iterations")


def status_in_words(status: str) -> str:
    """The solver's status as a planner reads it.

    The status stays machine-readable where the solver writes it (``success; ruin and
    recreate: 812 iterations``, ``kept: <status>`` when a re-plan kept the earlier
    worklists): here each part is put in words from the catalogue.
    """
    if status.startswith(_KEPT):
        return _("earlier worklists kept ({status})").format(
            status=status_in_words(status.removeprefix(_KEPT))
        )
    head, _sep, rest = status.partition(";")
    known = _STATUS_WORDS.get(head.strip().lower())
    words = _(known) if known else head.replace("_", " ")
    if not rest:
        return words
    improved = _IMPROVED.fullmatch(rest.strip())
    if improved:
        detail = (
            _("from the earlier plan, improved in {n} rounds")
            if improved.group(1)
            else _("improved in {n} rounds")
        )
        rest = " " + detail.format(n=improved.group(2))
    return f"{words};{rest}"


def print_result(result: PlanResult, details: bool, fmt: str = "table") -> None:
    """Worklists, unplaced tasks, tasks outside every shift and the key figures.

    Every piece of data is escaped: a description like ``[/hjelp]`` is printed as written.
    ``fmt``: table (boxes), text (the same without boxes), csv (one row per visit, unplaced
    task and task outside every shift) or json (the plan's JSON).
    """
    if fmt == "json":
        console.print_json(result.model_dump_json())
        return
    if fmt == "csv":
        _print_csv(result)
        return
    names = {w.staff_id: w.first_name for w in result.worklists}
    console.print(
        f"[bold]{escape(result.district_id)} · {result.date} · {_(result.shift.value)} "
        f"{_clock_offset(result.shift_start, result)}–{_clock_offset(result.shift_end, result)}"
        "[/bold]"
    )
    critical = [u for u in (*result.unplaced, *result.outside_every_shift) if u.time_critical]
    if critical:
        console.print(
            "[bold red]"
            + _("{n} TIME-CRITICAL task(s) could not be placed:").format(n=len(critical))
        )
        for u in critical:
            console.print(
                f"  [red]{escape(u.task_id)}[/red] {escape(u.patient_name)}: "
                f"{escape(u.description)}: {escape(u.explanation)}"
            )

    summary = _table(title=_("Worklists"), fmt=fmt)
    for col in (
        _("Staff"), _("Competence"), _("Mode"), _("Out"), _("Back"), _("Visits"),
        _("Service"), _("Travel"), _("Waiting"), _("Break"),
    ):  # fmt: skip
        summary.add_column(col)
    for w in result.worklists:
        summary.add_row(
            escape(f"{w.first_name} ({w.staff_id})"),
            escape(w.competence),
            escape(_(w.travel_mode)),
            _clock_offset(w.leave_base, result) + _place(w.start_place),
            _clock_offset(w.return_base, result) + _place(w.end_place),
            str(len(w.visits)),
            _minutes(w.service_s),
            _minutes(w.travel_s),
            _minutes(w.wait_s),
            ", ".join(
                f"{_clock_offset(b.start, result)}–{_clock_offset(b.end, result)}" for b in w.breaks
            ),
        )
    console.print(summary)

    if details:
        for w in result.worklists:
            if not w.visits:
                continue
            table = _table(
                title=escape(f"{w.first_name} ({w.staff_id})"), title_justify="left", fmt=fmt
            )
            for col in (
                "#", _("Arrive"), _("Wait"), _("Start"), _("End"), _("Window"), _("Patient"),
                _("Address"), _("Tasks"), _("Key box"), _("With"),
            ):  # fmt: skip
                table.add_column(col)
            # Visits and breaks in the order of the day: a break between two visits is read
            # where it is taken.
            rows: list[tuple[datetime, list[str]]] = []
            for v in w.visits:
                wait = int((v.start - v.arrival).total_seconds())
                rows.append((v.start, [
                    str(v.sequence),
                    _clock_offset(v.arrival, result),
                    _minutes(wait) if wait else "",
                    _clock_offset(v.start, result),
                    _clock_offset(v.end, result),
                    f"{_clock(v.window_start)}–{_clock(v.window_end)}",
                    escape(v.patient_name),
                    escape(v.address),
                    escape("; ".join(t.description for t in v.tasks)),
                    escape(v.key_box_note or ""),
                    escape(", ".join(f"{names.get(s, s)} ({s})" for s in v.partner_staff_ids)),
                ]))  # fmt: skip
            for b in w.breaks:
                rows.append((b.start, [
                    "", "", "", _clock_offset(b.start, result), _clock_offset(b.end, result), "",
                    "[italic]" + escape(_("Break")) + "[/italic]",
                ]))  # fmt: skip
            for _start, row in sorted(rows, key=lambda r: r[0]):
                table.add_row(*row)
            console.print(table)

    print_unplaced(_("Unplaced tasks ({n})").format(n=len(result.unplaced)), result.unplaced, fmt)
    print_unplaced(
        _("Tasks of {date} outside every shift ({n})").format(
            date=result.date, n=len(result.outside_every_shift)
        ),
        result.outside_every_shift,
        fmt,
    )
    print_cancelled(result)
    if result.as_needed:
        console.print(
            _("As needed, not planned: {n} intervention(s)").format(n=len(result.as_needed))
        )
    console.print(escape(key_figures(result)))


_SHIFT_NAMES = (N_("day"), N_("evening"), N_("night"))


def key_figures(result: PlanResult) -> str:
    """The shift's key figures in words, with units."""
    k = result.kpis
    return _(
        "Tasks placed {tp}/{tt} · visits placed {vp}/{vt} · staff used {su}/{so} · "
        "patient time {pt:.1%} · travel {travel} ({ts:.1%} of paid time) · waiting {wait} · "
        "outside every shift {outside} · search: {status} in {secs:.1f} s"
    ).format(
        tp=k.tasks_placed, tt=k.tasks_total, vp=k.visits_placed, vt=k.visits_total,
        su=k.staff_used, so=k.staff_on_shift, pt=k.patient_time_share,
        travel=hours(k.travel_s), ts=k.travel_share, wait=hours(k.wait_s),
        outside=len(result.outside_every_shift), status=status_in_words(result.solver_status),
        secs=result.solve_seconds,
    )  # fmt: skip


def print_cancelled(result: PlanResult) -> None:
    """The tasks events took out of the plan, each with its event (none: nothing printed)."""
    if not result.cancelled:
        return
    console.print(_("Cancelled by events ({n})").format(n=len(result.cancelled)))
    for c in result.cancelled:
        console.print(
            "  "
            + _("Cancelled by event {event}: task {task} of patient {patient}").format(
                event=escape(c.event_id), task=escape(c.task_id), patient=escape(c.patient_id)
            )
        )


def print_unplaced(title: str, tasks: tuple[UnplacedTask, ...], fmt: str = "table") -> None:
    """A table of unplaced tasks: patient, address, window, what, reason in words."""
    if not tasks:
        return
    table = _table(title=escape(title), title_justify="left", fmt=fmt)
    for col in (_("Patient"), _("Address"), _("Window"), _("Task"), _("Why")):
        table.add_column(col)
    for u in tasks:
        table.add_row(
            escape(u.patient_name or u.patient_id),
            escape(u.address),
            f"{_clock(u.window_start)}–{_clock(u.window_end)}",
            escape(f"{u.description} ({u.task_id})"),
            escape(u.explanation),
        )
    console.print(table)


def violation_in_words(violation: Violation) -> str:
    """A checker violation of a plan just made, in the chosen language: the rule it breaks
    and the sentence (in solver terms: the plan was not written)."""
    return f"{_(KIND_NAMES[violation.kind])}: {describe(violation, Names(_))}"
