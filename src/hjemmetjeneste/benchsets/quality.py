"""Quality runs: our solver (and optional peers) on public sets against best-known solutions.

One row per (instance, solver): best known, ours in the set's own convention, gap %, vehicles
used, whether the independent checker accepts the solution, and wall seconds. Reports are
written as Markdown and JSON after every row, so that an interrupted long run keeps what it
has measured.

Conventions (``../shared/benchmarks/*/SOURCES.md``):

- ``solomon``, ``homberger``: DIMACS — distance only, ⌊10·euclid⌋/10, compared with the
  ``dimacs_distance`` column; valid = every customer served, windows, depot due date and
  vehicle capacity respected.
- ``hhcrsp`` (Mankowska et al. 2014): (D + T + Tmax)/3, compared with ``best_known`` (the
  2020 table) and with ``best_known_latest`` (the lowest value published since; 47 of 60 are
  lower); valid = every service done by a qualified caregiver, synchronisation and precedence
  gaps respected.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hjemmetjeneste.benchsets import benchmarks_dir as _default_benchmarks_dir
from hjemmetjeneste.benchsets import solomon
from hjemmetjeneste.benchsets.peers import available_peers, run_peer
from hjemmetjeneste.solver import RoutingProblem, Solution, SolveParams, check_solution, solve
from hjemmetjeneste.solver.lns import warm_up

SETS = ("solomon", "homberger", "hhcrsp", "rostering")
DEFAULT_PATTERN = {"solomon": "*", "homberger": "*_2_*", "hhcrsp": "[A-E]*", "rostering": "*"}
"""Default instances per set: all 56 Solomon, the 200-customer Homberger ones, Mankowska A–E."""

Solver = Callable[[RoutingProblem, SolveParams], Solution]
"""How "ours" solves: :func:`hjemmetjeneste.solver.solve` or a portfolio over it."""


class BenchmarkDataMissingError(FileNotFoundError):
    """The benchmark data folder (or one set in it) is not there."""


@dataclass(frozen=True)
class InstanceRef:
    """One instance of a set: its literature name, file, family and best-known value."""

    name: str
    path: Path
    family: str
    best_known: float
    best_known_vehicles: int | None = None
    best_known_latest: float | None = None
    """The lowest value published after ``best_known``'s table, where the set has one."""


@dataclass(frozen=True)
class QualityRow:
    """One solver on one instance, in the set's own units."""

    instance: str
    family: str
    solver: str
    best_known: float
    value: float | None
    gap_pct: float | None
    vehicles: int
    served: int
    jobs: int
    valid: bool
    problems: str
    seconds: float
    detail: str = ""
    """Set-specific parts of the value (Mankowska: D, T, Tmax)."""
    best_known_latest: float | None = None
    gap_latest_pct: float | None = None
    """The gap to ``best_known_latest`` where the set has it (hhcrsp)."""


@dataclass
class QualityReport:
    """A quality run: what was run, on what machine, and one row per (instance, solver)."""

    set: str
    time_limit_s: float
    pattern: str
    solvers: list[str]
    command: str
    started_utc: str
    machine: dict[str, object]
    rows: list[QualityRow] = field(default_factory=list)

    def summary(self) -> list[dict[str, object]]:
        """Per solver and family (and ``all``): instances, valid ones, mean gap over valid."""
        out: list[dict[str, object]] = []
        for solver_name in self.solvers:
            mine = [r for r in self.rows if r.solver == solver_name]
            families = sorted({r.family for r in mine})
            for family in [*families, "all"]:
                rows = [r for r in mine if family in ("all", r.family)]
                gaps = [r.gap_pct for r in rows if r.valid and r.gap_pct is not None]
                line: dict[str, object] = {
                    "solver": solver_name,
                    "family": family,
                    "instances": len(rows),
                    "valid": sum(r.valid for r in rows),
                    "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
                    "mean_seconds": round(statistics.fmean(r.seconds for r in rows), 2)
                    if rows
                    else None,
                }
                if self.has_latest:
                    latest = [
                        r.gap_latest_pct for r in rows if r.valid and r.gap_latest_pct is not None
                    ]
                    line["mean_gap_latest_pct"] = (
                        round(statistics.fmean(latest), 3) if latest else None
                    )
                    line["below_latest"] = sum(g < 0 for g in latest)
                out.append(line)
        return out

    @property
    def has_latest(self) -> bool:
        """Whether the rows carry a second, later best known (hhcrsp's latest values)."""
        return any(r.best_known_latest is not None for r in self.rows)

    def to_json(self) -> str:
        """The whole report as JSON (rows, summary, machine, command)."""
        data = {
            "set": self.set,
            "time_limit_s": self.time_limit_s,
            "pattern": self.pattern,
            "solvers": self.solvers,
            "command": self.command,
            "started_utc": self.started_utc,
            "machine": self.machine,
            "summary": self.summary(),
            "rows": [asdict(r) for r in self.rows],
        }
        return json.dumps(data, indent=2) + "\n"

    def to_markdown(self) -> str:
        """A Markdown table of every row and the mean gap per solver and family."""
        unit = {"hhcrsp": "(D+T+Tmax)/3", "rostering": "Curtois & Qu penalty"}.get(
            self.set, "DIMACS distance"
        )
        lines = [
            f"# Quality: {self.set}, {self.time_limit_s:g} s per instance",
            "",
            f"- command: `{self.command}`",
            f"- started (UTC): {self.started_utc}; instances matching `{self.pattern}`",
            f"- machine: {self.machine}",
            f"- objective: {unit}; gap = (value − best known) / best known; mean gap over "
            "checker-valid rows only",
        ]
        latest = self.has_latest
        if latest:
            lines.append(
                "- two tables: `best known` is the 2020 table's value, `latest` the lowest "
                "published since (`best_known_latest` in bks.csv); a gap to each"
            )
        head, rule = (
            "| solver | family | instances | valid | mean gap % |",
            "|---|---|---:|---:|---:|",
        )
        if latest:
            head, rule = head + " mean gap to latest % | below latest |", rule + "---:|---:|"
        lines += ["", head + " mean s |", rule + "---:|"]
        for s in self.summary():
            cells = [s["solver"], s["family"], s["instances"], s["valid"], _cell(s["mean_gap_pct"])]
            if latest:
                cells += [_cell(s["mean_gap_latest_pct"]), s["below_latest"]]
            lines.append("| " + " | ".join(str(c) for c in [*cells, s["mean_seconds"]]) + " |")
        head = "| instance | solver | best known | value | gap % |"
        rule = "|---|---|---:|---:|---:|"
        if latest:
            head, rule = head + " latest | gap to latest % |", rule + "---:|---:|"
        lines += [
            "",
            head + " vehicles | served/jobs | checker-valid | seconds | detail |",
            rule + "---:|---:|---|---:|---|",
        ]
        for r in self.rows:
            value = "–" if r.value is None else f"{r.value:.1f}"
            valid = "yes" if r.valid else f"**no**: {r.problems}"
            cells = [r.instance, r.solver, f"{r.best_known:g}", value, _cell(r.gap_pct)]
            if latest:
                known = "–" if r.best_known_latest is None else f"{r.best_known_latest:g}"
                cells += [known, _cell(r.gap_latest_pct)]
            cells += [r.vehicles, f"{r.served}/{r.jobs}", valid, f"{r.seconds:.1f}", r.detail]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"


def _cell(gap: float | None) -> str:
    """A gap for a table: two decimals, or a dash where there is none."""
    return "–" if gap is None else f"{gap:.2f}"


def benchmarks_dir(explicit: Path | None = None) -> Path:
    """The data folder: ``explicit``, else the package setting
    (``$HJEMMETJENESTE_BENCHMARKS_DIR``, default ``<repo>/../shared/benchmarks``)."""
    return explicit if explicit is not None else _default_benchmarks_dir()


def instance_refs(set_name: str, data_dir: Path, pattern: str | None = None) -> list[InstanceRef]:
    """The set's instances whose name matches ``pattern``: fnmatch globs, case-insensitive,
    several separated by commas (``C101,R1*``).

    Raises :class:`BenchmarkDataMissingError` when the set's folder or its ``bks.csv`` is absent.
    """
    if set_name not in SETS:
        raise ValueError(f"unknown set {set_name!r}; known: {', '.join(SETS)}")
    root = data_dir / set_name
    table = root / "bks.csv"
    if not table.is_file():
        raise BenchmarkDataMissingError(f"{table} not found (benchmark data folder: {data_dir})")
    globs = [g.strip() for g in (pattern or DEFAULT_PATTERN[set_name]).upper().split(",")]
    refs: list[InstanceRef] = []
    with table.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            name = row["instance"]
            if not any(fnmatch.fnmatchcase(name.upper(), g) for g in globs if g):
                continue
            try:
                if set_name == "hhcrsp":
                    latest = row.get("best_known_latest") or None
                    refs.append(
                        InstanceRef(
                            name,
                            root / row["file"],
                            name[0],
                            float(row["best_known"]),
                            best_known_latest=None if latest is None else float(latest),
                        )
                    )
                    continue
                if set_name == "rostering":
                    family = "1-12" if int(name.removeprefix("Instance")) <= 12 else "13-24"
                    best = float(row["best_known_objective"])
                    refs.append(InstanceRef(name, root / row["file"], family, best))
                    continue
                if set_name == "solomon":
                    path = root / "instances" / f"{name}.txt"
                else:
                    path = root / "instances" / row["customers"] / f"{name.lower()}.txt"
                family = solomon.family_of(name)
                refs.append(
                    InstanceRef(
                        name,
                        path,
                        family,
                        float(row["dimacs_distance"]),
                        int(row["dimacs_vehicles"]),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{table}, row {line}: {exc}") from exc
    return refs


def machine_info() -> dict[str, object]:
    """Cores, load average and platform, recorded with every run (the machine is shared)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "load_avg_1_5_15": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def run_quality(
    set_name: str,
    data_dir: Path,
    time_limit_s: float,
    *,
    pattern: str | None = None,
    peers: Sequence[str] = (),
    solver: Solver | None = solve,
    solver_name: str = "ours",
    command: str = "",
    out_dir: Path | None = None,
    on_row: Callable[[QualityRow], None] | None = None,
) -> QualityReport:
    """Run ``solver`` (and ``peers``, VRPTW sets only) on every matching instance.

    ``solver`` None runs the peers alone (their half of a side-by-side whose other half needs
    the whole machine, as the 2-process portfolio does). When ``out_dir`` is given the
    Markdown and JSON reports are rewritten after every row.
    """
    refs = instance_refs(set_name, data_dir, pattern)
    if peers and set_name in ("hhcrsp", "rostering"):
        raise ValueError(f"peers (PyVRP, VROOM) run on the VRPTW sets only, not on {set_name}")
    if solver is None and not peers:
        raise ValueError("nothing to run: no peers, and ours left out")
    missing = [p for p in peers if p not in available_peers()]
    if missing:
        raise ValueError(f"peer(s) {', '.join(missing)} not installed: pip install -e '.[peers]'")
    report = QualityReport(
        set=set_name,
        time_limit_s=time_limit_s,
        pattern=pattern or DEFAULT_PATTERN[set_name],
        solvers=[*([solver_name] if solver is not None else []), *peers],
        command=command,
        started_utc=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        machine=machine_info(),
    )
    params = SolveParams(time_limit_s=time_limit_s)
    if set_name != "rostering":
        warm_up()  # the first instance's seconds should not include compiling the kernels
    else:
        from hjemmetjeneste.rostering.local import compile_kernels

        compile_kernels()  # nor those of the roster local search (minutes on a busy machine)
    for ref in refs:
        if solver is None:
            rows = _run_vrptw(ref, params, None, solver_name, peers)
        elif set_name == "rostering":
            rows = [_run_rostering(ref, time_limit_s, solver_name)]
        elif set_name == "hhcrsp":
            rows = [_run_hhcrsp(ref, params, solver, solver_name)]
        else:
            rows = _run_vrptw(ref, params, solver, solver_name, peers)
        for row in rows:
            report.rows.append(row)
            if on_row is not None:
                on_row(row)
        if out_dir is not None:
            write_report(report, out_dir)
    return report


def report_paths(report: QualityReport, out_dir: Path) -> tuple[Path, Path]:
    """Where :func:`write_report` puts the Markdown and the JSON."""
    stem = f"quality-{report.set}-{report.time_limit_s:g}s"
    return out_dir / f"{stem}.md", out_dir / f"{stem}.json"


def write_report(report: QualityReport, out_dir: Path) -> tuple[Path, Path]:
    """Write the report as Markdown and JSON into ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = report_paths(report, out_dir)
    md.write_text(report.to_markdown(), encoding="utf-8")
    js.write_text(report.to_json(), encoding="utf-8")
    return md, js


ROSTERING_WORKERS = 2
"""CP-SAT workers per rostering instance: the benchmark machine has 2 cores."""


def _run_rostering(ref: InstanceRef, time_limit_s: float, solver_name: str) -> QualityRow:
    """One Curtois & Qu instance with CP-SAT, its objective from the independent evaluator."""
    from hjemmetjeneste.benchsets.rostering import solve_instance

    started = time.perf_counter()
    try:
        value, problems, seconds, detail = solve_instance(
            ref.path, time_limit_s, workers=ROSTERING_WORKERS
        )
    except (TimeoutError, RuntimeError, MemoryError) as exc:
        seconds = time.perf_counter() - started
        return QualityRow(
            ref.name,
            ref.family,
            solver_name,
            ref.best_known,
            None,
            None,
            0,
            0,
            0,
            False,
            str(exc),
            round(seconds, 2),
        )
    return QualityRow(
        instance=ref.name,
        family=ref.family,
        solver=solver_name,
        best_known=ref.best_known,
        value=float(value),
        gap_pct=_gap(float(value), ref.best_known),
        vehicles=0,
        served=0,
        jobs=0,
        valid=not problems,
        problems=_summarise(problems),
        seconds=round(seconds, 2),
        detail=", ".join(f"{k} {v}" for k, v in detail.items()),
    )


def _summarise(problems: list[str]) -> str:
    """The first three problems, and how many more."""
    more = f" (+{len(problems) - 3})" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def _gap(value: float | None, best: float) -> float | None:
    if value is None or best <= 0:
        return None
    return round(100.0 * (value - best) / best, 4)


def _run_vrptw(
    ref: InstanceRef,
    params: SolveParams,
    solver: Solver | None,
    solver_name: str,
    peers: Sequence[str],
) -> list[QualityRow]:
    instance = solomon.read_solomon(ref.path)
    problem = solomon.to_problem(instance)
    rows = []
    if solver is not None:
        started = time.perf_counter()
        solution = solver(problem, params)
        rows.append(_vrptw_row(ref, instance, problem, solution, solver_name, started))
    for peer in peers:
        started = time.perf_counter()
        try:
            answer = run_peer(peer, instance, params.time_limit_s)
        except Exception as exc:  # a peer's crash is a result, not the end of the run
            rows.append(
                QualityRow(ref.name, ref.family, peer, ref.best_known, None, None, 0, 0,
                           len(problem.job_nodes), False, f"crashed: {exc}",
                           time.perf_counter() - started)
            )  # fmt: skip
            continue
        given = solomon.solution_from_routes(problem, answer.routes)
        rows.append(_vrptw_row(ref, instance, problem, given, peer, started, answer.note))
    return rows


def _vrptw_row(
    ref: InstanceRef,
    instance: solomon.VrptwInstance,
    problem: RoutingProblem,
    solution: Solution,
    solver_name: str,
    started: float,
    note: str = "",
) -> QualityRow:
    seconds = time.perf_counter() - started
    violations = check_solution(problem, solution)
    problems = [v.message for v in violations]
    if not any(v.kind == "capacity_exceeded" for v in violations):
        # Independent of the reader: capacity straight from the instance file.
        problems += solomon.capacity_violations(instance, solution)
    if solution.dropped:
        problems.append(f"{len(solution.dropped)} customers unserved")
    if note:
        problems.append(note)
    value = solomon.route_distance(problem, solution) / solomon.SCALE
    jobs = len(problem.job_nodes)
    return QualityRow(
        instance=ref.name,
        family=ref.family,
        solver=solver_name,
        best_known=ref.best_known,
        value=value,
        gap_pct=_gap(value, ref.best_known),
        vehicles=sum(1 for r in solution.routes if r.stops),
        served=jobs - len(solution.dropped),
        jobs=jobs,
        valid=not problems,
        problems=_summarise(problems),
        seconds=round(seconds, 2),
    )


def _run_hhcrsp(
    ref: InstanceRef, params: SolveParams, solver: Solver, solver_name: str
) -> QualityRow:
    from hjemmetjeneste.benchsets import mankowska

    started = time.perf_counter()
    built = mankowska.build_mankowska(mankowska.read_mankowska(ref.path))
    solution = solver(built.problem, params)
    seconds = time.perf_counter() - started
    problems = [v.message for v in check_solution(built.problem, solution)]
    if solution.dropped:
        problems.append(f"{len(solution.dropped)} services not done")
    score = mankowska.score_mankowska(built, solution)
    value = None if solution.dropped else score.objective
    return QualityRow(
        instance=ref.name,
        family=ref.family,
        solver=solver_name,
        best_known=ref.best_known,
        value=value,
        gap_pct=_gap(value, ref.best_known),
        vehicles=sum(1 for r in solution.routes if r.stops),
        served=score.served,
        jobs=score.jobs,
        valid=not problems,
        problems=_summarise(problems),
        seconds=round(seconds, 2),
        detail=f"D {score.distance:.1f}, T {score.tardiness:.1f}, Tmax {score.max_tardiness:.1f}",
        best_known_latest=ref.best_known_latest,
        gap_latest_pct=None
        if ref.best_known_latest is None
        else _gap(value, ref.best_known_latest),
    )
