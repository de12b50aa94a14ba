"""The canonical CSV export: one folder, one CSV file per kind of record.

This module holds the schema (files and columns), the row checks, the cross-file checks
(:func:`assemble_export`) and ``write_export``. Reading goes through the one entry point,
:func:`hjemmetjeneste.formats.read_export`, whatever the format. The format is described
in ``docs/import-format.md``.

Row numbers in every :class:`InputIssue` count data records: the header is row 0 and the
first data row is row 1 (a record whose quoted text spans several lines still counts as one
row). ``row=None`` means the issue concerns the whole file (missing, unreadable, empty);
``row=0`` with a ``field`` means the header lacks that column.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
from pydantic import ValidationError

from hjemmetjeneste.domain import (
    COMPETENCE_ALIASES,
    HOME,
    SKILL_ALIASES,
    Base,
    CarePlan,
    Catalogue,
    CatalogueName,
    CompetenceLevel,
    CompetenceTitle,
    District,
    HolidayRule,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    Priority,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftDefinition,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
    problem_area,
    skill,
)
from hjemmetjeneste.errors import (
    InputIssue,
    Phrase,
    PlanInputError,
    Term,
    known_message,
    pydantic_reason,
    reason_of,
)
from hjemmetjeneste.formats.schema import (
    BASES_FILE,
    BREAK_COLUMNS,
    DISTRICTS_FILE,
    HOLIDAY_WORDS,
    INTERVENTIONS_FILE,
    LIST_SEPARATOR,
    MUNICIPALITY_FILE,
    PATIENTS_FILE,
    ROSTER_FILE,
    RULE_COLUMNS,
    SCHEMAS,
    SHIFT_COLUMNS,
    STAFF_FILE,
    WEEKDAY_SEPARATOR,
    WINDOW_SEPARATOR,
)
from hjemmetjeneste.i18n import N_

__all__ = [
    "BASES_FILE",
    "DISTRICTS_FILE",
    "EXPORT_COLUMNS",
    "INTERVENTIONS_FILE",
    "MUNICIPALITY_FILE",
    "OPTIONAL_COLUMNS",
    "PATIENTS_FILE",
    "ROSTER_FILE",
    "STAFF_FILE",
    "write_export",
]

#: The files of an export and their required columns, in the order ``write_export``
#: writes them (derived from :data:`hjemmetjeneste.formats.schema.SCHEMAS`).
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {f: s.required for f, s in SCHEMAS.items()}

#: Optional columns (the planning rules of docs/constraints.md): a file may lack them, and
#: an absent column or an empty cell means the neutral default. ``write_export`` writes one
#: only when some record has a value other than the default.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {f: s.optional for f, s in SCHEMAS.items()}

_BREAK_COLUMNS: tuple[tuple[str, str], ...] = tuple((c, f) for c, f, _ in BREAK_COLUMNS)
_RULE_COLUMNS: tuple[str, ...] = tuple(c for c, _ in RULE_COLUMNS)
_SHIFT_COLUMNS = SHIFT_COLUMNS
_LIST_SEPARATOR = LIST_SEPARATOR
_WEEKDAY_SEPARATOR = WEEKDAY_SEPARATOR
_WINDOW_SEPARATOR = WINDOW_SEPARATOR

_INT_RE = re.compile(r"^[+-]?\d+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NORWEGIAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATETIME_MIDNIGHT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0+)?)?$")
# Excel stores a time of day as a fraction of day 0, which readers show as 1899-12-31
# (or 1899-12-30, 1900-01-00 in other epochs) plus the time.
_EXCEL_TIME_RE = re.compile(
    r"^(?:1899-12-3[01]|1900-01-0[01])[ T](\d{1,2}:\d{2}(?::\d{2})?)(?:\.0+)?$"
)
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DUPLICATED_COLUMN_RE = re.compile(r"^(.*)_duplicated_\d+$")

_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


# --------------------------------------------------------------------------------------
# Reading: files and rows
# --------------------------------------------------------------------------------------


@dataclass
class _Table:
    """One CSV file as read: the expected columns it has and its rows as raw strings."""

    file: str
    columns: frozenset[str]
    rows: list[dict[str, str]]
    complete: bool  # every expected column is present


@dataclass
class _Issues:
    """The problems found so far, across all files."""

    items: list[InputIssue] = field(default_factory=list)
    unchecked: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    """(file, column, referenced file, label) -> rows referring to a file without rows."""
    names: dict[str, str] = field(default_factory=dict)
    """Canonical file name -> the name the export gave it (``pasienter.csv``,
    ``export.xlsx[patients]``); issues and messages name files as the export does."""

    def add(
        self, file: str, row: int | None, column: str | None, message: str, /, **values: object
    ) -> None:
        """Record one problem: ``message`` (marked ``N_``) with ``values`` filled in."""
        self.items.append(InputIssue.of(file, row, column, message, **values))

    def name(self, file: str) -> str:
        """How the export names the canonical ``file``."""
        return self.names.get(file, file)

    def error(self) -> PlanInputError:
        """Every problem, sorted by file and row, each naming its file as the export does."""
        return PlanInputError(
            [dataclasses.replace(i, file=self.name(i.file)) for i in _sorted(self.items)]
        )


def table_from_frame(frame: pl.DataFrame, file: str, issues: _Issues) -> _Table:
    """Check a file's header and take its rows as strings (every column must be a string).

    ``file`` is the canonical file name (a key of :data:`EXPORT_COLUMNS`); other readers
    (``formats.tabular``: Parquet, Excel, other encodings) build the frame and reuse this.
    """
    expected = EXPORT_COLUMNS[file]
    # Header names without BOM or padding; polars renames repeated names to
    # "<name>_duplicated_<n>", which counts as a repeat of <name>.
    original: dict[str, str] = {}
    repeated: list[str] = []
    for raw in frame.columns:
        name = _clean_header(raw)
        dup = _DUPLICATED_COLUMN_RE.match(name)
        if dup and _clean_header(dup.group(1)) in original:
            name = _clean_header(dup.group(1))
        if name in original:
            repeated.append(name)
        else:
            original[name] = raw
    complete = True
    for name in dict.fromkeys(repeated):
        issues.add(file, 0, name, N_("column appears more than once in the header"))
        complete = False
    for column in expected:
        if column not in original:
            if original:
                found = ", ".join(original)
                message = N_("column is missing from the header (found: {found})")
                issues.add(file, 0, column, message, found=found)
            else:
                issues.add(file, 0, column, N_("column is missing from the header (no columns)"))
            complete = False
    keep = [c for c in (*expected, *OPTIONAL_COLUMNS[file]) if c in original]
    # Absent optional columns read as empty cells: their neutral default; so do nulls.
    absent = [pl.lit("").alias(c) for c in OPTIONAL_COLUMNS[file] if c not in original]
    columns = [pl.col(original[c]).fill_null("").alias(c) for c in keep]
    if columns:
        rows = list(frame.select(columns + absent).iter_rows(named=True))
    else:  # literals alone would make one row
        empty = {c: "" for c in OPTIONAL_COLUMNS[file]}
        rows = [dict(empty) for _ in range(frame.height)]
    return _Table(file=file, columns=frozenset(keep), rows=rows, complete=complete)


def _clean_header(name: str) -> str:
    return name.replace("\ufeff", "").strip()


class _Row:
    """One data row being converted: typed getters that record issues instead of raising.

    Every getter returns None when the value is unusable (and records why, unless the
    column itself is missing, which was reported once for the header). ``ok`` turns False
    as soon as anything is unusable, so the caller knows not to build the model.
    """

    def __init__(
        self, table: _Table, number: int, values: Mapping[str, str], issues: _Issues
    ) -> None:
        self.file = table.file
        self.number = number
        self.values = values
        self.issues = issues
        self.ok = table.complete

    def issue(self, column: str | None, message: str, /, **values: object) -> None:
        """Record a problem in this row: ``message`` (marked ``N_``) with ``values``."""
        self.issues.add(self.file, self.number, column, message, **values)
        self.ok = False

    def raw(self, column: str) -> str | None:
        """The cell exactly as written, or None when the column is missing."""
        value = self.values.get(column)
        if value is None:
            self.ok = False
        return value

    def text(self, column: str) -> str | None:
        """Free text, kept as written (may be empty)."""
        return self.raw(column)

    def optional_text(self, column: str) -> str | None:
        """Free text where an empty cell means 'none'."""
        value = self.raw(column)
        return value if value else None

    def identifier(self, column: str) -> str | None:
        """A non-empty id without surrounding whitespace."""
        value = self.raw(column)
        if value is None:
            return None
        if not value.strip():
            self.issue(column, N_("expected an id, found an empty cell"))
            return None
        if value != value.strip():
            self.issue(column, N_("id has leading or trailing whitespace: {value!r}"), value=value)
            return None
        return value

    def typed(self, column: str, kind: str | Phrase, parse: Callable[[str], _T]) -> _T | None:
        """The cell parsed by ``parse``; a ValueError becomes an issue naming ``kind`` (a
        message marked ``N_`` or a phrase) and the error's reason (a message or a phrase)."""
        value = self.raw(column)
        if value is None:
            return None
        try:
            return parse(value.strip())
        except ValueError as exc:
            detail = exc.args[0] if exc.args else ""
            what = kind if isinstance(kind, Phrase) else Term(kind)
            # our own reason (a phrase, a message of the catalogue); a library's English
            # sentence ("invalid literal for int()") says no more than the kind expected
            if isinstance(detail, Phrase) or (detail and known_message(str(detail))):
                self.issue(
                    column,
                    N_("expected {kind}, found {value!r} ({detail})"),
                    kind=what,
                    value=value,
                    detail=reason_of(detail),
                )
            else:
                self.issue(column, N_("expected {kind}, found {value!r}"), kind=what, value=value)
            return None

    def integer(self, column: str, default: int | None = None) -> int | None:
        """A whole number; an empty cell gives ``default`` (or an issue when there is none)."""
        if default is not None and self.is_empty(column):
            return default
        return self.typed(column, N_("a whole number"), _parse_int)

    def decimal(self, column: str, default: float | None = None) -> float | None:
        """A decimal number with a decimal point; empty gives ``default`` when there is one."""
        if default is not None and self.is_empty(column):
            return default
        return self.typed(column, N_("a decimal number such as 63.4305"), _parse_float)

    def boolean(self, column: str, default: bool) -> bool | None:
        """``true`` or ``false`` (any case); an empty cell gives ``default``."""
        if self.is_empty(column):
            return default
        return self.typed(column, N_("true or false"), _parse_bool)

    def day(self, column: str, *, optional: bool = False) -> date | None:
        """A date YYYY-MM-DD; when ``optional``, an empty cell gives None without an issue."""
        if optional and self.is_empty(column):
            return None
        return self.typed(column, N_("a date YYYY-MM-DD"), _parse_date)

    def clock(self, column: str, *, optional: bool = False) -> time | None:
        """A clock time HH:MM; when ``optional``, an empty cell gives None without an issue."""
        if optional and self.is_empty(column):
            return None
        return self.typed(column, N_("a clock time HH:MM between 00:00 and 23:59"), _parse_time)

    def choice(self, column: str, enum: type[_E], default: _E | None = None) -> _E | None:
        """One value of ``enum``; an empty cell gives ``default`` when there is one."""
        if default is not None and self.is_empty(column):
            return default
        return self.typed(column, _one_of(enum), lambda v: _parse_enum(v, enum))

    def choices(self, column: str, enum: type[_E]) -> frozenset[_E] | None:
        """Values of ``enum`` separated by ``|``; an empty cell is the empty set."""
        return self.typed(
            column,
            Phrase.of(N_("values separated by '|' from {allowed}"), allowed=_allowed(enum)),
            lambda v: frozenset(_parse_enum(p, enum) for p in _split(v, _LIST_SEPARATOR)),
        )

    def competence(
        self, column: str, catalogue: Catalogue
    ) -> CompetenceLevel | CompetenceTitle | None:
        """A caregiver's competence: a level, a standard title or a catalogue title (an
        unknown title is a new entry at the lowest level, or an issue when strict)."""
        return self.typed(column, N_("a competence level or title"), catalogue.competence)

    def required_level(
        self, column: str, catalogue: Catalogue, *, optional: bool = False
    ) -> CompetenceLevel | None:
        """The competence level work requires (a level or a title the catalogue knows)."""
        if optional and self.is_empty(column):
            return None
        return self.typed(
            column,
            Phrase.of(
                N_("one of {allowed} or a competence title in the catalogue"),
                allowed=_allowed(CompetenceLevel),
            ),
            catalogue.required_level,
        )

    def skills(self, column: str, catalogue: Catalogue) -> frozenset[Skill | CatalogueName] | None:
        """Skills separated by ``|``: standard ones and the catalogue's (an unknown skill is a
        new entry, or an issue when strict); an empty cell is the empty set."""
        value = self.raw(column)
        if value is not None and not value.strip():
            return frozenset()
        return self.typed(
            column,
            N_("skills separated by '|'"),
            lambda v: frozenset(catalogue.skill(p) for p in _split(v, _LIST_SEPARATOR)),
        )

    def times(self, column: str) -> tuple[time, ...] | None:
        """Clock times separated by ``|`` such as ``08:00|20:00``; empty is none."""
        return self.typed(
            column,
            N_("clock times HH:MM separated by '|' (e.g. 08:00|20:00)"),
            lambda v: tuple(_parse_time(p) for p in _split(v, _LIST_SEPARATOR)),
        )

    def windows(self, column: str) -> tuple[TimeWindow, ...] | None:
        """Windows ``HH:MM-HH:MM`` separated by ``|``; empty is none."""
        return self.typed(
            column,
            N_(
                "windows HH:MM-HH:MM separated by '|' with the end after the start "
                "(e.g. 08:00-10:00|20:00-22:00)"
            ),
            lambda v: tuple(_parse_window(p) for p in _split(v, _LIST_SEPARATOR)),
        )

    def weekdays(self, column: str) -> frozenset[int] | None:
        """ISO weekday numbers separated by ``,`` (1 = Monday); empty means every day."""
        return self.typed(
            column,
            N_("ISO weekday numbers 1 (Monday) to 7 (Sunday) separated by ',' (e.g. 1,4)"),
            lambda v: frozenset(_parse_weekday(p) for p in _split(v, _WEEKDAY_SEPARATOR)),
        )

    def optional_integer(self, column: str) -> int | None:
        """A whole number, or None for an empty cell (no issue)."""
        if self.is_empty(column):
            return None
        return self.typed(column, N_("a whole number"), _parse_int)

    def optional_choice(self, column: str, enum: type[_E]) -> _E | None:
        """One value of ``enum``, or None for an empty cell (no issue)."""
        if self.is_empty(column):
            return None
        return self.choice(column, enum)

    def optional_identifier(self, column: str) -> str | None:
        """An id, or None for an empty cell (no issue)."""
        if self.is_empty(column):
            return None
        return self.identifier(column)

    def identifiers(self, column: str) -> frozenset[str] | None:
        """Ids separated by ``|`` such as ``S001|S017``; an empty cell is the empty set."""
        return self.typed(
            column,
            N_("ids separated by '|' (e.g. S001|S017)"),
            lambda v: frozenset(_split(v, _LIST_SEPARATOR)),
        )

    def is_empty(self, column: str) -> bool:
        """True when the column is present and the cell is blank."""
        value = self.values.get(column)
        return value is not None and not value.strip()


@cache
def _allowed(enum: type[StrEnum]) -> str:
    """The values of ``enum`` for messages (cached: computed once per enum, not per cell)."""
    return ", ".join(repr(m.value) for m in enum)


def _one_of(enum: type[StrEnum]) -> Phrase:
    """ "one of" the values of ``enum``, as the kind of value a cell expects."""
    return Phrase.of(N_("one of {allowed}"), allowed=_allowed(enum))


def _split(value: str, separator: str) -> list[str]:
    if not value:
        return []
    parts = [p.strip() for p in value.split(separator)]
    if any(not p for p in parts):
        raise ValueError(
            Phrase.of(N_("empty item between '{separator}' separators"), separator=separator)
        )
    return parts


def _parse_int(value: str) -> int:
    if not _INT_RE.match(value):
        raise ValueError("")
    return int(value)


def _parse_float(value: str) -> float:
    if "," in value:
        # Norwegian spreadsheets write a decimal comma (63,4305); a comma next to a point
        # (1.234,5 or 1,234.5) could be a thousands separator and is refused.
        if "." in value or value.count(",") > 1:
            raise ValueError(N_("ambiguous: a comma and a point (thousands separator?)"))
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("") from None
    if not math.isfinite(number):
        raise ValueError(N_("not a finite number"))
    return number


_TRUE = frozenset({"true", "ja", "j", "sann", "yes", "1"})
_FALSE = frozenset({"false", "nei", "n", "usann", "no", "0"})


def _parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("")


@cache  # exports repeat the same few values; errors are not cached
def _parse_date(value: str) -> date:
    if match := _NORWEGIAN_DATE_RE.match(value):  # 30.11.2026, as Norwegian Excel writes it
        day, month, year = match.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d}"
    elif match := _DATETIME_MIDNIGHT_RE.match(value):  # a date cell: 2026-11-30 00:00:00
        value = match.group(1)
    elif "/" in value:
        raise ValueError(N_("ambiguous: write YYYY-MM-DD or DD.MM.YYYY"))
    if not _DATE_RE.match(value):
        raise ValueError("")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(N_("no such date")) from None


@cache  # exports repeat the same few values; errors are not cached
def _parse_time(value: str) -> time:
    if excel := _EXCEL_TIME_RE.match(value):  # an Excel time cell: 1899-12-31 07:30:00
        value = excel.group(1)
    match = _TIME_RE.match(value)
    if not match:
        raise ValueError("")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(Phrase.of(N_("no such time of day: {value}"), value=value))
    return time(hour, minute, second)


@cache  # exports repeat the same few values; errors are not cached
def _parse_window(value: str) -> TimeWindow:
    parts = value.split(_WINDOW_SEPARATOR)
    if len(parts) != 2:
        raise ValueError(
            Phrase.of(N_("window {value!r} is not of the form HH:MM-HH:MM"), value=value)
        )
    start, end = _parse_time(parts[0].strip()), _parse_time(parts[1].strip())
    if end <= start:
        raise ValueError(
            Phrase.of(N_("window {value!r} ends before it starts or is empty"), value=value)
        )
    return TimeWindow(start=start, end=end)


def _parse_weekday(value: str) -> int:
    if not _INT_RE.match(value) or not 1 <= int(value) <= 7:
        raise ValueError(Phrase.of(N_("{value!r} is not a weekday number 1-7"), value=value))
    return int(value)


_ENUM_ALIASES: dict[type, Mapping[str, StrEnum]] = {
    CompetenceLevel: COMPETENCE_ALIASES,
    Skill: SKILL_ALIASES,
}


@cache  # exports repeat the same few values; errors are not cached
def _parse_enum(value: str, enum: type[_E]) -> _E:
    try:
        return enum(value)
    except ValueError:
        pass
    folded = " ".join(value.casefold().split())  # Sykepleier, ERNÆRING OG VÆSKE
    for member in enum:
        if member.value.casefold() == folded:
            return member
    alias = _ENUM_ALIASES.get(enum, {}).get(folded)  # hjelpepleier, sårstell
    if alias is not None:
        return alias  # type: ignore[return-value]
    raise ValueError(Phrase.of(N_("unknown value {value!r}"), value=value))


def _build(
    row: _Row,
    factory: Callable[..., _T],
    kwargs: dict[str, Any],
    columns: Mapping[str, str],
    default_column: str | None,
) -> _T | None:
    """Call a pydantic constructor and map any validation error back to the row's columns.

    ``columns`` maps a model field path (``"location.lat"``) to the CSV column; errors that
    concern the whole model go to ``default_column``.
    """
    try:
        return factory(**kwargs)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            column = default_column
            for cut in range(len(loc), 0, -1):
                key = ".".join(loc[:cut])
                if key in columns:
                    column = columns[key]
                    break
            # pydantic's reason in the catalogue's words, never its English sentence
            why = pydantic_reason(error)
            if loc:
                found = error.get("input")
                row.issue(column, N_("{why} (found {value!r})"), why=why, value=found)
            else:
                row.issue(column, why.template, **dict(why.values))
        return None


# --------------------------------------------------------------------------------------
# Reading: one function per file
# --------------------------------------------------------------------------------------


@dataclass
class _Ids:
    """Ids seen in a file (valid rows or not), to check references without cascades."""

    present: bool
    rows: dict[str, int] = field(default_factory=dict)

    def knows(self, key: str) -> bool:
        """True when ``key`` was defined, or when the file could not be read at all."""
        return not self.present or key in self.rows


def _collect_ids(table: _Table | None, column: str, issues: _Issues) -> _Ids:
    """Ids defined in a table (1-based row of first definition), reporting duplicates."""
    if table is None or column not in table.columns:
        return _Ids(present=False)
    ids = _Ids(present=True)
    for number, values in enumerate(table.rows, start=1):
        key = values[column]
        if not key:
            continue
        if key in ids.rows:
            issues.add(
                table.file,
                number,
                column,
                N_("duplicate {column} {key!r} (first defined in row {first})"),
                column=column,
                key=key,
                first=ids.rows[key],
            )
        else:
            ids.rows[key] = number
    return ids


def _check_reference(
    row: _Row, column: str, value: str | None, ids: _Ids, target_file: str, label: str
) -> None:
    if value is not None and ids.present and not ids.rows:
        # The whole referenced file is empty: one issue for all its references (added by
        # assemble_export), not one "unknown" line per row.
        key = (row.file, column, target_file, label)
        row.issues.unchecked[key] = row.issues.unchecked.get(key, 0) + 1
        row.ok = False
        return
    if value is not None and not ids.knows(value):
        row.issue(
            column,
            N_("unknown {label} {value!r} (not in {file})"),
            label=Term(label),
            value=value,
            file=row.issues.name(target_file),
        )


def _check_municipality(row: _Row, value: str | None, municipality_id: str | None) -> None:
    if value is not None and municipality_id is not None and value != municipality_id:
        row.issue(
            "municipality_id",
            N_("expected municipality {expected!r} (from {file}), found {value!r}"),
            expected=municipality_id,
            file=row.issues.name(MUNICIPALITY_FILE),
            value=value,
        )


def _read_municipality(table: _Table | None, issues: _Issues) -> Municipality | None:
    if table is None:
        return None
    if len(table.rows) != 1:
        if not table.rows:
            issues.add(table.file, None, None, N_("expected exactly one data row, found none"))
        for number in range(2, len(table.rows) + 1):
            issues.add(
                table.file,
                number,
                None,
                N_("expected exactly one data row, found {n}"),
                n=len(table.rows),
            )
        return None
    row = _Row(table, 1, table.rows[0], issues)
    municipality_id = row.identifier("municipality_id")
    name = row.text("name")
    if name is not None and not name.strip():
        row.issue("name", N_("expected the municipality's name, found an empty cell"))
    timezone = row.raw("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder: OSError
            row.issue(
                "timezone",
                N_("expected an IANA time zone such as 'Europe/Oslo', found {value!r}"),
                value=timezone,
            )
    shifts: list[ShiftDefinition] = []
    for kind, start_column, end_column in _SHIFT_COLUMNS:
        start = row.clock(start_column, optional=True)
        end = row.clock(end_column, optional=True)
        start_raw, end_raw = row.values.get(start_column, ""), row.values.get(end_column, "")
        if start is not None and end is not None:
            if start == end:
                row.issue(
                    end_column, N_("the {kind} shift would last 0 or 24 hours"), kind=Term(kind)
                )
            shifts.append(ShiftDefinition(kind=kind, start=start, end=end))
        elif bool(start_raw.strip()) != bool(end_raw.strip()):
            missing = end_column if start_raw.strip() else start_column
            row.issue(
                missing,
                N_("give both {start} and {end}, or neither"),
                start=start_column,
                end=end_column,
            )
    rules = _read_rules(row)
    if not row.ok or timezone is None:
        return None
    return _build(
        row,
        Municipality,
        {
            "municipality_id": municipality_id,
            "name": name,
            "timezone": timezone.strip(),
            "shifts": tuple(shifts),
            "rules": rules,
        },
        {
            "municipality_id": "municipality_id",
            "name": "name",
            "timezone": "timezone",
            "rules": "breaks",
            **{f"rules.breaks.{f}": c for c, f in _BREAK_COLUMNS},
            **{f"rules.{c}": c for c in _RULE_COLUMNS},
        },
        "municipality_id",
    )


def _read_rules(row: _Row) -> dict[str, Any]:
    """The municipality's ``PlanningRules`` from its optional columns (empty = default).

    Ranges are left to the model, whose errors name the column (see ``_build``).
    """
    rules: dict[str, Any] = {}
    breaks = row.boolean("breaks", default=False)
    given = [c for c, _ in _BREAK_COLUMNS if not row.is_empty(c)]
    if breaks is False and given:
        for column in given:
            row.issue(
                column,
                N_("{column} is given, so breaks must be true (found empty or false)"),
                column=column,
            )
    if breaks:
        rule: dict[str, Any] = {}
        for column, name in _BREAK_COLUMNS:
            if column in given:
                getter = row.decimal if column.endswith("_h") else row.integer
                rule[name] = getter(column)
        rules["breaks"] = rule
    for column in _RULE_COLUMNS:
        value = row.optional_integer(column)
        if value is not None:
            rules[column] = value
    return rules


def _read_bases(table: _Table | None, issues: _Issues) -> list[Base]:
    bases: list[Base] = []
    for row in _rows(table, issues):
        kwargs = {
            "base_id": row.identifier("base_id"),
            "name": row.text("name"),
            "address": row.text("address"),
        }
        lat, lon = row.decimal("lat"), row.decimal("lon")
        if not row.ok:
            continue
        base = _build(
            row,
            Base,
            {**kwargs, "location": {"lat": lat, "lon": lon}},
            {"base_id": "base_id", "location.lat": "lat", "location.lon": "lon"},
            "base_id",
        )
        if base is not None:
            bases.append(base)
    return bases


def _read_districts(
    table: _Table | None, issues: _Issues, base_ids: _Ids, municipality_id: str | None
) -> list[District]:
    districts: list[District] = []
    for row in _rows(table, issues):
        district_id = row.identifier("district_id")
        mun = row.identifier("municipality_id")
        name = row.text("name")
        base_id = row.identifier("base_id")
        _check_municipality(row, mun, municipality_id)
        _check_reference(row, "base_id", base_id, base_ids, BASES_FILE, "base")
        if not row.ok:
            continue
        district = _build(
            row,
            District,
            {"district_id": district_id, "municipality_id": mun, "name": name, "base_id": base_id},
            {"district_id": "district_id"},
            "district_id",
        )
        if district is not None:
            districts.append(district)
    return districts


def _read_patients(
    table: _Table | None,
    issues: _Issues,
    district_ids: _Ids,
    municipality_id: str | None,
    staff_ids: _Ids,
) -> list[Patient]:
    patients: list[Patient] = []
    for row in _rows(table, issues):
        patient_id = row.identifier("patient_id")
        mun = row.identifier("municipality_id")
        district_id = row.identifier("district_id")
        display_name = row.text("display_name")
        address = row.text("address")
        lat, lon = row.decimal("lat"), row.decimal("lon")
        key_box_note = row.optional_text("key_box_note")
        refused = _staff_list(row, "refused_staff_ids", staff_ids)
        preferred = _staff_list(row, "preferred_staff_ids", staff_ids)
        team = _staff_list(row, "care_team_ids", staff_ids)
        if refused and team and refused & team:
            both = ", ".join(repr(s) for s in sorted(refused & team))
            row.issue(
                "care_team_ids", N_("staff member {staff} is refused by the patient"), staff=both
            )
        primary = (
            None if row.is_empty("primary_contact_id") else row.identifier("primary_contact_id")
        )
        if primary is not None:
            _check_reference(
                row, "primary_contact_id", primary, staff_ids, STAFF_FILE, "staff member"
            )
            if refused and primary in refused:
                row.issue(
                    "primary_contact_id",
                    N_("staff member {staff} is refused by the patient"),
                    staff=repr(primary),
                )
        language = (
            None
            if row.is_empty("language")
            else row.typed(
                "language",
                Phrase.of(N_("a language skill, one of {allowed}"), allowed=_languages()),
                _language,
            )
        )
        if refused and preferred and refused & preferred:
            both = ", ".join(repr(s) for s in sorted(refused & preferred))
            row.issue(
                "preferred_staff_ids",
                N_("staff member {staff} is both refused and preferred by the patient"),
                staff=both,
            )
        _check_municipality(row, mun, municipality_id)
        _check_reference(row, "district_id", district_id, district_ids, DISTRICTS_FILE, "district")
        if not row.ok:
            continue
        patient = _build(
            row,
            Patient,
            {
                "patient_id": patient_id,
                "municipality_id": mun,
                "district_id": district_id,
                "display_name": display_name,
                "address": address,
                "location": {"lat": lat, "lon": lon},
                "key_box_note": key_box_note,
                "refused_staff_ids": refused,
                "preferred_staff_ids": preferred,
                "language": language,
                "primary_contact_id": primary,
                "care_team_ids": team,
            },
            {
                "patient_id": "patient_id",
                "location.lat": "lat",
                "location.lon": "lon",
                "refused_staff_ids": "refused_staff_ids",
                "preferred_staff_ids": "preferred_staff_ids",
                "language": "language",
                "primary_contact_id": "primary_contact_id",
                "care_team_ids": "care_team_ids",
            },
            "patient_id",
        )
        if patient is not None:
            patients.append(patient)
    return patients


def _staff_list(row: _Row, column: str, staff_ids: _Ids) -> frozenset[str] | None:
    """Staff ids separated by ``|``, each of which must be in staff.csv."""
    ids = row.identifiers(column)
    for staff_id in sorted(ids or ()):
        _check_reference(row, column, staff_id, staff_ids, STAFF_FILE, "staff member")
    return ids


@cache
def _languages() -> str:
    return ", ".join(repr(s.value) for s in Skill if s.value.startswith("language_"))


def _language(value: str) -> Skill:
    """A ``language_*`` skill; anything else (another skill, an unknown code) is an error."""
    if not value.startswith("language_") or value not in {s.value for s in Skill}:
        raise ValueError("")
    return Skill(value)


_INTERVENTION_FIELD_COLUMNS: dict[str, str] = {
    "intervention_id": "intervention_id",
    "patient_id": "patient_id",
    "problem_area": "problem_area",
    "description": "description",
    "duration_min": "duration_min",
    "schedule": "schedule_kind",
    "schedule.kind": "schedule_kind",
    "schedule.times": "times",
    "schedule.tolerance_min": "tolerance_min",
    "schedule.windows": "windows",
    "schedule.weekdays": "weekdays",
    "schedule.every_n_weeks": "every_n_weeks",
    "schedule.week_anchor": "week_anchor",
    "required_competence": "required_competence",
    "required_skills": "required_skills",
    "staff_count": "staff_count",
    "priority": "priority",
    "time_critical": "time_critical",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "schedule.windows_are_alternatives": "alternative_windows",
    "gap_group": "gap_group",
    "min_gap_min": "min_gap_min",
    "max_gap_min": "max_gap_min",
    "second_staff_competence": "second_staff_competence",
    "second_staff_skills": "second_staff_skills",
    "late_allowance_min": "late_allowance_min",
    "separate_visit": "separate_visit",
}


def _read_care_plans(
    table: _Table | None, issues: _Issues, patient_ids: _Ids, catalogue: Catalogue
) -> list[CarePlan]:
    """Interventions grouped into care plans, in order of first appearance of each plan."""
    plans: dict[str, tuple[str, list[Intervention]]] = {}
    plan_owner: dict[str, tuple[str, int]] = {}
    memo: dict[tuple[str | None, ...], dict[str, Any]] = {}
    for row in _rows(table, issues):
        care_plan_id = row.identifier("care_plan_id")
        patient_id = row.identifier("patient_id")
        _check_reference(row, "patient_id", patient_id, patient_ids, PATIENTS_FILE, "patient")
        if care_plan_id is not None and patient_id is not None:
            owner = plan_owner.setdefault(care_plan_id, (patient_id, row.number))
            if owner[0] != patient_id:
                row.issue(
                    "patient_id",
                    N_(
                        "care plan {plan!r} belongs to patient {owner!r} (row {row}), "
                        "found {value!r}"
                    ),
                    plan=care_plan_id,
                    owner=owner[0],
                    row=owner[1],
                    value=patient_id,
                )
        intervention = _read_intervention(row, patient_id, catalogue, memo)
        if intervention is None or care_plan_id is None or patient_id is None or not row.ok:
            continue
        plans.setdefault(care_plan_id, (patient_id, []))[1].append(intervention)
    return [
        CarePlan(care_plan_id=plan_id, patient_id=patient_id, interventions=tuple(items))
        for plan_id, (patient_id, items) in plans.items()
    ]


def _read_intervention(
    row: _Row,
    patient_id: str | None,
    catalogue: Catalogue,
    memo: dict[tuple[str | None, ...], dict[str, Any]],
) -> Intervention | None:
    """One intervention row; ``memo`` holds the schedule and rule columns already read
    without issues, by their raw cells (the same cells always read the same)."""
    intervention_id = row.identifier("intervention_id")
    problem_area = row.typed("problem_area", N_("a care-plan heading"), _parse_problem_area)
    description = row.text("description")
    duration_min = row.integer("duration_min")
    key = tuple(map(row.values.get, _PLAN_COLUMNS))
    plan = memo.get(key)
    if plan is None:
        before = len(row.issues.items)
        plan = _schedule_and_rules(row)
        if len(row.issues.items) == before:
            memo[key] = plan
    competence = row.required_level("required_competence", catalogue)
    skills = row.skills("required_skills", catalogue)
    valid_from = row.day("valid_from")
    valid_to = row.day("valid_to", optional=True)
    second_competence = row.required_level("second_staff_competence", catalogue, optional=True)
    second_skills = row.skills("second_staff_skills", catalogue)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        row.issue(
            "valid_to",
            N_("valid_to {valid_to} is before valid_from {valid_from}"),
            valid_to=valid_to,
            valid_from=valid_from,
        )
    if not row.ok:
        return None
    return _build(
        row,
        Intervention,
        {
            "intervention_id": intervention_id,
            "patient_id": patient_id,
            "problem_area": problem_area,
            "description": description,
            "duration_min": duration_min,
            **plan,
            "required_competence": competence,
            "required_skills": skills,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "second_staff_competence": second_competence,
            "second_staff_skills": second_skills,
        },
        _INTERVENTION_FIELD_COLUMNS,
        "intervention_id",
    )


def _schedule_and_rules(row: _Row) -> dict[str, Any]:
    """The schedule and planning-rule fields of an intervention row, checked together."""
    kind = row.choice("schedule_kind", ScheduleKind)
    times = row.times("times")
    tolerance_min = row.integer("tolerance_min", default=0)
    windows = row.windows("windows")
    weekdays = row.weekdays("weekdays")
    every_n_weeks = row.integer("every_n_weeks", default=1)
    week_anchor = row.day("week_anchor", optional=True)
    staff_count = row.integer("staff_count", default=1)
    priority = row.choice("priority", Priority, default=Priority.NORMAL)
    time_critical = row.boolean("time_critical", default=False)
    gap_group = row.optional_identifier("gap_group")
    min_gap_min = row.integer("min_gap_min", default=0)
    max_gap_min = row.optional_integer("max_gap_min")
    late_allowance_min = row.integer("late_allowance_min", default=0)
    separate_visit = row.boolean("separate_visit", default=False)
    alternatives = row.boolean("alternative_windows", default=False)
    on_holidays = (
        HolidayRule.NORMAL
        if row.is_empty("on_holidays")
        else row.typed(
            "on_holidays",
            N_("one of 'normal', 'skip', 'as_sunday' (or vanlig, ikke, som søndag)"),
            _parse_holiday_rule,
        )
    )

    # Consistency checks that name the right column (the models would only say "schedule").
    if kind is not None and times is not None:
        if kind == ScheduleKind.FIXED and not times:
            row.issue("times", N_("a fixed schedule needs at least one time, found an empty cell"))
        if kind != ScheduleKind.FIXED and times:
            row.issue(
                "times",
                N_("a {kind} schedule takes no times, found {value!r}"),
                kind=kind,
                value=row.values["times"],
            )
    if kind is not None and windows is not None:
        if kind == ScheduleKind.WINDOW and not windows:
            row.issue(
                "windows", N_("a window schedule needs at least one window, found an empty cell")
            )
        if kind != ScheduleKind.WINDOW and windows:
            row.issue(
                "windows",
                N_("a {kind} schedule takes no windows, found {value!r}"),
                kind=kind,
                value=row.values["windows"],
            )
    anchor_given = bool(row.values.get("week_anchor", "x").strip())
    if every_n_weeks is not None and every_n_weeks > 1 and not anchor_given:
        row.issue(
            "week_anchor",
            N_("every_n_weeks is {n}, so a week_anchor date is needed"),
            n=every_n_weeks,
        )
    _check_rules(row, kind, staff_count, gap_group, min_gap_min, max_gap_min, alternatives)
    return {
        "schedule": _schedule(
            kind,
            times,
            tolerance_min,
            windows,
            weekdays,
            every_n_weeks,
            week_anchor,
            alternatives,
            on_holidays,
        ),
        "staff_count": staff_count,
        "priority": priority,
        "time_critical": time_critical,
        "gap_group": gap_group,
        "min_gap_min": min_gap_min,
        "max_gap_min": max_gap_min,
        "late_allowance_min": late_allowance_min,
        "separate_visit": separate_visit,
    }


@lru_cache(maxsize=65536)
def _cached_schedule(*fields: Any) -> Schedule:
    return Schedule(**dict(zip(_SCHEDULE_FIELDS, fields, strict=True)))


_SCHEDULE_FIELDS = (
    "kind",
    "times",
    "tolerance_min",
    "windows",
    "weekdays",
    "every_n_weeks",
    "week_anchor",
    "windows_are_alternatives",
    "on_holidays",
)

#: The columns of an intervention's schedule and planning rules: exports repeat a few
#: combinations, so each distinct one is read once (:func:`_schedule_and_rules`).
_PLAN_COLUMNS = (
    "schedule_kind",
    *_SCHEDULE_FIELDS[1:7],  # times ... week_anchor: columns named as the fields
    "staff_count",
    "priority",
    "time_critical",
    "gap_group",
    "min_gap_min",
    "max_gap_min",
    "late_allowance_min",
    "separate_visit",
    "alternative_windows",
    "on_holidays",
    "second_staff_competence",
    "second_staff_skills",
)


@cache
def _parse_problem_area(value: str) -> ProblemArea | CatalogueName:
    return problem_area(value)


def _parse_holiday_rule(value: str) -> HolidayRule:
    folded = " ".join(value.casefold().replace("_", " ").split())
    if folded in HOLIDAY_WORDS:
        return HOLIDAY_WORDS[folded]
    return _parse_enum(folded.replace(" ", "_"), HolidayRule)


def _check_rules(
    row: _Row,
    kind: ScheduleKind | None,
    staff_count: int | None,
    gap_group: str | None,
    min_gap_min: int | None,
    max_gap_min: int | None,
    alternatives: bool | None,
) -> None:
    """Consistency of an intervention's planning-rule columns, each named in its issue."""
    if gap_group is None and row.is_empty("gap_group"):
        for column, value in (("min_gap_min", min_gap_min), ("max_gap_min", max_gap_min)):
            if value:
                row.issue(
                    column,
                    N_("{column} is {value}, so a gap_group is needed"),
                    column=column,
                    value=value,
                )
    if min_gap_min is not None and max_gap_min is not None and max_gap_min < min_gap_min:
        row.issue(
            "max_gap_min",
            N_("max_gap_min {max_gap} is below min_gap_min {min_gap}"),
            max_gap=max_gap_min,
            min_gap=min_gap_min,
        )
    second = row.values.get("second_staff_competence", "").strip()
    if second and staff_count is not None and staff_count != 2:
        row.issue(
            "second_staff_competence",
            N_("a second caregiver's competence needs staff_count 2, found staff_count {n}"),
            n=staff_count,
        )
    if row.values.get("second_staff_skills", "").strip() and not second:
        row.issue(
            "second_staff_skills",
            N_("the second caregiver's skills need a second_staff_competence (the second role)"),
        )
    if alternatives and kind is not None and kind != ScheduleKind.WINDOW:
        row.issue(
            "alternative_windows",
            N_("alternative windows need a window schedule, not {kind}"),
            kind=kind,
        )


def _schedule(*fields: Any) -> Schedule | dict[str, Any]:
    """A Schedule, shared between rows with the same one (exports repeat a few schedules).

    When the values do not make a valid schedule the plain dict is returned, so that
    building the intervention reports the problem against the row's columns as before.
    """
    try:
        return _cached_schedule(*fields)
    except (ValidationError, TypeError):
        return dict(zip(_SCHEDULE_FIELDS, fields, strict=True))


def _read_staff(
    table: _Table | None,
    issues: _Issues,
    district_ids: _Ids,
    municipality_id: str | None,
    catalogue: Catalogue,
) -> list[Staff]:
    staff: list[Staff] = []
    for row in _rows(table, issues):
        staff_id = row.identifier("staff_id")
        mun = row.identifier("municipality_id")
        district_id = row.identifier("district_id")
        first_name = row.text("first_name")
        competence = row.competence("competence", catalogue)
        skills = row.skills("skills", catalogue)
        travel_mode = row.choice("travel_mode", TravelMode, default=TravelMode.CAR)
        fte = row.decimal("contracted_fte", default=1.0)
        home = _home(row)
        _check_municipality(row, mun, municipality_id)
        _check_reference(row, "district_id", district_id, district_ids, DISTRICTS_FILE, "district")
        if not row.ok:
            continue
        member = _build(
            row,
            Staff,
            {
                "staff_id": staff_id,
                "municipality_id": mun,
                "district_id": district_id,
                "first_name": first_name,
                "competence": competence,
                "skills": skills,
                "travel_mode": travel_mode,
                "contracted_fte": fte,
                "home": home,
            },
            {"staff_id": "staff_id", "contracted_fte": "contracted_fte", "home": "home_lat"},
            "staff_id",
        )
        if member is not None:
            staff.append(member)
    return staff


def _home(row: _Row) -> dict[str, float] | None:
    """The caregiver's home from ``home_lat``/``home_lon``: both or neither."""
    if row.is_empty("home_lat") and row.is_empty("home_lon"):
        return None
    lat, lon = row.decimal("home_lat"), row.decimal("home_lon")
    if lat is None or lon is None:
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        row.issue(
            "home_lat",
            N_("home ({lat}, {lon}) is no coordinate (lat -90..90, lon -180..180)"),
            lat=lat,
            lon=lon,
        )
        return None
    return {"lat": lat, "lon": lon}


def _read_roster(
    table: _Table | None,
    issues: _Issues,
    staff_ids: _Ids,
    district_ids: _Ids,
    base_ids: _Ids | None = None,
    municipality: Municipality | None = None,
    homes: frozenset[str] = frozenset(),
) -> list[RosterEntry]:
    entries: list[RosterEntry] = []
    seen: dict[tuple[str, date, ShiftKind], int] = {}
    for row in _rows(table, issues):
        staff_id = row.identifier("staff_id")
        day = row.day("date")
        shift = row.choice("shift", ShiftKind)
        district_id = row.identifier("district_id")
        start = row.clock("start", optional=True)
        end = row.clock("end", optional=True)
        start_place = row.optional_identifier("start_place")
        end_place = row.optional_identifier("end_place")
        for column, place in (("start_place", start_place), ("end_place", end_place)):
            if place == HOME and staff_id is not None and staff_id not in homes:
                row.issue(
                    column,
                    N_(
                        "the day starts or ends at home, but staff {staff!r} has no home "
                        "(home_lat, home_lon in staff.csv)"
                    ),
                    staff=staff_id,
                )
            elif place is not None and place != HOME and base_ids is not None:
                _check_reference(row, column, place, base_ids, BASES_FILE, "base")
        _check_reference(row, "staff_id", staff_id, staff_ids, STAFF_FILE, "staff member")
        _check_reference(row, "district_id", district_id, district_ids, DISTRICTS_FILE, "district")
        if staff_id is not None and day is not None and shift is not None:
            key = (staff_id, day, shift)
            if key in seen:
                row.issue(
                    "staff_id",
                    N_(
                        "duplicate roster entry: {staff!r} already works the {shift} shift "
                        "on {day} (row {first})"
                    ),
                    staff=staff_id,
                    shift=Term(shift),
                    day=day,
                    first=seen[key],
                )
            else:
                seen[key] = row.number
        if not row.ok:
            continue
        entry = _build(
            row,
            RosterEntry,
            {
                "staff_id": staff_id,
                "date": day,
                "shift": shift,
                "district_id": district_id,
                "start": start,
                "end": end,
                "start_place": start_place,
                "end_place": end_place,
            },
            {"staff_id": "staff_id", "date": "date", "shift": "shift"},
            "staff_id",
        )
        if entry is None:
            continue
        if municipality is not None and shift is not None:
            definition = next((d for d in municipality.shifts if d.kind == shift), None)
            why = None if definition is None else entry.hours_problem(definition)
            if why is not None:
                row.issue("end", why.template, **dict(why.values))
                continue
        entries.append(entry)
    return entries


def _rows(table: _Table | None, issues: _Issues) -> Iterable[_Row]:
    if table is None:
        return
    for number, values in enumerate(table.rows, start=1):
        yield _Row(table, number, values, issues)


def assemble_export(
    tables: Mapping[str, _Table | None],
    issues: _Issues,
    source: str,
    catalogue: Catalogue | None = None,
) -> MunicipalityData:
    """Check every row of the tables (keyed by canonical file name) and build the data.

    Competence titles and skills are read against ``catalogue`` (the standard values and
    the municipality's own; by default, no own entries and not strict), which counts the
    new entries it meets.

    ``None`` stands for a file that could not be read (already reported in ``issues``).
    Raises one :class:`PlanInputError` with everything found, sorted by file and row.
    """
    municipality = _read_municipality(tables[MUNICIPALITY_FILE], issues)
    municipality_id = municipality.municipality_id if municipality is not None else None

    base_ids = _collect_ids(tables[BASES_FILE], "base_id", issues)
    district_ids = _collect_ids(tables[DISTRICTS_FILE], "district_id", issues)
    patient_ids = _collect_ids(tables[PATIENTS_FILE], "patient_id", issues)
    _collect_ids(tables[INTERVENTIONS_FILE], "intervention_id", issues)
    staff_ids = _collect_ids(tables[STAFF_FILE], "staff_id", issues)

    bases = _read_bases(tables[BASES_FILE], issues)
    districts = _read_districts(tables[DISTRICTS_FILE], issues, base_ids, municipality_id)
    patients = _read_patients(
        tables[PATIENTS_FILE], issues, district_ids, municipality_id, staff_ids
    )
    catalogue = Catalogue() if catalogue is None else catalogue
    care_plans = _read_care_plans(tables[INTERVENTIONS_FILE], issues, patient_ids, catalogue)
    staff = _read_staff(tables[STAFF_FILE], issues, district_ids, municipality_id, catalogue)
    roster = _read_roster(
        tables[ROSTER_FILE],
        issues,
        staff_ids,
        district_ids,
        base_ids,
        municipality,
        frozenset(s.staff_id for s in staff if s.home is not None),
    )
    for (file, column, target, label), count in issues.unchecked.items():
        issues.add(
            file,
            None,
            column,
            N_(
                "{n} row(s) refer to a {label}, but {file} has no data rows "
                "(only a header): fill it, or import this file with --partial"
            ),
            n=count,
            label=Term(label),
            file=issues.name(target),
        )

    if issues.items or municipality is None:
        raise issues.error()
    try:
        return MunicipalityData(
            municipality=municipality,
            districts=tuple(districts),
            bases=tuple(bases),
            patients=tuple(patients),
            care_plans=tuple(care_plans),
            staff=tuple(staff),
            roster=Roster(entries=tuple(roster)),
        )
    except ValidationError as exc:  # pragma: no cover - the checks above should catch it all
        raise PlanInputError(
            [InputIssue.because(source, None, None, pydantic_reason(e)) for e in exc.errors()]
        ) from exc


def _sorted(items: Sequence[InputIssue]) -> list[InputIssue]:
    """Issues grouped by file (in export order), then by row; stable within a row."""
    order = {name: i for i, name in enumerate(EXPORT_COLUMNS)}
    return sorted(
        items,
        key=lambda i: (order.get(i.file, len(order)), -1 if i.row is None else i.row),
    )


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _csv_cell(value: str) -> str:
    """One cell, quoted (RFC 4180 style) when it holds a comma, a quote or a line break.

    The stdlib writer with ``\n`` line endings would leave a lone ``\r`` unquoted, which
    readers then take for a line break; quoting it here keeps free text intact.
    """
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        for row in (header, *rows):
            handle.write(",".join(_csv_cell(v) for v in row) + "\n")


def write_export(data: MunicipalityData, folder: Path) -> None:
    """Write ``data`` as a canonical CSV export into ``folder`` (created when missing).

    Rows follow the order of the tuples in ``data`` (interventions grouped by care plan),
    so ``read_export`` gives back an equal object. The optional planning-rule columns
    (:data:`OPTIONAL_COLUMNS`) are written only when some record has a value other than the
    default, so data without rules gives the same files as before. Not representable, and so not
    round-tripped: care plans without interventions, empty-string key-box notes (read back
    as None) and the order of a municipality's shift definitions (read back as day,
    evening, night).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        _write_csv(folder / name, *schema.rows(data))
    titles = {str(s.competence): s.competence for s in data.staff}
    rows = [
        ("competence", name, title.level.value, "")
        for name, title in sorted(titles.items())
        if isinstance(title, CompetenceTitle)
    ]
    skills = {str(k) for s in data.staff for k in s.skills} | {
        str(k)
        for p in data.care_plans
        for i in p.interventions
        for k in (*i.required_skills, *i.second_staff_skills)
    }
    rows += [("skill", k, "", "") for k in sorted(skills) if not isinstance(skill(k), Skill)]
    if rows:  # own titles (with the level each counts as) and skills, read by formats.auto
        _write_csv(folder / "catalogue.csv", ("kind", "name", "level", "aliases"), rows)
