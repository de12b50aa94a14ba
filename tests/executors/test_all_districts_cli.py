"""`plan --all-districts` and the synthetic large municipality it is benchmarked on."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.formats import write_export
from hjemmetjeneste.synthetic.municipality import OSLO_DISTRICTS, generate_municipality
from hjemmetjeneste.tasks import build_day_plan

runner = CliRunner()


def test_plan_all_districts_prints_a_row_per_district_and_reuses_stored_units(
    tmp_path, monkeypatch
):
    """One command plans both districts' day shift; run again, it finds them in the store."""
    export = tmp_path / "export"
    write_export(generate_municipality(5, districts=2, patients=15), export)
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("HJEMMETJENESTE_DASK_SCHEDULER", raising=False)
    args = ["plan", "--all-districts", "--date", "2026-12-01", "--shift", "day", "--lang", "en"]
    args += ["--workers", "1", "--solution-limit", "10", "--out", str(tmp_path / "plans")]
    first = runner.invoke(app, [*args[:1], str(export), *args[1:]])
    assert first.exit_code == 0, first.output
    text = " ".join(first.output.split())
    assert "local pool, 1 worker(s)" in text
    for district in ("gamle-oslo", "grunerlokka"):
        assert district in text
        assert (tmp_path / "plans" / f"plan-{district}-2026-12-01-day.json").exists()
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Units found in the store (planned before, same inputs): 2" in " ".join(
        again.output.split()
    )


def test_plan_all_districts_rejects_a_range_that_ends_before_it_starts(tmp_path, monkeypatch):
    """--to before --date is an input error (exit 2), before any worker starts."""
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    args = ["plan", "--all-districts", "--date", "2026-12-02", "--to", "2026-12-01", "--lang", "en"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "before" in result.output


def test_the_large_municipality_has_fifteen_oslo_districts_and_about_6000_visits_a_day():
    """15 districts around their bydel's centre, unique ids, ~6,000 visits on a weekday."""
    data = generate_municipality()
    assert len(data.districts) == len(OSLO_DISTRICTS) == 15
    for kind in (data.patients, data.staff):
        ids = [x.patient_id if hasattr(x, "patient_id") else x.staff_id for x in kind]
        assert len(ids) == len(set(ids))
    interventions = [i.intervention_id for c in data.care_plans for i in c.interventions]
    assert len(interventions) == len(set(interventions))
    bases = {d.district_id: data.base(d.base_id).location for d in data.districts}
    for patient in data.patients:
        base = bases[patient.district_id]
        assert abs(patient.location.lat - base.lat) < 0.03
        assert abs(patient.location.lon - base.lon) < 0.06
        assert 59.80 < patient.location.lat < 60.00 and 10.60 < patient.location.lon < 11.0
    day = date(2026, 12, 1)
    visits = sum(
        len(build_day_plan(data, day, shift, d.district_id).visits)
        for d in data.districts
        for shift in ShiftKind
    )
    assert 5500 <= visits <= 6500, visits


def test_the_large_municipality_depends_only_on_its_seed():
    """Same seed, same municipality; another seed, other patients."""
    a = generate_municipality(3, districts=2, patients=10)
    assert a == generate_municipality(3, districts=2, patients=10)
    assert a.patients != generate_municipality(4, districts=2, patients=10).patients
