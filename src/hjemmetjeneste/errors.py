"""The project's exceptions and the CLI exit codes they map to."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hjemmetjeneste.i18n import N_, as_written

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_ROUTING = 3
EXIT_UNPLACED = 4
"""The plan was written, but time-critical tasks are unplaced or no one is rostered."""


class HjemmetjenesteError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = EXIT_INTERNAL


class Term(str):
    """A value of a message that is itself a message of the catalogue (a kind of value such
    as "a date", a kind of record such as "patient"): worded in the message's language.
    Any other value is data and is shown as it is."""

    __slots__ = ()


Say = Callable[[str], str]
"""A message of the catalogue in the asked language (``cli.i18n._``, ``i18n.translate``)."""


@dataclass(frozen=True)
class Phrase:
    """A part of a message that is a message itself, with its own values (the reason a
    cell could not be read): worded in the message's language, English as ``str()``."""

    template: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, template: str, /, **values: object) -> Phrase:
        return cls(template, tuple(values.items()))

    def worded(self, say: Say) -> str:
        """The phrase in the language of ``say``."""
        return _fill(say(self.template), self.values, say)

    def __str__(self) -> str:
        return _fill(self.template, self.values, as_written)


def _fill(template: str, values: tuple[tuple[str, object], ...], say: Say) -> str:
    """``template`` with ``values``: terms and phrases in the language of ``say``, data as it
    is; a template without values is a whole message (braces in it are text)."""
    if not values:
        return template
    return template.format(**{k: _word(v, say) for k, v in values})


def worded(value: object, say: Say) -> str:
    """A message value on its own (a term, a phrase, a tuple of them, data) in the language
    of ``say``."""
    return str(_word(value, say))


def _word(value: object, say: Say) -> object:
    if isinstance(value, tuple):  # a list of values, each worded
        return ", ".join(str(_word(v, say)) for v in value)
    if isinstance(value, Term):
        return say(value)
    if isinstance(value, Phrase):
        return value.worded(say)
    return value


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file: where it is and what was expected.

    ``message`` is the problem in English (logs, reports, tests). When the issue was made
    with :meth:`of`, ``template`` is the catalogue's message (marked with ``N_``) and
    ``values`` its named fields, so that :meth:`worded` can say it in another language.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    template: str = field(default="", compare=False)
    values: tuple[tuple[str, object], ...] = field(default=(), compare=False)

    @classmethod
    def of(
        cls, file: str, row: int | None, field: str | None, template: str, /, **values: object
    ) -> InputIssue:
        """An issue whose message is ``template`` (marked ``N_``) with ``values`` filled in."""
        pairs = tuple(values.items())
        return cls(file, row, field, _fill(template, pairs, as_written), template, pairs)

    @classmethod
    def from_error(
        cls, file: str, row: int | None, field: str | None, error: Exception
    ) -> InputIssue:
        """An issue whose message is ``error``'s: its phrase (``ValueError(Phrase)``) or text."""
        reason = error.args[0] if error.args else ""
        if isinstance(reason, Phrase):
            return cls.of(file, row, field, reason.template, **dict(reason.values))
        return cls(file, row, field, str(error))

    def worded(self, say: Say = as_written) -> str:
        """The problem in the language of ``say`` (a message without a template: English)."""
        if not self.template:
            return self.message
        return _fill(say(self.template), self.values, say)

    def in_words(self, say: Say = as_written) -> str:
        """Where the problem is and what it is, in the language of ``say``."""
        where = self.file
        if self.row is not None:
            where += say(_ROW).format(row=self.row)
        if self.field is not None:
            where += say(_FIELD).format(field=self.field)
        return f"{where}: {self.worded(say)}"

    def __str__(self) -> str:
        return self.in_words()


_ROW = N_(", row {row}")
_FIELD = N_(", field '{field}'")


class PlanInputError(HjemmetjenesteError):
    """Bad input: carries every issue found, each naming file, row and field."""

    exit_code = EXIT_INPUT

    def __init__(self, issues: list[InputIssue] | tuple[InputIssue, ...]) -> None:
        self.issues = tuple(issues)
        super().__init__(self.in_words())

    def in_words(self, say: Say = as_written) -> str:
        """Every issue's kind and the first issues, in the language of ``say``."""
        shown = "\n".join(f"  - {i.in_words(say)}" for i in self.issues[:_SHOWN])
        more = (
            "\n  " + say(_MORE).format(n=len(self.issues) - _SHOWN)
            if len(self.issues) > _SHOWN
            else ""
        )
        groups = group_issues(self.issues)
        summary = ""
        if len(self.issues) > 1:
            summary = "".join(f"\n  {g.in_words(say)}" for g in groups) + "\n" + say(_FIRST)
        head = say(_PROBLEMS).format(n=len(self.issues), kinds=len(groups))
        return f"{head}{summary}\n{shown}{more}"


_PROBLEMS = N_("{n} problem(s) of {kinds} kind(s) in the input:")
_FIRST = N_("First problems:")
_MORE = N_("... and {n} more (--report FILE.csv writes them all)")
_SHOWN = 20
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\b\d+(?:[.,:]\d+)*\b")


def issue_kind(issue: InputIssue, say: Say = as_written) -> str:
    """The kind of an issue: its message with the quoted values and numbers left out, so
    that 422 decimal commas in several files are one kind. In another language than
    English (``say``), the same of the issue in that language."""
    text = _NUMBER.sub("N", _QUOTED.sub("…", issue.worded(say)))
    return text.split(" (not in ", 1)[0]


@dataclass(frozen=True)
class IssueGroup:
    """Issues of one kind: how many, and where (file -> fields, in order of appearance)."""

    kind: str
    count: int
    places: tuple[tuple[str, tuple[str, ...]], ...]
    first: InputIssue | None = field(default=None, compare=False)
    """The first issue of the kind: the kind in another language is its kind there."""

    def in_words(self, say: Say = as_written) -> str:
        """The count, kind and places in the language of ``say``."""
        where = "; ".join(
            f"{file} {', '.join(fields)}".rstrip() for file, fields in self.places[:_PLACES]
        )
        if len(self.places) > _PLACES:
            where += "; " + say(_MORE_FILES).format(n=len(self.places) - _PLACES)
        kind = self.kind if self.first is None else issue_kind(self.first, say)
        return f"{self.count} × {kind}: {where}"

    def __str__(self) -> str:
        return self.in_words()


_MORE_FILES = N_("and {n} more file(s)")
_PLACES = 6


def group_issues(issues: Sequence[InputIssue]) -> list[IssueGroup]:
    """Issues grouped by kind, largest group first (ties in order of first appearance)."""
    kinds: dict[str, dict[str, dict[str, None]]] = {}
    counts: dict[str, int] = {}
    for issue in issues:
        kind = issue_kind(issue)
        counts[kind] = counts.get(kind, 0) + 1
        fields = kinds.setdefault(kind, {}).setdefault(issue.file, {})
        if issue.field is not None:
            fields[issue.field] = None
    order = sorted(counts, key=lambda k: -counts[k])
    first: dict[str, InputIssue] = {}
    for issue in issues:
        first.setdefault(issue_kind(issue), issue)
    return [
        IssueGroup(k, counts[k], tuple((f, tuple(fs)) for f, fs in kinds[k].items()), first[k])
        for k in order
    ]


class RoutingError(HjemmetjenesteError):
    """The routing problem could not be built or solved."""

    exit_code = EXIT_ROUTING


class PlanRequestError(HjemmetjenesteError, ValueError):
    """A plan asked for something the data does not define (a shift kind, a district, a
    patient an event names) or a request that contradicts itself (dates out of order).

    The message is a :class:`Phrase` of the catalogue, worded by :meth:`in_words`;
    ``str()`` is English for logs. Also a ValueError, as the parsers' errors it replaces.
    """

    exit_code = EXIT_INPUT

    def __init__(self, message: Phrase | str) -> None:
        self.phrase = message if isinstance(message, Phrase) else Phrase(message)
        super().__init__(str(self.phrase))

    def in_words(self, say: Say = as_written) -> str:
        """The message in the language of ``say``."""
        return self.phrase.worded(say)


def unknown_patient(kind: str, event_id: str, patient_id: str) -> PlanRequestError:
    """The error of an event (``kind``, a catalogue term) naming a patient the data lacks."""
    return PlanRequestError(
        Phrase.of(
            N_("{kind} {event}: no patient {patient}"),
            kind=Term(kind),
            event=event_id,
            patient=patient_id,
        )
    )


def dates_out_of_order(first: object, last: object) -> PlanRequestError:
    """The error of a period whose last date is before its first."""
    return PlanRequestError(
        Phrase.of(N_("last date {last} is before first date {first}"), last=last, first=first)
    )
