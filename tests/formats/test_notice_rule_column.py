"""The patients' notice threshold is a municipality rule: read from municipality.csv (its
Norwegian alias too), written back, kept in the store; empty means the server's setting."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.store import open_store

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _with_column(folder: Path, header: str, value: str) -> Path:
    shutil.copytree(DEMO, folder)
    path = folder / "municipality.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = [*rows[0].keys(), header]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, header: value})
    return folder


def test_the_threshold_is_read_written_and_stored(tmp_path: Path):
    """`varsel_flyttet_besøk_min` 15 is read as notice_move_threshold_min 15, written back
    under its English name, and loaded again from the store; the demo (no column) has none."""
    assert read_export(DEMO).municipality.rules.notice_move_threshold_min is None
    data = read_export(_with_column(tmp_path / "in", "varsel_flyttet_besøk_min", "15"))
    assert data.municipality.rules.notice_move_threshold_min == 15
    write_export(data, tmp_path / "out")
    written = (tmp_path / "out" / "municipality.csv").read_text(encoding="utf-8")
    assert "notice_move_threshold_min" in written
    assert read_export(tmp_path / "out").municipality.rules.notice_move_threshold_min == 15
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        store.save_export(data, source="test")
        loaded = store.load_municipality(data.municipality.municipality_id)
    finally:
        store.close()
    assert loaded.municipality.rules.notice_move_threshold_min == 15


def test_a_negative_threshold_is_an_input_error_naming_the_column(tmp_path: Path):
    """-5 minutes is refused with the file and the column named."""
    import pytest

    from hjemmetjeneste.errors import PlanInputError

    folder = _with_column(tmp_path / "bad", "notice_move_threshold_min", "-5")
    with pytest.raises(PlanInputError) as error:
        read_export(folder)
    text = str(error.value)
    assert "municipality.csv" in text and "notice_move_threshold_min" in text
