"""FHIR systems, extension URLs and code tables of the mapping (``docs/fhir-mapping.md``)."""

from __future__ import annotations

from hjemmetjeneste.domain import (
    CompetenceLevel,
    ProblemArea,
    Skill,
)

_BASE_URL = "https://hjemmetjeneste.no/fhir"
#: Extension URLs of this mapping (docs/fhir-mapping.md).
EXT = {
    name: f"{_BASE_URL}/StructureDefinition/{name}"
    for name in (
        "district",
        "base",
        "key-box-note",
        "tolerance",
        "time-window",
        "week-anchor",
        "required-competence",
        "required-skill",
        "staff-count",
        "priority",
        "time-critical",
        "travel-mode",
        "contracted-fte",
        "second-staff-competence",
        "second-staff-skill",
    )
}
GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
COMPETENCE_SYSTEM = f"{_BASE_URL}/CodeSystem/competence"
SKILL_SYSTEM = f"{_BASE_URL}/CodeSystem/skill"
PROBLEM_AREA_SYSTEM = f"{_BASE_URL}/CodeSystem/problem-area"
#: HL7 Norway no-basis: municipality number on an Address (or on its ``district``).
NO_BASIS_MUNICIPALITY = "http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode"
MUNICIPALITY_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.3402"  # assumed: kommunenummer
#: Norwegian national ids: fødselsnummer and D-number. Never stored or logged.
NATIONAL_ID_SYSTEMS = ("urn:oid:2.16.578.1.12.4.1.4.1", "urn:oid:2.16.578.1.12.4.1.4.2")
#: Health personnel categories (HPR) accepted as competence codes, besides our own values.
HPR_CATEGORIES = {
    "AS": CompetenceLevel.ASSISTANT,  # not an HPR category: unskilled assistant
    "HF": CompetenceLevel.HEALTH_WORKER,
    "VP": CompetenceLevel.SOCIAL_EDUCATOR,
    "SP": CompetenceLevel.NURSE,
}

SUPPORTED_RESOURCES = ("Patient", "CarePlan", "Practitioner", "PractitionerRole", "Location")
_SKILL_VALUES = frozenset(s.value for s in Skill)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_AS_NEEDED_TEXT = {"as needed", "ved behov", "prn"}

#: Timing.repeat.when codes and the clock windows they stand for (before any offset).
WHEN_WINDOWS: dict[str, tuple[str, str]] = {
    "WAKE": ("07:00", "08:00"),
    "MORN": ("08:00", "10:00"),
    "MORN.early": ("07:30", "08:30"),
    "MORN.late": ("09:30", "11:00"),
    "NOON": ("11:30", "12:30"),
    "AFT": ("12:00", "17:00"),
    "AFT.early": ("12:00", "14:00"),
    "AFT.late": ("15:00", "17:00"),
    "EVE": ("18:00", "21:00"),
    "EVE.early": ("17:00", "19:00"),
    "EVE.late": ("20:00", "22:00"),
    "NIGHT": ("22:30", "23:59"),
    "HS": ("21:00", "22:00"),
    "C": ("08:00", "09:00"),
    "CM": ("08:00", "09:00"),
    "CD": ("12:00", "13:00"),
    "CV": ("17:00", "18:00"),
    "AC": ("07:30", "08:00"),
    "ACM": ("07:30", "08:00"),
    "ACD": ("11:30", "12:00"),
    "ACV": ("16:30", "17:00"),
    "PC": ("09:00", "09:30"),
    "PCM": ("09:00", "09:30"),
    "PCD": ("13:00", "13:30"),
    "PCV": ("18:00", "18:30"),
}
_UNSUPPORTED_REPEAT = (
    "count",
    "countMax",
    "durationMax",
    "frequencyMax",
    "periodMax",
    "boundsDuration",
    "boundsRange",
)


def _default_competence(area: ProblemArea) -> CompetenceLevel:
    """Competence an activity needs when it carries no required-competence extension."""
    if area == ProblemArea.MEDICATION:
        return CompetenceLevel.SOCIAL_EDUCATOR
    if area == ProblemArea.ADVANCED_TREATMENT:
        return CompetenceLevel.NURSE
    return CompetenceLevel.ASSISTANT
