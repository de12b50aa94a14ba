"""An input issue is a catalogue message with its values: English as its message (logs,
reports, tests), and worded in another language with file, row and field kept."""

from __future__ import annotations

import json
import tomllib
from datetime import date, time
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from hjemmetjeneste.domain import TimeWindow
from hjemmetjeneste.errors import (
    InputIssue,
    Phrase,
    PlanInputError,
    Term,
    issue_kind,
    phrase_record,
    pydantic_reason,
    reason_of,
    record_words,
)
from hjemmetjeneste.i18n import N_, as_written, translate


def nb(message: str) -> str:
    return translate(message, "nb")


def _bad_time() -> InputIssue:
    return InputIssue.of(
        "interventions.csv",
        4,
        "times",
        N_("expected {kind}, found {value!r} ({detail})"),
        kind=Term(N_("a clock time HH:MM between 00:00 and 23:59")),
        value="25:00",
        detail=Phrase.of(N_("no such time of day: {value}"), value="25:00"),
    )


def test_english_message_and_words_in_bokmal():
    issue = _bad_time()
    assert issue.message == (
        "expected a clock time HH:MM between 00:00 and 23:59, found '25:00' "
        "(no such time of day: 25:00)"
    )
    assert str(issue) == "interventions.csv, row 4, field 'times': " + issue.message
    assert issue.in_words(nb) == (
        "interventions.csv, rad 4, felt 'times': forventet et klokkeslett TT:MM mellom 00:00 "
        "og 23:59, fant '25:00' (klokkeslettet finnes ikke: 25:00)"
    )


def test_a_message_without_values_keeps_its_braces():
    """Text from a library (pydantic, json) is no template: braces in it stay as written."""
    issue = InputIssue.of("pins.json", 1, "start", "Input should be {a valid} datetime")
    assert issue.worded(nb) == issue.message == "Input should be {a valid} datetime"


def test_the_error_and_its_kinds_in_bokmal():
    other = InputIssue.of(
        "roster.csv",
        2,
        "staff_id",
        N_("unknown {label} {value!r} (not in {file})"),
        label=Term("staff member"),
        value="S9",
        file="staff.csv",
    )
    error = PlanInputError([_bad_time(), other, other])
    assert error.in_words() == str(error)
    words = error.in_words(nb)
    assert words.startswith("3 feil av 2 slag i dataene:")
    assert "2 × ukjent ansatt … (finnes ikke i staff.csv): roster.csv staff_id" in words
    assert (
        "roster.csv, rad 2, felt 'staff_id': ukjent ansatt 'S9' (finnes ikke i staff.csv)" in words
    )
    assert issue_kind(other) == "unknown staff member …"


def test_an_issue_from_a_refusal_keeps_its_phrase():
    refusal = ValueError(Phrase.of(N_("unknown value {value!r}"), value="helikopter"))
    issue = InputIssue.from_error("staff.csv", 3, "travel_mode", refusal)
    assert issue.message == "unknown value 'helikopter'"
    assert issue.worded(nb) == "ukjent verdi 'helikopter'"
    plain = InputIssue.from_error("staff.csv", 3, "travel_mode", ValueError("bad {x}"))
    assert plain.worded(nb) == "bad {x}"


def _first_errors(model: type, **values: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model(**values)
    return caught.value


class _Rules(BaseModel):
    weight: int = Field(ge=0)
    day: date
    kind: Literal["dag", "kveld", "natt"]
    note: str = Field(max_length=3)


def test_pydantic_errors_are_worded_by_type_and_limit_never_in_its_english():
    error = _first_errors(_Rules, weight=-1, day="1. desember", kind="morgen", note="lang")
    reasons = [pydantic_reason(e) for e in error.errors()]
    assert [str(r) for r in reasons] == [
        "must be at least 0",
        "must be a date (YYYY-MM-DD)",
        "must be one of dag, kveld, natt",
        "must have at most 3 character(s)",
    ]
    assert [r.worded(nb) for r in reasons] == [
        "må være minst 0",
        "må være en dato (ÅÅÅÅ-MM-DD)",
        "må være en av dag, kveld, natt",
        "kan ha høyst 3 tegn",
    ]
    # the whole error: its first problem, with the field it is in
    assert reason_of(error).worded(nb) == "weight: må være minst 0"


def test_a_validators_own_message_is_kept_and_worded():
    error = _first_errors(TimeWindow, start=time(10), end=time(9))
    (reason,) = [pydantic_reason(e) for e in error.errors()]
    assert str(reason) == "window end 09:00 must be after start 10:00"
    assert reason.worded(nb) == "vinduets slutt 09:00 må være etter starten 10:00"


def test_library_errors_say_what_and_where_from_the_catalogue():
    with pytest.raises(json.JSONDecodeError) as bad_json:
        json.loads('{"a": }')
    with pytest.raises(tomllib.TOMLDecodeError) as bad_toml:
        tomllib.loads("[a]\nb = \n")
    cases = [
        (
            bad_json.value,
            "not valid JSON at line 1, column 7",
            "ikke gyldig JSON på linje 1, kolonne 7",
        ),
        (
            bad_toml.value,
            "not valid TOML at line 2, column 5",
            "ikke gyldig TOML på linje 2, kolonne 5",
        ),
        (FileNotFoundError(2, "No such file or directory"), "no such file", "filen finnes ikke"),
        (IsADirectoryError(21, "Is a directory"), "a folder, not a file", "en mappe, ikke en fil"),
        (KeyError("date"), "field date is missing", "feltet date mangler"),
        (
            ZeroDivisionError("division by zero"),
            "cannot be read (ZeroDivisionError)",
            "kan ikke leses (ZeroDivisionError)",
        ),
    ]
    for error, english, bokmal in cases:
        assert (str(reason_of(error)), reason_of(error).worded(nb)) == (english, bokmal)


def test_a_stored_phrase_is_worded_when_read():
    phrase = Phrase.of(
        N_("unknown value {value!r}"),
        value=("a", Term(N_("a date")), Phrase.of(N_("no such file"))),
    )
    text = phrase_record(phrase)
    assert Phrase.from_json(json.loads(text)) == phrase
    assert record_words(text, as_written) == str(phrase)
    assert record_words(text, nb) == phrase.worded(nb) != str(phrase)
    assert record_words("an older run's plain text", nb) == "an older run's plain text"
