"""The canonical export read from CSV variants, Parquet and Excel gives the same data."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from import_corpus import CORPUS

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.formats.tabular import detect_format, read_tabular

VALID = CORPUS / "valid_csv"


def _frames() -> dict[str, pl.DataFrame]:
    return {f.stem: pl.read_csv(f, infer_schema=False) for f in sorted(VALID.glob("*.csv"))}


def test_windows1252_semicolon_norwegian_headers_read_like_the_canonical_csv(tmp_path: Path):
    """cp1252 bytes, ';' delimiters, Norwegian file and column names: the same data."""
    names = {"patients": "pasienter", "interventions": "tiltak", "staff": "ansatte"}
    for stem, frame in _frames().items():
        if stem == "patients":
            frame = frame.rename(
                {"patient_id": "Pasient ID", "address": "Adresse", "lat": "Breddegrad"}
            )
        if stem == "interventions":
            frame = frame.rename({"duration_min": "varighet_min", "valid_from": "Gyldig fra"})
        text = frame.write_csv(separator=";")
        (tmp_path / f"{names.get(stem, stem)}.csv").write_bytes(text.encode("cp1252"))
    assert "ø".encode("cp1252") in (tmp_path / "pasienter.csv").read_bytes() + b"\xf8"
    assert read_tabular(tmp_path) == read_export(VALID)


def test_parquet_with_typed_columns_reads_like_the_csv(tmp_path: Path):
    """Integers, decimals, booleans and dates in Parquet print as the canonical text."""
    for stem, frame in _frames().items():
        if stem == "interventions":
            frame = frame.with_columns(
                pl.col("duration_min").cast(pl.Int32),
                pl.col("time_critical") == "true",
                pl.col("valid_from").str.to_date(),
            )
        if stem == "patients":
            frame = frame.with_columns(
                pl.col("lat").cast(pl.Float64), pl.col("lon").cast(pl.Float64)
            )
        frame.write_parquet(tmp_path / f"{stem}.parquet")
    assert detect_format(tmp_path) == "parquet"
    assert read_tabular(tmp_path) == read_export(VALID)


def test_excel_workbook_with_one_sheet_per_file_reads_like_the_csv(tmp_path: Path):
    """A single .xlsx workbook with sheets named after the files gives the same data."""
    import xlsxwriter

    path = tmp_path / "eksport.xlsx"
    with xlsxwriter.Workbook(str(path)) as workbook:
        for stem, frame in _frames().items():
            frame.write_excel(workbook, worksheet=stem)
    assert detect_format(path) == "xlsx"
    assert read_tabular(path) == read_export(VALID)


def test_missing_sheet_is_named(tmp_path: Path):
    """A workbook without the roster sheet says which sheet is missing."""
    import xlsxwriter

    path = tmp_path / "eksport.xlsx"
    with xlsxwriter.Workbook(str(path)) as workbook:
        for stem, frame in _frames().items():
            if stem != "roster":
                frame.write_excel(workbook, worksheet=stem)
    with pytest.raises(PlanInputError) as caught:
        read_tabular(path)
    assert any(
        "sheet missing" in i.message and "'roster'" in i.message for i in caught.value.issues
    )


def test_alias_and_canonical_name_together_are_a_repeated_column(tmp_path: Path):
    """A header with both 'patient_id' and its alias 'pasient_id' is reported, not guessed."""
    shutil.copytree(VALID, tmp_path / "x")
    frame = pl.read_csv(VALID / "patients.csv", infer_schema=False)
    frame.with_columns(pl.col("patient_id").alias("pasient_id")).write_csv(
        tmp_path / "x" / "patients.csv"
    )
    with pytest.raises(PlanInputError) as caught:
        read_tabular(tmp_path / "x")
    assert any(
        i.file == "patients.csv" and i.row == 0 and i.field == "patient_id"
        for i in caught.value.issues
    )


def test_utf16_file_is_read_like_utf8(tmp_path: Path):
    """Excel's "Unicode text" (UTF-16 with a byte-order mark) reads as the UTF-8 file does."""
    shutil.copytree(VALID, tmp_path / "x")
    text = (VALID / "staff.csv").read_text(encoding="utf-8")
    (tmp_path / "x" / "staff.csv").write_bytes(text.encode("utf-16"))
    assert read_tabular(tmp_path / "x") == read_tabular(VALID)


def test_national_id_as_patient_id_is_rejected_without_being_echoed(tmp_path: Path):
    """An 11-digit patient id (fødselsnummer form) is an error that never repeats the number."""
    fake_fnr = "01017012345"  # synthetic
    shutil.copytree(VALID, tmp_path / "x")
    for name in ("patients.csv", "interventions.csv"):
        frame = pl.read_csv(VALID / name, infer_schema=False)
        first = frame["patient_id"][0]
        frame.with_columns(pl.col("patient_id").replace(first, fake_fnr)).write_csv(
            tmp_path / "x" / name
        )
    with pytest.raises(PlanInputError) as caught:
        read_tabular(tmp_path / "x")
    assert fake_fnr not in str(caught.value)
    assert any(
        i.file == "patients.csv" and i.row == 1 and "national identity number" in i.message
        for i in caught.value.issues
    )


def test_issues_name_files_as_the_export_does(tmp_path: Path):
    """With Norwegian file names, an issue's file and the file a message refers to are the
    export's names (tiltak.csv, pasienter.csv), never the canonical ones."""
    names = {"patients": "pasienter", "interventions": "tiltak"}
    for stem, frame in _frames().items():
        if stem == "interventions":
            frame = frame.with_columns(pl.lit("p-unknown").alias("patient_id"))
        frame.write_csv(tmp_path / f"{names.get(stem, stem)}.csv")
    with pytest.raises(PlanInputError) as caught:
        read_tabular(tmp_path)
    unknown = [i for i in caught.value.issues if "unknown patient" in i.message]
    assert unknown
    assert {i.file for i in unknown} == {"tiltak.csv"}
    assert all(i.message.endswith("(not in pasienter.csv)") for i in unknown)
    assert not any("interventions.csv" in str(i) or "patients.csv" in str(i) for i in unknown)


def test_utf16_without_byte_order_mark_is_recognised(tmp_path: Path):
    """UTF-16 LE text without a byte-order mark is told from UTF-8 by charset-normalizer."""
    shutil.copytree(VALID, tmp_path / "x")
    text = (VALID / "staff.csv").read_text(encoding="utf-8")
    (tmp_path / "x" / "staff.csv").write_bytes(text.replace(",", "\t").encode("utf-16-le"))
    assert read_tabular(tmp_path / "x") == read_tabular(VALID)
