"""Actual visit times in the store: recorded once (idempotent), contradictions refused, and
the started visits of one shift of one municipality found for a re-plan's freeze."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.store import Store
from hjemmetjeneste.store.actuals import (
    ActualTimeError,
    VisitKey,
    list_actuals,
    record_actual,
    started_visit_ids,
)

DAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _key(visit: str = "visit:A", staff: str = "S001", municipality: str = "5001") -> VisitKey:
    return VisitKey(
        municipality_id=municipality,
        district_id="trd-ost",
        plan_date=DAY,
        shift="day",
        visit_id=visit,
        staff_id=staff,
    )


def _record(store: Store, key: VisitKey, kind: str, at: datetime):
    return record_actual(store.engine, key, kind, at, patient_id="P0001", version=1)  # type: ignore[arg-type]


def test_the_first_time_is_kept_and_a_repeat_changes_nothing(store: Store) -> None:
    """Started twice (a retry, a double tap): the first time stays, the second call reports
    no change; done is stored next to it."""
    first = _record(store, _key(), "started", T0)
    again = _record(store, _key(), "started", T0 + timedelta(minutes=3))
    done = _record(store, _key(), "done", T0 + timedelta(minutes=20))
    done_again = _record(store, _key(), "done", T0 + timedelta(minutes=25))
    assert first.changed and not again.changed and done.changed and not done_again.changed
    assert again.started_at == T0
    assert done_again.started_at == T0
    assert done_again.done_at == T0 + timedelta(minutes=20)
    (stored,) = list_actuals(store.engine, "5001", "trd-ost", DAY, "day")
    assert (stored.started_at, stored.done_at) == (T0, T0 + timedelta(minutes=20))
    assert stored.patient_id == "P0001"


def test_times_are_stored_in_utc_whatever_the_offset_given(store: Store) -> None:
    """A time given in Oslo's offset is the same instant read back."""
    oslo = datetime(2026, 12, 1, 9, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Oslo"))
    stored = _record(store, _key(), "started", oslo)
    assert stored.started_at == T0 + timedelta(hours=1)
    (read,) = list_actuals(store.engine, "5001", "trd-ost", DAY, "day")
    assert read.started_at == oslo


def test_done_before_started_and_started_after_done_are_refused(store: Store) -> None:
    """A finish before the start recorded (or a start after the finish) is an error and
    nothing changes."""
    _record(store, _key(), "started", T0)
    with pytest.raises(ActualTimeError, match="before the visit was started"):
        _record(store, _key(), "done", T0 - timedelta(minutes=1))
    _record(store, _key("visit:B"), "done", T0)
    with pytest.raises(ActualTimeError, match="after the visit was done"):
        _record(store, _key("visit:B"), "started", T0 + timedelta(minutes=1))
    by_visit = {
        a.key.visit_id: a for a in list_actuals(store.engine, "5001", "trd-ost", DAY, "day")
    }
    assert by_visit["visit:A"].done_at is None
    assert by_visit["visit:B"].started_at is None


def test_a_naive_time_is_refused(store: Store) -> None:
    """Times without a zone are ambiguous: refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        _record(store, _key(), "started", datetime(2026, 12, 1, 8, 0))


def test_started_visit_ids_are_those_started_or_done_in_that_shift_only(store: Store) -> None:
    """Started or done visits of the shift are frozen; another shift's, another
    municipality's, and visits never recorded are not."""
    _record(store, _key("visit:A"), "started", T0)
    _record(store, _key("visit:B", staff="S002"), "done", T0)
    _record(store, _key("visit:C", municipality="5002"), "started", T0)
    other_shift = VisitKey("5001", "trd-ost", DAY, "evening", "visit:D", "S001")
    _record(store, other_shift, "started", T0 + timedelta(hours=8))
    with store.session() as session:
        found = started_visit_ids(session, "trd-ost", DAY, "day", municipality_id="5001")
        none = started_visit_ids(
            session, "trd-ost", DAY + timedelta(days=1), "day", municipality_id="5001"
        )
    assert found == frozenset({"visit:A", "visit:B"})
    assert none == frozenset()


def test_two_nurses_of_a_double_staffed_visit_each_have_their_times(store: Store) -> None:
    """A visit done by two caregivers has a row per caregiver; it is one started visit."""
    _record(store, _key("visit:A", staff="S001"), "started", T0)
    _record(store, _key("visit:A", staff="S002"), "started", T0 + timedelta(minutes=1))
    rows = list_actuals(store.engine, "5001", "trd-ost", DAY, "day")
    assert sorted(r.key.staff_id for r in rows) == ["S001", "S002"]
    with store.session() as session:
        assert started_visit_ids(session, "trd-ost", DAY, "day", municipality_id="5001") == {
            "visit:A"
        }


def test_concurrent_first_records_of_one_visit_store_one_time(store: Store) -> None:
    """Eight threads record "started" for the same visit at once: one row, one time, exactly
    one call reports the change."""
    results = []
    errors: list[Exception] = []

    def go(minutes: int) -> None:
        try:
            results.append(_record(store, _key(), "started", T0 + timedelta(minutes=minutes)))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(m,)) for m in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.changed for r in results) == 1
    assert len({r.started_at for r in results}) == 1
    assert len(list_actuals(store.engine, "5001", "trd-ost", DAY, "day")) == 1
