"""Imports are all or nothing: random damage never leaves part of an export, nor does SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_corpus import CORPUS

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import write_export
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.store import Store, database_digest, open_store
from hjemmetjeneste.synthetic.large import generate_synthetic

FILES = sorted(p.name for p in (CORPUS / "valid_csv").iterdir())


def _mutate(data: bytes, kind: str, position: float, payload: bytes) -> bytes:
    at = int(position * len(data))
    if kind == "delete":
        return data[:at] + data[at + 1 + len(payload) :]
    if kind == "insert":
        return data[:at] + payload + data[at:]
    if kind == "replace":
        return data[:at] + payload + data[at + len(payload) :]
    if kind == "truncate":
        return data[:at]
    lines = data.split(b"\n")
    index = int(position * (len(lines) - 1))
    if kind == "drop_line":
        del lines[index]
    else:  # duplicate_line
        lines.insert(index, lines[index])
    return b"\n".join(lines)


MUTATION = st.tuples(
    st.sampled_from(FILES),
    st.sampled_from(["delete", "insert", "replace", "truncate", "drop_line", "duplicate_line"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.binary(min_size=1, max_size=6)
    | st.sampled_from([b",", b";", b'"', b"\n", b"\xf8", b"25:61"]),
)


@pytest.fixture(scope="module")
def property_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One SQLite store for all examples, holding the valid export at the start."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'store.db'}")
    store.save_export(read_plan_export(CORPUS / "valid_csv").data)
    return store


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_randomly_damaged_exports_land_whole_or_not_at_all(
    property_store: Store, tmp_path: Path, mutations
):
    """A mutated export either fails with no change to the store, or lands exactly whole."""
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    for name in FILES:
        (folder / name).write_bytes((CORPUS / "valid_csv" / name).read_bytes())
    for name, kind, position, payload in mutations:
        path = folder / name
        path.write_bytes(_mutate(path.read_bytes(), kind, position, payload))
    before = database_digest(property_store.engine)
    try:
        loaded = read_plan_export(folder, "csv")
    except PlanInputError as exc:
        assert exc.issues and all(i.file for i in exc.issues)
        assert database_digest(property_store.engine) == before
        return
    property_store.save_export(loaded.data)
    stored = property_store.load_municipality(loaded.data.municipality.municipality_id)
    expected_ids = {i.intervention_id for c in loaded.data.care_plans for i in c.interventions}
    current = {
        i.intervention_id
        for c in stored.care_plans
        for i in c.interventions
        if i.intervention_id in expected_ids
    }
    assert current == expected_ids
    assert stored.patients == loaded.data.patients and stored.staff == loaded.data.staff
    assert stored.roster == loaded.data.roster
    # restore the valid export for the next example
    property_store.save_export(read_plan_export(CORPUS / "valid_csv").data)


FHIR_MUTATION = st.tuples(
    st.sampled_from(["delete", "insert", "replace", "truncate", "drop_line", "duplicate_line"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.binary(min_size=1, max_size=6)
    | st.sampled_from([b"{", b"}", b'"', b",", b'"25:00:00"', b'"Observation"', b"null"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(FHIR_MUTATION, min_size=1, max_size=3))
def test_randomly_damaged_fhir_bundles_land_whole_or_not_at_all(
    property_store: Store, tmp_path: Path, mutations
):
    """A mutated FHIR bundle either fails leaving the store as it was, or lands whole."""
    data = (CORPUS / "valid_fhir.json").read_bytes()
    for kind, position, payload in mutations:
        data = _mutate(data, kind, position, payload)
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    before = database_digest(property_store.engine)
    try:
        loaded = read_plan_export(path, "fhir")
    except PlanInputError as exc:
        assert exc.issues and all(i.file for i in exc.issues)
        assert database_digest(property_store.engine) == before
        return
    property_store.save_export(loaded.data, partial_kinds=loaded.partial_kinds)
    stored = property_store.load_municipality(loaded.data.municipality.municipality_id)
    assert stored.patients == loaded.data.patients and stored.staff == loaded.data.staff
    property_store.save_export(read_plan_export(CORPUS / "valid_csv").data)


_CHILD = """
import sys, time
from pathlib import Path
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.store import open_store

url, export, marker = sys.argv[1:4]
store = open_store(url)
loaded = read_plan_export(Path(export))

def on_progress(stage, done, total):
    if stage == "write" and done > 0:
        # Written aside and renamed, so the parent never reads a half-written marker.
        Path(marker + ".tmp").write_text(f"{done}/{total}")
        Path(marker + ".tmp").replace(marker)
        time.sleep(0.3)  # keep the transaction open long enough to be killed mid-way

store.save_export(loaded.data, source=export, on_progress=on_progress)
print("finished", flush=True)
"""


def test_sigkill_during_import_leaves_the_store_as_before(import_db_url: str, tmp_path: Path):
    """An import process killed with SIGKILL after writing rows leaves the digest unchanged."""
    store = open_store(import_db_url)
    store.save_export(read_plan_export(CORPUS / "valid_csv").data)
    before = database_digest(store.engine)
    baseline = store.load_municipality()
    store.close()
    export = tmp_path / "big"
    write_export(generate_synthetic(12_000, seed=7), export)
    marker = tmp_path / "writing"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, import_db_url, str(export), str(marker)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    written, total = (int(x) for x in marker.read_text().split("/"))
    assert 0 < written < total  # killed mid-way, with rows already sent to the database
    reopened = open_store(import_db_url)
    try:
        assert database_digest(reopened.engine) == before
        assert reopened.load_municipality() == baseline
    finally:
        reopened.close()
