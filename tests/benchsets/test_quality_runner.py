"""The quality runner: instance selection, rows in the set's convention, reports, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ci_guard
from hjemmetjeneste.benchsets import quality
from hjemmetjeneste.benchsets.peers import available_peers
from hjemmetjeneste.cli import app
from hjemmetjeneste.solver import Solution, SolveParams, solve
from hjemmetjeneste.solver.portfolio import _better


def test_instance_selection_by_pattern_and_missing_data(tiny_data: Path, tmp_path: Path):
    """A glob picks instances case-insensitively; a set without bks.csv is reported missing."""
    names = [r.name for r in quality.instance_refs("solomon", tiny_data, "tiny*")]
    assert names == ["TINY1", "TINY2"]
    assert quality.instance_refs("solomon", tiny_data, "R1*") == []
    both = quality.instance_refs("solomon", tiny_data, "R1*, tiny2,TINY1")
    assert [r.name for r in both] == ["TINY1", "TINY2"]
    with pytest.raises(quality.BenchmarkDataMissingError, match=r"bks\.csv"):
        quality.instance_refs("homberger", tmp_path)
    with pytest.raises(ValueError, match="unknown set"):
        quality.instance_refs("cvrp", tiny_data)


def test_run_writes_rows_summary_markdown_and_json(tiny_data: Path, tmp_path: Path):
    """One row per instance with gap against the bks row; reports parse and agree."""
    out = tmp_path / "out"
    report = quality.run_quality(
        "solomon", tiny_data, 0.5, pattern="TINY2", command="test", out_dir=out
    )
    (row,) = report.rows
    assert row.valid and row.served == row.jobs == 4 and row.vehicles >= 1
    assert row.gap_pct == pytest.approx(100 * (row.value - 24.8) / 24.8, abs=1e-3)
    md, js = quality.report_paths(report, out)
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["rows"][0]["value"] == row.value and data["command"] == "test"
    assert {s["family"] for s in data["summary"]} == {"?", "all"}
    assert "| TINY2 | ours |" in md.read_text(encoding="utf-8")


def test_a_solver_that_breaks_capacity_is_marked_invalid(tiny_data: Path):
    """Capacity is judged outside the model: one overloaded route makes the row invalid."""

    def one_vehicle(problem, params: SolveParams) -> Solution:
        from hjemmetjeneste.benchsets.solomon import solution_from_routes

        return solution_from_routes(problem, [[4, 1, 2, 3]])

    report = quality.run_quality("solomon", tiny_data, 0.5, pattern="TINY1", solver=one_vehicle)
    (row,) = report.rows
    assert not row.valid and "capacity" in row.problems
    assert report.summary()[-1]["mean_gap_pct"] is None  # no valid rows, no mean


def test_our_solver_respects_capacity_when_it_binds(tiny_data: Path):
    """TINY1's capacity forces two routes: our solution must be checker- and capacity-valid."""
    (row,) = quality.run_quality("solomon", tiny_data, 0.5, pattern="TINY1").rows
    assert row.valid, row.problems


def test_portfolio_prefers_fewer_dropped_then_lower_objective():
    """The better of two solutions serves more jobs; among equals the lower objective wins."""
    a = Solution((), (3,), 10, "s", 0.0)
    b = Solution((), (), 99, "s", 0.0)
    c = Solution((), (), 50, "s", 0.0)
    assert _better(a, b) is b and _better(b, c) is c and _better(c, b) is c


def test_cli_without_data_says_so_and_exits_cleanly(tmp_path: Path):
    """No data folder: a message naming the folder, exit code 0."""
    result = CliRunner().invoke(
        app, ["bench", "quality", "--set", "solomon", "--data", str(tmp_path / "none")]
    )
    assert result.exit_code == 0 and "not found" in result.output


def test_cli_runs_a_set_and_rejects_unknown_ones(tiny_data: Path, tmp_path: Path):
    """The command writes both reports; an unknown set is a usage error."""
    out = tmp_path / "r"
    args = ["bench", "quality", "--data", str(tiny_data), "--time-limit", "0.3", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--set", "solomon", "--instances", "TINY2"])
    assert result.exit_code == 0, result.output
    assert (out / "quality-solomon-0.3s.json").is_file()
    assert CliRunner().invoke(app, [*args, "--set", "cvrp"]).exit_code != 0


@pytest.mark.skipif(
    not available_peers(), reason=ci_guard.reason("peers", "optional extra 'peers' not installed")
)
def test_peers_answer_on_the_same_data_and_are_checked(tiny_data: Path):
    """Each installed peer serves all four customers within capacity; same bks, same units."""
    peers = available_peers()
    report = quality.run_quality("solomon", tiny_data, 0.5, pattern="TINY1", peers=peers)
    by_solver = {r.solver: r for r in report.rows}
    assert set(by_solver) == {"ours", *peers}
    for peer in peers:
        assert by_solver[peer].valid, by_solver[peer].problems
        assert by_solver[peer].value is not None and by_solver[peer].value >= 31.4 - 1e-9
        assert by_solver[peer].vehicles >= 2


@pytest.mark.skipif(
    not available_peers(), reason=ci_guard.reason("peers", "optional extra 'peers' not installed")
)
def test_peers_run_alone_when_ours_is_left_out(tiny_data: Path):
    """`--no-ours`: the peers' half of a side-by-side, no row of ours; nothing to run at all
    (no peers either) is an error, not an empty report."""
    peers = available_peers()
    report = quality.run_quality(
        "solomon", tiny_data, 0.5, pattern="TINY1", peers=peers, solver=None
    )
    assert report.solvers == list(peers) and {r.solver for r in report.rows} == set(peers)
    with pytest.raises(ValueError, match="nothing to run"):
        quality.run_quality("solomon", tiny_data, 0.5, pattern="TINY1", solver=None)


def test_mankowska_instance_is_valid_and_scored(shared_benchmarks: Path):
    """Mankowska A1 at 1 s: every service done, synchronisation kept, gap to bks computed."""
    report = quality.run_quality("hhcrsp", shared_benchmarks, 1.0, pattern="A1", solver=solve)
    (row,) = report.rows
    assert row.valid, row.problems
    assert row.served == row.jobs and row.gap_pct is not None and row.value >= 0.0
    assert row.detail.startswith("D ") and "Tmax" in row.detail


def test_mankowska_rows_give_the_gap_to_both_tables(
    shared_benchmarks: Path, tiny_data: Path, tmp_path: Path
):
    """A bks row with a latest value lower than the 2020 one: each row and the summary give
    the gap to both, and the Markdown shows both columns."""
    instance = shared_benchmarks / "hhcrsp" / "instances" / "InstanzCPLEX_HCSRP_10_1.txt"
    (tmp_path / "hhcrsp").mkdir()
    (tmp_path / "hhcrsp" / "bks.csv").write_text(
        "instance,file,patients,lower_bound,best_known,time,best_known_latest,latest_source,"
        f"lower_bound_latest,lb_latest_source\nA1,{instance},10,200,240,0,220,x,210,y\n",
        encoding="utf-8",
    )
    report = quality.run_quality("hhcrsp", tmp_path, 1.0, pattern="A1", solver=solve)
    (row,) = report.rows
    assert row.valid, row.problems
    assert (row.best_known, row.best_known_latest) == (240.0, 220.0)
    assert row.gap_pct == pytest.approx(100 * (row.value - 240) / 240, abs=1e-3)
    assert row.gap_latest_pct == pytest.approx(100 * (row.value - 220) / 220, abs=1e-3)
    (summary,) = [s for s in report.summary() if s["family"] == "all"]
    assert summary["mean_gap_latest_pct"] == pytest.approx(row.gap_latest_pct, abs=1e-3)
    assert summary["below_latest"] == int(row.gap_latest_pct < 0)
    markdown = report.to_markdown()
    assert "gap to latest %" in markdown and f"| {row.gap_latest_pct:.2f} |" in markdown
    assert "mean gap to latest" in markdown
    # A set without a second table keeps its one gap column.
    solomon = quality.run_quality("solomon", tiny_data, 0.5, pattern="TINY2")
    assert "latest" not in solomon.to_markdown()
    assert "mean_gap_latest_pct" not in solomon.summary()[0]
