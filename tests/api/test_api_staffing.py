"""The planner's staffing need over the API: planners only, their own municipality's data."""

from __future__ import annotations


def test_a_planner_gets_each_shifts_need_and_others_are_refused(client, auth):
    planner = auth("planner", "planner-1")
    response = client.get(
        "/v1/staffing",
        params={"from_date": "2026-12-01", "district_id": "trd-ost"},
        headers=planner,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["district_id"] == "trd-ost"
    assert [s["shift"] for s in body["shifts"]] == ["day", "evening", "night"]
    day = body["shifts"][0]
    assert day["total"] >= 1 and day["placeable"] <= day["tasks"]
    assert all(0 < v <= day["total"] for v in day["by_competence"].values())
    assert (
        client.get(
            "/v1/staffing", params={"from_date": "2026-12-01"}, headers=auth("nurse", "S022")
        ).status_code
        == 403
    )
    assert client.get("/v1/staffing", params={"from_date": "2026-12-01"}).status_code == 401


def test_the_district_and_period_are_checked_and_scoped_to_the_callers_municipality(client, auth):
    planner = auth("planner", "planner-1")
    long = {"from_date": "2026-12-01", "to_date": "2026-12-31"}
    assert client.get("/v1/staffing", params=long, headers=planner).status_code == 422
    backwards = {"from_date": "2026-12-02", "to_date": "2026-12-01"}
    assert client.get("/v1/staffing", params=backwards, headers=planner).status_code == 422
    unknown = {"from_date": "2026-12-01", "district_id": "trd-nord"}
    assert client.get("/v1/staffing", params=unknown, headers=planner).status_code == 422
    # A planner sees only their own municipality: one with nothing imported gets nothing.
    nobody = auth("planner", "planner-9", "5003")
    response = client.get("/v1/staffing", params={"from_date": "2026-12-01"}, headers=nobody)
    assert response.status_code == 422 and "import" in response.text
