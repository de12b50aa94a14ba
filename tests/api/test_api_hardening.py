"""Issue #14's probes, one test each: work before authentication, upload bombs, 500s on bad
input, coercion, leaks, logs, rate limits, headers and the calendar feed."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile
from collections.abc import Iterator

import pytest
from api_test_helpers import DEMO, OWN, nurse_on_shift, patient_on_shift, publish
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.events import EVENTS_LOGGER, configure_logging
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import create_store_engine, feeds
from hjemmetjeneste.store.models import PatientRow

DAY = {"date": "2026-12-01", "shift": "day"}


def _problem(response) -> dict:
    """The documented error shape, asserted."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert isinstance(body["detail"], str) and isinstance(body["issues"], list)
    return body


# -- work before authentication ----------------------------------------------------------


def _raw_request(app, method: str, path: str, headers: list, chunks: list[bytes]):
    """Call the ASGI app directly with a streamed body; (status, body, chunks read)."""
    sent: list[dict] = []
    reads = 0

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        if reads <= len(chunks):
            return {
                "type": "http.request",
                "body": chunks[reads - 1],
                "more_body": reads < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, reads


@pytest.fixture
def started_app(settings) -> Iterator:
    """An app whose lifespan has run (state built), called directly as ASGI."""
    app = create_app(settings)
    with TestClient(app):
        yield app


def test_no_body_is_read_before_authentication(started_app, auth):
    """A large body without a token gets 401 before a single chunk is read (runs and
    uploads); a nurse's upload is refused (403) before its body is read too."""
    chunks = [b"x" * 1_000_000] * 200  # 200 MB, never produced
    for path in ("/v1/runs", "/v1/imports"):
        status, body, reads = _raw_request(
            started_app, "POST", path, [(b"content-type", b"application/json")], chunks
        )
        assert (status, reads) == (401, 0)
        assert json.loads(body)["detail"]
    nurse = auth("nurse", "S022")["Authorization"].encode()
    status, _, reads = _raw_request(
        started_app,
        "POST",
        "/v1/imports",
        [(b"authorization", nurse), (b"content-type", b"multipart/form-data; boundary=x")],
        chunks,
    )
    assert (status, reads) == (403, 0)


def test_bodies_are_limited_per_route_while_they_stream(started_app, auth):
    """A JSON body past its limit (no Content-Length) is cut off with 413 in the error
    shape, long before all of it is read; a declared length past it is refused unread."""
    planner = auth("planner", "planner-1")["Authorization"].encode()
    headers = [(b"authorization", planner), (b"content-type", b"application/json")]
    chunks = [b" " * 16_384] * 1000  # 16 MB
    status, body, reads = _raw_request(started_app, "POST", "/v1/runs", headers, chunks)
    assert status == 413 and reads < 10
    assert "larger than" in json.loads(body)["detail"]
    status, _, reads = _raw_request(
        started_app, "POST", "/v1/runs", [*headers, (b"content-length", b"16384000")], chunks
    )
    assert (status, reads) == (413, 0)


# -- uploads ------------------------------------------------------------------------------


def _demo_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(DEMO.glob("*.csv"))]


def test_an_xlsx_that_unpacks_huge_is_refused_before_parsing(client, auth):
    """A small .xlsx (a zip) whose members unpack past the limit: 413 from its declared
    sizes, never parsed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(200):  # 200 MB of zeros, a few hundred KB packed
                member.write(block)
    assert len(buffer.getvalue()) < 2_000_000
    response = client.post(
        "/v1/imports",
        files=[("files", ("export.xlsx", buffer.getvalue(), "application/octet-stream"))],
        headers=auth("planner", "planner-1"),
    )
    assert response.status_code == 413
    assert "unpacks to" in _problem(response)["detail"]


def test_junk_answers_a_bounded_error_without_paths_or_library_messages(client, auth):
    """A junk CSV with many bad rows answers 422 with at most 200 issues (small body); a junk
    .xlsx or Parquet answers 422 naming neither a server path nor the library's error."""
    planner = auth("planner", "planner-1")
    files = dict((name, data) for _, (name, data, _) in _demo_files())
    header = files["patients.csv"].split(b"\n")[0]
    files["patients.csv"] = header + b"\n" + b"junk,\x01,??,x,y,z,w,v\n" * 30_000
    response = client.post(
        "/v1/imports",
        files=[("files", (n, d, "text/csv")) for n, d in files.items()],
        headers=planner,
    )
    assert response.status_code == 422
    assert len(response.content) < 100_000
    assert len(_problem(response)["issues"]) <= 200
    for name in ("export.xlsx", "patients.parquet"):
        junk = client.post(
            "/v1/imports",
            files=[("files", (name, b"PK\x03\x04 definitely not " * 100, "x/y"))],
            headers=planner,
        )
        assert junk.status_code == 422, junk.text
        text = junk.text
        assert "/tmp" not in text and "hjemmetjeneste-upload-" not in text
        assert "Error" not in _problem(junk)["detail"]


def test_uploads_are_limited_by_rows(template, tmp_path, auth):
    """A CSV with more rows than the limit answers 413 before it is read."""
    import shutil

    db = tmp_path / "rows.db"
    shutil.copyfile(template.path, db)
    files = dict((name, data) for _, (name, data, _) in _demo_files())
    limit = max(data.count(b"\n") for data in files.values()) + 10
    settings = Settings(database_url=f"sqlite:///{db}", api_max_upload_rows=limit)
    lines = files["patients.csv"].decode().splitlines()
    extra = [
        line.replace(line.split(",")[0], f"X{i:05d}", 1)
        for i, line in enumerate(lines[1:] * (limit // max(1, len(lines) - 1) + 1))
    ]
    files["patients.csv"] = ("\n".join([lines[0], *extra]) + "\n").encode()
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/v1/imports",
            files=[("files", (n, d, "text/csv")) for n, d in files.items()],
            headers=auth("planner", "planner-1"),
        )
    assert response.status_code == 413
    assert "patients.csv" in _problem(response)["detail"]


def _multipart(name: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body with one file part whose filename is exactly ``name`` (raw bytes)."""
    boundary = "hjemmetjeneste-test-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="files"; filename="'
        + name
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_bad_upload_names_and_deep_json_answer_4xx_in_the_error_shape(client, auth):
    """A file name with a NUL byte or longer than 255 bytes, and a FHIR upload nested 50,000
    levels deep: 422 in the documented shape (each was a plain-text 500)."""
    planner = auth("planner", "planner-1")
    for name in (b"patients\x00.csv", b"p" * 300 + b".csv"):
        body, content_type = _multipart(name, b"a,b\n1,2\n")
        response = client.post(
            "/v1/imports", content=body, headers={**planner, "Content-Type": content_type}
        )
        assert response.status_code == 422, (name[:20], response.text)
        _problem(response)
    deep = b"[" * 50_000 + b"]" * 50_000
    response = client.post(
        "/v1/imports", files=[("files", ("bundle.json", deep, "application/json"))], headers=planner
    )
    assert response.status_code == 422
    assert "nested deeper" in _problem(response)["detail"]


def test_two_uploaded_files_with_one_name_are_refused(client, auth):
    """Two parts named patients.csv would silently replace each other: 422 naming it."""
    files = _demo_files()
    patients = next(f for f in files if f[1][0] == "patients.csv")
    response = client.post(
        "/v1/imports", files=[*files, patients], headers=auth("planner", "planner-1")
    )
    assert response.status_code == 422
    assert "patients.csv" in _problem(response)["detail"]


# -- bad input never a 500 ----------------------------------------------------------------


def test_far_dates_huge_ids_and_coerced_numbers_answer_422(client, auth):
    """Dates outside 2000–2100 (patient visits, runs, filters), a pin id past 2^53 and
    numbers sent as strings or booleans: 422 in the error shape, never 500 or 202."""
    patient = auth("patient", "P0001")
    planner = auth("planner", "planner-1")
    for day in ("9999-12-18", "9999-12-31"):
        response = client.get("/v1/patient/visits", params={"from_date": day}, headers=patient)
        assert response.status_code == 422
        _problem(response)
    response = client.delete("/v1/pins/99999999999999999999999", headers=planner)
    assert response.status_code == 422
    _problem(response)
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post("/v1/runs", json={"date": day, "shift": "day"}, headers=planner)
        assert response.status_code == 422, response.text
        _problem(response)
        assert client.get("/v1/runs", params={"date": day}, headers=planner).status_code == 422
    for value in ("5", True):
        response = client.post("/v1/runs", json={**DAY, "time_limit_s": value}, headers=planner)
        assert response.status_code == 422, value
        _problem(response)
    queued = [r for r in client.get("/v1/runs", headers=planner).json() if r["status"] == "queued"]
    assert len(client.get("/v1/runs", headers=planner).json()) == 1 and not queued


# -- logs ---------------------------------------------------------------------------------


def test_state_changes_are_logged_as_json_lines_with_ids_only(client, auth, template, caplog):
    """Queuing, cancelling, publishing, pinning, importing and a specialist read each log one
    JSON line on the events logger; none carries a patient's name."""
    caplog.set_level(logging.INFO, logger=EVENTS_LOGGER)
    planner = auth("planner", "planner-1")
    run = client.post("/v1/runs", json={**DAY, "time_limit_s": 60}, headers=planner).json()
    client.post(f"/v1/runs/{run['run_id']}/cancel", headers=planner)
    assert publish(client, planner, template.run_id).status_code == 201
    worklist = next(w for w in template.result.worklists if w.visits)
    visit = next(v for v in worklist.visits if not v.partner_staff_ids)
    pinned = client.post(
        f"/v1/runs/{template.run_id}/pins",
        json={"visit_id": visit.visit_id, "staff_id": worklist.staff_id},
        headers=planner,
    )
    assert pinned.status_code == 201
    assert client.post("/v1/imports", files=_demo_files(), headers=planner).status_code == 200
    patient = patient_on_shift(template.result)
    client.get(
        f"/v1/patients/{patient}/care-plan",
        params={"purpose": "akutt"},
        headers=auth("specialist", "spec-1"),
    )
    lines = [r.getMessage() for r in caplog.records if r.name == EVENTS_LOGGER]
    events = [json.loads(line) for line in lines]
    names = {e["event"] for e in events}
    assert {
        "run.queued",
        "run.cancel_requested",
        "run.published",
        "pin.created",
        "import",
        "care_plan.read",
    } <= names
    engine = create_store_engine(client.app.state.api.settings.database_url)
    with engine.connect() as conn:
        people = list(conn.scalars(select(PatientRow.display_name)))
    engine.dispose()
    text = "\n".join(lines)
    assert not [n for n in people if n in text]


def test_access_log_lines_are_scrubbed_of_national_ids_and_feed_tokens():
    """uvicorn's access-log arguments lose 11-digit numbers and calendar-feed secrets."""
    configure_logging()
    logger = logging.getLogger("uvicorn.access")
    record = logger.makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            "/v1/patient/visits?fnr=01019912345&x=1/v1/calendar/abcDEF_123-xyz.ics",
            "1.1",
            200,
        ),
        None,
    )
    assert all(f.filter(record) for f in logger.filters)
    line = record.getMessage()
    assert "01019912345" not in line and "abcDEF_123-xyz" not in line
    assert "/v1/patient/visits?fnr=***********" in line


# -- rate limits and headers --------------------------------------------------------------


def test_requests_are_rate_limited_per_token_and_per_ip(template, tmp_path, auth):
    """Past its burst a token gets 429 with Retry-After (another token still passes); past
    the IP's burst every request from it does, /health included."""
    import shutil

    db = tmp_path / "rate.db"
    shutil.copyfile(template.path, db)
    settings = Settings(
        database_url=f"sqlite:///{db}",
        api_rate_per_token=0.5,
        api_burst_per_token=3,
        api_rate_per_ip=0.5,
        api_burst_per_ip=8,
    )
    with TestClient(create_app(settings)) as client:
        me = auth("planner", "planner-1")
        other = auth("planner", "planner-2")
        codes = [client.get("/v1/me", headers=me).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/v1/me", headers=me)
        assert int(limited.headers["retry-after"]) >= 1
        _problem(limited)
        assert client.get("/v1/me", headers=other).status_code == 200
        codes = [client.get("/health").status_code for _ in range(4)]
        assert codes[-1] == 429


def test_security_headers_and_no_store_on_personal_data(template, tmp_path, auth):
    """Every answer carries security headers: outside /v1 a CSP for a same-origin UI that
    allows the configured tile origin for images; personal data (/v1) the strictest CSP and
    Cache-Control: no-store, fast path included."""
    import shutil

    db = tmp_path / "headers.db"
    shutil.copyfile(template.path, db)
    settings = Settings(database_url=f"sqlite:///{db}", api_tile_origin="https://tiles.test")
    with TestClient(create_app(settings)) as client:
        planner = auth("planner", "planner-1")
        assert publish(client, planner, template.run_id).status_code == 201
        nurse = auth("nurse", nurse_on_shift(template.result))
        responses = [
            client.get(f"/v1/runs/{template.run_id}/result", headers=planner),
            client.get("/v1/nurse/worklist", params=DAY, headers=nurse),
            client.get("/v1/nurse/worklist", params=DAY, headers=nurse),  # the fast path
            client.get("/v1/me"),
        ]
        health = client.get("/health")
    for response in responses:
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    policy = health.headers["content-security-policy"]  # a page outside /v1 (a UI at /)
    assert "script-src 'self'" in policy and "img-src 'self' data: https://tiles.test" in policy
    for response in [*responses, health]:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


# -- the calendar feed --------------------------------------------------------------------


def test_calendar_feed_is_a_revocable_secret_url_with_minimal_events(
    client, auth, template, monkeypatch
):
    """A nurse's feed URL answers without a bearer header; its events carry the patient's
    first name, the street without house number and the window only; rotating it ends the
    old URL, revoking ends it; the store keeps only the token's hash."""
    from hjemmetjeneste.api.routers import nurse as nurse_router

    monkeypatch.setattr(nurse_router, "_today", lambda: template.result.date)
    planner = auth("planner", "planner-1")
    assert publish(client, planner, template.run_id).status_code == 201
    staff_id = nurse_on_shift(template.result)
    nurse = auth("nurse", staff_id)
    made = client.post("/v1/nurse/calendar-feed", headers=nurse)
    assert made.status_code == 201
    path = made.json()["path"]
    token = path.removeprefix("/v1/calendar/").removesuffix(".ics")
    feed = client.get(path)  # no Authorization header
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    mine = next(w for w in template.result.worklists if w.staff_id == staff_id)
    assert len(events) == len(mine.visits)
    text = feed.content.decode()
    for visit in mine.visits:
        assert visit.patient_name not in text and visit.address.split(",")[0] not in text
        if visit.key_box_note:
            assert visit.key_box_note not in text
    locations = [str(e["location"]) for e in events]
    assert locations and not any(ch.isdigit() for loc in locations for ch in loc)
    first = events[0]
    assert str(first["summary"]) == f"Besøk: {mine.visits[0].patient_name.split()[0]}"
    assert first.decoded("dtstart") == mine.visits[0].window_start
    assert "GEO" not in text
    engine = create_store_engine(client.app.state.api.settings.database_url)
    with engine.connect() as conn:
        stored = list(conn.execute(select(feeds.CalendarFeedRow.__table__)))
    engine.dispose()
    assert token not in repr(stored)

    rotated = client.post("/v1/nurse/calendar-feed", headers=nurse).json()["path"]
    assert client.get(path).status_code == 404
    assert client.get(rotated).status_code == 200
    assert client.delete("/v1/nurse/calendar-feed", headers=nurse).status_code == 204
    gone = client.get(rotated)
    assert gone.status_code == 404
    _problem(gone)


def test_another_municipality_cannot_read_a_feed_by_guessing(client):
    """An unknown token is 404; a malformed one 422; never data."""
    assert client.get("/v1/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/v1/calendar/short.ics").status_code == 422
    assert OWN  # the feed names its municipality itself; no header chooses it


def test_a_static_ui_mounted_at_the_root_is_served_without_a_token(settings, tmp_path):
    """A planner UI served from static files at / (same-origin scripts) passes the guard
    without a token and with the UI's CSP; the API beside it still needs one."""
    from fastapi.staticfiles import StaticFiles

    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "index.html").write_text("<!doctype html><script src=app.js></script>")
    (tmp_path / "ui" / "app.js").write_text("console.log('planner')")
    app = create_app(settings)
    app.mount("/", StaticFiles(directory=tmp_path / "ui", html=True), name="ui")
    with TestClient(app) as client:
        page = client.get("/")
        script = client.get("/app.js")
        api = client.get("/v1/me")
    assert page.status_code == 200 and "<script" in page.text
    assert script.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert api.status_code == 401
