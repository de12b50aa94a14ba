"""The project's exceptions and the CLI exit codes they map to."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from hjemmetjeneste.i18n import N_, as_written, translate

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

    def to_json(self) -> dict[str, object]:
        """The phrase as JSON (stored, worded when read): terms, phrases and lists keep their
        kind, other data becomes text."""
        return {"template": self.template, "values": {k: _value_json(v) for k, v in self.values}}

    @classmethod
    def from_json(cls, data: object) -> Phrase | None:
        """The phrase :meth:`to_json` wrote, or None when ``data`` is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            return None
        values = data.get("values")
        if not isinstance(values, dict):
            return None
        return cls(data["template"], tuple((str(k), _value_of(v)) for k, v in values.items()))


def _value_json(value: object) -> object:
    if isinstance(value, Term):
        return {"term": str(value)}
    if isinstance(value, Phrase):
        return {"phrase": value.to_json()}
    if isinstance(value, tuple):
        return {"list": [_value_json(v) for v in value]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _value_of(data: object) -> object:
    if isinstance(data, dict) and isinstance(data.get("term"), str):
        return Term(data["term"])
    if isinstance(data, dict) and "phrase" in data:
        return Phrase.from_json(data["phrase"]) or ""
    if isinstance(data, dict) and isinstance(data.get("list"), list):
        return tuple(_value_of(v) for v in data["list"])
    return data


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
            return cls.because(file, row, field, reason)
        return cls(file, row, field, str(error))

    @classmethod
    def because(cls, file: str, row: int | None, field: str | None, reason: Phrase) -> InputIssue:
        """An issue whose message is ``reason`` (:func:`reason_of`, :func:`pydantic_reason`)."""
        return cls.of(file, row, field, reason.template, **dict(reason.values))

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


# --- a library's errors in the catalogue's words ------------------------------------------
# Libraries (pydantic, json, tomllib, the file system) explain their errors in English
# sentences. People read the reason worded from the catalogue instead: pydantic's by error
# type and its limits, a syntax error by where it is, a file by what is wrong with it.

_PYDANTIC: dict[str, str] = {
    "missing": N_("is required"),
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be more than {gt}"),
    "less_than_equal": N_("must be at most {le}"),
    "less_than": N_("must be less than {lt}"),
    "string_too_short": N_("must have at least {min_length} character(s)"),
    "string_too_long": N_("must have at most {max_length} character(s)"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} item(s)"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "bool_parsing": N_("must be true or false"),
    "bool_type": N_("must be true or false"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("must be a date (YYYY-MM-DD)"),
    "date_type": N_("must be a date (YYYY-MM-DD)"),
    "time_parsing": N_("must be a time (HH:MM)"),
    "time_type": N_("must be a time (HH:MM)"),
    "datetime_parsing": N_("must be a date and time (YYYY-MM-DDTHH:MM)"),
    "datetime_from_date_parsing": N_("must be a date and time (YYYY-MM-DDTHH:MM)"),
    "datetime_type": N_("must be a date and time (YYYY-MM-DDTHH:MM)"),
    "timezone_aware": N_("must give its UTC offset"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "string_type": N_("must be text"),
    "string_pattern_mismatch": N_("does not have the expected form"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "list_type": N_("must be a list"),
    "tuple_type": N_("must be a list"),
    "extra_forbidden": N_("is not a known field"),
    "json_invalid": N_("is not valid JSON"),
    "json_type": N_("is not valid JSON"),
    "uuid_parsing": N_("must be an id of the form 8-4-4-4-12 hexadecimal digits"),
}


def known_message(text: str) -> bool:
    """True when the catalogue has ``text`` (a message of ours, not a library's English)."""
    return translate(text, "nb") != text


def pydantic_reason(error: object) -> Phrase:
    """One pydantic error (an item of ``ValidationError.errors()``) in the catalogue's words:
    by its type and limits; a validator's own message (a phrase or a catalogue message) as it
    is; a type without words here as "not a valid value"."""
    assert isinstance(error, dict)
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":  # a validator's own message: ours, in the catalogue
        reason = getattr(ctx.get("error"), "args", None) or ("",)
        if isinstance(reason[0], Phrase):
            return reason[0]
        return Phrase(str(error.get("msg", "")).removeprefix("Value error, "))
    template = _PYDANTIC.get(kind)
    if template is None:
        return Phrase(N_("is not a valid value"))
    names = re.findall(r"{(\w+)}", template)
    return Phrase.of(template, **{n: _limit(ctx.get(n, "")) for n in names})


def _limit(value: object) -> object:
    """A limit of a pydantic error as data: numbers as they are, the choices of "'a', 'b' or
    'c'" as a list of values (its "or" is English)."""
    if isinstance(value, str) and "'" in value:
        return tuple(re.findall(r"'([^']*)'", value))
    return value


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def reason_of(error: BaseException | Phrase | str) -> Phrase:
    """Why reading something failed, in the catalogue's words (English as ``str()``).

    Our phrases and messages as they are; a JSON or TOML syntax error by where it is; a file
    that is missing, a folder or not allowed; a pydantic error by its first problem (field
    and reason); text that is not UTF-8; anything else by its kind alone, never by a
    library's sentence.
    """
    if isinstance(error, Phrase):
        return error
    if isinstance(error, str):
        return Phrase(error) if known_message(error) else Phrase(N_("cannot be read"))
    own = _own_phrase(error)
    if own is not None:
        return own
    first = error.args[0] if error.args else None
    if isinstance(error, json.JSONDecodeError):
        return Phrase.of(
            N_("not valid JSON at line {line}, column {column}"),
            line=error.lineno,
            column=error.colno,
        )
    if isinstance(error, tomllib.TOMLDecodeError):
        place = _TOML_PLACE.search(str(error))
        if place is None:
            return Phrase(N_("not valid TOML"))
        line, column = (int(x) for x in place.groups())
        return Phrase.of(
            N_("not valid TOML at line {line}, column {column}"), line=line, column=column
        )
    if isinstance(error, UnicodeDecodeError):
        return Phrase.of(N_("not UTF-8 text (byte {position})"), position=error.start)
    if isinstance(error, FileNotFoundError):
        return Phrase(N_("no such file"))
    if isinstance(error, IsADirectoryError):
        return Phrase(N_("a folder, not a file"))
    if isinstance(error, PermissionError):
        return Phrase(N_("no permission to read it"))
    if isinstance(error, KeyError) and first is not None:
        return Phrase.of(N_("field {field} is missing"), field=str(first))
    if isinstance(error, ValidationError):
        found = error.errors(include_input=False, include_url=False)
        if found:
            where = ".".join(str(p) for p in found[0]["loc"])
            why = pydantic_reason(found[0])
            return Phrase.of(N_("{field}: {why}"), field=where, why=why) if where else why
    return Phrase.of(N_("cannot be read ({kind})"), kind=type(error).__name__)


def _own_phrase(error: BaseException) -> Phrase | None:
    """The phrase of one of our errors (:class:`PlanRequestError`, ``ValueError(Phrase)``, a
    catalogue message), or None for a library's."""
    phrase = getattr(error, "phrase", None)
    if isinstance(phrase, Phrase):
        return phrase
    first = error.args[0] if error.args else None
    if isinstance(first, Phrase):
        return first
    if isinstance(error, KeyError) or not isinstance(first, str):  # a key is no message
        return None
    return Phrase(first) if known_message(first) else None


def run_failure(error: BaseException) -> Phrase:
    """Why a plan run failed, for the planner: a request the data does not define in its own
    words, bad data by its count and first problem, anything else as an internal error of
    its kind (ids and kinds only: the server log has the rest)."""
    own = _own_phrase(error)
    if own is not None:
        return own
    if isinstance(error, PlanInputError) and error.issues:
        issue = error.issues[0]
        first = Phrase(issue.template, issue.values) if issue.template else Phrase(issue.message)
        where = (
            issue.file
            if issue.row is None
            else Phrase.of(N_("{file}, row {row}"), file=issue.file, row=issue.row)
        )
        return Phrase.of(
            N_("{n} problem(s) in the data; the first, in {where}: {first}"),
            n=len(error.issues),
            where=where,
            first=first,
        )
    return Phrase.of(
        N_("the plan stopped on an internal error ({kind}); the server log has the details"),
        kind=type(error).__name__,
    )


def phrase_record(phrase: Phrase) -> str:
    """``phrase`` as the text a record keeps (JSON), worded when read (:func:`record_words`)."""
    return json.dumps(phrase.to_json(), ensure_ascii=False)


def record_words(text: str | None, say: Say) -> str | None:
    """A record's message in the language of ``say``: a phrase :func:`phrase_record` wrote,
    worded; older plain text as it is."""
    if not text:
        return text
    try:
        phrase = Phrase.from_json(json.loads(text))
    except ValueError:
        return text
    return text if phrase is None else phrase.worded(say)
