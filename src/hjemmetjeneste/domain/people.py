"""Patients and staff."""

from __future__ import annotations

from pydantic import Field

from hjemmetjeneste.domain.common import (
    CompetenceLevel,
    CompetenceName,
    Frozen,
    GeoPoint,
    Skill,
    SkillName,
    TravelMode,
)


class Patient(Frozen):
    """A patient (pasient / bruker) receiving care at home.

    Only what planning needs is stored: no national identity number, no diagnosis.
    ``display_name`` is shown on worklists and must never be logged.
    """

    patient_id: str = Field(min_length=1)
    municipality_id: str
    district_id: str
    display_name: str
    address: str
    location: GeoPoint
    key_box_note: str | None = None
    refused_staff_ids: frozenset[str] = frozenset()
    """Caregivers the patient has refused (hard: never planned to this patient)."""
    preferred_staff_ids: frozenset[str] = frozenset()
    """Caregivers the patient prefers (soft: others cost the municipality's preference weight)."""
    language: Skill | None = None
    """A language skill (``language_*``) the patient needs; soft, like a preference."""
    primary_contact_id: str | None = None
    """The patient's primary contact (primærkontakt): the caregiver who should have most of
    the visits; soft (others cost the municipality's ``primary_contact_weight`` when she is
    on shift)."""
    care_team_ids: frozenset[str] = frozenset()
    """The patient's care team (primærteam): caregivers who know the patient. Continuity of
    care treats them like the patient's recent caregivers: anyone else costs the
    municipality's ``continuity_weight``. Soft; empty means no team."""


class Staff(Frozen):
    """A caregiver (ansatt) with a competence level, skills and a travel mode."""

    staff_id: str = Field(min_length=1)
    municipality_id: str
    district_id: str
    first_name: str
    competence: CompetenceName
    """One of the five levels, or the municipality's own title (``CompetenceTitle``) with the
    level it counts as (its catalogue entry)."""
    skills: frozenset[SkillName] = frozenset()
    """Standard skills (``Skill``) and the municipality's own (``CatalogueName``)."""
    travel_mode: TravelMode = TravelMode.CAR
    contracted_fte: float = Field(default=1.0, gt=0.0, le=1.0)
    home: GeoPoint | None = None
    """Where the caregiver starts or ends a day that the roster says starts or ends at home
    (``RosterEntry.start_place`` "home"); used for travel only, never shown or logged."""

    def qualifies_for(self, competence: CompetenceLevel, skills: frozenset[str]) -> bool:
        """True when this caregiver has at least ``competence`` and every skill in ``skills``."""
        return self.competence.satisfies(competence) and skills <= self.skills
