"""A corpus of Norwegian-spreadsheet variants of one export, generated from the canonical one.

Each habit of Norwegian Excel (decimal comma, 30.11.2026, ja/nei, SANN/USANN, capitalised
catalogue values, Excel date and time cells, title rows above the header, sheets named
Ark1..., tab or semicolon separators, UTF-16, Windows-1252, Norwegian headers) is applied to
the valid corpus export and written as CSV and as .xlsx. Each variant reads to the same data
as the canonical export; the refusals (ambiguous values, a CSV named .xlsx) come back as one
grouped message and leave the store's dump digest unchanged (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import pytest
import xlsxwriter
from import_corpus import CORPUS

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.formats.schema import SCHEMAS, Cell
from hjemmetjeneste.store import Store, database_digest

VALID = CORPUS / "valid_csv"
Tables = dict[str, tuple[list[str], list[list[str]]]]
Habit = Callable[[Tables], Tables]


def _canonical() -> Tables:
    tables: Tables = {}
    for file in SCHEMAS:
        rows = list(csv.reader(io.StringIO((VALID / file).read_text(encoding="utf-8"))))
        tables[file] = (rows[0], rows[1:])
    return tables


def _map_cells(kinds: set[Cell], change: Callable[[str], str]) -> Habit:
    """Apply ``change`` to every non-empty cell of a column whose kind is in ``kinds``."""

    def habit(tables: Tables) -> Tables:
        out: Tables = {}
        for file, (header, rows) in tables.items():
            cells = SCHEMAS[file].cells()
            hit = [i for i, name in enumerate(header) if cells.get(name) in kinds]
            out[file] = (
                header,
                [[change(v) if i in hit and v else v for i, v in enumerate(r)] for r in rows],
            )
        return out

    return habit


def _norwegian_date(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def _norwegian_headers(tables: Tables) -> Tables:
    out: Tables = {}
    for file, (header, rows) in tables.items():
        alias = {c.name: c.aliases[0] for c in SCHEMAS[file].columns if c.aliases}
        out[file] = ([alias.get(h, h).replace("_", " ").capitalize() for h in header], rows)
    return out


def _booleans(true: str, false: str) -> Habit:
    return _map_cells({Cell.BOOLEAN}, lambda v: true if v == "true" else false)


HABITS: dict[str, Habit] = {
    "decimal_comma": _map_cells({Cell.DECIMAL}, lambda v: v.replace(".", ",")),
    "dd.mm.yyyy": _map_cells({Cell.DATE}, _norwegian_date),
    "ja_nei": _booleans("ja", "nei"),
    "SANN_USANN": _booleans("SANN", "USANN"),
    "catalogue_upper_case": _map_cells({Cell.CHOICE, Cell.CHOICES}, str.upper),
    "catalogue_capitalised": _map_cells({Cell.CHOICE}, str.capitalize),
    "norwegian_headers": _norwegian_headers,
    "excel_time_text": _map_cells({Cell.TIME}, lambda v: f"1899-12-31 {v}:00"),
    "excel_date_text": _map_cells({Cell.DATE}, lambda v: f"{v} 00:00:00"),
}

#: How the CSV files of a variant are written: separator, encoding, title rows.
CSV_STYLES: dict[str, tuple[str, str, int]] = {
    "comma_utf8": (",", "utf-8", 0),
    "semicolon_utf8_bom": (";", "utf-8-sig", 0),
    "tab_utf8": ("\t", "utf-8", 0),
    "semicolon_cp1252": (";", "cp1252", 0),
    "tab_utf16": ("\t", "utf-16", 0),
    "title_rows": (";", "utf-8", 2),
}


def _write_csv(tables: Tables, folder: Path, style: str, names: dict[str, str]) -> Path:
    separator, encoding, titles = CSV_STYLES[style]
    folder.mkdir(parents=True)
    for file, (header, rows) in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
        for k in range(titles):
            writer.writerow([f"Eksport fra fagsystemet, side {k + 1}" if k == 0 else ""])
        writer.writerows([header, *rows])
        (folder / names.get(file, file)).write_bytes(buffer.getvalue().encode(encoding))
    return folder


def _cell(value: str, kind: Cell | None) -> object:
    """A cell as Norwegian Excel stores it: numbers as numbers, dates and times as serials."""
    if not value:
        return None
    if kind == Cell.DATE:
        return datetime.fromisoformat(value)
    if kind == Cell.TIME:
        clock = time.fromisoformat(value)
        return datetime(1899, 12, 31, clock.hour, clock.minute)
    if kind in (Cell.DECIMAL, Cell.INTEGER):
        return float(value)
    return value


def _write_xlsx(tables: Tables, path: Path, *, sheet_names: bool, titles: int, typed: bool) -> Path:
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    time_format = book.add_format({"num_format": "hh:mm"})
    for index, (file, (header, rows)) in enumerate(tables.items(), start=1):
        sheet = book.add_worksheet(SCHEMAS[file].file_aliases[1] if sheet_names else f"Ark{index}")
        if titles:
            sheet.merge_range(0, 0, 0, 3, "Eksport fra fagsystemet")
        sheet.write_row(titles, 0, header)
        cells = SCHEMAS[file].cells()
        for r, row in enumerate(rows, start=titles + 1):
            for c, value in enumerate(row):
                kind = cells.get(header[c]) if typed else None
                written = _cell(value, kind)
                if isinstance(written, datetime):
                    fmt = time_format if kind == Cell.TIME else date_format
                    sheet.write_datetime(r, c, written, fmt)
                elif written is not None:
                    sheet.write(r, c, written)
    book.close()
    return path


# (habits, how it is written): every habit as CSV and as .xlsx, the CSV styles, sheets.
VARIANTS: list[tuple[tuple[str, ...], str]] = [
    *(((habit,), "csv:semicolon_utf8_bom") for habit in HABITS),
    *(((habit,), "xlsx:Ark") for habit in HABITS),
    *(((), f"csv:{style}") for style in CSV_STYLES),
    *(((habit,), "csv:tab_utf16") for habit in ("decimal_comma", "dd.mm.yyyy", "ja_nei")),
    *(((habit,), "csv:semicolon_cp1252") for habit in ("decimal_comma", "norwegian_headers")),
    *(((habit,), "csv:title_rows") for habit in ("dd.mm.yyyy", "SANN_USANN", "norwegian_headers")),
    (("catalogue_upper_case",), "csv:tab_utf8"),
    (("excel_time_text", "norwegian_headers"), "xlsx:Ark+titles"),
    ((), "xlsx:named"),
    ((), "xlsx:Ark+titles"),
    ((), "xlsx:typed_cells"),
    ((), "xlsx:typed_cells+titles"),
    (("norwegian_headers", "catalogue_upper_case"), "xlsx:typed_cells"),
    (tuple(h for h in HABITS if h != "SANN_USANN"), "csv:semicolon_utf8_bom"),
    (tuple(h for h in HABITS if h != "ja_nei"), "xlsx:Ark+titles"),
    (tuple(h for h in HABITS if h != "ja_nei"), "csv:tab_utf16"),
]


def _build(habits: tuple[str, ...], how: str, tmp_path: Path) -> Path:
    tables = _canonical()
    for habit in habits:
        tables = HABITS[habit](tables)
    fmt, _, style = how.partition(":")
    if fmt == "csv":
        names = {f: SCHEMAS[f].file_aliases[1] + ".csv" for f in SCHEMAS}
        return _write_csv(tables, tmp_path / "export", style, names)
    return _write_xlsx(
        tables,
        tmp_path / "eksport.xlsx",
        sheet_names=style == "named",
        titles=2 if "titles" in style else 0,
        typed="typed" in style,
    )


def test_the_corpus_has_at_least_forty_variants() -> None:
    """Each habit as CSV and as .xlsx, plus separators, encodings, title rows and mixes."""
    assert len(VARIANTS) >= 40
    assert {h for habits, _ in VARIANTS for h in habits} == set(HABITS)


@pytest.fixture(scope="module")
def canonical_data():
    """The valid export read as written."""
    return read_export(VALID)


@pytest.mark.parametrize(
    ("habits", "how"), VARIANTS, ids=[f"{'+'.join(h) or 'plain'}-{w}" for h, w in VARIANTS]
)
def test_variant_reads_as_the_canonical_export(
    habits: tuple[str, ...], how: str, tmp_path: Path, canonical_data: object
) -> None:
    """Every variant gives exactly the data of the canonical export."""
    assert read_export(_build(habits, how, tmp_path)) == canonical_data


def _refusals(tmp_path: Path) -> dict[str, Path]:
    tables = _canonical()
    header, rows = tables["patients.csv"]
    lat = header.index("lat")
    tables["patients.csv"] = (header, [[*r[:lat], "1.063,43", *r[lat + 1 :]] for r in rows])
    ambiguous = _write_csv(tables, tmp_path / "ambiguous", "semicolon_utf8_bom", {})
    tables = _canonical()
    header, rows = tables["roster.csv"]
    tables["roster.csv"] = (header, [[r[0], "12/01/2026", *r[2:]] for r in rows])
    us_date = _write_xlsx(tables, tmp_path / "us.xlsx", sheet_names=False, titles=0, typed=False)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes((VALID / "patients.csv").read_bytes())
    return {"ambiguous_decimal": ambiguous, "slash_date": us_date, "csv_named_xlsx": renamed}


def test_refusals_are_one_grouped_message_and_change_nothing(
    import_store: Store, tmp_path: Path
) -> None:
    """Ambiguous values and a CSV renamed .xlsx are refused with one message per kind,
    naming file and column; the store holding the canonical export stays as it was."""
    loaded = read_plan_export(VALID)
    import_store.save_export(loaded.data, source=str(VALID))
    before = database_digest(import_store.engine)
    expected = {
        "ambiguous_decimal": ("ambiguous: a comma and a point", "patients.csv lat"),
        "slash_date": ("ambiguous: write YYYY-MM-DD or DD.MM.YYYY", "us.xlsx[Ark7] date"),
        "csv_named_xlsx": ("is text (CSV?) with an .xlsx name", "renamed.xlsx"),
    }
    for name, path in _refusals(tmp_path).items():
        with pytest.raises(PlanInputError) as caught:
            candidate = read_plan_export(path)
            import_store.save_export(candidate.data, source=str(path))
        message = str(caught.value)
        kind, where = expected[name]
        first_line, group = message.splitlines()[:2]
        assert "of 1 kind(s)" in first_line, message
        assert kind in group and where in group, message
        assert "None" not in message and "calamine" not in message
        assert database_digest(import_store.engine) == before
