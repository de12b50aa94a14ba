"""The project's exceptions and the CLI exit codes they map to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_ROUTING = 3
EXIT_UNPLACED = 4
"""The plan was written, but time-critical tasks are unplaced or no one is rostered."""


class HjemmetjenesteError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = EXIT_INTERNAL


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file: where it is and what was expected."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class PlanInputError(HjemmetjenesteError):
    """Bad input: carries every issue found, each naming file, row and field."""

    exit_code = EXIT_INPUT

    def __init__(self, issues: list[InputIssue] | tuple[InputIssue, ...]) -> None:
        self.issues = tuple(issues)
        shown = "\n".join(f"  - {i}" for i in self.issues[:_SHOWN])
        more = (
            f"\n  ... and {len(self.issues) - _SHOWN} more (--report FILE.csv writes them all)"
            if len(self.issues) > _SHOWN
            else ""
        )
        groups = group_issues(self.issues)
        summary = ""
        if len(self.issues) > 1:
            summary = "".join(f"\n  {g}" for g in groups) + "\nFirst problems:"
        super().__init__(
            f"{len(self.issues)} problem(s) of {len(groups)} kind(s) in the input:"
            f"{summary}\n{shown}{more}"
        )


_SHOWN = 20
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\b\d+(?:[.,:]\d+)*\b")


def issue_kind(issue: InputIssue) -> str:
    """The kind of an issue: its message with the quoted values and numbers left out, so
    that 422 decimal commas in several files are one kind."""
    text = _NUMBER.sub("N", _QUOTED.sub("…", issue.message))
    return text.split(" (not in ", 1)[0]


@dataclass(frozen=True)
class IssueGroup:
    """Issues of one kind: how many, and where (file -> fields, in order of appearance)."""

    kind: str
    count: int
    places: tuple[tuple[str, tuple[str, ...]], ...]

    def __str__(self) -> str:
        where = "; ".join(
            f"{file} {', '.join(fields)}".rstrip() for file, fields in self.places[:_PLACES]
        )
        if len(self.places) > _PLACES:
            where += f"; and {len(self.places) - _PLACES} more file(s)"
        return f"{self.count} × {self.kind}: {where}"


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
    return [
        IssueGroup(k, counts[k], tuple((f, tuple(fs)) for f, fs in kinds[k].items())) for k in order
    ]


class RoutingError(HjemmetjenesteError):
    """The routing problem could not be built or solved."""

    exit_code = EXIT_ROUTING


class PlanRequestError(HjemmetjenesteError):
    """A plan asked for something the data does not define (a shift kind, a district)."""

    exit_code = EXIT_INPUT
