"""The patient's notice sentences: a time only where the visit had one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hjemmetjeneste.api.routers.events import notice_text
from hjemmetjeneste.store.events import NoticeRecord


def _notice(kind: str, old_start: datetime | None) -> NoticeRecord:
    return NoticeRecord(
        notice_id=1,
        municipality_id="5001",
        patient_id="P-a",
        kind=kind,
        visit_date=date(2026, 12, 8),
        visit_id="V1",
        old_start=old_start,
        old_end=None,
        new_start=None,
        new_end=None,
        event_id="E1",
        version=2,
        created_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("kind", ["visit_cancelled", "visit_unplaced"])
def test_a_visit_without_a_planned_time_is_told_without_one(kind):
    timed = notice_text(_notice(kind, datetime(2026, 12, 8, 9, 41, tzinfo=UTC)), "nb")
    assert "08.12.2026 kl. 10:41" in timed  # Oslo time
    untimed = notice_text(_notice(kind, None), "nb")
    assert untimed.startswith("Besøket ditt 08.12.2026 ")
    assert "kl." not in untimed
    english = notice_text(_notice(kind, None), "en")
    assert english.startswith("Your visit on 08.12.2026 ") and " at " not in english
