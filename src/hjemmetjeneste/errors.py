"""The project's exceptions and the CLI exit codes they map to."""

from __future__ import annotations

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
        shown = "\n".join(f"  - {i}" for i in self.issues[:50])
        more = f"\n  ... and {len(self.issues) - 50} more" if len(self.issues) > 50 else ""
        super().__init__(f"{len(self.issues)} problem(s) in the input:\n{shown}{more}")


class RoutingError(HjemmetjenesteError):
    """The routing problem could not be built or solved."""

    exit_code = EXIT_ROUTING


class PlanRequestError(HjemmetjenesteError):
    """A plan asked for something the data does not define (a shift kind, a district)."""

    exit_code = EXIT_INPUT
