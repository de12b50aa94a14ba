"""The canonical tabular export read from CSV, Parquet or Excel, with Norwegian aliases.

One export is a folder holding one table per kind of record (``patients.csv``,
``pasienter.parquet``, ``tiltak.xlsx``, ...) or a single Excel workbook with one sheet per
kind. Every table becomes strings and goes through the same row checks as the canonical CSV
reader (:mod:`hjemmetjeneste.formats.canonical`), so all formats report problems the same
way: file, row (data records from 1; the header is row 0) and field.

- **CSV**: UTF-8 (with or without BOM) or Windows-1252, detected per file; ``;`` or ``,``
  as delimiter, detected from the header line. UTF-8 files are scanned lazily (only the
  known columns are materialised); Windows-1252 files are transcoded in memory.
- **Parquet**: any column type that prints as the canonical text (strings, integers,
  decimals, booleans, dates, times).
- **Excel (.xlsx)**: read with fastexcel; whole-number cells and dates at midnight are
  written back as the canonical text (``30``, ``2026-11-30``).

Headers are matched ignoring case, surrounding spaces, and ``-``/space versus ``_``;
Norwegian names are aliases (:data:`COLUMN_ALIASES`, ``docs/import-format.md``). Patients
and bases without coordinates are geocoded when a geocoder is given (``formats.geocoding``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hjemmetjeneste.domain import MunicipalityData
from hjemmetjeneste.errors import InputIssue, PlanInputError
from hjemmetjeneste.formats.canonical import (
    BASES_FILE,
    DISTRICTS_FILE,
    EXPORT_COLUMNS,
    INTERVENTIONS_FILE,
    MUNICIPALITY_FILE,
    OPTIONAL_COLUMNS,
    PATIENTS_FILE,
    ROSTER_FILE,
    STAFF_FILE,
    _Issues,
    _Table,
    assemble_export,
    table_from_frame,
)
from hjemmetjeneste.formats.geocoding import AddressQuery, Geocoder

__all__ = [
    "COLUMN_ALIASES",
    "FILE_ALIASES",
    "TABULAR_FORMATS",
    "detect_format",
    "read_tabular",
]

TABULAR_FORMATS = ("csv", "parquet", "xlsx")
_EXTENSIONS = {"csv": (".csv", ".txt"), "parquet": (".parquet", ".pq"), "xlsx": (".xlsx",)}

#: File (or sheet) names accepted for each canonical file, without extension.
FILE_ALIASES: dict[str, tuple[str, ...]] = {
    MUNICIPALITY_FILE: ("municipality", "kommune"),
    DISTRICTS_FILE: ("districts", "distrikter", "distrikt", "soner", "sone"),
    BASES_FILE: ("bases", "baser", "base"),
    PATIENTS_FILE: ("patients", "pasienter", "brukere"),
    INTERVENTIONS_FILE: ("interventions", "tiltak"),
    STAFF_FILE: ("staff", "ansatte"),
    ROSTER_FILE: ("roster", "vaktplan", "turnus"),
}

_COMMON_ALIASES: dict[str, str] = {
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

#: Norwegian header aliases per canonical file (headers are normalised first).
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    MUNICIPALITY_FILE: {
        "navn": "name",
        "kommunenavn": "name",
        "tidssone": "timezone",
        "dagvakt_start": "day_start",
        "dagvakt_slutt": "day_end",
        "kveldsvakt_start": "evening_start",
        "kveldsvakt_slutt": "evening_end",
        "nattvakt_start": "night_start",
        "nattvakt_slutt": "night_end",
        "pauseregel": "breaks",
        "pause_min_vakt_timer": "break_min_shift_h",
        "pause_varighet_min": "break_duration_min",
        "pause_lang_vakt_timer": "break_long_shift_h",
        "pause_lang_varighet_min": "break_long_duration_min",
        "pause_tidligst_etter_start_min": "break_earliest_after_start_min",
        "pause_senest_før_slutt_min": "break_latest_end_before_end_min",
        "kontinuitet_vekt": "continuity_weight",
        "kontinuitet_dager": "continuity_days",
        "preferanse_vekt": "preference_weight",
        "språk_vekt": "language_weight",
        "forsinkelse_kostnad_per_min": "lateness_cost_per_min",
        "overtid_maks_min": "overtime_max_min",
        "overtid_kostnad_per_min": "overtime_cost_per_min",
        "balanse_vekt": "balance_weight",
    },
    DISTRICTS_FILE: {"navn": "name"},
    BASES_FILE: {"navn": "name"},
    PATIENTS_FILE: {
        "navn": "display_name",
        "visningsnavn": "display_name",
        "nøkkelboks": "key_box_note",
        "nøkkelboksnotat": "key_box_note",
        "avviste_ansatte": "refused_staff_ids",
        "foretrukne_ansatte": "preferred_staff_ids",
        "primaerkontakt": "primary_contact_id",
        "primærkontakt": "primary_contact_id",
        "språk": "language",
    },
    INTERVENTIONS_FILE: {
        "tiltak_id": "intervention_id",
        "pasientplan_id": "care_plan_id",
        "plan_id": "care_plan_id",
        "problemområde": "problem_area",
        "beskrivelse": "description",
        "varighet_min": "duration_min",
        "varighet": "duration_min",
        "tidsplan": "schedule_kind",
        "tidspunkter": "times",
        "klokkeslett": "times",
        "toleranse_min": "tolerance_min",
        "tidsvinduer": "windows",
        "ukedager": "weekdays",
        "hver_n_uke": "every_n_weeks",
        "ukeanker": "week_anchor",
        "kompetansekrav": "required_competence",
        "ferdighetskrav": "required_skills",
        "antall_ansatte": "staff_count",
        "prioritet": "priority",
        "tidskritisk": "time_critical",
        "gyldig_fra": "valid_from",
        "gyldig_til": "valid_to",
        "intervallgruppe": "gap_group",
        "min_intervall_min": "min_gap_min",
        "maks_intervall_min": "max_gap_min",
        "andre_ansatt_kompetanse": "second_staff_competence",
        "tillatt_forsinkelse_min": "late_allowance_min",
        "eget_besøk": "separate_visit",
        "alternative_tidsvinduer": "alternative_windows",
    },
    STAFF_FILE: {
        "fornavn": "first_name",
        "kompetanse": "competence",
        "ferdigheter": "skills",
        "reisemåte": "travel_mode",
        "stillingsandel": "contracted_fte",
    },
    ROSTER_FILE: {"dato": "date", "vakt": "shift"},
}

_NORMALISE_RE = re.compile(r"[\s\-]+")
_WHOLE_FLOAT_RE = re.compile(r"^(-?\d+)\.0$")
_MIDNIGHT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$")
# UTF-8 encodings of æøåÆØÅé: seeing them next to invalid bytes means mixed encodings.
_UTF8_NORWEGIAN = tuple(c.encode("utf-8") for c in "æøåÆØÅé")


def _normalise_header(name: str) -> str:
    return _NORMALISE_RE.sub("_", name.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class _Source:
    """Where one canonical table comes from: a file, or a sheet of a workbook."""

    path: Path
    display: str
    sheet: str | None = None


def detect_format(path: Path) -> str:
    """``csv``, ``parquet``, ``xlsx`` or ``fhir`` from a file's or folder's contents."""
    path = Path(path)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".json", ".ndjson"):
            return "fhir"
        for fmt, suffixes in _EXTENSIONS.items():
            if suffix in suffixes:
                return fmt
        raise PlanInputError([InputIssue(str(path), None, None, "unknown file type " + suffix)])
    if not path.is_dir():
        raise PlanInputError([InputIssue(str(path), None, None, "no such file or folder")])
    suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file()}
    if suffixes & {".json", ".ndjson"} and not suffixes & {".csv", ".parquet", ".xlsx"}:
        return "fhir"
    for fmt in ("parquet", "xlsx", "csv"):
        if suffixes & set(_EXTENSIONS[fmt]):
            return fmt
    raise PlanInputError(
        [InputIssue(str(path), None, None, "no CSV, Parquet, Excel or FHIR files found")]
    )


def _locate(path: Path, fmt: str, issues: _Issues) -> dict[str, _Source | None]:
    if fmt == "xlsx" and path.is_file():
        import fastexcel

        try:
            sheets = fastexcel.read_excel(str(path)).sheet_names
        except Exception as exc:
            issues.add(path.name, None, None, f"cannot be read as an Excel workbook: {exc}")
            return dict.fromkeys(EXPORT_COLUMNS)
        by_name = {s.strip().lower(): s for s in sheets}
        found: dict[str, _Source | None] = {}
        for file, aliases in FILE_ALIASES.items():
            sheet = next((by_name[a] for a in aliases if a in by_name), None)
            if sheet is None:
                issues.add(
                    path.name, None, None, f"sheet missing: expected one named {aliases[0]!r}"
                )
            found[file] = None if sheet is None else _Source(path, f"{path.name}[{sheet}]", sheet)
        return found
    files = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    found = {}
    for file, aliases in FILE_ALIASES.items():
        match = None
        for alias in aliases:
            for suffix in _EXTENSIONS[fmt]:
                if alias + suffix in files:
                    match = files[alias + suffix]
                    break
            if match:
                break
        if match is None:
            expected = aliases[0] + _EXTENSIONS[fmt][0]
            issues.add(expected, None, None, f"file is missing (expected {path / expected})")
        found[file] = None if match is None else _Source(match, match.name)
    return found


# --------------------------------------------------------------------------------------
# Reading one table as strings
# --------------------------------------------------------------------------------------


def _decode_problem(data: bytes) -> tuple[str | None, str | None]:
    """(encoding, problem): 'utf-8' or 'cp1252', or None with what is wrong."""
    if b"\x00" in data[:4096]:
        return None, "contains NUL bytes: expected UTF-8 or Windows-1252 text (UTF-16?)"
    try:
        codecs.decode(data, "utf-8")
        return "utf-8", None
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = data.count(b"\n", 0, bad) + 1
    if any(seq in data for seq in _UTF8_NORWEGIAN):
        return None, (
            f"mixes encodings: UTF-8 text but byte 0x{data[bad]:02x} on line {line} is not "
            "UTF-8; save the whole file as UTF-8"
        )
    try:
        codecs.decode(data, "cp1252")
        return "cp1252", None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, (
            f"neither UTF-8 nor Windows-1252: byte 0x{data[exc.start]:02x} on line {line}"
        )


def _utf8_scan(path: Path, chunk_size: int = 1 << 20) -> tuple[bytes, bool]:
    """(the first chunk, whether the whole file is UTF-8), reading it in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            if not head:
                head = chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return head, False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return head, False
    return head, True


def _sniff_separator(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _rename_plan(columns: list[str], file: str) -> dict[str, str]:
    """Raw header -> canonical name; a second column for the same name gets a dup marker."""
    aliases = {**_COMMON_ALIASES, **COLUMN_ALIASES[file]}
    used: dict[str, int] = {}
    plan: dict[str, str] = {}
    for raw in columns:
        name = _normalise_header(raw)
        name = aliases.get(name, name)
        count = used.get(name, 0)
        used[name] = count + 1
        plan[raw] = name if count == 0 else f"{name}_duplicated_{count}"
    return plan


def _as_strings(frame: pl.LazyFrame | pl.DataFrame, file: str) -> pl.LazyFrame:
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    rename = _rename_plan(list(schema.names()), file)
    wanted = set(EXPORT_COLUMNS[file]) | set(OPTIONAL_COLUMNS[file]) | {"postal_code"}
    exprs = []
    for raw, name in rename.items():
        base = name.split("_duplicated_")[0]
        if base not in wanted:
            continue
        dtype = schema[raw]
        column = pl.col(raw)
        if dtype == pl.Boolean:
            text = pl.when(column).then(pl.lit("true")).otherwise(pl.lit("false"))
            text = pl.when(column.is_null()).then(pl.lit("")).otherwise(text)
        elif dtype == pl.Datetime:
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S").str.replace("T00:00:00$", "")
        elif dtype == pl.Time:
            text = column.dt.strftime("%H:%M:%S").str.replace(":00$", "")
        else:
            text = column.cast(pl.String)
        exprs.append(text.fill_null("").alias(name))
    return lazy.select(exprs)


def _read_source(source: _Source, fmt: str, file: str, issues: _Issues) -> pl.DataFrame | None:
    display = source.display
    try:
        if fmt == "csv":
            head, is_utf8 = _utf8_scan(source.path)
            if not head.strip():
                issues.add(display, None, None, "file is empty (expected a header row)")
                return None
            # NUL bytes in the header line mean UTF-16 (or binary); in a UTF-8 cell they
            # are text that the canonical writer may have written, and read back as such.
            if b"\x00" in head.split(b"\n", 1)[0][:4096]:
                issues.add(
                    display,
                    None,
                    None,
                    "contains NUL bytes: expected UTF-8 or Windows-1252 text (UTF-16?)",
                )
                return None
            if is_utf8:  # the common case: polars scans the file itself, lazily
                header = head.decode("utf-8", "ignore").lstrip("\ufeff").split("\n", 1)[0]
                lazy = pl.scan_csv(
                    source.path,
                    separator=_sniff_separator(header),
                    infer_schema=False,
                    encoding="utf8",
                )
                return _as_strings(lazy, file).collect()
            data = source.path.read_bytes()
            encoding, problem = _decode_problem(data)
            if problem is not None:
                issues.add(display, None, None, problem)
                return None
            text = data.decode(encoding or "utf-8")
            header = text.lstrip("\ufeff").split("\n", 1)[0]
            frame = pl.read_csv(
                text.encode("utf-8"), separator=_sniff_separator(header), infer_schema=False
            )
            return _as_strings(frame, file).collect()
        if fmt == "parquet":
            return _as_strings(pl.scan_parquet(source.path), file).collect()
        frame = (
            pl.read_excel(source.path, sheet_name=source.sheet or "Sheet1", infer_schema_length=0)
            if source.sheet
            else pl.read_excel(source.path, infer_schema_length=0)
        )
        strings = _as_strings(frame, file).collect()
        return strings.with_columns(
            pl.all()
            .str.replace(_WHOLE_FLOAT_RE.pattern, "${1}")
            .str.replace(_MIDNIGHT_RE.pattern, "${1}")
        )
    except Exception as exc:  # polars, fastexcel and pyarrow raise many error types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        issues.add(display, None, None, f"cannot be read as {fmt.upper()}: {first}")
        return None


# --------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------


def _fill_coordinates(
    frame: pl.DataFrame,
    source: _Source,
    municipality_id: str | None,
    geocoder: Geocoder | None,
    issues: _Issues,
    unresolved: set[tuple[str, int]],
) -> pl.DataFrame:
    """Geocode rows whose ``lat`` and ``lon`` are both empty; unresolved rows are issues.

    The (file, row) of each unresolved row is added to ``unresolved``, so that the empty
    coordinates are not reported a second time.
    """
    if not {"lat", "lon", "address"} <= set(frame.columns):
        return frame
    empty = (frame["lat"].str.strip_chars() == "") & (frame["lon"].str.strip_chars() == "")
    if not empty.any():
        return frame
    lats = frame["lat"].to_list()
    lons = frame["lon"].to_list()
    postal = frame["postal_code"].to_list() if "postal_code" in frame.columns else None
    addresses = frame["address"].to_list()
    for index in empty.arg_true().to_list():
        row = index + 1
        unresolved.add((source.display, row))
        if geocoder is None:
            issues.add(
                source.display,
                row,
                "address",
                "no lat/lon and no geocoder configured (give lat/lon, or an address "
                "register or geocoding service: docs/addresses.md)",
            )
            continue
        query = AddressQuery(
            address=addresses[index],
            postal_code=(postal[index] or None) if postal else None,
            municipality_number=municipality_id,
        )
        point = geocoder.geocode(query)
        if point is None:
            issues.add(
                source.display,
                row,
                "address",
                f"address could not be resolved to coordinates by {geocoder.describe()}",
            )
            continue
        unresolved.discard((source.display, row))
        lats[index], lons[index] = repr(point.lat), repr(point.lon)
    return frame.with_columns(pl.Series("lat", lats), pl.Series("lon", lons))


# --------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------


def read_tabular(
    path: Path,
    fmt: str = "auto",
    *,
    geocoder: Geocoder | None = None,
    on_table: Callable[[str, int], None] | None = None,
) -> MunicipalityData:
    """Read a tabular export (folder of CSV/Parquet/Excel files, or one workbook).

    Raises one :class:`PlanInputError` listing every problem in every table; its issues
    name the actual file (``pasienter.parquet``, ``export.xlsx[patients]``), the data row
    and the canonical column.
    """
    path = Path(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in TABULAR_FORMATS:
        raise ValueError(f"not a tabular format: {fmt!r}")
    if not path.exists():
        raise PlanInputError([InputIssue(str(path), None, None, "no such file or folder")])
    if path.is_file() and fmt != "xlsx":
        raise PlanInputError(
            [InputIssue(str(path), None, None, f"a {fmt} export is a folder of files")]
        )
    issues = _Issues()
    sources = _locate(path, fmt, issues)
    issues.names.update({f: s.display for f, s in sources.items() if s is not None})
    frames: dict[str, pl.DataFrame | None] = {}
    for file, source in sources.items():
        frames[file] = None if source is None else _read_source(source, fmt, file, issues)
        if on_table is not None and frames[file] is not None:
            on_table(file, frames[file].height)  # type: ignore[union-attr]
    municipality_id = _municipality_id(frames.get(MUNICIPALITY_FILE))
    tables: dict[str, _Table | None] = {}
    unresolved: set[tuple[str, int]] = set()
    for file, frame in frames.items():
        source = sources[file]
        if frame is None or source is None:
            tables[file] = None
            continue
        if file in (PATIENTS_FILE, INTERVENTIONS_FILE):
            frame = _mask_national_ids(frame, source, issues)
        if file in (PATIENTS_FILE, BASES_FILE):
            frame = _fill_coordinates(frame, source, municipality_id, geocoder, issues, unresolved)
        tables[file] = table_from_frame(frame, file, issues)
    try:
        return assemble_export(tables, issues, str(path))
    except PlanInputError as exc:
        kept = [
            i
            for i in exc.issues
            if not (i.field in ("lat", "lon") and (i.file, i.row) in unresolved)
        ]
        raise PlanInputError(kept) from None


_NATIONAL_ID_RE = r"^\s*\d{6}\s?\d{5}\s*$"  # fødselsnummer / D-number: 11 digits
_MASK = "<national id removed>"


def _mask_national_ids(frame: pl.DataFrame, source: _Source, issues: _Issues) -> pl.DataFrame:
    """Reject patient ids that look like national identity numbers, without echoing them.

    The value is replaced before any other check runs, so no later message can repeat it.
    """
    if "patient_id" not in frame.columns:
        return frame
    looks_like_id = frame["patient_id"].str.contains(_NATIONAL_ID_RE)
    if not looks_like_id.any():
        return frame
    for index in looks_like_id.arg_true().to_list():
        issues.add(
            source.display,
            index + 1,
            "patient_id",
            "looks like a national identity number (fødselsnummer or D-number), which is "
            "never stored: use the record system's local patient id",
        )
    return frame.with_columns(
        pl.when(looks_like_id)
        .then(pl.lit(_MASK))
        .otherwise(pl.col("patient_id"))
        .alias("patient_id")
    )


def _municipality_id(frame: pl.DataFrame | None) -> str | None:
    if frame is None or frame.height != 1:
        return None
    for column in frame.columns:
        if column == "municipality_id":
            value = frame[column][0]
            return value.strip() or None
    return None
