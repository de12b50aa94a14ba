"""Every role, in its own and in another municipality, against every endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import jwt
import pytest
from api_test_helpers import DEMO, OTHER, OWN, nurse_on_shift, patient_on_shift, publish
from fastapi.testclient import TestClient

ROLES = ("planner", "nurse", "patient", "specialist", "admin")


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: how to call it, who may, and what another municipality's caller gets.

    ``resource``: the path names 5001's data, so a 5002 caller must be refused (403/404).
    Otherwise the endpoint works on the caller's own municipality, and a 5002 caller must
    get an answer without any of 5001's data in it.
    """

    name: str
    allowed: frozenset[str]
    resource: bool
    call: Callable[[TestClient, dict[str, str]], httpx.Response]


def _person(role: str, ctx: dict) -> str:
    return {"nurse": ctx["nurse"], "patient": ctx["patient"]}.get(role, f"{role}-7")


@pytest.fixture
def ctx(client, auth, template):
    """5001's run published once, its result read once (audited), a visit to pin."""
    planner = auth("planner", "planner-1")
    assert publish(client, planner, template.run_id).status_code == 201
    assert client.get(f"/v1/runs/{template.run_id}/result", headers=planner).status_code == 200
    worklist = next(w for w in template.result.worklists if w.visits)
    return {
        "planner": planner,
        "run": template.run_id,
        "nurse": nurse_on_shift(template.result),
        "patient": patient_on_shift(template.result),
        "visit": worklist.visits[0].visit_id,
        "visit_start": worklist.visits[0].start.isoformat(),
        "visit_end": worklist.visits[0].end.isoformat(),
        "staff": worklist.staff_id,
    }


def _endpoints(ctx: dict) -> list[Endpoint]:
    run = ctx["run"]
    day = {"date": "2026-12-01", "shift": "day"}
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(DEMO.glob("*.csv"))]

    def pin_then_delete(c: TestClient, h: dict[str, str]) -> httpx.Response:
        made = c.post(
            f"/v1/runs/{run}/pins",
            json={"visit_id": ctx["visit"], "staff_id": ctx["staff"]},
            headers=ctx["planner"],
        )
        return c.delete(f"/v1/pins/{made.json()[0]['pin_id']}", headers=h)

    def publish_current(c: TestClient, h: dict[str, str]) -> httpx.Response:
        etag = c.get("/v1/publications/trd-ost/2026-12-01/day", headers=ctx["planner"])
        return c.post(f"/v1/runs/{run}/publish", headers={**h, "If-Match": etag.headers["etag"]})

    planner = frozenset({"planner"})
    return [
        Endpoint("me", frozenset(ROLES), False, lambda c, h: c.get("/v1/me", headers=h)),
        Endpoint(
            "upload import (5001's export, dry run)",
            planner,
            True,
            lambda c, h: c.post("/v1/imports?dry_run=true", files=files, headers=h),
        ),
        Endpoint(
            "start run",
            planner,
            False,
            lambda c, h: c.post(
                "/v1/runs", json={**day, "time_limit_s": 0.5, "district_id": "trd-ost"}, headers=h
            ),
        ),
        Endpoint("list runs", planner, False, lambda c, h: c.get("/v1/runs", headers=h)),
        Endpoint("get run", planner, True, lambda c, h: c.get(f"/v1/runs/{run}", headers=h)),
        Endpoint(
            "cancel run", planner, True, lambda c, h: c.post(f"/v1/runs/{run}/cancel", headers=h)
        ),
        Endpoint(
            "run result", planner, True, lambda c, h: c.get(f"/v1/runs/{run}/result", headers=h)
        ),
        Endpoint(
            "pin visit",
            planner,
            True,
            lambda c, h: c.post(
                f"/v1/runs/{run}/pins",
                json={"visit_id": ctx["visit"], "staff_id": ctx["staff"]},
                headers=h,
            ),
        ),
        Endpoint("list pins", planner, False, lambda c, h: c.get("/v1/pins", headers=h)),
        Endpoint("delete pin", planner, True, pin_then_delete),
        Endpoint("publish run", planner, True, publish_current),
        Endpoint(
            "current publications",
            planner,
            False,
            lambda c, h: c.get("/v1/publications", headers=h),
        ),
        Endpoint(
            "publication history",
            planner,
            False,
            lambda c, h: c.get("/v1/publications/trd-ost/2026-12-01/day", headers=h),
        ),
        Endpoint(
            "nurse worklist",
            frozenset({"nurse"}),
            True,
            lambda c, h: c.get("/v1/nurse/worklist", params=day, headers=h),
        ),
        Endpoint(
            "nurse iCal",
            frozenset({"nurse"}),
            True,
            lambda c, h: c.get("/v1/nurse/worklist.ics", params=day, headers=h),
        ),
        Endpoint(
            "patient visits",
            frozenset({"patient"}),
            False,
            lambda c, h: c.get("/v1/patient/visits", params={"from_date": "2026-12-01"}, headers=h),
        ),
        Endpoint(
            "care plan",
            frozenset({"specialist"}),
            True,
            lambda c, h: c.get(
                f"/v1/patients/{ctx['patient']}/care-plan",
                params={"purpose": "journalgjennomgang"},
                headers=h,
            ),
        ),
        Endpoint(
            "audit log",
            frozenset({"planner", "admin"}),
            False,
            lambda c, h: c.get("/v1/audit", headers=h),
        ),
        Endpoint(
            "visit started",
            frozenset({"nurse"}),
            True,
            lambda c, h: c.post(
                f"/v1/nurse/visits/{quote(ctx['visit'], safe='')}/started",
                json={"at": ctx["visit_start"]},
                headers=h,
            ),
        ),
        Endpoint(
            "visit done",
            frozenset({"nurse"}),
            True,
            lambda c, h: c.post(
                f"/v1/nurse/visits/{quote(ctx['visit'], safe='')}/done",
                json={"at": ctx["visit_end"]},
                headers=h,
            ),
        ),
        Endpoint(
            "nurse actuals",
            frozenset({"nurse"}),
            False,
            lambda c, h: c.get("/v1/nurse/actuals", params=day, headers=h),
        ),
        # A resource: the shift is 5001's published plan (another municipality's: 404).
        Endpoint(
            "planner actuals",
            planner,
            True,
            lambda c, h: c.get("/v1/planner/actuals", params=day, headers=h),
        ),
    ]


def test_each_role_is_allowed_exactly_where_intended(client, auth, ctx, template):
    """Allowed roles of the owning municipality get 2xx; every other role gets 403; callers of
    another municipality are refused 5001's resources and see none of 5001's data elsewhere."""
    patient_name = next(
        v.patient_name
        for w in template.result.worklists
        for v in w.visits
        if v.patient_id == ctx["patient"]
    )
    failures = []
    for endpoint in _endpoints(ctx):
        for role in ROLES:
            for municipality in (OWN, OTHER):
                headers = auth(role, _person(role, ctx), municipality)
                response = endpoint.call(client, headers)
                where = f"{endpoint.name} as {role}@{municipality}: {response.status_code}"
                if role not in endpoint.allowed:
                    if response.status_code != 403:
                        failures.append(where + " (expected 403)")
                elif municipality == OWN:
                    if not 200 <= response.status_code < 300:
                        failures.append(where + " (expected 2xx)")
                elif endpoint.resource:
                    if response.status_code not in (403, 404):
                        failures.append(where + " (expected 403/404)")
                else:
                    leaked = (
                        ctx["run"] in response.text
                        or f'"{OWN}"' in response.text
                        or patient_name in response.text
                    )
                    if not 200 <= response.status_code < 300 or leaked:
                        failures.append(where + (" leaks 5001's data" if leaked else ""))
    assert not failures, "\n".join(failures)


def test_nothing_but_health_answers_without_a_valid_token(client, auth, ctx, settings):
    """/health answers anonymously; every other endpoint answers 401 with no, a forged, an
    expired or a wrong-audience token."""
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json", headers=auth("nurse", "S001")).json()["paths"]
    assert client.get("/docs").status_code == 404
    good = auth("planner", "planner-1")["Authorization"].split()[1]
    claims = jwt.decode(good, options={"verify_signature": False})
    secret = settings.jwt_secret.get_secret_value()
    bad_tokens = {
        "none": None,
        "forged": jwt.encode(claims, "not-the-secret", algorithm="HS256"),
        "expired": jwt.encode({**claims, "exp": claims["iat"] - 3600}, secret, algorithm="HS256"),
        "audience": jwt.encode({**claims, "aud": "someone-else"}, secret, algorithm="HS256"),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "role": jwt.encode({**claims, "role": "superuser"}, secret, algorithm="HS256"),
    }
    failures = []
    for endpoint in _endpoints(ctx):
        for label, token in bad_tokens.items():
            headers = {} if token is None else {"Authorization": f"Bearer {token}"}
            response = endpoint.call(client, headers)
            if response.status_code != 401:
                failures.append(f"{endpoint.name} with {label} token: {response.status_code}")
    assert not failures, "\n".join(failures)
