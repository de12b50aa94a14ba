"""A municipality's catalogue lives in the store: the headings an import brings (from its
catalogue file, or used by its interventions) are written with it, all or nothing, and later
imports — a --partial one without the file, under --strict-catalogue — know them."""

from __future__ import annotations

import shutil
from pathlib import Path

from import_corpus import CORPUS, set_headings
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.store import CatalogueEntry, database_digest, open_store

VALID = CORPUS / "valid_csv"
MUNICIPALITY = "5001"
runner = CliRunner()


def _catalogue(url: str) -> list[tuple[str, str]]:
    store = open_store(url)
    try:
        return [(e.name, e.source) for e in store.catalogue(MUNICIPALITY)]
    finally:
        store.close()


def _digest(url: str) -> str:
    store = open_store(url)
    try:
        return database_digest(store.engine)
    finally:
        store.close()


def _import(url: str, folder: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["import", str(folder), "--database-url", url, "--lang", "en", *options]
    )
    return result.exit_code, result.output


def test_a_heading_of_the_catalogue_file_is_known_to_a_later_partial_import(
    tmp_path: Path, import_db_url: str
) -> None:
    """Import 1 brings problem_areas.csv listing 'Hagearbeid' (no intervention uses it):
    it is stored. Import 2, --partial --strict-catalogue, holds only interventions.csv and
    uses 'HAGEARBEID' without the file: accepted. 'Snørydding' (in no catalogue) is refused
    and the store is unchanged, byte for byte of its content."""
    url = import_db_url
    first = tmp_path / "export"
    shutil.copytree(VALID, first)
    (first / "problem_areas.csv").write_text("name\nHagearbeid\nErnæring\n", encoding="utf-8")
    code, output = _import(url, first, "--strict-catalogue")
    assert code == 0, output
    assert "catalogue" in output
    assert _catalogue(url) == [("Hagearbeid", "file")]  # 'Ernæring' is a standard alias

    delta = tmp_path / "delta"
    delta.mkdir()
    shutil.copy(VALID / "interventions.csv", delta / "interventions.csv")
    set_headings(delta / "interventions.csv", ["Snørydding"])
    before = _digest(url)
    code, output = _import(url, delta, "--partial", "--strict-catalogue")
    assert code == 2
    assert "'Snørydding' (1 intervention(s)) is not in the catalogue" in output
    assert _digest(url) == before

    set_headings(delta / "interventions.csv", ["HAGEARBEID"])
    code, output = _import(url, delta, "--partial", "--strict-catalogue")
    assert code == 0, output
    assert "not in the catalogue" not in output
    store = open_store(url)
    try:
        stored = store.load_municipality()
    finally:
        store.close()
    first_item = stored.care_plans[0].interventions[0]
    assert first_item.problem_area == "HAGEARBEID"
    assert _catalogue(url) == [("Hagearbeid", "file")]  # one entry, any letter case


def test_a_heading_an_intervention_uses_is_added_with_a_warning_and_listed(
    tmp_path: Path, import_db_url: str
) -> None:
    """Without a catalogue file a new heading is imported with a warning and becomes a
    catalogue entry; the next full import of the same export warns no more, and
    `hjemmetjeneste catalogue` lists it beside the standard headings and aliases."""
    url = import_db_url
    folder = tmp_path / "export"
    shutil.copytree(VALID, folder)
    set_headings(folder / "interventions.csv", ["Hagearbeid", "Hagearbeid"])
    code, output = _import(url, folder)
    assert code == 0, output
    assert "not in the catalogue, added as the municipality's own: 'Hagearbeid' (2)" in output
    assert _catalogue(url) == [("Hagearbeid", "export")]
    code, output = _import(url, folder, "--strict-catalogue")
    assert code == 0, output
    assert "Nothing changed" in output and "not in the catalogue" not in output

    listed = runner.invoke(app, ["catalogue", "--database-url", url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert any("Hagearbeid" in line and "municipality" in line for line in lines)
    assert any("Ergoterapi barn" in line and "ergoterapi (barn)" in line for line in lines)
    assert any("helsefagarbeider" in line and "hjelpepleier" in line for line in lines)
    assert any("wound_care" in line and "sårstell" in line for line in lines)


def test_a_refused_or_dry_run_import_writes_no_catalogue_entry(
    tmp_path: Path, import_db_url: str
) -> None:
    """An export whose catalogue file lists a heading but whose staff file is broken is
    refused: the store's digest is unchanged and no entry is written; --dry-run counts the
    entry and writes nothing either."""
    url = import_db_url
    store = open_store(url)
    store.close()
    before = _digest(url)
    folder = tmp_path / "export"
    shutil.copytree(VALID, folder)
    (folder / "problem_areas.csv").write_text("navn\nHagearbeid\n", encoding="utf-8")
    text = (folder / "staff.csv").read_text(encoding="utf-8")
    broken = text.replace(",car,0.4", ",helicopter,0.4", 1)  # no such travel mode
    assert broken != text
    (folder / "staff.csv").write_text(broken, encoding="utf-8")
    code, output = _import(url, folder)
    assert code == 2, output
    assert _digest(url) == before
    shutil.copy(VALID / "staff.csv", folder / "staff.csv")
    code, output = _import(url, folder, "--dry-run")
    assert code == 0, output
    assert _digest(url) == before


def test_save_export_adds_each_entry_once_and_counts_it(tmp_path: Path) -> None:
    """The store adds only entries it lacks (any letter case), counts them as kind
    'catalogue', and an import bringing only known entries changes nothing."""
    from hjemmetjeneste.formats import read_export

    data = read_export(VALID)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        entries = [
            CatalogueEntry("problem_area", "Hagearbeid", "file"),
            CatalogueEntry("problem_area", "hagearbeid ", "export"),
            CatalogueEntry("problem_area", "Snørydding", "export"),
        ]
        summary = store.save_export(data, catalogue=entries)
        assert (summary.counts["catalogue"].added, summary.counts["catalogue"].unchanged) == (2, 0)
        assert [(e.name, e.source, e.first_batch_id) for e in store.catalogue(MUNICIPALITY)] == [
            ("Hagearbeid", "file", summary.batch_id),
            ("Snørydding", "export", summary.batch_id),
        ]
        again = store.save_export(data, catalogue=entries[1:])
        assert again.changes == 0 and again.counts["catalogue"].unchanged == 2
        assert store.catalogue("9999") == []
    finally:
        store.close()


def test_catalogue_command_names_what_is_missing(tmp_path: Path) -> None:
    """On an empty store, or for a municipality it does not hold, `catalogue` exits 2 and
    says why."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    empty = runner.invoke(app, ["catalogue", "--database-url", url])
    assert empty.exit_code == 2 and "import an export first" in empty.output
    code, output = _import(url, VALID)
    assert code == 0, output
    unknown = runner.invoke(app, ["catalogue", "--database-url", url, "--municipality", "9999"])
    assert unknown.exit_code == 2 and "no municipality '9999'" in unknown.output
    known = runner.invoke(app, ["catalogue", "--database-url", url, "--municipality", "5001"])
    assert known.exit_code == 0 and "municipality 5001" in known.output
