"""Municipality, district, base and shift definitions."""

from __future__ import annotations

from datetime import time

from pydantic import Field, model_validator

from hjemmetjeneste.domain.common import OSLO_TZ_NAME, Frozen, GeoPoint, ShiftKind


class ShiftDefinition(Frozen):
    """A shift's clock times (vakt) in one municipality; a night shift ends the next day."""

    kind: ShiftKind
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        """True when the shift ends on the day after it starts (the night shift)."""
        return self.end <= self.start


DEFAULT_SHIFTS: tuple[ShiftDefinition, ...] = (
    ShiftDefinition(kind=ShiftKind.DAY, start=time(7, 30), end=time(15, 0)),
    ShiftDefinition(kind=ShiftKind.EVENING, start=time(15, 0), end=time(22, 30)),
    ShiftDefinition(kind=ShiftKind.NIGHT, start=time(22, 30), end=time(7, 30)),
)


class Municipality(Frozen):
    """A municipality (kommune): owns patients, staff and plans; the unit of data isolation."""

    municipality_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    timezone: str = OSLO_TZ_NAME
    shifts: tuple[ShiftDefinition, ...] = DEFAULT_SHIFTS

    @model_validator(mode="after")
    def _one_definition_per_shift(self) -> Municipality:
        kinds = [s.kind for s in self.shifts]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each shift kind may be defined only once")
        return self

    def shift(self, kind: ShiftKind) -> ShiftDefinition:
        """The definition of one shift kind; raises KeyError when the municipality lacks it."""
        for definition in self.shifts:
            if definition.kind == kind:
                return definition
        raise KeyError(f"municipality {self.municipality_id} defines no {kind} shift")


class Base(Frozen):
    """A home-care base (hjemmetjenestebase): where shifts start and end."""

    base_id: str = Field(min_length=1)
    name: str
    address: str
    location: GeoPoint


class District(Frozen):
    """A district (sone / distrikt) of a municipality with its own base; the unit of a solve."""

    district_id: str = Field(min_length=1)
    municipality_id: str
    name: str
    base_id: str
