"""A municipality's own catalogue entries, kept in the store.

The standard care-plan headings (``domain.ProblemArea``), competence levels and skills and
their aliases are part of the code. What a municipality adds — the headings, competence
titles (with the level each counts as) and skills its export's catalogue file
(``catalogue.csv``, formerly ``problem_areas.csv``) lists, and those its records use that
no catalogue held — is written here by the import that brings them, in the same
transaction as the rest of the export (all or nothing). Later imports know them without the
file: a ``--partial`` import, an API upload and ``--strict-catalogue`` accept them.

An entry is never ended or deleted by an import: a value stays known once the municipality
has used it. A title's level and an entry's aliases follow the catalogue file: a file that
gives a title another level changes it. Names are matched in any letter case (the first
spelling is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ForeignKey, Integer, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.domain import (
    PROBLEM_AREA_KIND,
    CatalogueItem,
    CatalogueName,
    CompetenceLevel,
    catalogue_key,
    problem_area,
)
from hjemmetjeneste.store.models import TableBase

__all__ = [
    "PROBLEM_AREA",
    "CatalogueEntry",
    "CatalogueEntryRow",
    "add_entries",
    "changed_entries",
    "import_entries",
    "new_entries",
    "stored_entries",
    "update_entries",
]

#: The kind of a care-plan heading (problemområde) entry.
PROBLEM_AREA = PROBLEM_AREA_KIND


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
    #: the level a competence title counts as (NULL for headings and skills)
    level: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: other spellings, separated by ``|`` (NULL: none)
    aliases: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class CatalogueEntry:
    """A catalogue entry as an import brings it or the store lists it."""

    kind: str
    name: str
    source: str
    first_batch_id: int | None = None
    level: CompetenceLevel | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(kind, name in any letter case and spacing): what makes two entries the same."""
        return self.kind, catalogue_key(self.name)

    def item(self) -> CatalogueItem:
        """The entry as the readers' catalogue takes it."""
        return CatalogueItem(self.kind, self.name, self.level, self.aliases)


class ReadExport(Protocol):
    """What an import read (``formats.auto.LoadedExport``) says about its catalogue."""

    @property
    def catalogue_file(self) -> Sequence[str]: ...
    @property
    def own_headings(self) -> Sequence[str]: ...
    @property
    def listed_items(self) -> Sequence[CatalogueItem]: ...
    @property
    def new_items(self) -> Sequence[CatalogueItem]: ...


def import_entries(loaded: ReadExport) -> list[CatalogueEntry]:
    """The entries an import brings: the headings its catalogue file lists (``file``), then
    those its interventions use that the file does not list (``export``), then the titles
    and skills the file lists (``file``) and those no catalogue held (``export``); standard
    headings and their aliases are no entries."""
    listed_items, new_items = loaded.listed_items, loaded.new_items
    entries = [CatalogueEntry(PROBLEM_AREA, n, "file") for n in loaded.catalogue_file]
    entries += [CatalogueEntry(PROBLEM_AREA, n, "export") for n in loaded.own_headings]
    entries = [e for e in entries if isinstance(problem_area(e.name), CatalogueName)]
    entries += [
        CatalogueEntry(i.kind, i.name, source, None, i.level, i.aliases)
        for source, items in (("file", listed_items), ("export", new_items))
        for i in items
    ]
    return new_entries((), entries)


def stored_entries(session: Session, municipality_id: str) -> list[CatalogueEntry]:
    """The municipality's catalogue entries, by kind and name."""
    rows = session.scalars(
        select(CatalogueEntryRow)
        .where(CatalogueEntryRow.municipality_id == municipality_id)
        .order_by(CatalogueEntryRow.kind, CatalogueEntryRow.name_key)
    )
    return [
        CatalogueEntry(
            r.kind,
            r.name,
            r.source,
            r.first_batch_id,
            None if r.level is None else CompetenceLevel(r.level),
            tuple(a for a in (r.aliases or "").split("|") if a),
        )
        for r in rows
    ]


def changed_entries(
    stored: Iterable[CatalogueEntry], brought: Iterable[CatalogueEntry]
) -> list[CatalogueEntry]:
    """The entries of ``brought`` the store holds with another level or other aliases (a
    catalogue file that changed a title's level); entries without either change nothing."""
    held = {e.key: e for e in stored}
    return [
        e
        for e in brought
        if e.key in held
        and (e.level is not None or e.aliases)
        and (held[e.key].level, held[e.key].aliases) != (e.level, e.aliases)
    ]


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
                    "level": None if e.level is None else e.level.value,
                    "aliases": "|".join(e.aliases) or None,
                }
                for e in entries
            ],
        )


def update_entries(
    session: Session, municipality_id: str, entries: Sequence[CatalogueEntry]
) -> None:
    """Set the level and aliases of stored ``entries`` (from :func:`changed_entries`)."""
    for e in entries:
        session.execute(
            update(CatalogueEntryRow)
            .where(
                CatalogueEntryRow.municipality_id == municipality_id,
                CatalogueEntryRow.kind == e.kind,
                CatalogueEntryRow.name_key == catalogue_key(e.name),
            )
            .values(
                level=None if e.level is None else e.level.value,
                aliases="|".join(e.aliases) or None,
            )
        )
