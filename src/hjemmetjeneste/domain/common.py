"""Shared building blocks of the domain: the frozen base model, coordinates and enums."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

OSLO_TZ_NAME = "Europe/Oslo"


class Frozen(BaseModel):
    """Base class of every domain model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class GeoPoint(Frozen):
    """A WGS84 coordinate in decimal degrees."""

    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)


class TravelMode(StrEnum):
    """How a caregiver moves between visits (bil / sykkel / til fots)."""

    CAR = "car"
    BIKE = "bike"
    FOOT = "foot"


class CompetenceLevel(StrEnum):
    """Formal competence (kompetansenivå), lowest to highest; values are the Norwegian titles.

    vernepleier and sykepleier are both authorised for medication; only nurses
    (sykepleier and above) may do advanced medical treatment.
    """

    ASSISTANT = "assistent"
    HEALTH_WORKER = "helsefagarbeider"
    SOCIAL_EDUCATOR = "vernepleier"
    NURSE = "sykepleier"
    SPECIALIST_NURSE = "spesialsykepleier"

    @property
    def rank(self) -> int:
        """Position in the order above, 1 (assistent) to 5 (spesialsykepleier)."""
        return _COMPETENCE_RANK[self]

    def satisfies(self, required: CompetenceLevel) -> bool:
        """True when a caregiver of this level may do work that requires ``required``."""
        return self.rank >= required.rank


_COMPETENCE_RANK = {level: i + 1 for i, level in enumerate(CompetenceLevel)}


class Skill(StrEnum):
    """Finer qualifications than the competence level (ferdigheter)."""

    INSULIN = "insulin"
    WOUND_CARE = "wound_care"
    CATHETER = "catheter"
    STOMA = "stoma"
    TUBE_FEEDING = "tube_feeding"
    PALLIATIVE_PUMP = "palliative_pump"
    LANGUAGE_EN = "language_en"
    LANGUAGE_PL = "language_pl"
    LANGUAGE_AR = "language_ar"


class ProblemArea(StrEnum):
    """The headings of a care plan (problemområde); values are the Norwegian headings."""

    NUTRITION = "Ernæring og væske"
    MEDICATION = "Legemiddelhåndtering"
    PERSONAL_HYGIENE = "Personlig hygiene"
    SKIN_AND_TISSUE = "Hud og vev"
    ELIMINATION = "Eliminasjon"
    PAIN = "Smerte"
    SLEEP_AND_REST = "Søvn og hvile"
    INFECTION_RISK = "Infeksjonsrisiko"
    ADVANCED_TREATMENT = "Avansert medisinsk behandling"
    REHABILITATION = "Rehabilitering"
    COPING_AND_MOTIVATION = "Mestring og motivasjon"
    CHALLENGING_BEHAVIOUR = "Atferd som utfordrer"


class ShiftKind(StrEnum):
    """The three shifts of a home-care day (dagvakt, kveldsvakt, nattvakt)."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
