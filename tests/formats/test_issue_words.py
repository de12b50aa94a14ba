"""An input issue is a catalogue message with its values: English as its message (logs,
reports, tests), and worded in another language with file, row and field kept."""

from __future__ import annotations

from hjemmetjeneste.errors import InputIssue, Phrase, PlanInputError, Term, issue_kind
from hjemmetjeneste.i18n import N_, translate


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
