"""The roster's optional export files and its outputs (docs/import-format.md, docs/rostering.md).

Inputs, next to the export's other files and both optional: ``contracts.csv`` (staff_id,
allowed_shifts, fixed_days_off) and ``wishes.csv`` (staff_id, date, shift, wish, weight). Bad
input raises :class:`~hjemmetjeneste.errors.PlanInputError` naming file, row and field, with
every problem found. Outputs: the staffing need as CSV or JSON, the roster as ``roster.csv``
in the canonical format.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from hjemmetjeneste.domain import (
    CompetenceLevel,
    MunicipalityData,
    Roster,
    RosterEntry,
    ShiftKind,
    Skill,
    skill,
)
from hjemmetjeneste.errors import InputIssue, PlanInputError, Term, reason_of
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.rostering.rules import ALL_SHIFTS, Contract, ShiftNeed, Wish

CONTRACTS_FILE = "contracts.csv"
WISHES_FILE = "wishes.csv"
ROSTER_COLUMNS = ("staff_id", "date", "shift", "district_id")


def _rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanInputError(
                [InputIssue.of(path.name, None, c, N_("column is missing")) for c in missing]
            )
        return [
            (i, {k: (v or "").strip() for k, v in row.items() if k})
            for i, row in enumerate(reader, start=2)
        ]


def _shift(
    value: str, file: str, row: int, field: str, issues: list[InputIssue]
) -> ShiftKind | None:
    try:
        return ShiftKind(value)
    except ValueError:
        issues.append(
            InputIssue.of(
                file, row, field, N_("expected day, evening or night, got {value!r}"), value=value
            )
        )
        return None


def _date(rec: dict[str, str], file: str, row: int, issues: list[InputIssue]) -> date | None:
    try:
        return date.fromisoformat(rec["date"])
    except ValueError:
        message = N_("expected YYYY-MM-DD, got {value!r}")
        issues.append(InputIssue.of(file, row, "date", message, value=rec["date"]))
        return None


def _staff(
    rec: dict[str, str], known: set[str], file: str, row: int, issues: list[InputIssue]
) -> bool:
    if rec["staff_id"] in known:
        return True
    message = N_("unknown {label} {value!r}")
    issues.append(
        InputIssue.of(
            file, row, "staff_id", message, label=Term(N_("staff member")), value=rec["staff_id"]
        )
    )
    return False


def read_contracts(path: Path, data: MunicipalityData) -> dict[str, Contract]:
    """``contracts.csv``: per staff member the shifts they work and their fixed days off.

    ``allowed_shifts`` is ``day|evening|night`` (empty: all three); ``fixed_days_off`` ISO
    weekdays ``1..7`` separated by ``|`` (empty: none).
    """
    issues: list[InputIssue] = []
    staff_ids = {s.staff_id for s in data.staff}
    contracts: dict[str, Contract] = {}
    for row, rec in _rows(path, ("staff_id",)):
        sid = rec["staff_id"]
        if not _staff(rec, staff_ids, path.name, row, issues):
            continue
        if sid in contracts:
            message = N_("{staff!r} has a contract already")
            issues.append(InputIssue.of(path.name, row, "staff_id", message, staff=sid))
            continue
        allowed = set()
        for part in filter(None, rec.get("allowed_shifts", "").split("|")):
            kind = _shift(part, path.name, row, "allowed_shifts", issues)
            if kind is not None:
                allowed.add(kind)
        days_off = set()
        for part in filter(None, rec.get("fixed_days_off", "").split("|")):
            if part.isdigit() and 1 <= int(part) <= 7:
                days_off.add(int(part))
            else:
                issues.append(
                    InputIssue.of(
                        path.name,
                        row,
                        "fixed_days_off",
                        N_("expected 1-7, got {value!r}"),
                        value=part,
                    )
                )
        contracts[sid] = Contract(sid, frozenset(allowed) or ALL_SHIFTS, frozenset(days_off))
    if issues:
        raise PlanInputError(issues)
    return contracts


def read_wishes(path: Path, data: MunicipalityData) -> list[Wish]:
    """``wishes.csv``: staff_id, date, shift (empty: the whole day), wish (``on``/``off``),
    weight (1-10, default 1)."""
    issues: list[InputIssue] = []
    staff_ids = {s.staff_id for s in data.staff}
    wishes: list[Wish] = []
    for row, rec in _rows(path, ("staff_id", "date", "wish")):
        sid = rec["staff_id"]
        _staff(rec, staff_ids, path.name, row, issues)
        day = _date(rec, path.name, row, issues)
        if day is None:
            continue
        shift = _shift(rec["shift"], path.name, row, "shift", issues) if rec.get("shift") else None
        if rec["wish"] not in ("on", "off"):
            issues.append(
                InputIssue.of(
                    path.name,
                    row,
                    "wish",
                    N_("expected on or off, got {value!r}"),
                    value=rec["wish"],
                )
            )
        weight_text = rec.get("weight") or "1"
        if not weight_text.isdigit() or not 1 <= int(weight_text) <= 10:
            issues.append(
                InputIssue.of(
                    path.name,
                    row,
                    "weight",
                    N_("expected 1-10, got {value!r}"),
                    value=weight_text,
                )
            )
            continue
        wishes.append(Wish(sid, day, shift, rec["wish"] == "on", int(weight_text)))
    if issues:
        raise PlanInputError(issues)
    return wishes


def read_roster_file(path: Path, data: MunicipalityData) -> Roster:
    """A roster.csv on its own (``roster --from``), its staff and districts checked."""
    issues: list[InputIssue] = []
    staff_ids = {s.staff_id for s in data.staff}
    districts = {d.district_id for d in data.districts}
    entries: list[RosterEntry] = []
    seen: set[tuple[str, date, ShiftKind]] = set()
    for row, rec in _rows(path, ROSTER_COLUMNS):
        _staff(rec, staff_ids, path.name, row, issues)
        if rec["district_id"] not in districts:
            issues.append(
                InputIssue.of(
                    path.name,
                    row,
                    "district_id",
                    N_("unknown {label} {value!r}"),
                    label=Term(N_("district")),
                    value=rec["district_id"],
                )
            )
        day = _date(rec, path.name, row, issues)
        shift = _shift(rec["shift"], path.name, row, "shift", issues)
        if day is None or shift is None or issues:
            continue
        key = (rec["staff_id"], day, shift)
        if key in seen:
            issues.append(InputIssue.of(path.name, row, "staff_id", N_("duplicate roster entry")))
            continue
        seen.add(key)
        entries.append(
            RosterEntry(
                staff_id=rec["staff_id"], date=day, shift=shift, district_id=rec["district_id"]
            )
        )
    if issues:
        raise PlanInputError(issues)
    return Roster(entries=tuple(entries))


def write_roster_csv(roster: Roster, path: Path) -> None:
    """The roster in the export's ``roster.csv`` format (sorted by date, shift, staff)."""
    order = {k: i for i, k in enumerate(ShiftKind)}
    rows = sorted(roster.entries, key=lambda e: (e.date, order[e.shift], e.district_id, e.staff_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(ROSTER_COLUMNS) + "\n")
        for e in rows:
            handle.write(f"{e.staff_id},{e.date.isoformat()},{e.shift},{e.district_id}\n")


def need_record(need: ShiftNeed) -> dict[str, object]:
    """One shift's need as a flat record (the JSON and the API use it)."""
    return {
        "date": need.day.isoformat(),
        "shift": str(need.shift),
        "total": need.total,
        "by_competence": {str(k): v for k, v in need.by_competence.items()},
        "by_skill": {str(k): v for k, v in sorted(need.by_skill.items())},
        "tasks": need.tasks,
        "placeable": need.placeable,
        "placed_share_one_fewer": need.placed_share_one_fewer,
        "unplaceable": list(need.unplaceable),
    }


def write_needs(needs: Sequence[ShiftNeed], path: Path) -> None:
    """The staffing need as JSON (``.json``) or CSV (anything else; one column per level and
    skill, ``need_<name>``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(
            json.dumps([need_record(n) for n in needs], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        return
    own = sorted({str(s) for n in needs for s in n.by_skill} - {str(s) for s in Skill})
    columns = [str(c) for c in CompetenceLevel][1:] + [str(s) for s in Skill] + own
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "date",
                "shift",
                "total",
                *(f"need_{c}" for c in columns),
                "tasks",
                "placeable",
                "placed_share_one_fewer",
            ]
        )
        for n in needs:
            counts = {str(k): v for k, v in (*n.by_competence.items(), *n.by_skill.items())}
            writer.writerow(
                [
                    n.day.isoformat(),
                    str(n.shift),
                    n.total,
                    *(counts.get(c, 0) for c in columns),
                    n.tasks,
                    n.placeable,
                    n.placed_share_one_fewer,
                ]
            )


def read_needs(path: Path) -> list[ShiftNeed]:
    """A staffing need written by :func:`write_needs` (CSV or JSON)."""
    needs: list[ShiftNeed] = []
    try:
        if path.suffix.lower() == ".json":
            for rec in json.loads(path.read_text(encoding="utf-8")):
                needs.append(
                    ShiftNeed(
                        day=date.fromisoformat(rec["date"]),
                        shift=ShiftKind(rec["shift"]),
                        total=int(rec["total"]),
                        by_competence={
                            CompetenceLevel(k): int(v) for k, v in rec["by_competence"].items()
                        },
                        by_skill={skill(k): int(v) for k, v in rec["by_skill"].items()},
                    )
                )
            return needs
        for _, rec in _rows(path, ("date", "shift", "total")):
            levels = {
                c: int(rec[f"need_{c}"])
                for c in CompetenceLevel
                if rec.get(f"need_{c}", "0") not in ("", "0")
            }
            levels_named = {f"need_{c}" for c in CompetenceLevel}
            skills = {  # the standard skills' columns and the municipality's own
                skill(k.removeprefix("need_")): int(v)
                for k, v in rec.items()
                if k.startswith("need_") and k not in levels_named and v not in ("", "0", None)
            }
            needs.append(
                ShiftNeed(
                    date.fromisoformat(rec["date"]),
                    ShiftKind(rec["shift"]),
                    int(rec["total"]),
                    levels,
                    skills,
                )
            )
    except (KeyError, ValueError) as exc:
        raise PlanInputError(
            [
                InputIssue.of(
                    path.name,
                    None,
                    None,
                    N_("not a staffing need file: {detail}"),
                    detail=reason_of(exc),
                )
            ]
        ) from exc
    return needs
