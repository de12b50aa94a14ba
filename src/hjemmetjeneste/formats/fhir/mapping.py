"""The municipality's FHIR mapping file (``fhir-mapping.toml`` beside the export): what an
EHR bundle does not say in the project's own terms, written once (docs/fhir-mapping.md).

Which district a CareTeam, Organization or Location reference, a municipality number or a
postcode stands for; which competence a qualification code (HPR category, v2-0360 degree,
SNOMED role) means; the municipality, its bases and districts when the bundle has no
jurisdiction Location; default district, competence, duration and care-plan headings.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hjemmetjeneste.domain import CompetenceLevel, ShiftDefinition
from hjemmetjeneste.errors import InputIssue, PlanInputError, Term, pydantic_reason, reason_of
from hjemmetjeneste.i18n import N_

__all__ = ["MAPPING_FILE", "FhirMapping", "find_mapping", "load_mapping"]

MAPPING_FILE = "fhir-mapping.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MappedMunicipality(_Strict):
    number: str = Field(min_length=1, description="kommunenummer, e.g. '4601'")
    name: str = Field(min_length=1)
    #: the municipality's shift times; FHIR carries none (default: DEFAULT_SHIFTS)
    shifts: tuple[ShiftDefinition, ...] = ()


class MappedBase(_Strict):
    id: str = Field(min_length=1)
    name: str = ""
    address: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class MappedDistrict(_Strict):
    id: str = Field(min_length=1)
    name: str = ""
    base: str = Field(min_length=1)
    #: references that mean this district: "Organization/f201", "CareTeam/ct1", "Location/L7"
    references: tuple[str, ...] = ()
    municipality_numbers: tuple[str, ...] = ()
    postal_codes: tuple[str, ...] = ()


class FhirMapping(_Strict):
    municipality: MappedMunicipality | None = None
    bases: tuple[MappedBase, ...] = ()
    districts: tuple[MappedDistrict, ...] = ()
    #: qualification code (any system) -> competence: a level, a standard title or the
    #: municipality's own title (its level from the catalogue; unknown: a new entry at the
    #: lowest level, or an error with --strict-catalogue)
    competence: dict[str, str] = {}
    #: qualification code (any system) -> skill: a standard skill or the municipality's own
    skills: dict[str, str] = {}
    #: code or display of a CarePlan category / reasonCode / activity code -> heading
    problem_areas: dict[str, str] = {}
    default_district: str | None = None
    default_competence: CompetenceLevel | None = None
    default_duration_min: int | None = Field(default=None, ge=1, le=720)
    #: schedule text (as ``scheduledString``) for activities that carry no scheduled[x],
    #: as Synthea and many EHR exports write them: e.g. "daglig morgen 20 min"
    default_schedule: str | None = None

    def district_for(self, keys: list[str]) -> str | None:
        """The first district a reference, municipality number or postcode names."""
        for key in keys:
            for district in self.districts:
                if (
                    key in district.references
                    or key in district.municipality_numbers
                    or key in district.postal_codes
                ):
                    return district.id
        return self.default_district


def find_mapping(path: Path) -> Path | None:
    """``fhir-mapping.toml`` in the export folder or beside the export file."""
    folder = path if path.is_dir() else path.parent
    candidate = folder / MAPPING_FILE
    return candidate if candidate.is_file() else None


def load_mapping(path: Path) -> FhirMapping:
    """Read and check a mapping file; every problem in one :class:`PlanInputError`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        issue = InputIssue.because(path.name, None, None, reason_of(exc))
        raise PlanInputError([issue]) from exc
    try:
        mapping = FhirMapping.model_validate(raw)
    except ValidationError as exc:
        raise PlanInputError(
            [
                InputIssue.because(
                    path.name, None, ".".join(str(p) for p in e["loc"]), pydantic_reason(e)
                )
                for e in exc.errors()
            ]
        ) from exc
    issues: list[InputIssue] = []
    base_ids = {b.id for b in mapping.bases}
    district_ids = {d.id for d in mapping.districts}
    for index, district in enumerate(mapping.districts):
        if district.base not in base_ids:
            issues.append(
                InputIssue.of(
                    path.name,
                    None,
                    f"districts.{index}.base",
                    N_("unknown {label} {value!r}"),
                    label=Term(N_("base")),
                    value=district.base,
                )
            )
    if mapping.default_district is not None and mapping.default_district not in district_ids:
        issues.append(
            InputIssue.of(
                path.name,
                None,
                "default_district",
                N_("unknown {label} {value!r}"),
                label=Term(N_("district")),
                value=mapping.default_district,
            )
        )
    if issues:
        raise PlanInputError(issues)
    return mapping
