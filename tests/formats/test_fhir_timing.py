"""FHIR R4 import: Timing.repeat mapping, tolerance, bounds, and national ids never kept."""

from __future__ import annotations

import copy
import json
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from import_corpus import CORPUS

from hjemmetjeneste.domain import Roster, ScheduleKind
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.formats.fhir import EXT, read_fhir, write_fhir_ndjson

BUNDLE: dict[str, Any] = json.loads((CORPUS / "valid_fhir.json").read_text(encoding="utf-8"))
FNR = "01017012345"  # synthetic: not a valid national id of anyone


def _with_activity(tmp_path: Path, timing: dict[str, Any], **detail: Any) -> Path:
    bundle = copy.deepcopy(BUNDLE)
    plan = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    activity = plan["activity"][0]
    activity["id"] = "X1"
    activity["detail"]["scheduledTiming"] = timing
    activity["detail"].update(detail)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _x1(path: Path, **kwargs: Any):
    data = read_fhir(path, **kwargs)
    return next(i for c in data.care_plans for i in c.interventions if i.intervention_id == "X1")


BOUNDS = {"start": "2026-01-05", "end": "2026-12-31"}


def test_fhir_roundtrip_equals_the_csv_export(tmp_path: Path):
    """The synthetic FHIR bundle and its NDJSON form read back as the CSV export's data."""
    expected = read_export(CORPUS / "valid_csv").model_copy(update={"roster": Roster()})
    assert read_fhir(CORPUS / "valid_fhir.json") == expected
    write_fhir_ndjson(expected, tmp_path / "export.ndjson")
    assert read_fhir(tmp_path / "export.ndjson") == expected


def test_time_of_day_with_frequency_and_weekdays_becomes_fixed_times(tmp_path: Path):
    """timeOfDay x dayOfWeek with a matching weekly frequency gives fixed times on weekdays."""
    timing = {
        "repeat": {
            "frequency": 4,
            "period": 1,
            "periodUnit": "wk",
            "dayOfWeek": ["mon", "thu"],
            "timeOfDay": ["08:00:00", "20:00:00"],
            "duration": 10,
            "durationUnit": "min",
            "boundsPeriod": BOUNDS,
        }
    }
    item = _x1(_with_activity(tmp_path, timing), default_tolerance_min=20)
    assert item.schedule.kind == ScheduleKind.FIXED
    assert item.schedule.times == (time(8), time(20))
    assert item.schedule.weekdays == frozenset({1, 4})
    assert item.schedule.tolerance_min == 20  # no extension: the municipality's default
    assert (item.valid_from, item.valid_to) == (date(2026, 1, 5), date(2026, 12, 31))
    assert item.duration_min == 10


def test_tolerance_extension_overrides_the_default(tmp_path: Path):
    """The documented tolerance extension on Timing sets the ± minutes."""
    timing = {
        "extension": [{"url": EXT["tolerance"], "valueDuration": {"value": 1, "unit": "h"}}],
        "repeat": {"timeOfDay": ["08:00:00"], "duration": 5, "boundsPeriod": BOUNDS},
    }
    assert (
        _x1(_with_activity(tmp_path, timing), default_tolerance_min=20).schedule.tolerance_min == 60
    )


def test_when_with_offset_shifts_the_window(tmp_path: Path):
    """when=MORN with offset 30 gives the morning window moved 30 minutes later."""
    timing = {
        "repeat": {
            "when": ["MORN"],
            "offset": 30,
            "duration": 0.5,
            "durationUnit": "h",
            "boundsPeriod": BOUNDS,
        }
    }
    item = _x1(_with_activity(tmp_path, timing))
    assert item.schedule.kind == ScheduleKind.WINDOW
    assert [(w.start, w.end) for w in item.schedule.windows] == [(time(8, 30), time(10, 30))]
    assert item.duration_min == 30


def test_every_second_week_counts_from_the_bounds_start(tmp_path: Path):
    """period 2 wk gives every_n_weeks 2 anchored on boundsPeriod.start."""
    timing = {
        "repeat": {
            "period": 2,
            "periodUnit": "wk",
            "dayOfWeek": ["wed"],
            "when": ["AFT"],
            "duration": 45,
            "boundsPeriod": BOUNDS,
        }
    }
    item = _x1(_with_activity(tmp_path, timing))
    assert item.schedule.every_n_weeks == 2
    assert item.schedule.week_anchor == date(2026, 1, 5)


def test_as_needed_code_keeps_the_intervention_unplanned(tmp_path: Path):
    """A Timing coded 'ved behov' is an as-needed intervention."""
    timing = {"code": {"text": "ved behov"}, "repeat": {"duration": 15, "boundsPeriod": BOUNDS}}
    assert _x1(_with_activity(tmp_path, timing)).schedule.kind == ScheduleKind.AS_NEEDED


@pytest.mark.parametrize(
    ("repeat", "field", "message"),
    [
        ({"timeOfDay": ["08:00:00"], "duration": 5, "frequency": 3}, "frequency", "does not match"),
        (
            {"timeOfDay": ["08:00:00"], "duration": 5, "period": 2, "periodUnit": "d"},
            "period",
            "every 2 days",
        ),
        ({"timeOfDay": ["08:00:00"], "duration": 5, "count": 3}, "count", "unsupported Timing"),
        ({"when": ["XYZ"], "duration": 5}, "when", "unsupported Timing"),
        ({"when": ["NIGHT"], "offset": 60, "duration": 5}, "offset", "impossible time"),
        ({"frequency": 2, "period": 1, "periodUnit": "d", "duration": 5}, "", "no timeOfDay"),
        ({"timeOfDay": ["08:00:00"]}, "duration", "expected the activity's duration"),
    ],
)
def test_timing_that_cannot_be_mapped_names_its_json_path(tmp_path, repeat, field, message):
    """Unsupported or inconsistent Timing gives an error at CarePlan/<id> ...repeat.<field>."""
    timing = {"repeat": {**repeat, "boundsPeriod": BOUNDS}}
    with pytest.raises(PlanInputError) as caught:
        read_fhir(_with_activity(tmp_path, timing))
    issue = caught.value.issues[0]
    assert issue.field is not None and issue.field.startswith("CarePlan/")
    assert issue.field.endswith(f"scheduledTiming.repeat{'.' + field if field else ''}")
    assert message in issue.message and issue.file == "bundle.json" and issue.row is not None


def test_national_id_is_neither_kept_nor_echoed(tmp_path: Path):
    """A patient's fødselsnummer is not in the data, and errors about the patient omit it."""
    bundle = copy.deepcopy(BUNDLE)
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    patient["identifier"] = [{"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": FNR}]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert FNR not in read_fhir(path).model_dump_json()
    patient["address"] = [{"text": "Ukjent vei 1"}]  # no coordinates, no geocoder: an error
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        read_fhir(path)
    assert caught.value.issues and FNR not in str(caught.value)


def test_worker_processes_give_the_same_data_and_errors(tmp_path: Path, monkeypatch):
    """CarePlans validated on worker processes give the same result as in-process."""
    import hjemmetjeneste.formats.fhir.read as fhir

    in_process = read_fhir(CORPUS / "valid_fhir.json")
    monkeypatch.setattr(fhir, "PARALLEL_MIN_CARE_PLANS", 1)
    monkeypatch.setattr(fhir, "_CHUNK_CARE_PLANS", 1)
    assert read_fhir(CORPUS / "valid_fhir.json") == in_process
    with pytest.raises(PlanInputError) as caught:
        read_fhir(CORPUS / "fhir" / "unsupported_timing.json")
    assert any("periodUnit 'mo'" in i.message for i in caught.value.issues)


def _with_detail(tmp_path: Path, **detail: Any) -> Path:
    """The bundle with activity X1's schedule replaced by the given scheduled[x]."""
    bundle = copy.deepcopy(BUNDLE)
    plan = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    activity = plan["activity"][0]
    activity["id"] = "X1"
    del activity["detail"]["scheduledTiming"]
    activity["detail"].update(detail)
    plan["period"] = {"start": "2026-02-02"}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def test_scheduled_period_on_one_day_is_one_visit_at_its_start(tmp_path: Path):
    """A scheduledPeriod with clock times on one day: one visit, as long as the period."""
    period = {"start": "2026-03-02T09:30:00+01:00", "end": "2026-03-02T10:15:00+01:00"}
    item = _x1(_with_detail(tmp_path, scheduledPeriod=period), default_tolerance_min=15)
    assert item.schedule.kind == ScheduleKind.FIXED
    assert item.schedule.times == (time(9, 30),)
    assert item.schedule.tolerance_min == 15
    assert item.duration_min == 45
    assert (item.valid_from, item.valid_to) == (date(2026, 3, 2), date(2026, 3, 2))


def test_scheduled_period_of_dates_is_as_needed_with_the_mapping_duration(tmp_path: Path):
    """A period of dates says only when the activity is valid: as needed, with the mapping
    file's default duration; without one it is an error that says what to add."""
    path = _with_detail(tmp_path, scheduledPeriod={"start": "2026-03-01", "end": "2026-04-30"})
    item = _x1(path, default_duration_min=20)
    assert item.schedule.kind == ScheduleKind.AS_NEEDED
    assert item.duration_min == 20
    assert (item.valid_from, item.valid_to) == (date(2026, 3, 1), date(2026, 4, 30))
    with pytest.raises(PlanInputError) as err:
        read_fhir(path)
    (issue,) = err.value.issues
    assert issue.field.endswith("activity[0].detail.scheduledPeriod")
    assert "default_duration_min" in issue.message


@pytest.mark.parametrize(
    ("text", "kind", "times", "windows", "weekdays", "duration"),
    [
        ("daglig kl. 08:00 og 20:00, 15 min", ScheduleKind.FIXED, (time(8), time(20)), 0, 0, 15),
        ("Morgen og kveld 20 minutter", ScheduleKind.WINDOW, (), 2, 0, 20),
        ("man, ons, fre kl 10.30 1 time", ScheduleKind.FIXED, (time(10, 30),), 0, 3, 60),
        ("hverdager morgen 30 min", ScheduleKind.WINDOW, (), 1, 5, 30),
        ("every day at 09:00, 10 minutes", ScheduleKind.FIXED, (time(9),), 0, 0, 10),
        ("ved behov 15 min", ScheduleKind.AS_NEEDED, (), 0, 0, 15),
        ("daglig 08:00-10:00 og 18.00 til 20.00, 25 min", ScheduleKind.WINDOW, (), 2, 0, 25),
    ],
)
def test_scheduled_string_in_bokmal_or_english(
    tmp_path: Path, text: str, kind: ScheduleKind, times: tuple, windows: int, weekdays: int,
    duration: int,
):  # fmt: skip
    """scheduledString: clock times, parts of the day, weekdays, ved behov and a duration."""
    item = _x1(_with_detail(tmp_path, scheduledString=text))
    assert item.schedule.kind == kind
    assert item.schedule.times == times
    assert len(item.schedule.windows) == windows
    assert len(item.schedule.weekdays) == weekdays
    assert item.duration_min == duration
    assert item.valid_from == date(2026, 2, 2)  # CarePlan.period.start


def test_scheduled_string_daily_takes_the_mapping_duration_but_needs_a_time(tmp_path: Path):
    """The HL7 example's 'daily' says neither when nor how long: both named in one pass."""
    path = _with_detail(tmp_path, scheduledString="daily")
    with pytest.raises(PlanInputError) as err:
        read_fhir(path, default_duration_min=15)
    (issue,) = err.value.issues
    assert "when in the day" in issue.message
    item = _x1(_with_detail(tmp_path, scheduledString="daily morning"), default_duration_min=15)
    assert item.schedule.windows[0].start == time(8)
    assert item.duration_min == 15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("annenhver uke kl 08:00 15 min", "'annenhver', 'uke'"),
        ("kl 25:00 15 min", "impossible clock time"),
        ("kl 08:00 morgen 15 min", "both clock times and windows or parts of the day"),
        ("10:00-08:00 15 min", "end after the start"),
    ],
)
def test_scheduled_string_never_guesses(tmp_path: Path, text: str, message: str):
    """A word it does not know or a contradiction is an error naming it, never ignored."""
    with pytest.raises(PlanInputError) as err:
        read_fhir(_with_detail(tmp_path, scheduledString=text))
    (issue,) = err.value.issues
    assert message in issue.message
    assert "None" not in issue.message
