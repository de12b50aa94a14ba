"""Every word a planner or nurse reads in the CLI's output comes from the catalogue, or is data.

The commands run under a pseudo-locale: the bokmål catalogue with every message it gives
wrapped in ``⟦…⟧``. What is left of the output when the marked parts are taken out must be
data: numbers, times, punctuation, table borders, and words that occur in the export, the
plan files or the command line (ids, names, addresses, paths). An English sentence printed
from code (``f"Warning: …"``) is left over with words that are in none of those, and fails
the test with the line it is on. Each message asked for must also have a bokmål translation.

This is no list of forbidden words: a new command output that bypasses the catalogue fails
whatever its words are.
"""

from __future__ import annotations

import csv
import gettext
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

import hjemmetjeneste.cli.i18n as cli_i18n
import hjemmetjeneste.i18n as i18n
from factories import TINY_DAY as DAY
from factories import tiny_intervention, tiny_tables, write_tables
from hjemmetjeneste.cli import app
from hjemmetjeneste.cli.app import console, err_console

OPEN, CLOSE = "⟦", "⟧"
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_WORD = re.compile(r"[^\W\d_]+")


class _Marked(gettext.NullTranslations):
    """The bokmål catalogue with each message it gives marked, and the messages it lacks."""

    def __init__(self, known: set[str], nb: gettext.NullTranslations) -> None:
        super().__init__()
        self.known, self.nb = known, nb
        self.missing: set[str] = set()

    def gettext(self, message: str) -> str:
        # Explanations pass their facts through the catalogue too (codes such as "stoma"
        # have words there); one without a letter (", ", "07:30–15:00") needs none.
        if message not in self.known and _WORD.search(message):
            self.missing.add(message)
        return OPEN + self.nb.gettext(message) + CLOSE


@pytest.fixture
def marked(monkeypatch) -> Iterator[_Marked]:
    source = Path(i18n.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with source.open("rb") as handle:
        known = {str(m.id) for m in read_po(handle, locale="nb") if m.id and m.string}
    pseudo = _Marked(known, i18n.load_translations("nb"))

    def load(lang: str) -> gettext.NullTranslations:
        return pseudo if lang == "nb" else i18n.load_translations.__wrapped__(lang)

    monkeypatch.setattr(i18n, "load_translations", load)
    monkeypatch.setattr(cli_i18n, "load_translations", load)
    # One line per line printed: a wide console never wraps a marked message in two.
    monkeypatch.setattr(console, "width", 2000)
    monkeypatch.setattr(err_console, "width", 2000)
    cli_i18n.set_language("nb")
    yield pseudo
    cli_i18n.set_language("nb")


def _vocabulary(*texts: str) -> set[str]:
    return {w.casefold() for text in texts for w in _WORD.findall(text)}


def _data_words(folder: Path) -> set[str]:
    """Every word of every value of the export's files (ids, names, addresses, codes); not
    their column names, and not the plans written (their keys and reason codes are English)."""
    words: set[str] = set()
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[1:]
        words |= _vocabulary(*(cell for row in rows for cell in row))
    return words


def _leftovers(output: str, data: set[str]) -> list[str]:
    """The lines with words that are neither in a catalogue message nor data."""
    bad = []
    for line in output.splitlines():
        rest = line
        while _MARKED.search(rest):  # a message may hold another (a status in key figures)
            rest = _MARKED.sub(" ", rest)
        # A token with a digit is data: an id (visit:I2@2026-12-01#1), a time, a number.
        rest = " ".join(token for token in rest.split() if not any(c.isdigit() for c in token))
        stray = [w for w in _WORD.findall(rest) if w.casefold() not in data]
        if stray:
            bad.append(f"{line.strip()!r}: {stray}")
    return bad


def _export(tmp_path: Path) -> Path:
    """The tiny export with something to say: a time-critical task nobody can do (unplaced,
    exit 4), a task at 02:00 in a municipality without night shift (outside every shift),
    a patient with latitude and longitude swapped (implausible location)."""
    tables = tiny_tables()
    tables["interventions"] += [
        tiny_intervention(
            "I6", "P2", times="10:00", description="Sårstell", time_critical="true",
            required_skills="stomi",
        ),
        tiny_intervention("I7", "P1", times="02:00", description="Nattmedisin"),
    ]  # fmt: skip
    tables["municipality"][0].update(night_start="", night_end="", evening_end="23:00")
    tables["roster"] = [r for r in tables["roster"] if r["shift"] != "night"]
    tables["patients"][2].update(lat="10.4560", lon="63.4190")
    return write_tables(tables, tmp_path / "export")


def _commands(export: Path, every_shift: Path, tmp_path: Path) -> list[list[str]]:
    """import, plan (a shift, from the store, a range, a re-plan, error paths), check,
    staffing and roster. The export readers' messages about bad input (a missing file, a
    bad cell): :func:`test_bad_input_is_worded_from_the_catalogue`."""
    plans = tmp_path / "plans"
    day = str(DAY)
    quick = ["--time-limit", "0.5", "--iterations", "50", "--seed", "1"]
    return [
        ["import", str(export)],
        ["import", str(export), "--dry-run"],
        ["plan", str(export), "--date", day, *quick, "--details", "--out", str(plans)],
        ["plan", str(export), "--date", day, *quick, "--format", "text"],
        ["plan", "--date", day, "--shift", "evening", *quick],  # from the store
        ["plan", str(export), "--date", day, "--to", str(DAY + timedelta(days=1)), *quick],
        ["plan", str(export), "--date", "2027-06-01", *quick],  # outside the roster
        ["plan", str(export), "--date", day, "--shift", "night", *quick],  # not defined
        ["plan", str(export), "--date", day, "--to", str(DAY - timedelta(days=1)), *quick],
        ["plan", str(export), "--date", day, "--shift", "day", "--shift", "evening", *quick],
        ["plan", str(export), "--date", day, *quick, "--absent", "S1"],  # no --now
        ["plan", str(export), "--date", day, *quick, "--absent", "S1", "--now", "10:00"],
        # An event naming a patient the export lacks; a plan read back onto another shift.
        ["plan", str(export), "--date", day, *quick, "--emergency", "P99:30:60", "--now", "10:00"],
        ["plan", str(export), "--date", day, "--shift", "evening", *quick,
         "--from", str(plans / f"plan-D1-{day}-day.json")],
        ["check", str(plans / f"plan-D1-{day}-day.json"), "--data", str(export)],
        ["check", str(tmp_path / "no-such-plan.json"), "--data", str(export)],
        # Units of a shift the municipality lacks fail by name in the period summary.
        ["plan", str(export), "--date", day, "--all-districts", "--shift", "night",
         "--workers", "1", "--time-limit", "0.5"],
        ["staffing", str(export), "--date", day],
        # A roster of the municipality with a night shift (the generator needs one still).
        ["roster", str(every_shift), "--date", day, "--weeks", "1", "--time-limit", "2",
         "--out", str(tmp_path / "roster.csv")],
    ]  # fmt: skip


def test_every_line_of_output_is_catalogue_or_data(marked, tmp_path, monkeypatch):
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    export = _export(tmp_path)
    runner = CliRunner()
    outputs = []
    every_shift = write_tables(tiny_tables(), tmp_path / "every-shift")
    for args in _commands(export, every_shift, tmp_path):
        result = runner.invoke(app, args)
        assert "Traceback" not in result.output, (args, result.output)
        assert result.exit_code in (0, 2, 3, 4), (args, result.output, result.exception)
        outputs.append((args, result.output))
    data = _data_words(export) | _data_words(every_shift) | _vocabulary(str(tmp_path))
    bad = [
        f"{' '.join(args[:1])}: {line}"
        for args, output in outputs
        for line in _leftovers(output, data | _vocabulary(*args))
    ]
    assert not bad, "printed past the catalogue:\n" + "\n".join(bad)
    assert not marked.missing, f"messages without a bokmål translation: {marked.missing}"


def test_the_check_finds_english_from_code(marked, capsys):
    """The check itself: a message from the catalogue passes, English from code does not."""
    from hjemmetjeneste.cli.i18n import _

    console.print(_("Worklists") + " D1 Kari")
    console.print("Warning: implausible location of P3")
    out = capsys.readouterr().out
    assert _leftovers(out, {"d", "kari", "p"}) == [
        "'Warning: implausible location of P3': ['Warning', 'implausible', 'location', 'of']"
    ]
    _("A message nobody translated")
    assert marked.missing == {"A message nobody translated"}


def test_data_words_are_read_from_the_files(tmp_path):
    with (tmp_path / "x.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["name", "address"], ["Kari Testesen", "Innherredsveien 10"]])
    assert _data_words(tmp_path) == {"kari", "testesen", "innherredsveien"}


def test_a_roster_shortfall_in_words():
    """The roster's shortfalls (codes in the rostering package) worded by the CLI."""
    from datetime import date

    from hjemmetjeneste.cli.i18n import set_language
    from hjemmetjeneste.cli.rostering import _shortfall
    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.rostering.roster import Shortfall

    short = Shortfall(date(2026, 12, 1), ShiftKind.EVENING, "total", 200, 120)
    try:
        set_language("nb")
        assert (
            _shortfall(short)
            == "tirsdag 2026-12-01 kveldsvakt: mangler 120 ansatte i alt (behov 200)"
        )
        set_language("en")
        assert (
            _shortfall(short)
            == "Tuesday 2026-12-01 evening: 120 caregivers in all short (need 200)"
        )
    finally:
        set_language("nb")


def _broken_exports(tmp_path: Path) -> list[Path]:
    """Exports a planner may really send: cells that cannot be read (a decimal with a comma
    and a point, a time 25:00, a date 2026-13-01, an empty id), a reference to nobody, a
    duplicate id, a refused caregiver also preferred, a missing column, a missing file, a
    file that is no CSV."""
    cells = tiny_tables()
    cells["patients"][0].update(lat="63,4.3")
    cells["patients"][1].update(patient_id=cells["patients"][0]["patient_id"])
    for row in cells["patients"]:
        row.update(refused_staff_ids="", preferred_staff_ids="")
    cells["patients"][2].update(refused_staff_ids="S1", preferred_staff_ids="S1")
    cells["interventions"][0].update(patient_id="P99", times="25:00")
    cells["roster"][0].update(date="2026-13-01", staff_id="")
    broken = [write_tables(cells, tmp_path / "cells")]
    columns = tiny_tables()
    for row in columns["staff"]:
        del row["competence"]
    broken.append(write_tables(columns, tmp_path / "columns"))
    files = write_tables(tiny_tables(), tmp_path / "files")
    (files / "roster.csv").unlink()
    (files / "staff.csv").write_bytes(b"staff_id\x00,name\nS1\x00,x\n")
    broken.append(files)
    return broken


def _export_words(folder: Path) -> set[str]:
    """The data of an export and the names it gives things: the export's file names (those
    it has and those it should have) and columns (a message names the field as written)."""
    names = (*(p.name for p in folder.iterdir()), *tiny_tables())
    words = _data_words(folder) | _vocabulary(*names)
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            words |= _vocabulary(*next(csv.reader(handle), []))
    return words


def test_bad_input_is_worded_from_the_catalogue(marked, tmp_path, monkeypatch):
    """`import` and `plan` of broken exports: every issue (file, row, field and what is
    wrong) in the catalogue's words, and the language asked for."""
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    bad = []
    for export in _broken_exports(tmp_path):
        commands = [["import", str(export)], ["plan", str(export), "--date", str(DAY)]]
        data = _export_words(export) | _vocabulary(str(tmp_path))
        bad += _past_the_catalogue(commands, 2, data)
    assert not bad, "printed past the catalogue:\n" + "\n".join(bad)
    assert not marked.missing, f"messages without a bokmål translation: {marked.missing}"


def _past_the_catalogue(commands: list[list[str]], exit_code: int, data: set[str]) -> list[str]:
    """Run each command (it must exit with ``exit_code``); the lines printed past the
    catalogue, each with the command's name."""
    bad = []
    for args in commands:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == exit_code, (args, result.output)
        assert "Traceback" not in result.output
        lines = _leftovers(result.output, data | _vocabulary(*args))
        bad += [f"{args[0]}: {line}" for line in lines]
    return bad


def test_bad_input_in_bokmal_and_english(tmp_path, monkeypatch):
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    (cells, *_) = _broken_exports(tmp_path)
    runner = CliRunner()
    nb = runner.invoke(app, ["import", str(cells)]).output
    en = runner.invoke(app, ["import", str(cells), "--lang", "en"]).output
    assert "interventions.csv, rad 1, felt 'patient_id': ukjent bruker 'P99'" in nb
    assert "interventions.csv, row 1, field 'patient_id': unknown patient 'P99'" in en
    assert "felt 'times': forventet klokkeslett" in nb and "(klokkeslettet finnes ikke" in nb
    assert "roster.csv, rad 1, felt 'date': forventet en dato ÅÅÅÅ-MM-DD" in nb
    assert "roster.csv, row 1, field 'date': expected a date YYYY-MM-DD" in en


def _hand_edited_plan(export: Path, tmp_path: Path) -> Path:
    """The day's plan written by `plan`, then edited by hand: the first visit of every
    worklist moved to 05:00 (before its window, before the shift, before its caregiver can
    be there)."""
    plans = tmp_path / "plans"
    quick = ["--time-limit", "0.5", "--iterations", "50", "--seed", "1"]
    args = ["plan", str(export), "--date", str(DAY), "--shift", "day", *quick, "--out", str(plans)]
    assert CliRunner().invoke(app, args).exit_code == 0
    path = plans / f"plan-D1-{DAY}-day.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    for worklist in plan["worklists"]:
        for visit in worklist["visits"][:1]:
            visit["start"] = visit["start"][:11] + "05:00:00+01:00"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _rule_breaking_roster(export: Path, tmp_path: Path, monkeypatch) -> list[str]:
    """`roster` arguments whose generated roster breaks the Act: S4 on the evening shift,
    then on the day shift the next morning (nine hours of rest, eleven required). The
    generator never makes one (the rules are hard there), so it is replaced by one that
    returns this roster; the checker that finds the violation is the real one."""
    import hjemmetjeneste.rostering.roster as roster_module
    from hjemmetjeneste.domain import Roster, RosterEntry, ShiftKind
    from hjemmetjeneste.rostering.files import write_needs

    entries = tuple(
        RosterEntry(staff_id="S4", date=day, shift=shift, district_id="D1")
        for day, shift in ((DAY, ShiftKind.EVENING), (DAY + timedelta(days=1), ShiftKind.DAY))
    )

    def generated(data, spec, **_options):
        return roster_module.RosterOutcome(Roster(entries=entries), (), 0, "FEASIBLE", 0.0)

    monkeypatch.setattr(roster_module, "generate_roster", generated)
    need = tmp_path / "need.json"
    write_needs([], need)
    return ["roster", str(export), "--date", str(DAY), "--weeks", "1", "--need", str(need),
            "--out", str(tmp_path / "new.csv")]  # fmt: skip


def test_checker_violations_are_worded_from_the_catalogue(marked, tmp_path, monkeypatch):
    """`check` of a hand-edited plan and `roster` with a rule of the Act broken: the rule
    and the sentence from the catalogue, in the language asked for."""
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    export = write_tables(tiny_tables(), tmp_path / "export")
    plan = _hand_edited_plan(export, tmp_path)
    commands = [
        ["check", str(plan), "--data", str(export)],
        _rule_breaking_roster(export, tmp_path, monkeypatch),
    ]
    bad = _past_the_catalogue(commands, 3, _data_words(export) | _vocabulary(str(tmp_path)))
    assert not bad, "printed past the catalogue:\n" + "\n".join(bad)
    assert not marked.missing, f"messages without a bokmål translation: {marked.missing}"


def test_checker_violations_in_bokmal_and_english(tmp_path, monkeypatch):
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    export = write_tables(tiny_tables(), tmp_path / "export")
    plan = _hand_edited_plan(export, tmp_path)
    runner = CliRunner()
    nb = " ".join(runner.invoke(app, ["check", str(plan), "--data", str(export)]).output.split())
    en = runner.invoke(app, ["check", str(plan), "--data", str(export), "--lang", "en"]).output
    en = " ".join(en.split())
    assert "for tidlig" in nb and "starter 05:00, tidsvinduet åpner" in nb
    assert "too early" in en and "starts at 05:00, window opens" in en
    args = _rule_breaking_roster(export, tmp_path, monkeypatch)
    nb = runner.invoke(app, args).output
    en = runner.invoke(app, [*args, "--lang", "en"]).output
    morning = DAY + timedelta(days=1)
    assert f"døgnhvile: S4 {morning}: 9.0 t hvile etter kveldsvakt {DAY}, minst 11 t" in nb
    assert f"daily rest: S4 {morning}: 9.0 h rest after the {DAY} evening shift" in en


def test_what_a_caregiver_lacks_in_bokmal_and_english(tmp_path):
    """A missing-competence violation names the competence and the skill, in words."""
    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.formats import read_export
    from hjemmetjeneste.planning.explain import staff_lacks
    from hjemmetjeneste.tasks import build_day_plan

    tables = tiny_tables()
    tables["interventions"][0].update(required_competence="sykepleier", required_skills="stomi")
    data = read_export(write_tables(tables, tmp_path / "export"))
    day_plan = build_day_plan(data, DAY, ShiftKind.DAY, "D1")
    (visit,) = [v.visit_id for v in day_plan.visits if v.visit_id.startswith("visit:I1@")]
    nb = staff_lacks(day_plan, "S3", visit, say=lambda m: i18n.translate(m, "nb"))
    en = staff_lacks(day_plan, "S3", visit)
    assert nb == "mangler kompetanse sykepleier (har assistent) og ferdighet stomi"
    assert en == "lacks competence sykepleier (has assistent) and skill stoma"


def test_bad_option_values_are_worded_from_the_catalogue(tmp_path):
    """A mistyped date and a malformed absence: the option's own message in bokmål (the
    frame around it is the command-line library's)."""
    export = write_tables(tiny_tables(), tmp_path / "export")
    runner = CliRunner()

    def said(args: list[str]) -> str:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())

    assert "ventet en dato som ÅÅÅÅ-MM-DD, fikk '2026-13-01'" in said(
        ["plan", str(export), "--date", "2026-13-01"]
    )
    assert "--absent skal være ANSATT:ÅÅÅÅ-MM-DD:ÅÅÅÅ-MM-DD, fikk 'S1:2026-12-01'" in said(
        ["roster", str(export), "--date", str(DAY), "--weeks", "1", "--absent", "S1:2026-12-01",
         "--out", str(tmp_path / "roster.csv")]
    )  # fmt: skip
