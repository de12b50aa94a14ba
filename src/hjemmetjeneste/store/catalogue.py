"""A municipality's own catalogue entries, kept in the store.

The standard care-plan headings (``domain.ProblemArea``) and the aliases of headings,
competence titles and skills are part of the code. What a municipality adds — the headings
its export's catalogue file (``problem_areas.csv``) lists and the headings its interventions
use that are not standard — is written here by the import that brings them, in the same
transaction as the rest of the export (all or nothing). Later imports know them without the
file: a ``--partial`` import, an API upload and ``--strict-catalogue`` accept them.

An entry is never ended or deleted by an import: a heading stays known once the municipality
has used it. Names are matched in any letter case (the first spelling is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.domain import CatalogueName, catalogue_key, problem_area
from hjemmetjeneste.store.models import TableBase

__all__ = [
    "PROBLEM_AREA",
    "CatalogueEntry",
    "CatalogueEntryRow",
    "add_entries",
    "import_entries",
    "new_entries",
    "stored_entries",
]

#: The kind of a care-plan heading (problemområde) entry.
PROBLEM_AREA = "problem_area"


class CatalogueEntryRow(TableBase):
    """One entry a municipality added to its catalogue (a care-plan heading of its own)."""

    __tablename__ = "catalogue_entry"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the name casefolded with runs of spaces made one: what names are matched by
    name_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    #: ``file`` (the export's catalogue file listed it) or ``export`` (an intervention used it)
    source: Mapped[str] = mapped_column(String(16))
    first_batch_id: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class CatalogueEntry:
    """A catalogue entry as an import brings it or the store lists it."""

    kind: str
    name: str
    source: str
    first_batch_id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(kind, name in any letter case and spacing): what makes two entries the same."""
        return self.kind, catalogue_key(self.name)


def import_entries(listed: Iterable[str], used: Iterable[str]) -> list[CatalogueEntry]:
    """The entries an import brings: the headings its catalogue file lists (``file``), then
    those its interventions use that the file does not list (``export``); standard headings
    and their aliases are no entries."""
    entries = [CatalogueEntry(PROBLEM_AREA, n, "file") for n in listed]
    entries += [CatalogueEntry(PROBLEM_AREA, n, "export") for n in used]
    return new_entries((), (e for e in entries if isinstance(problem_area(e.name), CatalogueName)))


def stored_entries(session: Session, municipality_id: str) -> list[CatalogueEntry]:
    """The municipality's catalogue entries, by kind and name."""
    rows = session.scalars(
        select(CatalogueEntryRow)
        .where(CatalogueEntryRow.municipality_id == municipality_id)
        .order_by(CatalogueEntryRow.kind, CatalogueEntryRow.name_key)
    )
    return [CatalogueEntry(r.kind, r.name, r.source, r.first_batch_id) for r in rows]


def new_entries(
    stored: Iterable[CatalogueEntry], brought: Iterable[CatalogueEntry]
) -> list[CatalogueEntry]:
    """The entries of ``brought`` the store does not hold yet (each name once)."""
    seen = {e.key for e in stored}
    out: list[CatalogueEntry] = []
    for entry in brought:
        if entry.key not in seen:
            seen.add(entry.key)
            out.append(entry)
    return out


def add_entries(
    session: Session, municipality_id: str, entries: Sequence[CatalogueEntry], batch_id: int
) -> None:
    """Insert ``entries`` (from :func:`new_entries`) as added by import ``batch_id``."""
    if entries:
        session.execute(
            insert(CatalogueEntryRow),
            [
                {
                    "municipality_id": municipality_id,
                    "kind": e.kind,
                    "name_key": catalogue_key(e.name),
                    "name": " ".join(e.name.split()),
                    "source": e.source,
                    "first_batch_id": batch_id,
                }
                for e in entries
            ],
        )
