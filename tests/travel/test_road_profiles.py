"""Road profiles: which ways each mode may use, in which direction, and how fast."""

from __future__ import annotations

import pytest

from hjemmetjeneste.domain.common import TravelMode
from hjemmetjeneste.travel import ROAD_PROFILES, RoadProfile
from hjemmetjeneste.travel.roads import parse_maxspeed

CAR = ROAD_PROFILES[TravelMode.CAR]
BIKE = ROAD_PROFILES[TravelMode.BIKE]
FOOT = ROAD_PROFILES[TravelMode.FOOT]


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("30 km/h", 30.0),
        ("20 mph", 20 * 1.609344),
        ("NO:urban", 50.0),
        ("NO:rural", 80.0),
        ("FR:urban", 50.0),
        ("60;40", 60.0),
        ("walk", 6.0),
        ("signals", None),
        ("", None),
        (None, None),
        ("0", None),
    ],
)
def test_parse_maxspeed(value, kmh):
    """Numbers, units, zone codes and lists parse; unusable values give None."""
    parsed = parse_maxspeed(value)
    assert parsed == (pytest.approx(kmh) if kmh is not None else None)


def test_car_uses_class_speed_without_maxspeed_and_80_percent_of_a_signed_limit():
    """Residential is 25 km/h by class; a signed 50 counts as 40."""
    assert CAR.way_speeds({"highway": "residential"}) == (25, 25)
    assert CAR.way_speeds({"highway": "residential", "maxspeed": "50"}) == (40, 40)
    assert CAR.way_speeds({"highway": "primary", "maxspeed:forward": "70", "maxspeed": "50"}) == (
        pytest.approx(56),
        40,
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential", "oneway": "yes"}, (25, 0)),
        ({"highway": "residential", "oneway": "-1"}, (0, 25)),
        ({"highway": "residential", "oneway": "no"}, (25, 25)),
        ({"highway": "residential", "junction": "roundabout"}, (25, 0)),
        ({"highway": "motorway_link"}, (45, 0)),
        ({"highway": "motorway_link", "oneway": "no"}, (45, 45)),
    ],
)
def test_car_direction_rules(tags, expected):
    """oneway=yes/-1, roundabouts and motorways restrict direction; oneway=no lifts it."""
    assert CAR.way_speeds(tags) == expected


@pytest.mark.parametrize(
    ("tags", "open_"),
    [
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "motor_vehicle": "yes"}, True),
        ({"highway": "residential", "motor_vehicle": "destination"}, True),
        ({"highway": "residential", "motorcar": "no", "access": "yes"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "construction"}, False),
        ({"highway": "residential"}, True),
    ],
)
def test_car_access_rules(tags, open_):
    """The most specific access tag decides; destination traffic (home care) is allowed."""
    assert (CAR.way_speeds(tags)[0] > 0) is open_


def test_bike_may_ride_against_oneway_when_exempted_and_pushes_on_footways():
    """oneway:bicycle=no opens the back direction; footways are walking pace unless allowed."""
    assert BIKE.way_speeds({"highway": "residential", "oneway": "yes"}) == (15, 0)
    assert BIKE.way_speeds({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}) == (
        15,
        15,
    )
    assert BIKE.way_speeds({"highway": "footway"}) == (5, 5)
    assert BIKE.way_speeds({"highway": "footway", "bicycle": "yes"}) == (15, 15)
    assert BIKE.way_speeds({"highway": "motorway"}) == (0, 0)
    assert BIKE.way_speeds({"highway": "primary", "motorroad": "yes"}) == (0, 0)
    assert BIKE.way_speeds({"highway": "residential", "maxspeed": "10"}) == (10, 10)


def test_walking_ignores_oneway_and_takes_steps_slowly():
    """Pedestrians walk both ways on one-way streets; steps are half pace; foot=no closes."""
    assert FOOT.way_speeds({"highway": "residential", "oneway": "yes"}) == (5, 5)
    assert FOOT.way_speeds({"highway": "steps"}) == (2.5, 2.5)
    assert FOOT.way_speeds({"highway": "footway", "foot": "no"}) == (0, 0)
    assert FOOT.way_speeds({"highway": "motorway"}) == (0, 0)
    assert FOOT.way_speeds({"building": "yes"}) == (0, 0)


def test_profile_validation_and_fingerprint():
    """Non-positive speeds are rejected; any change of a profile changes its fingerprint."""
    with pytest.raises(ValueError, match="highway=residential"):
        RoadProfile(TravelMode.CAR, {"residential": 0}, ("access",), frozenset())
    faster = RoadProfile(
        TravelMode.CAR,
        {**CAR.speeds_kmh, "residential": 30},
        CAR.access_keys,
        CAR.denied_access,
        use_maxspeed=True,
        maxspeed_factor=0.8,
    )
    assert faster.fingerprint() != CAR.fingerprint()
    assert CAR.fingerprint() == ROAD_PROFILES[TravelMode.CAR].fingerprint()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("20", 1200.0), ("00:20", 1200.0), ("1:05", 3900.0), ("0:10:30", 630.0), ("", None),
     ("soon", None), ("0:00", None), (None, None)],
)  # fmt: skip
def test_parse_duration(value, seconds):
    """OSM durations in minutes, hh:mm or hh:mm:ss; anything else is None."""
    from hjemmetjeneste.travel.roads import parse_duration_s

    assert parse_duration_s(value) == seconds


def test_ferries_carry_every_mode_at_the_ferry_speed_unless_closed_to_it():
    """route=ferry: 5 km/h both ways; motor_vehicle=no keeps cars off; a profile may opt out."""
    ferry = {"route": "ferry"}
    assert CAR.way_speeds(ferry) == (5.0, 5.0)
    assert FOOT.way_speeds(ferry) == (5.0, 5.0)
    assert CAR.way_speeds({**ferry, "motor_vehicle": "no"}) == (0, 0)
    assert FOOT.way_speeds({**ferry, "motor_vehicle": "no"}) == (5.0, 5.0)
    assert CAR.way_speeds({"route": "bus"}) == (0, 0)
    no_ferries = RoadProfile(TravelMode.FOOT, FOOT.speeds_kmh, FOOT.access_keys, frozenset())
    assert no_ferries.way_speeds(ferry) == (0, 0)
