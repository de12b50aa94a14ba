"""Location sanity: outside Norway, swapped, far from the district's base."""

from __future__ import annotations

from factories import DEMO
from hjemmetjeneste.domain import GeoPoint
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.travel.locations import distance_km, in_norway, location_issues


def test_bounds_and_distance():
    assert in_norway(GeoPoint(lat=63.43, lon=10.40))  # Trondheim
    assert in_norway(GeoPoint(lat=69.65, lon=18.96))  # Tromsø
    assert in_norway(GeoPoint(lat=78.22, lon=15.65))  # Longyearbyen
    assert not in_norway(GeoPoint(lat=10.40, lon=63.43))
    assert not in_norway(GeoPoint(lat=55.68, lon=12.57))  # Copenhagen
    assert (
        385
        < distance_km(GeoPoint(lat=63.4262, lon=10.4398), GeoPoint(lat=59.9139, lon=10.7522))
        < 395
    )


def test_demo_has_no_issue_and_each_change_is_found():
    demo = read_export(DEMO)
    # The demo's one realistic impossible task: a patient entered with lat/lon swapped.
    (slip,) = location_issues(demo)
    assert slip.kind == "patient" and "swapped" in slip.why
    data = demo.model_copy(
        update={"patients": tuple(p for p in demo.patients if p.patient_id != slip.record_id)}
    )
    assert location_issues(data) == ()
    patients = list(data.patients)
    p0, p1, p2 = patients[:3]
    patients[0] = p0.model_copy(
        update={"location": GeoPoint(lat=p0.location.lon, lon=p0.location.lat)}
    )
    patients[1] = p1.model_copy(update={"location": GeoPoint(lat=59.9139, lon=10.7522)})
    patients[2] = p2.model_copy(update={"location": GeoPoint(lat=0.0, lon=0.0)})
    issues = {
        i.record_id: i.why
        for i in location_issues(data.model_copy(update={"patients": tuple(patients)}))
    }
    assert set(issues) == {p0.patient_id, p1.patient_id, p2.patient_id}
    assert "swapped" in issues[p0.patient_id]
    assert "km from the district's base (limit 60 km)" in issues[p1.patient_id]
    assert issues[p2.patient_id] == "the coordinates lie outside Norway"
    # A tighter limit finds the far edge of the demo district; a looser one nothing.
    assert location_issues(data, max_km=1.0)
    assert not location_issues(data, max_km=500.0)
