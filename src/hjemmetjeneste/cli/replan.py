"""`plan --absent S022 --now 10:30`: re-plan a published (or just computed) shift after the
day's events, with minimal change, and print the changes per nurse."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rich.markup import escape
from rich.table import Table

from hjemmetjeneste.cli.app import console, err_console
from hjemmetjeneste.cli.i18n import N_, _
from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind
from hjemmetjeneste.domain.events import (
    EmergencyVisit,
    Event,
    HospitalAdmission,
    PatientAbsence,
    StaffAbsence,
    VisitChange,
)

__all__ = ["cli_events", "parse_now", "print_changes", "published_plan"]

_TYPE = {
    "added": N_("added"),
    "removed": N_("removed (not planned)"),
    "moved": N_("moved"),
    "reassigned": N_("to another nurse"),
    "cancelled": N_("cancelled"),
}


def parse_now(value: str, day: date, zone: str) -> datetime:
    """``--now HH:MM`` on ``day`` in the municipality's time zone."""
    try:
        clock = time.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(
            _("--now needs a time as HH:MM, got {value!r}").format(value=value)
        ) from exc
    return datetime.combine(day, clock, ZoneInfo(zone))


def cli_events(
    day: date,
    shift: ShiftKind,
    now: datetime,
    absent: list[str],
    cancel_patient: list[str],
    admit: list[str],
    emergency: list[str],
) -> dict[str, Event]:
    """The events the options name, with ids ``cli-1``, ``cli-2``, …

    ``--cancel-patient P`` is the patient away from now to the end of the next day;
    ``--emergency P:MINUTES:WITHIN`` a visit of MINUTES within WITHIN minutes of now.
    """
    found: list[Event] = [StaffAbsence(staff_id=s, start=now) for s in absent]
    until = datetime.combine(day + timedelta(days=2), time(0, 0), now.tzinfo)
    found += [PatientAbsence(patient_id=p, start=now, end=until) for p in cancel_patient]
    found += [HospitalAdmission(patient_id=p, admitted_at=now) for p in admit]
    for text in emergency:
        parts = text.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise ValueError(
                _("--emergency needs PATIENT:MINUTES:WITHIN_MINUTES, got {value!r}").format(
                    value=text
                )
            )
        found.append(
            EmergencyVisit(
                patient_id=parts[0],
                date=day,
                shift=shift,
                duration_min=int(parts[1]),
                within_min=int(parts[2]),
                requested_at=now,
            )
        )
    return {f"cli-{k}": event for k, event in enumerate(found, start=1)}


def published_plan(
    database_url: str, data: MunicipalityData, day: date, shift: ShiftKind, district_id: str
) -> PlanResult | None:
    """The current published plan of the shift in the store, or None."""
    from hjemmetjeneste.store import open_store, runs

    store = open_store(database_url)
    try:
        mid = data.municipality.municipality_id
        pubs = runs.current_publications(
            store.engine, mid, day, shift.value, district_id=district_id
        )
        if not pubs:
            return None
        text = runs.run_result_json(store.engine, mid, pubs[0].run_id)
    finally:
        store.close()
    return None if text is None else PlanResult.model_validate_json(text)


def print_changes(
    changes: tuple[VisitChange, ...], by_nurse: dict[str, list[VisitChange]], source: str
) -> None:
    """One table per nurse: each changed visit, how, before and after (data escaped)."""
    console.print(
        _("Re-planned from {source}: {n} change(s)").format(source=escape(source), n=len(changes))
    )
    zone_fmt = "%H:%M"
    for staff_id, mine in sorted(by_nurse.items()):
        table = Table(
            title=_("Changes for {staff}").format(staff=escape(staff_id)), title_justify="left"
        )
        for col in (_("Visit"), _("Patient"), _("Change"), _("Before"), _("After")):
            table.add_column(col)
        for c in mine:
            before = (
                ""
                if c.before is None
                else f"{c.before.start.strftime(zone_fmt)} {c.before.staff_id}"
            )
            after = (
                "" if c.after is None else f"{c.after.start.strftime(zone_fmt)} {c.after.staff_id}"
            )
            table.add_row(
                escape(c.visit_id), escape(c.patient_id), _(_TYPE[c.type.value]),
                escape(before), escape(after),
            )  # fmt: skip
        console.print(table)
    if not by_nurse:
        err_console.print(_("No worklist changed."))
