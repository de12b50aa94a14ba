"""Travel profiles (reiseprofiler): how fast a caregiver covers a straight-line metre per mode.

A profile turns a great-circle distance into a road estimate and a duration:

    road_m     = great_circle_m * detour_factor
    duration_s = road_m / speed + stop_s          (between two different places)

The default numbers are deliberately round, documented estimates for Norwegian towns; a
municipality with measured values (or a road-network source) should override them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hjemmetjeneste.domain.common import TravelMode
from hjemmetjeneste.travel._kernels import EARTH_RADIUS_M

_INT32_MAX = 2**31 - 1
_MAX_GREAT_CIRCLE_M = math.pi * EARTH_RADIUS_M


@dataclass(frozen=True)
class TravelProfile:
    """Reiseprofil: effective speed, detour over the straight line and a fixed stop time.

    Attributes:
        speed_kmh: Effective door-to-door speed along the road, in km/h, including
            traffic lights, queues and slow residential streets. Must be positive.
        detour_factor: Road distance divided by great-circle distance (>= 1).
        stop_s: Fixed seconds added to every arrival at a *different* place: parking or
            locking the bike, walking to the door, the entry phone or key box. Not added
            when two visits are at the same address.
    """

    speed_kmh: float
    detour_factor: float
    stop_s: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise ValueError(f"speed_kmh must be a positive number, got {self.speed_kmh!r}")
        if not (math.isfinite(self.detour_factor) and self.detour_factor >= 1.0):
            raise ValueError(f"detour_factor must be at least 1.0, got {self.detour_factor!r}")
        if isinstance(self.stop_s, bool) or not isinstance(self.stop_s, int) or self.stop_s < 0:
            raise ValueError(f"stop_s must be a non-negative integer, got {self.stop_s!r}")
        worst_s = _MAX_GREAT_CIRCLE_M * self.detour_factor / self.speed_mps + self.stop_s
        if worst_s > _INT32_MAX:
            raise ValueError(
                "profile too slow or detour too large: half the globe would take "
                f"{worst_s:.3g} s, beyond int32 seconds"
            )

    @property
    def speed_mps(self) -> float:
        """The effective speed in metres per second."""
        return self.speed_kmh / 3.6

    def road_distance_m(self, great_circle_m: float) -> float:
        """Estimated road distance in metres for a great-circle distance (no rounding)."""
        return great_circle_m * self.detour_factor

    def travel_s(self, great_circle_m: float) -> float:
        """Estimated seconds to reach a different place ``great_circle_m`` away (no rounding)."""
        return self.road_distance_m(great_circle_m) / self.speed_mps + self.stop_s


DEFAULT_PROFILES: Mapping[TravelMode, TravelProfile] = MappingProxyType(
    {
        # Car (bil): 30 km/h effective. Urban limits are 30-50 km/h, but short trips between
        # home-care clients are dominated by junctions, lights, residential 30 zones and
        # winter roads, so the door-to-door average is well below the limit. Detour 1.3 is
        # the usual road/straight-line ratio for Norwegian towns (fjords, one-way streets
        # and rivers push it above the ~1.2 of gridded cities). 180 s: find a parking place,
        # walk to the door and get in (entry phone, key box, stairs).
        TravelMode.CAR: TravelProfile(speed_kmh=30.0, detour_factor=1.3, stop_s=180),
        # Bike (sykkel, often electric in home care): 15 km/h average including stops and
        # hills. Bikes can use paths and shortcuts, so a slightly smaller detour (1.25).
        # 60 s: lock the bike and reach the door.
        TravelMode.BIKE: TravelProfile(speed_kmh=15.0, detour_factor=1.25, stop_s=60),
        # Foot (til fots): 4.8 km/h, a brisk adult walking pace (1.33 m/s) with a bag. The
        # pedestrian network is the densest, hence detour 1.2. 30 s: from the street to
        # the door and in.
        TravelMode.FOOT: TravelProfile(speed_kmh=4.8, detour_factor=1.2, stop_s=30),
    }
)
"""Default travel profile per mode, for Norwegian urban home care (read-only)."""
