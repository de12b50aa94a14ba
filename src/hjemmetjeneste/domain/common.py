"""Shared building blocks of the domain: the frozen base model, coordinates and enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

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


#: Common Norwegian competence titles (casefolded; bokmål and nynorsk) -> the level they
#: give. Specialist nurses' titles name their field; older titles keep their level.
COMPETENCE_ALIASES: dict[str, CompetenceLevel] = {
    "ufaglært": CompetenceLevel.ASSISTANT,
    "pleieassistent": CompetenceLevel.ASSISTANT,
    "helsearbeider": CompetenceLevel.ASSISTANT,
    "miljøarbeider": CompetenceLevel.ASSISTANT,
    "sykepleierstudent": CompetenceLevel.ASSISTANT,
    "student": CompetenceLevel.ASSISTANT,
    "assistant": CompetenceLevel.ASSISTANT,
    "helsefagarbeidar": CompetenceLevel.HEALTH_WORKER,
    "hjelpepleier": CompetenceLevel.HEALTH_WORKER,
    "hjelpepleiar": CompetenceLevel.HEALTH_WORKER,
    "omsorgsarbeider": CompetenceLevel.HEALTH_WORKER,
    "omsorgsarbeidar": CompetenceLevel.HEALTH_WORKER,
    "fagarbeider": CompetenceLevel.HEALTH_WORKER,
    "vernepleiar": CompetenceLevel.SOCIAL_EDUCATOR,
    "sykepleiar": CompetenceLevel.NURSE,
    "autorisert sykepleier": CompetenceLevel.NURSE,
    "offentlig godkjent sykepleier": CompetenceLevel.NURSE,
    "nurse": CompetenceLevel.NURSE,
    "spesialsjukepleiar": CompetenceLevel.SPECIALIST_NURSE,
    "spesialsykepleiar": CompetenceLevel.SPECIALIST_NURSE,
    "geriatrisk sykepleier": CompetenceLevel.SPECIALIST_NURSE,
    "diabetessykepleier": CompetenceLevel.SPECIALIST_NURSE,
    "kreftsykepleier": CompetenceLevel.SPECIALIST_NURSE,
    "intensivsykepleier": CompetenceLevel.SPECIALIST_NURSE,
    "psykiatrisk sykepleier": CompetenceLevel.SPECIALIST_NURSE,
    "sårsykepleier": CompetenceLevel.SPECIALIST_NURSE,
}

#: Norwegian names of the skills (casefolded) -> the skill.
SKILL_ALIASES: dict[str, Skill] = {
    "sårstell": Skill.WOUND_CARE,
    "sår": Skill.WOUND_CARE,
    "kateter": Skill.CATHETER,
    "stomi": Skill.STOMA,
    "sondeernæring": Skill.TUBE_FEEDING,
    "sonde": Skill.TUBE_FEEDING,
    "smertepumpe": Skill.PALLIATIVE_PUMP,
    "engelsk": Skill.LANGUAGE_EN,
    "polsk": Skill.LANGUAGE_PL,
    "arabisk": Skill.LANGUAGE_AR,
}


class ProblemArea(StrEnum):
    """The standard headings of a care plan (problemområde) in the guiding plans for home
    care and nursing homes; values are the Norwegian headings. The catalogue is open: a
    municipality's own headings are :class:`CatalogueName` values (see ``problem_area``)."""

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
    CIRCULATION_AND_RESPIRATION = "Sirkulasjon og respirasjon"
    ACTIVITY_AND_PARTICIPATION = "Aktivitet og deltakelse"
    HOUSE_AND_HOME = "Hus og hjem"
    LIVING_SKILLS = "Boveiledning og boevne"
    BELIEFS_AND_VALUES = "Livssyn og verdier"
    NEUROLOGICAL_NURSING = "Nevrologisk sykepleie"
    FINANCES = "Økonomi"
    SPEECH_THERAPY = "Logopedi"
    ORTHOPAEDICS = "Ortopedi"
    OCCUPATIONAL_THERAPY_ADULT = "Ergoterapi voksen"
    OCCUPATIONAL_THERAPY_CHILD = "Ergoterapi barn"
    GERIATRIC_PATIENT = "Den geriatriske pasienten"


class CatalogueName(str):
    """A catalogue value the municipality added (a care-plan heading not among the standard
    ones): text that behaves like a catalogue enum member (it has ``.value``)."""

    __slots__ = ()

    @property
    def value(self) -> str:
        """The text itself, as for the standard values."""
        return str.__str__(self)


_PROBLEM_AREAS = {m.value.casefold(): m for m in ProblemArea}
#: Other spellings of standard headings (casefolded) -> the standard heading.
PROBLEM_AREA_ALIASES: dict[str, ProblemArea] = {
    "ergoterapi (voksen)": ProblemArea.OCCUPATIONAL_THERAPY_ADULT,
    "ergoterapi (barn)": ProblemArea.OCCUPATIONAL_THERAPY_CHILD,
    "ernæring": ProblemArea.NUTRITION,
    "væske og ernæring": ProblemArea.NUTRITION,
    "legemidler": ProblemArea.MEDICATION,
    "medisinering": ProblemArea.MEDICATION,
    "hygiene": ProblemArea.PERSONAL_HYGIENE,
    "respirasjon og sirkulasjon": ProblemArea.CIRCULATION_AND_RESPIRATION,
    "søvn": ProblemArea.SLEEP_AND_REST,
    "smertelindring": ProblemArea.PAIN,
}


def catalogue_key(name: str) -> str:
    """A catalogue name as names are matched: runs of spaces made one, casefolded."""
    return " ".join(name.split()).casefold()


def problem_area(text: object) -> ProblemArea | CatalogueName:
    """A care-plan heading: the standard one it names (any letter case or alias), else the
    text itself as a municipality's own heading (surrounding spaces removed)."""
    if isinstance(text, ProblemArea | CatalogueName):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a care-plan heading (problem area) is needed")
    name = " ".join(text.split())
    folded = catalogue_key(name)
    return _PROBLEM_AREAS.get(folded) or PROBLEM_AREA_ALIASES.get(folded) or CatalogueName(name)


#: A care-plan heading from the open catalogue (standard headings plus the municipality's).
ProblemAreaName = Annotated[
    str, AfterValidator(problem_area), PlainSerializer(str, return_type=str)
]


class ShiftKind(StrEnum):
    """The three shifts of a home-care day (dagvakt, kveldsvakt, nattvakt)."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
