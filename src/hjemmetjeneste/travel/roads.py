"""Road profiles (vegprofiler): which OSM ways a travel mode may use, in which direction, how fast.

A :class:`RoadProfile` turns the tags of one OSM way (``highway``, ``oneway``, ``maxspeed``,
access tags) into a speed in each direction, 0 where the mode may not go. The defaults follow
the car, bicycle and foot profiles of OSRM (so both sources agree), with Norwegian speed
defaults where a way carries no ``maxspeed``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hjemmetjeneste.domain.common import TravelMode

_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
_ROUNDABOUT = frozenset({"roundabout", "circular"})
_MPH_KMH = 1.609344
_KNOT_KMH = 1.852

#: Speeds in km/h for ``maxspeed`` values such as ``NO:urban`` (country prefix ignored) and
#: the words ``walk`` and ``none``. Norway: 50 in built-up areas, 80 elsewhere, 110 at most.
ZONE_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "urban": 50.0,
        "rural": 80.0,
        "trunk": 90.0,
        "motorway": 110.0,
        "living_street": 8.0,
        "walk": 6.0,
        "none": 110.0,
    }
)


def parse_maxspeed(value: str | None) -> float | None:
    """km/h of an OSM ``maxspeed`` value, or None when it says nothing usable.

    Understands ``50``, ``50 km/h``, ``30 mph``, ``10 knots``, zone values like ``NO:urban`` or
    ``FR:rural`` (see :data:`ZONE_SPEEDS_KMH`) and lists such as ``50;30`` (the first counts).
    """
    if not value:
        return None
    text = value.split(";", 1)[0].strip().lower()
    if ":" in text:
        text = text.split(":", 1)[1]
    if text in ZONE_SPEEDS_KMH:
        return ZONE_SPEEDS_KMH[text]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?", text)
    if match is None:
        return None
    speed = float(match.group(1))
    unit = match.group(2)
    if unit == "mph":
        speed *= _MPH_KMH
    elif unit == "knots":
        speed *= _KNOT_KMH
    return speed if speed > 0 else None


def parse_duration_s(value: str | None) -> float | None:
    """Seconds of an OSM ``duration`` value (``mm``, ``hh:mm`` or ``hh:mm:ss``), else None."""
    if not value:
        return None
    parts = value.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(p.strip().isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts]
    if len(numbers) == 1:
        seconds = numbers[0] * 60
    else:
        seconds = numbers[0] * 3600 + numbers[1] * 60 + (numbers[2] if len(numbers) == 3 else 0)
    return float(seconds) if seconds > 0 else None


@dataclass(frozen=True)
class RoadProfile:
    """Vegprofil: how one travel mode uses OSM ways.

    Attributes:
        mode: The travel mode this profile is for.
        speeds_kmh: Speed per ``highway`` class in km/h; classes not listed are not used.
        access_keys: Access tags from most to least specific (``motorcar`` … ``access``);
            the first one present decides.
        denied_access: Values of that tag that close the way to this mode.
        granted_speed_kmh: Speed on a way whose access tag explicitly allows the mode
            (``bicycle=yes`` on a footway) when it beats the class speed; 0 to ignore.
        use_maxspeed: Whether ``maxspeed`` caps (and, for cars, sets) the speed.
        maxspeed_factor: A car rarely drives at the limit: speed = maxspeed × this factor.
        one_way: Whether ``oneway`` (and roundabouts, motorways) restrict the direction.
        oneway_exempt_key: A tag whose value ``no`` exempts the mode from ``oneway``
            (``oneway:bicycle``).
        excluded_tags: ``(key, value)`` pairs that close a way (``motorroad=yes`` for bikes).
        ferry_kmh: Effective speed on ferries (``route=ferry``), waiting included; a ferry's
            ``duration`` tag overrides it. 0 keeps the mode off ferries.
    """

    mode: TravelMode
    speeds_kmh: Mapping[str, float]
    access_keys: tuple[str, ...]
    denied_access: frozenset[str]
    granted_speed_kmh: float = 0.0
    use_maxspeed: bool = False
    maxspeed_factor: float = 1.0
    one_way: bool = True
    oneway_exempt_key: str | None = None
    excluded_tags: tuple[tuple[str, str], ...] = ()
    ferry_kmh: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", TravelMode(self.mode))
        speeds = dict(self.speeds_kmh)
        for cls, speed in speeds.items():
            if not (math.isfinite(speed) and speed > 0):
                raise ValueError(f"speed of highway={cls} must be positive, got {speed!r}")
        if not (math.isfinite(self.ferry_kmh) and self.ferry_kmh >= 0):
            raise ValueError(f"ferry_kmh must be 0 or positive, got {self.ferry_kmh!r}")
        if not (0 < self.maxspeed_factor <= 1.5):
            raise ValueError(f"maxspeed_factor must be in (0, 1.5], got {self.maxspeed_factor}")
        object.__setattr__(self, "speeds_kmh", MappingProxyType(speeds))

    def fingerprint(self) -> str:
        """A stable text that changes whenever the profile would build a different graph."""
        speeds = ",".join(f"{k}={v:g}" for k, v in sorted(self.speeds_kmh.items()))
        return (
            f"{self.mode.value}|{speeds}|{','.join(self.access_keys)}|"
            f"{','.join(sorted(self.denied_access))}|{self.granted_speed_kmh:g}|"
            f"{self.use_maxspeed}|{self.maxspeed_factor:g}|{self.one_way}|"
            f"{self.oneway_exempt_key}|{self.excluded_tags}|{self.ferry_kmh:g}"
        )

    def way_speeds(self, tags: Mapping[str, str]) -> tuple[float, float]:
        """(forward, backward) km/h along a way with ``tags``; 0 where the mode may not go."""
        highway = tags.get("highway")
        if highway is None:
            return self._ferry_speeds(tags)
        for key, value in self.excluded_tags:
            if tags.get(key) == value:
                return 0.0, 0.0
        speed = self.speeds_kmh.get(highway, 0.0)
        access = next((tags[k] for k in self.access_keys if k in tags), None)
        if access is not None:
            if access in self.denied_access:
                return 0.0, 0.0
            if access in ("yes", "designated", "permissive") and self.granted_speed_kmh:
                speed = max(speed, self.granted_speed_kmh)
        if speed <= 0:
            return 0.0, 0.0
        forward = backward = speed
        if self.use_maxspeed:
            forward = self._capped(speed, tags, "maxspeed:forward")
            backward = self._capped(speed, tags, "maxspeed:backward")
        if self.one_way:
            exempt = self.oneway_exempt_key and tags.get(self.oneway_exempt_key) == "no"
            oneway = tags.get("oneway", "")
            implied = highway in ("motorway", "motorway_link") or (
                tags.get("junction") in _ROUNDABOUT
            )
            if not exempt:
                if oneway in _ONEWAY_FORWARD or (implied and oneway != "no"):
                    backward = 0.0
                elif oneway in _ONEWAY_BACKWARD:
                    forward = 0.0
        return forward, backward

    def _ferry_speeds(self, tags: Mapping[str, str]) -> tuple[float, float]:
        """Both directions at ``ferry_kmh`` on a ferry the mode may board, else 0."""
        if tags.get("route") != "ferry" or self.ferry_kmh <= 0:
            return 0.0, 0.0
        access = next((tags[k] for k in self.access_keys if k in tags), None)
        if access is not None and access in self.denied_access:
            return 0.0, 0.0
        return self.ferry_kmh, self.ferry_kmh

    def _capped(self, class_speed: float, tags: Mapping[str, str], directional: str) -> float:
        """Class speed replaced by ``maxspeed`` × factor (cars) or capped by it (others)."""
        limit = parse_maxspeed(tags.get(directional)) or parse_maxspeed(tags.get("maxspeed"))
        if limit is None:
            return class_speed
        if self.mode is TravelMode.CAR:
            return limit * self.maxspeed_factor
        return min(class_speed, limit)


_CAR_DENIED = frozenset(
    {
        "no",
        "agricultural",
        "forestry",
        "emergency",
        "psv",
        "bus",
        "taxi",
        "foot",
        "military",
        "official",
        "private",
        "delivery",
        "customers",
        "permit",
        "restricted",
    }
)
_BIKE_DENIED = frozenset({"no", "agricultural", "forestry", "emergency", "private", "use_sidepath"})
_FOOT_DENIED = frozenset({"no", "agricultural", "forestry", "emergency", "private", "use_sidepath"})

FERRY_KMH = 5.0
"""Ferry speed without a ``duration`` tag, as OSRM's profiles: slow on purpose, since waiting
for the boat usually takes longer than the crossing."""

ROAD_PROFILES: Mapping[TravelMode, RoadProfile] = MappingProxyType(
    {
        # Car: OSRM car.lua's class speeds; a signed limit counts at 80 % (queues, junctions).
        # ``destination`` stays open: home care drives to the people who live there.
        TravelMode.CAR: RoadProfile(
            mode=TravelMode.CAR,
            speeds_kmh={
                "motorway": 90,
                "motorway_link": 45,
                "trunk": 85,
                "trunk_link": 40,
                "primary": 65,
                "primary_link": 30,
                "secondary": 55,
                "secondary_link": 25,
                "tertiary": 40,
                "tertiary_link": 20,
                "unclassified": 25,
                "residential": 25,
                "living_street": 10,
                "service": 15,
            },
            access_keys=("motorcar", "motor_vehicle", "vehicle", "access"),
            denied_access=_CAR_DENIED,
            use_maxspeed=True,
            maxspeed_factor=0.8,
            one_way=True,
            ferry_kmh=FERRY_KMH,
        ),
        # Bike (often electric in home care): 15 km/h on roads and paths, pushing at 5 km/h
        # on footways unless bicycles are allowed there; no motorways or motorroads.
        TravelMode.BIKE: RoadProfile(
            mode=TravelMode.BIKE,
            speeds_kmh={
                "trunk": 15,
                "trunk_link": 15,
                "primary": 15,
                "primary_link": 15,
                "secondary": 15,
                "secondary_link": 15,
                "tertiary": 15,
                "tertiary_link": 15,
                "unclassified": 15,
                "residential": 15,
                "living_street": 15,
                "service": 15,
                "road": 15,
                "cycleway": 15,
                "track": 12,
                "path": 12,
                "footway": 5,
                "pedestrian": 5,
                "bridleway": 5,
            },
            access_keys=("bicycle", "vehicle", "access"),
            denied_access=_BIKE_DENIED,
            granted_speed_kmh=15.0,
            use_maxspeed=True,
            one_way=True,
            oneway_exempt_key="oneway:bicycle",
            excluded_tags=(("motorroad", "yes"),),
            ferry_kmh=FERRY_KMH,
        ),
        # On foot: 5 km/h (1.4 m/s) everywhere a pedestrian may go, steps at half that;
        # one-way streets do not bind pedestrians.
        TravelMode.FOOT: RoadProfile(
            mode=TravelMode.FOOT,
            speeds_kmh={
                **dict.fromkeys(
                    (
                        "trunk",
                        "trunk_link",
                        "primary",
                        "primary_link",
                        "secondary",
                        "secondary_link",
                        "tertiary",
                        "tertiary_link",
                        "unclassified",
                        "residential",
                        "living_street",
                        "service",
                        "road",
                        "cycleway",
                        "track",
                        "path",
                        "footway",
                        "pedestrian",
                        "bridleway",
                        "corridor",
                    ),
                    5.0,
                ),
                "steps": 2.5,
            },
            access_keys=("foot", "access"),
            denied_access=_FOOT_DENIED,
            granted_speed_kmh=5.0,
            one_way=False,
            excluded_tags=(("motorroad", "yes"),),
            ferry_kmh=FERRY_KMH,
        ),
    }
)
"""Default road profile per travel mode (read-only)."""
