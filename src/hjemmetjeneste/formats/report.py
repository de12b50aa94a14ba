"""Every issue of a refused import as a CSV file (``hjemmetjeneste import --report``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from hjemmetjeneste.errors import InputIssue, Say, issue_kind
from hjemmetjeneste.i18n import as_written

__all__ = ["write_issue_report"]


def write_issue_report(issues: Sequence[InputIssue], path: Path, say: Say = as_written) -> None:
    """One row per issue: file, row, field, kind (as grouped in the message) and message,
    kind and message in the language of ``say`` (English by default; the CLI's ``--lang``).

    UTF-8 with a byte-order mark and ``;`` separators, so that Norwegian Excel opens it
    with its columns and letters right.
    """
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["file", "row", "field", "kind", "message"])
        for issue in issues:
            writer.writerow(
                [
                    issue.file,
                    "" if issue.row is None else issue.row,
                    issue.field or "",
                    issue_kind(issue, say),
                    issue.worded(say),
                ]
            )
