"""Shared building blocks of the domain: the frozen base model, coordinates and enums."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from hjemmetjeneste.errors import Phrase, Term
from hjemmetjeneste.i18n import N_

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

    @property
    def level(self) -> CompetenceLevel:
        """The level itself (as a :class:`CompetenceTitle` names the level it counts as)."""
        return self

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
    """A catalogue value the municipality added (a care-plan heading or a skill not among the
    standard ones): text that behaves like a catalogue enum member (it has ``.value``).

    Names are matched in any letter case and spacing (:func:`catalogue_key`) when an export
    is read (:class:`Catalogue`): every spelling of one entry becomes the catalogue's, so a
    task needing "trakeostomi" is served by a caregiver whose skills say "Trakeostomi"."""

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
        raise ValueError(N_("a care-plan heading (problem area) is needed"))
    return _heading(str(text))


@lru_cache(maxsize=4096)  # every intervention names one of a few headings
def _heading(text: str) -> ProblemArea | CatalogueName:
    name = " ".join(text.split())
    folded = catalogue_key(name)
    return _PROBLEM_AREAS.get(folded) or PROBLEM_AREA_ALIASES.get(folded) or CatalogueName(name)


#: A care-plan heading from the open catalogue (standard headings plus the municipality's).
ProblemAreaName = Annotated[
    str, AfterValidator(problem_area), PlainSerializer(str, return_type=str)
]


_SKILLS = {m.value.casefold(): m for m in Skill}
_LEVELS = {m.value.casefold(): m for m in CompetenceLevel}


def skill(text: object) -> Skill | CatalogueName:
    """A skill: the standard one it names (any letter case or Norwegian alias), else the text
    itself as a municipality's own skill (surrounding spaces removed)."""
    if isinstance(text, Skill | CatalogueName):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError(N_("a skill name is needed"))
    name = " ".join(text.split())
    folded = catalogue_key(name)
    return _SKILLS.get(folded) or SKILL_ALIASES.get(folded) or CatalogueName(name)


#: A skill from the open catalogue (standard skills plus the municipality's).
SkillName = Annotated[str, AfterValidator(skill), PlainSerializer(str, return_type=str)]


class CompetenceTitle(str):
    """A municipality's own competence title (e.g. "Miljøterapeut"): its text, shown as
    written, and the ranked :class:`CompetenceLevel` it counts as (``level``), which decides
    what work its holder may do. Same title in any letter case and spacing."""

    level: CompetenceLevel

    def __new__(cls, name: str, level: CompetenceLevel) -> CompetenceTitle:
        title = super().__new__(cls, " ".join(name.split()))
        title.level = CompetenceLevel(level)
        return title

    def __reduce__(self) -> tuple[Any, ...]:
        return CompetenceTitle, (str.__str__(self), self.level)

    @property
    def value(self) -> str:
        """The title as the municipality writes it."""
        return str.__str__(self)

    @property
    def rank(self) -> int:
        """The rank of the level the title counts as."""
        return self.level.rank

    def satisfies(self, required: CompetenceLevel) -> bool:
        """True when the title's level may do work that requires ``required``."""
        return self.level.satisfies(required)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CompetenceTitle):
            return catalogue_key(self) == catalogue_key(other) and self.level is other.level
        if isinstance(other, str):
            return False
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(catalogue_key(self))

    def __repr__(self) -> str:
        return f"CompetenceTitle({str.__str__(self)!r}, {self.level.value!r})"


def competence_level(text: object) -> CompetenceLevel | None:
    """The ranked level ``text`` names (a level or a standard title, any letter case), or
    None when it names none."""
    if isinstance(text, CompetenceLevel):
        return text
    if not isinstance(text, str):
        return None
    folded = catalogue_key(text)
    return _LEVELS.get(folded) or COMPETENCE_ALIASES.get(folded)


#: Where a municipality's own title no catalogue names counts: the lowest level, which never
#: lets anyone do work they may not.
UNKNOWN_TITLE_LEVEL = CompetenceLevel.ASSISTANT


def competence(text: object) -> CompetenceLevel | CompetenceTitle:
    """A caregiver's competence: the level it names (a level or a standard title, any letter
    case), a :class:`CompetenceTitle` as given, else an own title at the lowest level (the
    catalogue, :class:`Catalogue`, gives own titles their level when reading an export)."""
    if isinstance(text, CompetenceLevel | CompetenceTitle):
        return text
    level = competence_level(text)
    if level is not None:
        return level
    if not isinstance(text, str) or not text.strip():
        raise ValueError(N_("a competence level or title is needed"))
    return CompetenceTitle(text, UNKNOWN_TITLE_LEVEL)


def _keep_title(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, CompetenceLevel | CompetenceTitle):
        return value  # a title keeps its level (plain text would lose it)
    return competence(handler(value))


#: A caregiver's competence: one of the five levels or a municipality's own title (with the
#: level it counts as). Serialised as its text.
CompetenceName = Annotated[str, WrapValidator(_keep_title), PlainSerializer(str, return_type=str)]

#: The kinds of catalogue entry (the ``kind`` column of the catalogue file and the store).
PROBLEM_AREA_KIND = "problem_area"
COMPETENCE_KIND = "competence"
SKILL_KIND = "skill"


@dataclass(frozen=True)
class CatalogueItem:
    """One entry of a municipality's own catalogue: a heading, a title (with the level it
    counts as) or a skill, with other spellings (``aliases``)."""

    kind: str
    name: str
    level: CompetenceLevel | None = None
    aliases: tuple[str, ...] = ()


@dataclass
class Catalogue:
    """The open catalogue an export is read against: the standard values (in the code) plus a
    municipality's own titles and skills (its catalogue file, the store).

    Reading a value the catalogue lacks: with ``strict`` it is an error (the reader names
    file, row and field); otherwise it becomes a new own entry, counted in ``new`` — an own
    title at the lowest level (assistent), an own skill as written.
    """

    items: Iterable[CatalogueItem] = ()
    strict: bool = False
    new: dict[tuple[str, str], int] = field(default_factory=dict)
    """(kind, name) -> how many values named it, for entries no catalogue held."""

    def __post_init__(self) -> None:
        self.items = tuple(self.items)
        self._titles: dict[str, CompetenceTitle | CompetenceLevel] = {}
        self._skills: dict[str, Skill | CatalogueName] = {}
        for item in self.items:
            names = (item.name, *item.aliases)
            if item.kind == COMPETENCE_KIND and item.level is not None:
                standard = competence_level(item.name)
                title = standard or CompetenceTitle(item.name, item.level)
                for name in names:
                    self._titles.setdefault(catalogue_key(name), title)
            elif item.kind == SKILL_KIND:
                own = skill(item.name)
                for name in names:
                    self._skills.setdefault(catalogue_key(name), own)

    def competence(self, text: str) -> CompetenceLevel | CompetenceTitle:
        """A caregiver's competence (see the class); ValueError when strict and unknown."""
        level = competence_level(text)
        if level is not None:
            return level
        known = self._titles.get(catalogue_key(text))
        if known is not None:
            self._again(COMPETENCE_KIND, known)
            return known
        self._refuse_when_strict(
            N_("competence title"), text, N_("kind competence, with the level it counts as")
        )
        title = CompetenceTitle(text, UNKNOWN_TITLE_LEVEL)
        self._titles[catalogue_key(text)] = title
        self._count(COMPETENCE_KIND, title)
        return title

    def required_level(self, text: str) -> CompetenceLevel:
        """The level work requires: a level, a standard title or a catalogue title's level.
        An unknown title is always an error here (no default would be safe)."""
        level = _LEVELS.get(text)  # the usual case, written as the level itself
        if level is not None:
            return level
        level = competence_level(text)
        known = self._titles.get(catalogue_key(text))
        if level is None and known is not None:
            level = known.level
        if level is None:
            raise ValueError("")  # the reader names the levels
        return level

    def skill(self, text: str) -> Skill | CatalogueName:
        """A skill (see the class); ValueError when strict and unknown."""
        folded = catalogue_key(text)
        found = _SKILLS.get(folded) or SKILL_ALIASES.get(folded) or self._skills.get(folded)
        if found is not None:
            self._again(SKILL_KIND, found)
            return found
        self._refuse_when_strict(N_("skill"), text, N_("kind skill"))
        own = skill(text)
        self._skills[folded] = own
        self._count(SKILL_KIND, own)
        return own

    def _count(self, kind: str, name: str) -> None:
        key = (kind, str.__str__(name))
        self.new[key] = self.new.get(key, 0) + 1

    def _refuse_when_strict(self, what: str, text: str, how: str) -> None:
        if self.strict:
            message = N_(
                "{what} {name!r} is not in the catalogue: add it to catalogue.csv ({how}), "
                "or import without --strict-catalogue"
            )
            name = " ".join(text.split())
            raise ValueError(Phrase.of(message, what=Term(what), name=name, how=Term(how)))

    def _again(self, kind: str, name: str) -> None:
        key = (kind, str.__str__(name))
        if key in self.new:
            self.new[key] += 1

    def new_items(self) -> list[CatalogueItem]:
        """The titles (at the lowest level) and skills no catalogue held (for the store)."""
        return [
            CatalogueItem(kind, name, UNKNOWN_TITLE_LEVEL if kind == COMPETENCE_KIND else None)
            for kind, name in self.new
        ]


class ShiftKind(StrEnum):
    """The three shifts of a home-care day (dagvakt, kveldsvakt, nattvakt)."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
