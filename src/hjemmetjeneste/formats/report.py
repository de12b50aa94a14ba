"""Every issue of a refused import as a CSV file (``hjemmetjeneste import --report``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from hjemmetjeneste.errors import InputIssue, issue_kind

__all__ = ["write_issue_report"]


def write_issue_report(issues: Sequence[InputIssue], path: Path) -> None:
    """One row per issue: file, row, field, kind (as grouped in the message) and message.

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
                    issue_kind(issue),
                    issue.message,
                ]
            )
