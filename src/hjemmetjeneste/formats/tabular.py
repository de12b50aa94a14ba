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
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hjemmetjeneste.domain import Catalogue, MunicipalityData
from hjemmetjeneste.errors import InputIssue, Phrase, PlanInputError
from hjemmetjeneste.formats.canonical import (
    EXPORT_COLUMNS,
    OPTIONAL_COLUMNS,
    _Issues,
    _Table,
    assemble_export,
    table_from_frame,
)
from hjemmetjeneste.formats.geocoding import AddressQuery, Geocoder
from hjemmetjeneste.formats.schema import (
    BASES_FILE,
    COMMON_ALIASES,
    INTERVENTIONS_FILE,
    MUNICIPALITY_FILE,
    PATIENTS_FILE,
    SCHEMAS,
)
from hjemmetjeneste.i18n import N_

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
FILE_ALIASES: dict[str, tuple[str, ...]] = {f: s.file_aliases for f, s in SCHEMAS.items()}

#: Norwegian header aliases per canonical file (headers are normalised first).
COLUMN_ALIASES: dict[str, dict[str, str]] = {f: s.aliases for f, s in SCHEMAS.items()}

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
    header_row: int = 0


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
        issue = InputIssue.of(
            str(path), None, None, N_("unknown file type {suffix}"), suffix=suffix
        )
        raise PlanInputError([issue])
    if not path.is_dir():
        raise PlanInputError([InputIssue.of(str(path), None, None, N_("no such file or folder"))])
    suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file()}
    if suffixes & {".json", ".ndjson"} and not suffixes & {".csv", ".parquet", ".xlsx"}:
        return "fhir"
    for fmt in ("parquet", "xlsx", "csv"):
        if suffixes & set(_EXTENSIONS[fmt]):
            return fmt
    raise PlanInputError(
        [InputIssue.of(str(path), None, None, N_("no CSV, Parquet, Excel or FHIR files found"))]
    )


_ZIP_MAGIC = b"PK\x03\x04"


def _workbook_problem(path: Path) -> str | None:
    """Why ``path`` is not an .xlsx workbook (which is a zip file), or None (a message
    marked ``N_``)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_ZIP_MAGIC):
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return N_("is an old Excel 97-2003 workbook (.xls): save it as .xlsx in Excel")
    if head and b"\x00" not in head[:1024]:
        return N_(
            "is text (CSV?) with an .xlsx name, not an Excel workbook: "
            "rename it to .csv, or open it in Excel and save as .xlsx"
        )
    return N_("is not an Excel workbook (.xlsx files are zip archives)")


def _sheet_head(reader: object, sheet: str) -> list[list[str]]:
    """The first rows of a sheet as text cells (no header assumed)."""
    frame = reader.load_sheet(  # type: ignore[attr-defined]
        sheet, header_row=None, n_rows=_HEADER_SEARCH_LINES, dtypes="string"
    ).to_polars()
    return [["" if v is None else v for v in row] for row in frame.iter_rows()]


def _locate_sheets(
    path: Path, issues: _Issues, optional: bool = False
) -> dict[str, _Source | None]:
    """The sheet of each kind of record: by its name (``pasienter``) or, for sheets named
    ``Ark1``..., by the columns of its header, which may lie below title rows."""
    import fastexcel

    problem = _workbook_problem(path)
    try:
        reader = None if problem else fastexcel.read_excel(str(path))
        heads = {s: _sheet_head(reader, s) for s in reader.sheet_names} if reader else {}
    except Exception as exc:  # calamine's own messages: keep the first line only
        text = str(exc).strip().splitlines()
        detail = text[0] if text else type(exc).__name__
        issues.add(
            path.name,
            None,
            None,
            N_("cannot be read as an Excel workbook: {detail}"),
            detail=detail,
        )
        return dict.fromkeys(EXPORT_COLUMNS)
    if problem is not None:
        issues.add(path.name, None, None, problem)
        return dict.fromkeys(EXPORT_COLUMNS)
    by_name = {s.strip().lower(): s for s in heads}
    chosen: dict[str, str] = {}
    for file, aliases in FILE_ALIASES.items():
        sheet = next((by_name[a] for a in aliases if a in by_name), None)
        if sheet is not None:
            chosen[file] = sheet
    for file in FILE_ALIASES:
        if file in chosen:
            continue
        free = [s for s in heads if s not in chosen.values()]
        scored = [(max((_known_columns(r, file) for r in heads[s]), default=0), s) for s in free]
        best = max(scored, default=(0, ""))
        # A sheet is taken by its header when it names most of the kind's required columns.
        if best[0] >= max(2, (len(EXPORT_COLUMNS[file]) + 1) // 2):
            chosen[file] = best[1]
    found: dict[str, _Source | None] = {}
    for file, aliases in FILE_ALIASES.items():
        sheet = chosen.get(file)
        if sheet is None and optional:
            found[file] = None
        elif sheet is None:
            issues.add(
                path.name,
                None,
                None,
                N_("sheet missing: expected one named {name!r} or with its columns ({columns})"),
                name=aliases[0],
                columns=", ".join(EXPORT_COLUMNS[file]),
            )
            found[file] = None
        else:
            skip = _header_index(heads[sheet], file)
            found[file] = _Source(path, f"{path.name}[{sheet}]", sheet, skip)
    return found


def _locate(
    path: Path, fmt: str, issues: _Issues, optional: bool = False
) -> dict[str, _Source | None]:
    if fmt == "xlsx" and path.is_file():
        return _locate_sheets(path, issues, optional)
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
            if not optional:
                issues.add(
                    expected,
                    None,
                    None,
                    N_("file is missing (expected {path})"),
                    path=path / expected,
                )
        found[file] = None if match is None else _Source(match, match.name)
    return found


# --------------------------------------------------------------------------------------
# Reading one table as strings
# --------------------------------------------------------------------------------------


def _decode_problem(data: bytes) -> tuple[str | None, Phrase | None]:
    """(encoding, problem): 'utf-8' or 'cp1252', or None with what is wrong."""
    if b"\x00" in data[:4096]:
        return None, Phrase.of(
            N_("contains NUL bytes: expected UTF-8 or Windows-1252 text (UTF-16?)")
        )
    try:
        codecs.decode(data, "utf-8")
        return "utf-8", None
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = data.count(b"\n", 0, bad) + 1
    if any(seq in data for seq in _UTF8_NORWEGIAN):
        return None, Phrase.of(
            N_(
                "mixes encodings: UTF-8 text but byte 0x{byte:02x} on line {line} is not "
                "UTF-8; save the whole file as UTF-8"
            ),
            byte=data[bad],
            line=line,
        )
    try:
        codecs.decode(data, "cp1252")
        return "cp1252", None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Phrase.of(
            N_("neither UTF-8 nor Windows-1252: byte 0x{byte:02x} on line {line}"),
            byte=data[exc.start],
            line=line,
        )


def _utf16(head: bytes) -> str | None:
    """``utf-16`` when the text is UTF-16 (Excel's "Unicode text"), else None.

    A byte-order mark decides; without one, ``charset-normalizer`` judges text whose first
    line holds NUL bytes (plain UTF-8 and Windows-1252 never do).
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" not in head.split(b"\n", 1)[0][:4096]:  # a NUL in a UTF-8 cell is text
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(head[:65536], cp_isolation=["utf_16_le", "utf_16_be"]).best()
    return None if best is None else best.encoding


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


_SEPARATORS = ",;\t"
_HEADER_SEARCH_LINES = 20


def _sniff_separator(header: str) -> str:
    """The separator of a header line: ``,``, ``;`` or tab (stdlib ``csv.Sniffer``).

    Header names never contain a separator, so the header line alone decides; when the
    sniffer cannot tell (one column), the separator that occurs most outside quotes wins.
    """
    try:
        return csv.Sniffer().sniff(header, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        unquoted = re.sub(r'"[^"]*"', "", header)
        return max(_SEPARATORS, key=lambda sep: (unquoted.count(sep), sep == ","))


def _known_columns(cells: list[str], file: str) -> int:
    """How many of ``cells`` name a column of ``file`` (after aliases)."""
    schema = SCHEMAS[file]
    known = {c.name for c in schema.columns}
    aliases = {**COMMON_ALIASES, **COLUMN_ALIASES[file]}
    return sum(aliases.get(n, n) in known for n in map(_normalise_header, cells))


def _header_index(rows: list[list[str]], file: str) -> int:
    """The row holding the header: the first with the most known columns (title rows above
    it are skipped); 0 when no row names any column (reported as missing columns)."""
    best, best_count = 0, 0
    for index, cells in enumerate(rows[:_HEADER_SEARCH_LINES]):
        count = _known_columns(cells, file)
        if count > best_count:
            best, best_count = index, count
    return best


def _csv_header(text: str, file: str) -> tuple[str, int]:
    """(separator, lines to skip before the header) of CSV text (its first chunk)."""
    lines = text.lstrip("\ufeff").splitlines()[:_HEADER_SEARCH_LINES]
    rows = []
    for line in lines:
        separator = _sniff_separator(line) if line.strip() else ","
        rows.append(next(csv.reader([line], delimiter=separator), []))
    skip = _header_index(rows, file)
    return _sniff_separator(lines[skip]) if lines else ",", skip


def _rename_plan(columns: list[str], file: str) -> dict[str, str]:
    """Raw header -> canonical name; a second column for the same name gets a dup marker."""
    aliases = {**COMMON_ALIASES, **COLUMN_ALIASES[file]}
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
                issues.add(display, None, None, N_("file is empty (expected a header row)"))
                return None
            # NUL bytes in the header line mean UTF-16 (or binary); in a UTF-8 cell they
            # are text that the canonical writer may have written, and read back as such.
            utf16 = _utf16(head)
            if utf16 is None and b"\x00" in head.split(b"\n", 1)[0][:4096]:
                issues.add(
                    display,
                    None,
                    None,
                    N_("contains NUL bytes: expected UTF-8, UTF-16 or Windows-1252 text"),
                )
                return None
            if is_utf8 and utf16 is None:  # the common case: polars scans the file itself, lazily
                separator, skip = _csv_header(head.decode("utf-8", "ignore"), file)
                lazy = pl.scan_csv(
                    source.path,
                    separator=separator,
                    skip_rows=skip,
                    infer_schema=False,
                    encoding="utf8",
                )
                return _as_strings(lazy, file).collect()
            data = source.path.read_bytes()
            if utf16 is not None:
                text = data.decode(utf16)
            else:
                encoding, problem = _decode_problem(data)
                if problem is not None:
                    issues.add(display, None, None, problem.template, **dict(problem.values))
                    return None
                text = data.decode(encoding or "utf-8")
            separator, skip = _csv_header(text[:65536], file)
            frame = pl.read_csv(
                text.lstrip("\ufeff").encode("utf-8"),
                separator=separator,
                skip_rows=skip,
                infer_schema=False,
            )
            return _as_strings(frame, file).collect()
        if fmt == "parquet":
            return _as_strings(pl.scan_parquet(source.path), file).collect()
        if source.sheet is None:  # one workbook per kind: its first sheet
            import fastexcel

            problem = _workbook_problem(source.path)
            if problem is not None:
                issues.add(display, None, None, problem)
                return None
            reader = fastexcel.read_excel(str(source.path))
            sheet = reader.sheet_names[0]
            source = _Source(
                source.path, display, sheet, _header_index(_sheet_head(reader, sheet), file)
            )
        frame = pl.read_excel(
            source.path,
            sheet_name=source.sheet,
            infer_schema_length=0,
            read_options={"header_row": source.header_row},
        )
        strings = _as_strings(frame, file).collect()
        return strings.with_columns(
            pl.all()
            .str.replace(_WHOLE_FLOAT_RE.pattern, "${1}")
            .str.replace(_MIDNIGHT_RE.pattern, "${1}")
        )
    except Exception as exc:  # polars, fastexcel and pyarrow raise many error types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        issues.add(
            display,
            None,
            None,
            N_("cannot be read as {format}: {detail}"),
            format=fmt.upper(),
            detail=first,
        )
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
                N_(
                    "no lat/lon and no geocoder configured (give lat/lon, or an address "
                    "register or geocoding service: docs/addresses.md)"
                ),
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
                N_("address could not be resolved to coordinates by {geocoder}"),
                geocoder=geocoder.describe(),
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
    base: MunicipalityData | None = None,
    from_base: set[str] | None = None,
    catalogue: Catalogue | None = None,
) -> MunicipalityData:
    """Read a tabular export (folder of CSV/Parquet/Excel files, or one workbook).

    With ``base`` (the store's current data, for ``import --partial``) the export may hold
    any subset of the files: each missing one is taken from ``base`` (its file name is
    added to ``from_base``) and every cross-file check runs against the whole, so a roster
    alone is checked against the stored staff and districts.

    Raises one :class:`PlanInputError` listing every problem in every table; its issues
    name the actual file (``pasienter.parquet``, ``export.xlsx[patients]``), the data row
    and the canonical column. Competence titles and skills are read against ``catalogue``
    (see :func:`~hjemmetjeneste.formats.canonical.assemble_export`).
    """
    path = Path(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in TABULAR_FORMATS:
        raise ValueError(f"not a tabular format: {fmt!r}")
    if not path.exists():
        raise PlanInputError([InputIssue.of(str(path), None, None, N_("no such file or folder"))])
    if path.is_file() and fmt != "xlsx":
        raise PlanInputError(
            [
                InputIssue.of(
                    str(path), None, None, N_("a {format} export is a folder of files"), format=fmt
                )
            ]
        )
    issues = _Issues()
    sources = _locate(path, fmt, issues, optional=base is not None)
    issues.names.update({f: s.display for f, s in sources.items() if s is not None})
    if base is not None and all(s is None for s in sources.values()):
        issues.add(str(path), None, None, N_("no file of the export found (patients.csv, ...)"))
    frames: dict[str, pl.DataFrame | None] = {}
    stored: dict[str, _Table] = {}
    for file, source in sources.items():
        if source is None and base is not None:
            header, rows = SCHEMAS[file].rows(base)
            frame = pl.DataFrame(rows, schema=list(header), orient="row")
            stored[file] = table_from_frame(frame, file, issues)
            issues.names[file] = f"{file} (from the store)"
            if from_base is not None:
                from_base.add(file)
        frames[file] = None if source is None else _read_source(source, fmt, file, issues)
        if on_table is not None and frames[file] is not None:
            on_table(file, frames[file].height)  # type: ignore[union-attr]
    municipality_id = _municipality_id(frames.get(MUNICIPALITY_FILE)) or (
        base.municipality.municipality_id if base is not None else None
    )
    tables: dict[str, _Table | None] = {}
    unresolved: set[tuple[str, int]] = set()
    for file, frame in frames.items():
        source = sources[file]
        if frame is None or source is None:
            tables[file] = stored.get(file)
            continue
        if file in (PATIENTS_FILE, INTERVENTIONS_FILE):
            frame = _mask_national_ids(frame, source, issues)
        if file in (PATIENTS_FILE, BASES_FILE):
            frame = _fill_coordinates(frame, source, municipality_id, geocoder, issues, unresolved)
        tables[file] = table_from_frame(frame, file, issues)
    try:
        return assemble_export(tables, issues, str(path), catalogue)
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
            N_(
                "looks like a national identity number (fødselsnummer or D-number), which is "
                "never stored: use the record system's local patient id"
            ),
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
