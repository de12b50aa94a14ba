"""A corpus of small exports as municipalities produce them, through `import` and `plan`.

Each variant is a tiny CSV export (a few patients, one district) changed in one way: a shift
the municipality does not define, an understaffed or empty roster, a date outside the roster,
markup, control characters, emoji and very long text in every free-text field, swapped and
far-away coordinates, DST nights. Each has the exit code and a message it must give, and for
every one that plans, every task of the date is in exactly one place: a worklist, the
unplaced list or the tasks outside every shift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from factories import TINY_DAY as DAY
from factories import Tables, write_tables
from factories import tiny_intervention as _intervention
from factories import tiny_tables as base_tables
from hjemmetjeneste.cli import app
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.tasks import expand_intervention


@dataclass(frozen=True)
class Variant:
    """One export variant: the change, the command's extra arguments, what it must answer."""

    name: str
    change: Callable[[Tables], None]
    plan_exit: int
    plan_message: str = ""
    import_exit: int = 0
    import_message: str = ""
    args: tuple[str, ...] = ()
    day: date = DAY
    first: date | None = None  # plan from this date (a night before) to ``day``
    extra: dict[str, str] = field(default_factory=dict)


def _set(kind: str, row: int, column: str, value: str) -> Callable[[Tables], None]:
    def change(t: Tables) -> None:
        t[kind][row][column] = value

    return change


def _chain(*changes: Callable[[Tables], None]) -> Callable[[Tables], None]:
    def change(t: Tables) -> None:
        for c in changes:
            c(t)

    return change


def _no_night(t: Tables) -> None:
    t["municipality"][0].update(night_start="", night_end="")
    t["roster"] = [r for r in t["roster"] if r["shift"] != "night"]


def _add(row: dict[str, str]) -> Callable[[Tables], None]:
    def change(t: Tables) -> None:
        t["interventions"].append(row)

    return change


def _roster_only(kinds: set[str]) -> Callable[[Tables], None]:
    def change(t: Tables) -> None:
        t["roster"] = [r for r in t["roster"] if r["shift"] in kinds]

    return change


def _empty_roster(t: Tables) -> None:
    t["roster"] = []


MARKUP = "Morgenstell [/hjelp] (se notat [/]) [bold red]x[/] [link=file:///]"
CONTROL = "Tekst\x07 med \x1b[31mkontroll\x1b[0m tegn\x0b"
EMOJI = "Hjelp 😀🧑‍⚕️ med 💊 og ☕"
LONG = "Lang beskrivelse " * 120

# (table, row, column, printed by `plan`): names of the district, base and municipality are
# not on the plan's pages; they must still be read and planned around without harm.
FREE_TEXT = (
    ("interventions", 1, "description", True),
    ("patients", 0, "display_name", True),
    ("patients", 0, "address", True),
    ("patients", 0, "key_box_note", True),
    ("staff", 0, "first_name", True),
    ("districts", 0, "name", False),
    ("bases", 0, "name", False),
    ("municipality", 0, "name", False),
)

CRITICAL_NIGHT = _intervention(
    "I9",
    "P2",
    times="02:00",
    tolerance_min="30",
    time_critical="true",
    problem_area="Legemiddelhåndtering",
    description="Smertepumpe",
    duration_min="10",
    required_competence="helsefagarbeider",
)

VARIANTS: list[Variant] = [
    Variant("baseline", lambda t: None, 0),
    Variant(
        "no night shift, time-critical task at 02:00",
        _chain(_no_night, _add(CRITICAL_NIGHT)),
        4,
        "outside every shift",
        import_message="outside every shift",
    ),
    Variant(
        "no night shift, ordinary task at 02:00",
        _chain(_no_night, _add({**CRITICAL_NIGHT, "time_critical": "false"})),
        0,
        "No shift covers this task",
        import_message="outside every shift",
    ),
    Variant(
        "night shift asked, none defined",
        _no_night,
        2,
        "defines no night shift; it defines: day 07:30–15:00, evening 15:00–22:30",
        args=("--shift", "night"),
    ),
    Variant(
        "evening asked, only day defined",
        _chain(
            _no_night,
            _set("municipality", 0, "evening_start", ""),
            _set("municipality", 0, "evening_end", ""),
            _roster_only({"day"}),
        ),
        2,
        "defines no evening shift; it defines: day 07:30–15:00",
        args=("--shift", "evening"),
    ),
    Variant("empty roster", _empty_roster, 4, "the roster is empty"),
    Variant(
        "date outside the roster",
        lambda t: None,
        4,
        "the roster covers 2026-11-30..2026-12-02 (the date is outside it)",
        day=date(2027, 12, 1),
    ),
    Variant("no day staff", _roster_only({"evening", "night"}), 4, "Nobody is rostered"),
    Variant(
        "understaffed: one assistant for a nurse's task",
        _chain(
            _roster_only({"evening", "night"}),
            lambda t: t["roster"].append(
                {"staff_id": "S3", "date": str(DAY), "shift": "day", "district_id": "D1"}
            ),
        ),
        4,
        "TIME-CRITICAL",
    ),
    Variant(
        "insulin needed, nobody with the skill on the day",
        _chain(
            _set("interventions", 2, "required_skills", "insulin"),
            _set("interventions", 2, "required_competence", "sykepleier"),
            _set("staff", 0, "skills", ""),
        ),
        0,
        "insulin",
    ),
    Variant(
        "double staffing with one qualified caregiver",
        _set("interventions", 2, "staff_count", "2"),
        0,
    ),
    Variant(
        "as needed only",
        lambda t: t.update(
            interventions=[
                _intervention("I1", "P1", schedule_kind="as_needed", times="", tolerance_min="0")
            ]
        ),
        0,
    ),
    Variant(
        "window straddling the shift change",
        _add(_intervention("I8", "P2", schedule_kind="window", windows="14:00-16:00")),
        0,
    ),
    Variant(
        "task before an early custom day shift, no night",
        _chain(
            _no_night,
            _set("municipality", 0, "day_start", "08:00"),
            _add(_intervention("I8", "P2", times="07:00", tolerance_min="15")),
        ),
        0,
        "outside every shift",
        import_message="outside every shift",
    ),
    Variant(
        "swapped latitude and longitude",
        _chain(_set("patients", 1, "lat", "10.4450"), _set("patients", 1, "lon", "63.4250")),
        0,
        "(10.44500, 63.42500) cannot be planned from: latitude and longitude look swapped",
        import_message="look swapped",
    ),
    Variant(
        "patient in Oslo in a Trondheim district",
        _chain(_set("patients", 2, "lat", "59.9139"), _set("patients", 2, "lon", "10.7522")),
        0,
        "(59.91390, 10.75220) cannot be planned from: 391 km from the district's base",
        import_message="patient P3 (district D1) at 59.91390, 10.75220: 391 km",
    ),
    Variant(
        "time-critical task of a patient in the sea off Africa",
        _chain(_set("patients", 0, "lat", "0.5"), _set("patients", 0, "lon", "0.5")),
        4,
        "the coordinates lie outside Norway",
        import_message="outside Norway",
    ),
    Variant(
        "base in Bergen for a Trondheim district",
        _chain(_set("bases", 0, "lat", "60.3913"), _set("bases", 0, "lon", "5.3221")),
        4,
        "The district's base B1 at (60.39130, 5.32210) cannot be planned from: 431 km from",
        import_message="from the middle of its district's patients",
    ),
    Variant(
        "DST spring-forward night with a task at 02:30",
        _add(_intervention("I8", "P2", times="02:30", tolerance_min="60")),
        0,
        "UTC+",
        day=date(2027, 3, 28),
        first=date(2027, 3, 27),
        extra={"roster_days": "2027-03-27|2027-03-28"},
    ),
    Variant(
        "DST fall-back night with a task at 02:30",
        _add(_intervention("I8", "P2", times="02:30", tolerance_min="60")),
        0,
        "UTC+",
        day=date(2026, 10, 25),
        first=date(2026, 10, 24),
        extra={"roster_days": "2026-10-24|2026-10-25"},
    ),
    Variant(
        "unknown competence",
        _set("interventions", 0, "required_competence", "lege"),
        2,
        "required_competence",
        import_exit=2,
        import_message="required_competence",
    ),
    Variant(
        "patient without coordinates or geocoder",
        _chain(_set("patients", 0, "lat", ""), _set("patients", 0, "lon", "")),
        2,
        "patients.csv",
        import_exit=2,
        import_message="patients.csv",
    ),
    Variant(
        "time outside the clock",
        _set("interventions", 1, "times", "25:00"),
        2,
        "times",
        import_exit=2,
        import_message="times",
    ),
    Variant(
        "time zone naming a folder of the zone database",
        _set("municipality", 0, "timezone", "Europe"),
        2,
        "expected an IANA time zone",
        import_exit=2,
        import_message="expected an IANA time zone",
    ),
    Variant(
        "unknown district asked",
        lambda t: None,
        2,
        "unknown district 'D9'",
        args=("--district", "D9"),
    ),
] + [
    Variant(
        f"{label} in {kind}.{column}",
        _set(kind, row, column, text),
        0,
        expect if printed else "",
    )
    for label, text, expect in (
        ("markup", MARKUP, "[/hjelp]"),
        ("control characters", CONTROL, "kontroll"),
        ("emoji", EMOJI, "😀"),
        ("very long text", LONG, "Lang beskrivelse"),
    )
    for kind, row, column, printed in FREE_TEXT
]


def _with_roster_days(tables: Tables, days: str) -> None:
    template = [r for r in tables["roster"] if r["date"] == str(DAY)]
    tables["roster"] = [{**r, "date": d} for d in days.split("|") for r in template]


def _export(variant: Variant, tmp_path: Path) -> Path:
    tables = base_tables()
    if "roster_days" in variant.extra:
        _with_roster_days(tables, variant.extra["roster_days"])
    variant.change(tables)
    return write_tables(tables, tmp_path / "export")


def test_corpus_is_at_least_forty_variants():
    assert len(VARIANTS) >= 40
    assert len({v.name for v in VARIANTS}) == len(VARIANTS)


def _placed_and_unplaced(folder: Path) -> tuple[list[str], list[str]]:
    """Task ids on worklists and unplaced lists, and the outside-every-shift ids, of all plans."""
    found: list[str] = []
    outside: set[str] = set()
    for path in sorted(folder.glob("plan-*.json")):
        plan = json.loads(path.read_text(encoding="utf-8"))
        for worklist in plan["worklists"]:
            for visit in worklist["visits"]:
                # A double-staffed visit is on two worklists; count its tasks once.
                if visit["partner_staff_ids"] and worklist["staff_id"] > min(
                    visit["partner_staff_ids"]
                ):
                    continue
                found += [t["task_id"] for t in visit["tasks"]]
        found += [u["task_id"] for u in plan["unplaced"]]
        outside |= {u["task_id"] for u in plan["outside_every_shift"]}
    return found, sorted(outside)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_through_import_and_plan(variant: Variant, tmp_path: Path, monkeypatch):
    export = _export(variant, tmp_path)
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    runner = CliRunner()

    imported = runner.invoke(app, ["import", str(export), "--dry-run", "--lang", "en"])
    assert imported.exit_code == variant.import_exit, imported.output
    assert variant.import_message in imported.output

    first = variant.first or variant.day
    out = tmp_path / "plans"
    args = ["plan", str(export), "--date", str(first), "--time-limit", "0.2", "--out", str(out)]
    args += ["--details", "--lang", "en"]
    if not variant.args:
        args += ["--to", str(variant.day)]
    planned = runner.invoke(app, [*args, *variant.args])
    assert planned.exit_code == variant.plan_exit, planned.output
    assert variant.plan_message in planned.output, planned.output
    assert "Traceback" not in planned.output
    if variant.plan_exit == 2:
        assert not out.exists() or not list(out.glob("*.json"))
        return

    # Nothing dropped silently: every task of the date is in exactly one place.
    data = read_export(export)
    tz = ZoneInfo(data.municipality.timezone)
    expected = sorted(
        task.task_id
        for plan in data.care_plans
        for i in plan.interventions
        for task in expand_intervention(i, variant.day, tz)
    )
    found, outside = _placed_and_unplaced(out)
    of_day = sorted(t for t in found if f"@{variant.day}#" in t)
    assert len(of_day) == len(set(of_day)), "a task is in more than one place"
    assert not set(of_day) & set(outside)
    assert sorted(of_day + outside) == expected
