"""The API upload keeps the municipality's catalogue in the store like `import` does: the
headings of an uploaded catalogue file are written with the upload, and a later upload using
one of them (any letter case) without the file adds nothing new."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from api_test_helpers import DEMO, OTHER, OWN

from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import open_store


def _demo_files(headings: Sequence[str] = ()) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The demo export's files, the first interventions given ``headings``."""
    files = []
    for path in sorted(DEMO.glob("*.csv")):
        data = path.read_bytes()
        if path.name == "interventions.csv" and headings:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            column = rows[0].index("problem_area")
            for row, heading in zip(rows[1:], headings, strict=False):
                row[column] = heading
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            data = out.getvalue().encode("utf-8")
        files.append(("files", (path.name, data, "text/csv")))
    return files


def test_uploaded_catalogue_file_is_stored_and_known_to_the_next_upload(
    client, auth, settings: Settings
) -> None:
    """Upload 1 brings problem_areas.csv ('Hagearbeid'): stored, counted as catalogue.
    Upload 2 uses 'hagearbeid' without the file: known from the store, not reported as new;
    'Snørydding' is reported and added."""
    planner = auth("planner", "planner-1")
    files = [*_demo_files(), ("files", ("problem_areas.csv", b"name\nHagearbeid\n", "text/csv"))]
    first = client.post("/v1/imports", files=files, headers=planner)
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["catalogue"] == {
        "added": 1,
        "changed": 0,
        "ended": 0,
        "unchanged": 0,
    }
    assert first.json()["new_headings"] == {}
    second = client.post(
        "/v1/imports", files=_demo_files(["hagearbeid", "Snørydding"]), headers=planner
    )
    assert second.status_code == 200, second.text
    assert second.json()["new_headings"] == {"Snørydding": 1}  # 'hagearbeid' is known
    assert second.json()["counts"]["catalogue"]["unchanged"] == 1
    assert second.json()["counts"]["catalogue"]["added"] == 1
    assert second.json()["counts"]["interventions"]["changed"] == 2
    store = open_store(settings.database_url)
    try:
        assert [(e.name, e.source) for e in store.catalogue(OWN)] == [
            ("Hagearbeid", "file"),
            ("Snørydding", "export"),
        ]
        assert store.catalogue(OTHER) == []  # the other municipality's catalogue is its own
    finally:
        store.close()


def test_upload_with_own_titles_and_skills_reports_the_new_ones(
    client, auth, settings: Settings
) -> None:
    """An upload whose staff have an own title listed in its catalogue.csv (with a level),
    an unknown title and an own skill: the listed title takes its level, the unknown one is
    reported in new_titles (added at assistent), the skill in new_skills; all are stored."""
    planner = auth("planner", "planner-1")
    files = []
    for name, (filename, data, kind) in _demo_files():
        if filename == "staff.csv":
            text = data.decode("utf-8")
            text = text.replace(",Sindre,assistent,language_en,", ",Sindre,Miljøterapeut,,", 1)
            text = text.replace(",Emma,assistent,,", ",Emma,Sosionom,Trakeostomi,", 1)
            data = text.encode("utf-8")
        files.append((name, (filename, data, kind)))
    catalogue = "kind,name,level\ncompetence,Miljøterapeut,sykepleier\n".encode()
    files.append(("files", ("catalogue.csv", catalogue, "text/csv")))
    answer = client.post("/v1/imports", files=files, headers=planner)
    assert answer.status_code == 200, answer.text
    assert answer.json()["new_titles"] == {"Sosionom": 1}
    assert answer.json()["new_skills"] == {"Trakeostomi": 1}
    store = open_store(settings.database_url)
    try:
        levels = {(e.kind, e.name): e.level for e in store.catalogue(OWN)}
        staff = {s.staff_id: s for s in store.load_municipality(OWN).staff}
    finally:
        store.close()
    assert levels[("competence", "Miljøterapeut")] == "sykepleier"
    assert levels[("competence", "Sosionom")] == "assistent"
    assert ("skill", "Trakeostomi") in levels
    assert staff["S001"].competence.level == "sykepleier"
    assert str(staff["S001"].competence) == "Miljøterapeut"
