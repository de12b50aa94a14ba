"""How a plan is shown: languages from the gettext catalogues, formats, status in words."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from factories import tiny_tables as base_tables
from factories import write_tables
from hjemmetjeneste.cli import app
from hjemmetjeneste.cli.i18n import _, load_translations, set_language
from hjemmetjeneste.cli.output import status_in_words
from hjemmetjeneste.domain import PlanResult


@pytest.fixture(autouse=True)
def _bokmal_after():
    yield
    set_language("nb")


def test_catalogue_translates_and_english_is_as_written():
    nb = load_translations("nb")
    assert nb.gettext("Waiting") == "Ventetid"
    assert nb.gettext("Key box") == "Nøkkelboks"
    assert load_translations("en").gettext("Waiting") == "Waiting"
    with pytest.raises(ValueError, match="--lang"):
        load_translations("sv")


def test_status_in_words_has_no_solver_jargon():
    set_language("en")
    words = status_in_words("partial_success_local_optimum_not_reached; ruin and recreate: 5")
    assert words.startswith("plan found; the time limit ended the search")
    assert "_" not in words.split(";")[0]
    set_language("nb")
    assert status_in_words("optimal") == "best mulige plan funnet"
    assert _("Waiting") == "Ventetid"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return write_tables(base_tables(), tmp_path_factory.mktemp("export"))


def _plan(export, *extra: str):
    args = ["plan", str(export), "--date", "2026-12-01", "--time-limit", "0.2", *extra]
    return CliRunner().invoke(app, args)


def test_json_format_is_the_plan(export):
    result = _plan(export, "--format", "json")
    assert result.exit_code == 0, result.output
    start = result.stdout.index("{")
    plan = PlanResult.model_validate(json.loads(result.stdout[start:]))
    assert plan.kpis.tasks_placed == plan.kpis.tasks_total


def test_csv_format_has_a_row_per_visit_with_waiting_and_key_box(export):
    result = _plan(export, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout[result.stdout.index("status,") :])))
    planned = [r for r in rows if r["status"] == "planned"]
    assert len(planned) == 4  # the day shift's visits of the small export
    assert {r["key_box_note"] for r in planned} >= {"Nøkkelboks ved døra"}
    assert all(r["wait_min"].isdigit() for r in planned)


def test_text_and_english(export):
    result = _plan(export, "--format", "text", "--lang", "en", "--details")
    assert result.exit_code == 0, result.output
    assert "Worklists" in result.stdout and "Key box" in result.stdout
    assert "┃" not in result.stdout  # no boxes
    assert "waiting" in result.stdout and "search: " in result.stdout
    bad = _plan(export, "--format", "yaml")
    assert bad.exit_code == 2


def test_same_seed_and_work_budget_give_byte_identical_json(export, tmp_path):
    runs = []
    for k in range(2):
        out = tmp_path / str(k)
        budget = ["--seed", "7", "--iterations", "200", "--no-timings", "--out", str(out)]
        result = _plan(export, "--format", "json", *budget)
        assert result.exit_code == 0, result.output
        (written,) = out.glob("plan-*.json")
        runs.append(written.read_bytes())
    assert runs[0] == runs[1]
    assert json.loads(runs[0])["solve_seconds"] == 0.0


def test_a_break_is_listed_where_it_is_taken(export, capsys):
    """The worklist shows visits and breaks in the order of the day, not breaks last."""
    from hjemmetjeneste.cli.output import print_result
    from hjemmetjeneste.domain.worklists import WorklistBreak

    out = _plan(export, "--format", "json")
    plan = PlanResult.model_validate(json.loads(out.stdout[out.stdout.index("{") :]))
    worklist = next(w for w in plan.worklists if len(w.visits) >= 2)
    first, second = worklist.visits[0], worklist.visits[1]
    pause = WorklistBreak(start=first.end, end=first.end + (second.start - first.end) / 2)
    with_break = worklist.model_copy(update={"breaks": (pause,)})
    plan = plan.model_copy(
        update={"worklists": tuple(with_break if w is worklist else w for w in plan.worklists)}
    )
    set_language("en")
    print_result(plan, details=True, fmt="text")
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if f"({worklist.staff_id})" in line)
    rows = lines[start:]
    pause_row = next(i for i, line in enumerate(rows) if "Break" in line)
    first_row = next(i for i, line in enumerate(rows) if first.patient_name in line)
    second_row = next(
        i for i, line in enumerate(rows) if i > first_row and second.patient_name in line
    )
    assert first_row < pause_row < second_row


def test_status_details_in_words_and_the_status_itself_stays_machine_readable():
    """The solver writes ``<status>; ruin and recreate: N iterations`` (and ``kept: …`` when
    a re-plan keeps the earlier worklists); the planner reads each part in words."""
    status = "partial_success_local_optimum_not_reached; ruin and recreate: 344878 iterations"
    set_language("nb")
    assert status_in_words(status) == (
        "plan funnet; tidsgrensen avsluttet søket; forbedret i 344878 runder"
    )
    assert status_in_words("success; warm ruin and recreate: 12 iterations") == (
        "plan funnet, ingen bedre i nærheten; fra forrige plan, forbedret i 12 runder"
    )
    assert status_in_words("kept: fail_timeout") == (
        "tidligere arbeidslister beholdt (ingen plan funnet innen tidsgrensen)"
    )
    assert status_in_words("trivial") == "ingenting å planlegge"
    set_language("en")
    assert status_in_words(status) == (
        "plan found; the time limit ended the search; improved in 344878 rounds"
    )
