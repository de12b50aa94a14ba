"""Publishing: versions, If-Match, and two planners publishing the same run at once."""

from __future__ import annotations

import os
import threading

from api_test_helpers import DEMO, OWN, publish
from fastapi.testclient import TestClient
from sqlalchemy import text

import ci_guard
from hjemmetjeneste.api import create_app
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import create_store_engine, open_store, runs
from hjemmetjeneste.store.models import TableBase

POSTGRES_ENV = "HJEMMETJENESTE_TEST_POSTGRES_URL"


def _race(settings: Settings, auth, run_id: str) -> list[int]:
    """Two planners (two clients, two threads) publish ``run_id`` over version 0 at once."""
    app = create_app(settings)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    with TestClient(app):
        clients = [TestClient(app), TestClient(app)]

        def go(index: int) -> None:
            headers = auth("planner", f"planner-{index}")
            barrier.wait()
            statuses.append(publish(clients[index], headers, run_id).status_code)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    return sorted(statuses)


def test_concurrent_publishers_exactly_one_wins_on_sqlite(settings, auth, template):
    """Two simultaneous publishes over version 0: one 201, one 409, one version recorded."""
    assert _race(settings, auth, template.run_id) == [201, 409]
    engine = create_store_engine(settings.database_url)
    history = runs.publication_history(engine, OWN, "trd-ost", template.result.date, "day")
    engine.dispose()
    assert [h.version for h in history] == [1]


def test_store_guard_lets_one_of_many_threads_publish(settings, template):
    """Eight threads publishing over the same version through the store: exactly one wins."""
    engine = create_store_engine(settings.database_url)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def go(i: int) -> None:
        barrier.wait()
        try:
            runs.publish_run(
                engine,
                municipality_id=OWN,
                district_id="trd-ost",
                plan_date=template.result.date,
                shift="day",
                run_id=template.run_id,
                expected_version=0,
                published_by=f"p{i}",
            )
            outcomes.append("won")
        except runs.StaleVersionError:
            outcomes.append("stale")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    assert sorted(outcomes) == ["stale"] * 7 + ["won"]


def test_versions_count_up_and_stale_or_missing_if_match_is_refused(client, auth, template):
    """Version 1 then 2 with the right If-Match; a stale one gets 409, none gets 428; the
    ETag of the history is the current version."""
    planner = auth("planner", "planner-1")
    first = publish(client, planner, template.run_id, 0)
    assert (first.status_code, first.headers["etag"]) == (201, '"1"')
    assert publish(client, planner, template.run_id, 0).status_code == 409
    missing = client.post(f"/v1/runs/{template.run_id}/publish", headers=planner)
    assert missing.status_code == 428
    second = publish(client, planner, template.run_id, 1)
    assert (second.status_code, second.json()["version"]) == (201, 2)
    history = client.get("/v1/publications/trd-ost/2026-12-01/day", headers=planner)
    assert history.headers["etag"] == '"2"'
    assert [v["version"] for v in history.json()["versions"]] == [2, 1]


def test_concurrent_publishers_exactly_one_wins_on_postgresql(auth, template, tmp_path):
    """The same race against PostgreSQL, where both can read version 0 before either writes."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        ci_guard.skip("postgres", f"{POSTGRES_ENV} not set (run scripts/ci_postgres.sh)")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        TableBase.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    store = open_store(url)

    from hjemmetjeneste.formats import read_export

    store.save_export(read_export(DEMO), source="demo")
    record = runs.create_run(
        store.engine,
        municipality_id=OWN,
        district_id="trd-ost",
        plan_date=template.result.date,
        shift="day",
        params={"time_limit_s": 1.0, "pins": 0},
        created_by="planner-1",
    )
    runs.start_run(store.engine, record.run_id)
    runs.finish_run(
        store.engine,
        record.run_id,
        "succeeded",
        result_json=template.result.model_dump_json(),
        kpis=template.result.kpis.model_dump(mode="json"),
        violations=0,
    )
    store.close()
    settings = Settings(database_url=url)
    assert _race(settings, auth, record.run_id) == [201, 409]
    engine = create_store_engine(url)
    history = runs.publication_history(engine, OWN, "trd-ost", template.result.date, "day")
    engine.dispose()
    assert [h.version for h in history] == [1]
