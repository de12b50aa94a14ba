"""One declarative schema per kind of record of the tabular export.

Each :class:`RecordSchema` describes, once, a file of the export: its canonical name and
the names a municipality may give it (``pasienter.csv``, a sheet ``Tiltak``), and each of
its :class:`Column`\\ s: canonical name, Norwegian aliases, the kind of cell it holds
(:class:`Cell`, which tells the readers how to normalise spreadsheet habits such as a
decimal comma or ``ja``/``nei``), whether it may be absent (optional columns read as
empty cells, their neutral default) and how the writer renders it from a record.

The table readers (``formats.canonical``, ``formats.tabular``) and the writer
(``write_export``) are driven by :data:`SCHEMAS`; nothing else lists columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any

from hjemmetjeneste.domain import (
    BreakRule,
    CarePlan,
    HolidayRule,
    Intervention,
    Municipality,
    MunicipalityData,
    PlanningRules,
    ShiftKind,
)

__all__ = [
    "BASES_FILE",
    "COMMON_ALIASES",
    "DISTRICTS_FILE",
    "INTERVENTIONS_FILE",
    "MUNICIPALITY_FILE",
    "PATIENTS_FILE",
    "ROSTER_FILE",
    "SCHEMAS",
    "STAFF_FILE",
    "Cell",
    "Column",
    "RecordSchema",
]

MUNICIPALITY_FILE = "municipality.csv"
DISTRICTS_FILE = "districts.csv"
BASES_FILE = "bases.csv"
PATIENTS_FILE = "patients.csv"
INTERVENTIONS_FILE = "interventions.csv"
STAFF_FILE = "staff.csv"
ROSTER_FILE = "roster.csv"

LIST_SEPARATOR = "|"
WEEKDAY_SEPARATOR = ","
WINDOW_SEPARATOR = "-"


class Cell(StrEnum):
    """What a column holds: how a cell is parsed and which spreadsheet habits apply."""

    TEXT = "text"
    ID = "id"
    IDS = "ids"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    TIME = "time"
    TIMES = "times"
    WINDOWS = "windows"
    WEEKDAYS = "weekdays"
    CHOICE = "choice"
    CHOICES = "choices"


@dataclass(frozen=True)
class Column:
    """One column: its canonical name, aliases, cell kind and how it is written."""

    name: str
    cell: Cell
    write: Callable[[Any], str]
    aliases: tuple[str, ...] = ()
    optional: bool = False
    """May be absent from the header; an absent column or an empty cell is the default."""


@dataclass(frozen=True)
class RecordSchema:
    """One file of the export: names, columns, and the records the writer takes from data."""

    file: str
    file_aliases: tuple[str, ...]
    columns: tuple[Column, ...]
    records: Callable[[MunicipalityData], Iterable[Any]]

    @property
    def required(self) -> tuple[str, ...]:
        """Columns every file of this kind must have, in the order they are written."""
        return tuple(c.name for c in self.columns if not c.optional)

    @property
    def optional(self) -> tuple[str, ...]:
        """Columns a file may lack (the planning rules of docs/constraints.md)."""
        return tuple(c.name for c in self.columns if c.optional)

    @property
    def aliases(self) -> dict[str, str]:
        """Normalised alias -> canonical column name."""
        return {a: c.name for c in self.columns for a in c.aliases}

    def cells(self) -> dict[str, Cell]:
        """Canonical column name -> cell kind."""
        return {c.name: c.cell for c in self.columns}

    def rows(self, data: MunicipalityData) -> tuple[tuple[str, ...], list[list[str]]]:
        """(header, rows) of this file for ``data``, as the writer writes them: the
        required columns, then the optional ones that hold a value in some row."""
        cells = [[c.write(r) for c in self.columns] for r in self.records(data)]
        used = [
            i for i, c in enumerate(self.columns) if not c.optional or any(row[i] for row in cells)
        ]
        return (
            tuple(self.columns[i].name for i in used),
            [[row[i] for i in used] for row in cells],
        )


# --------------------------------------------------------------------------------------
# Rendering cells
# --------------------------------------------------------------------------------------


def fmt_time(value: time) -> str:
    """A clock time as HH:MM (HH:MM:SS when it has seconds)."""
    if value.microsecond:
        raise ValueError(f"times with fractions of a second cannot be exported: {value}")
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def fmt_float(value: float) -> str:
    """A decimal number that reads back exactly."""
    return repr(float(value))


def fmt_set(values: Iterable[StrEnum]) -> str:
    """Catalogue values separated by ``|``, sorted."""
    return LIST_SEPARATOR.join(sorted(v.value for v in values))


def fmt_date(value: date | None) -> str:
    """A date YYYY-MM-DD, or empty."""
    return "" if value is None else value.isoformat()


def _int_cell(value: int | None, default: int | None) -> str:
    return "" if value == default else str(value)


def _attr(name: str) -> Callable[[Any], str]:
    return lambda record: getattr(record, name)


def _optional(
    name: str,
    cell: Cell,
    value: Callable[[Any], Any],
    fmt: Callable[[Any], str],
    aliases: tuple[str, ...],
) -> Column:
    """An optional column whose empty cell means None (the neutral default)."""

    def write(record: Any) -> str:
        found = value(record)
        return "" if found is None else fmt(found)

    return Column(name, cell, write, aliases, optional=True)


def _shift_cell(kind: ShiftKind, end: bool) -> Callable[[Municipality], str]:
    def write(municipality: Municipality) -> str:
        definition = next((s for s in municipality.shifts if s.kind == kind), None)
        if definition is None:
            return ""
        return fmt_time(definition.end if end else definition.start)

    return write


def _break_cell(name: str) -> Callable[[Municipality], str]:
    default = getattr(BreakRule(), name)

    def write(municipality: Municipality) -> str:
        breaks = municipality.rules.breaks
        value = None if breaks is None else getattr(breaks, name)
        if value is None or value == default:
            return ""
        return fmt_float(value) if isinstance(value, float) else str(value)

    return write


def _rule_cell(name: str) -> Callable[[Municipality], str]:
    default = getattr(PlanningRules(), name)
    return lambda municipality: _int_cell(getattr(municipality.rules, name), default)


#: (shift kind, start column, end column, Norwegian prefix) of municipality.csv.
SHIFT_COLUMNS: tuple[tuple[ShiftKind, str, str], ...] = (
    (ShiftKind.DAY, "day_start", "day_end"),
    (ShiftKind.EVENING, "evening_start", "evening_end"),
    (ShiftKind.NIGHT, "night_start", "night_end"),
)
_SHIFT_NORWEGIAN = {ShiftKind.DAY: "dagvakt", ShiftKind.EVENING: "kveldsvakt"}

#: Break-rule columns of municipality.csv, the ``BreakRule`` field each sets, and alias.
BREAK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("break_min_shift_h", "min_shift_h", "pause_min_vakt_timer"),
    ("break_duration_min", "duration_min", "pause_varighet_min"),
    ("break_long_shift_h", "long_shift_h", "pause_lang_vakt_timer"),
    ("break_long_duration_min", "long_duration_min", "pause_lang_varighet_min"),
    (
        "break_earliest_after_start_min",
        "earliest_after_start_min",
        "pause_tidligst_etter_start_min",
    ),
    (
        "break_latest_end_before_end_min",
        "latest_end_before_end_min",
        "pause_senest_før_slutt_min",
    ),
)
#: Integer ``PlanningRules`` fields, each an optional column of municipality.csv, and alias.
RULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("continuity_weight", "kontinuitet_vekt"),
    ("continuity_days", "kontinuitet_dager"),
    ("preference_weight", "preferanse_vekt"),
    ("language_weight", "språk_vekt"),
    ("lateness_cost_per_min", "forsinkelse_kostnad_per_min"),
    ("overtime_max_min", "overtid_maks_min"),
    ("overtime_cost_per_min", "overtid_kostnad_per_min"),
    ("balance_weight", "balanse_vekt"),
    ("primary_contact_weight", "primærkontakt_vekt"),
    ("idle_cost_per_min", "ventetid_kostnad_per_min"),
    ("notice_move_threshold_min", "varsel_flyttet_besøk_min"),
)


def _shift_columns() -> list[Column]:
    columns = []
    for kind, start, end in SHIFT_COLUMNS:
        prefix = _SHIFT_NORWEGIAN.get(kind, "nattvakt")
        columns.append(Column(start, Cell.TIME, _shift_cell(kind, False), (f"{prefix}_start",)))
        columns.append(Column(end, Cell.TIME, _shift_cell(kind, True), (f"{prefix}_slutt",)))
    return columns


#: Aliases every file accepts (headers are normalised first: lower case, ``_`` for spaces).
COMMON_ALIASES: dict[str, str] = {
    "kommunenummer": "municipality_id",
    "kommune_id": "municipality_id",
    "kommunenr": "municipality_id",
    "distrikt_id": "district_id",
    "sone_id": "district_id",
    "adresse": "address",
    "breddegrad": "lat",
    "lengdegrad": "lon",
    "pasient_id": "patient_id",
    "bruker_id": "patient_id",
    "ansatt_id": "staff_id",
    "postnummer": "postal_code",
}

_Pair = tuple[CarePlan, Intervention]


def _item(name: str) -> Callable[[_Pair], str]:
    return lambda pair: getattr(pair[1], name)


def _holiday_cell(rule: HolidayRule) -> str:
    return "" if rule == HolidayRule.NORMAL else rule.value


#: Norwegian words for the holiday rules, besides their values (any letter case).
HOLIDAY_WORDS: dict[str, HolidayRule] = {
    "vanlig": HolidayRule.NORMAL,
    "ikke": HolidayRule.SKIP,
    "ikke på helligdager": HolidayRule.SKIP,
    "som søndag": HolidayRule.AS_SUNDAY,
    "helligdag som søndag": HolidayRule.AS_SUNDAY,
}


def _optional_value(name: str) -> Callable[[Any], str]:
    def write(record: Any) -> str:
        value = getattr(record, name)
        return "" if value is None else value.value

    return write


_MUNICIPALITY = RecordSchema(
    MUNICIPALITY_FILE,
    ("municipality", "kommune"),
    (
        Column("municipality_id", Cell.ID, _attr("municipality_id")),
        Column("name", Cell.TEXT, _attr("name"), ("navn", "kommunenavn")),
        Column("timezone", Cell.TEXT, _attr("timezone"), ("tidssone",)),
        *_shift_columns(),
        Column(
            "breaks",
            Cell.BOOLEAN,
            lambda m: "" if m.rules.breaks is None else "true",
            ("pauseregel",),
            optional=True,
        ),
        *(
            Column(
                column,
                Cell.DECIMAL if column.endswith("_h") else Cell.INTEGER,
                _break_cell(name),
                (alias,),
                optional=True,
            )
            for column, name, alias in BREAK_COLUMNS
        ),
        *(
            Column(column, Cell.INTEGER, _rule_cell(column), (alias,), optional=True)
            for column, alias in RULE_COLUMNS
        ),
    ),
    lambda data: (data.municipality,),
)

_DISTRICTS = RecordSchema(
    DISTRICTS_FILE,
    ("districts", "distrikter", "distrikt", "soner", "sone"),
    (
        Column("district_id", Cell.ID, _attr("district_id")),
        Column("municipality_id", Cell.ID, _attr("municipality_id")),
        Column("name", Cell.TEXT, _attr("name"), ("navn",)),
        Column("base_id", Cell.ID, _attr("base_id")),
    ),
    lambda data: data.districts,
)

_BASES = RecordSchema(
    BASES_FILE,
    ("bases", "baser", "base"),
    (
        Column("base_id", Cell.ID, _attr("base_id")),
        Column("name", Cell.TEXT, _attr("name"), ("navn",)),
        Column("address", Cell.TEXT, _attr("address")),
        Column("lat", Cell.DECIMAL, lambda b: fmt_float(b.location.lat)),
        Column("lon", Cell.DECIMAL, lambda b: fmt_float(b.location.lon)),
    ),
    lambda data: data.bases,
)

_PATIENTS = RecordSchema(
    PATIENTS_FILE,
    ("patients", "pasienter", "brukere"),
    (
        Column("patient_id", Cell.ID, _attr("patient_id")),
        Column("municipality_id", Cell.ID, _attr("municipality_id")),
        Column("district_id", Cell.ID, _attr("district_id")),
        Column("display_name", Cell.TEXT, _attr("display_name"), ("navn", "visningsnavn")),
        Column("address", Cell.TEXT, _attr("address")),
        Column("lat", Cell.DECIMAL, lambda p: fmt_float(p.location.lat)),
        Column("lon", Cell.DECIMAL, lambda p: fmt_float(p.location.lon)),
        Column(
            "key_box_note",
            Cell.TEXT,
            lambda p: p.key_box_note or "",
            ("nøkkelboks", "nøkkelboksnotat"),
        ),
        Column(
            "refused_staff_ids",
            Cell.IDS,
            lambda p: LIST_SEPARATOR.join(sorted(p.refused_staff_ids)),
            ("avviste_ansatte",),
            optional=True,
        ),
        Column(
            "preferred_staff_ids",
            Cell.IDS,
            lambda p: LIST_SEPARATOR.join(sorted(p.preferred_staff_ids)),
            ("foretrukne_ansatte",),
            optional=True,
        ),
        Column("language", Cell.CHOICE, _optional_value("language"), ("språk",), optional=True),
        Column(
            "primary_contact_id",
            Cell.ID,
            lambda p: p.primary_contact_id or "",
            ("primaerkontakt", "primærkontakt"),
            optional=True,
        ),
        Column(
            "care_team_ids",
            Cell.IDS,
            lambda p: LIST_SEPARATOR.join(sorted(p.care_team_ids)),
            ("primærteam", "primaerteam", "pleieteam"),
            optional=True,
        ),
    ),
    lambda data: data.patients,
)

_INTERVENTIONS = RecordSchema(
    INTERVENTIONS_FILE,
    ("interventions", "tiltak"),
    (
        Column("intervention_id", Cell.ID, _item("intervention_id"), ("tiltak_id",)),
        Column(
            "care_plan_id",
            Cell.ID,
            lambda pair: pair[0].care_plan_id,
            ("pasientplan_id", "plan_id"),
        ),
        Column("patient_id", Cell.ID, _item("patient_id")),
        Column("problem_area", Cell.CHOICE, lambda p: p[1].problem_area.value, ("problemområde",)),
        Column("description", Cell.TEXT, _item("description"), ("beskrivelse",)),
        Column(
            "duration_min",
            Cell.INTEGER,
            lambda p: str(p[1].duration_min),
            ("varighet_min", "varighet"),
        ),
        Column("schedule_kind", Cell.CHOICE, lambda p: p[1].schedule.kind.value, ("tidsplan",)),
        Column(
            "times",
            Cell.TIMES,
            lambda p: LIST_SEPARATOR.join(fmt_time(t) for t in p[1].schedule.times),
            ("tidspunkter", "klokkeslett"),
        ),
        Column(
            "tolerance_min",
            Cell.INTEGER,
            lambda p: str(p[1].schedule.tolerance_min),
            ("toleranse_min",),
        ),
        Column(
            "windows",
            Cell.WINDOWS,
            lambda p: LIST_SEPARATOR.join(
                f"{fmt_time(w.start)}{WINDOW_SEPARATOR}{fmt_time(w.end)}"
                for w in p[1].schedule.windows
            ),
            ("tidsvinduer",),
        ),
        Column(
            "weekdays",
            Cell.WEEKDAYS,
            lambda p: WEEKDAY_SEPARATOR.join(str(d) for d in sorted(p[1].schedule.weekdays)),
            ("ukedager",),
        ),
        Column(
            "every_n_weeks",
            Cell.INTEGER,
            lambda p: str(p[1].schedule.every_n_weeks),
            ("hver_n_uke",),
        ),
        Column(
            "week_anchor",
            Cell.DATE,
            lambda p: fmt_date(p[1].schedule.week_anchor),
            ("ukeanker",),
        ),
        Column(
            "required_competence",
            Cell.CHOICE,
            lambda p: p[1].required_competence.value,
            ("kompetansekrav",),
        ),
        Column(
            "required_skills",
            Cell.CHOICES,
            lambda p: fmt_set(p[1].required_skills),
            ("ferdighetskrav",),
        ),
        Column("staff_count", Cell.INTEGER, lambda p: str(p[1].staff_count), ("antall_ansatte",)),
        Column("priority", Cell.CHOICE, lambda p: p[1].priority.value, ("prioritet",)),
        Column(
            "time_critical",
            Cell.BOOLEAN,
            lambda p: "true" if p[1].time_critical else "false",
            ("tidskritisk",),
        ),
        Column("valid_from", Cell.DATE, lambda p: fmt_date(p[1].valid_from), ("gyldig_fra",)),
        Column("valid_to", Cell.DATE, lambda p: fmt_date(p[1].valid_to), ("gyldig_til",)),
        Column(
            "gap_group",
            Cell.TEXT,
            lambda p: p[1].gap_group or "",
            ("intervallgruppe",),
            optional=True,
        ),
        Column(
            "min_gap_min",
            Cell.INTEGER,
            lambda p: _int_cell(p[1].min_gap_min, 0),
            ("min_intervall_min",),
            optional=True,
        ),
        Column(
            "max_gap_min",
            Cell.INTEGER,
            lambda p: _int_cell(p[1].max_gap_min, None),
            ("maks_intervall_min",),
            optional=True,
        ),
        Column(
            "second_staff_competence",
            Cell.CHOICE,
            lambda p: _optional_value("second_staff_competence")(p[1]),
            ("andre_ansatt_kompetanse",),
            optional=True,
        ),
        Column(
            "second_staff_skills",
            Cell.CHOICES,
            lambda p: fmt_set(p[1].second_staff_skills),
            ("andre_ansatt_ferdigheter",),
            optional=True,
        ),
        Column(
            "late_allowance_min",
            Cell.INTEGER,
            lambda p: _int_cell(p[1].late_allowance_min, 0),
            ("tillatt_forsinkelse_min",),
            optional=True,
        ),
        Column(
            "separate_visit",
            Cell.BOOLEAN,
            lambda p: "true" if p[1].separate_visit else "",
            ("eget_besøk",),
            optional=True,
        ),
        Column(
            "alternative_windows",
            Cell.BOOLEAN,
            lambda p: "true" if p[1].schedule.windows_are_alternatives else "",
            ("alternative_tidsvinduer",),
            optional=True,
        ),
        Column(
            "on_holidays",
            Cell.CHOICE,
            lambda p: _holiday_cell(p[1].schedule.on_holidays),
            ("helligdager", "på_helligdager"),
            optional=True,
        ),
    ),
    lambda data: ((plan, item) for plan in data.care_plans for item in plan.interventions),
)

_STAFF = RecordSchema(
    STAFF_FILE,
    ("staff", "ansatte"),
    (
        Column("staff_id", Cell.ID, _attr("staff_id")),
        Column("municipality_id", Cell.ID, _attr("municipality_id")),
        Column("district_id", Cell.ID, _attr("district_id")),
        Column("first_name", Cell.TEXT, _attr("first_name"), ("fornavn",)),
        Column("competence", Cell.CHOICE, lambda s: s.competence.value, ("kompetanse",)),
        Column("skills", Cell.CHOICES, lambda s: fmt_set(s.skills), ("ferdigheter",)),
        Column("travel_mode", Cell.CHOICE, lambda s: s.travel_mode.value, ("reisemåte",)),
        Column(
            "contracted_fte",
            Cell.DECIMAL,
            lambda s: fmt_float(s.contracted_fte),
            ("stillingsandel",),
        ),
        *(
            _optional(
                f"home_{axis}",
                Cell.DECIMAL,
                lambda s, a=axis: s.home and getattr(s.home, a),
                fmt_float,
                (f"hjem_{nb}",),
            )
            for axis, nb in (("lat", "breddegrad"), ("lon", "lengdegrad"))
        ),
    ),
    lambda data: data.staff,
)

_ROSTER = RecordSchema(
    ROSTER_FILE,
    ("roster", "vaktplan", "turnus"),
    (
        Column("staff_id", Cell.ID, _attr("staff_id")),
        Column("date", Cell.DATE, lambda e: e.date.isoformat(), ("dato",)),
        Column("shift", Cell.CHOICE, lambda e: e.shift.value, ("vakt",)),
        Column("district_id", Cell.ID, _attr("district_id")),
        _optional("start", Cell.TIME, _attr("start"), fmt_time, ("fra", "starttid", "arbeid_fra")),
        _optional("end", Cell.TIME, _attr("end"), fmt_time, ("til", "sluttid", "arbeid_til")),
        _optional("start_place", Cell.ID, _attr("start_place"), str, ("startsted", "oppmøtested")),
        _optional("end_place", Cell.ID, _attr("end_place"), str, ("sluttsted",)),
    ),
    lambda data: data.roster.entries,
)

#: The store's kinds of record (``store.KINDS``) each file of the export carries.
STORE_KINDS: dict[str, tuple[str, ...]] = {
    MUNICIPALITY_FILE: (),
    DISTRICTS_FILE: ("districts",),
    BASES_FILE: ("bases",),
    PATIENTS_FILE: ("patients",),
    INTERVENTIONS_FILE: ("care_plans", "interventions"),
    STAFF_FILE: ("staff",),
    ROSTER_FILE: ("roster",),
}

#: Every file of the export, in export order.
SCHEMAS: dict[str, RecordSchema] = {
    s.file: s
    for s in (_MUNICIPALITY, _DISTRICTS, _BASES, _PATIENTS, _INTERVENTIONS, _STAFF, _ROSTER)
}
