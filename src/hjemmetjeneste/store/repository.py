"""Saving a municipality's export into the store in one transaction, and loading it back.

:meth:`Store.save_export` compares every record of the export with what is stored, by a
content hash per record, and in one transaction adds the new ones, updates the changed ones
and, for a full export, ends the ones that are missing (``ended_batch_id``; interventions
also get ``valid_to``). Nothing is deleted. An import that changes nothing writes nothing,
so re-importing the same export leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, Engine, bindparam, insert, select, update
from sqlalchemy.orm import Session

from hjemmetjeneste._gc import gc_paused
from hjemmetjeneste.domain import (
    CarePlan,
    CatalogueItem,
    Intervention,
    Municipality,
    MunicipalityData,
    Roster,
)
from hjemmetjeneste.errors import HjemmetjenesteError, Phrase
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.store.catalogue import (
    CatalogueEntry,
    add_entries,
    changed_entries,
    new_entries,
    stored_entries,
    update_entries,
)
from hjemmetjeneste.store.codec import (
    base_from_row,
    base_values,
    care_plan_values,
    district_from_row,
    district_values,
    intervention_from_row,
    intervention_values,
    municipality_from_row,
    municipality_values,
    patient_from_row,
    patient_values,
    roster_entry_from_row,
    roster_entry_values,
    staff_from_row,
    staff_values,
)
from hjemmetjeneste.store.engine import create_store_engine, migrate, writing
from hjemmetjeneste.store.models import (
    BaseRow,
    CarePlanRow,
    DistrictRow,
    ImportBatchRow,
    InterventionRow,
    MunicipalityRow,
    PatientRow,
    RosterEntryRow,
    StaffRow,
    TableBase,
)

__all__ = [
    "KINDS",
    "ImportSummary",
    "KindCounts",
    "Store",
    "StoreError",
    "export_digest",
    "open_store",
]

#: Progress callback: (stage, done, total).
ProgressCallback = Callable[[str, int, int], None]

_CHUNK = 5000


class StoreError(HjemmetjenesteError):
    """The store cannot answer: no such municipality, or several where one was expected."""

    exit_code = 2


def choose_municipality(ids: Sequence[str], municipality_id: str | None) -> str:
    """The municipality a command works on: ``municipality_id`` when the store holds it, else
    the store's only one; a :class:`StoreError` saying which exist otherwise."""
    if municipality_id is None and len(ids) != 1:
        raise StoreError(
            Phrase(N_("the store holds no municipality; import an export first"))
            if not ids
            else Phrase.of(
                N_("the store holds several municipalities ({ids}); name one with --municipality"),
                ids=tuple(ids),
            )
        )
    chosen = ids[0] if municipality_id is None else municipality_id
    if chosen not in ids:
        raise _not_held(chosen)
    return chosen


def _not_held(municipality_id: str) -> StoreError:
    return StoreError(
        Phrase.of(
            N_("the store holds no municipality {municipality!r}"), municipality=municipality_id
        )
    )


@dataclass(frozen=True)
class KindCounts:
    """What an import did to one kind of record."""

    added: int = 0
    changed: int = 0
    ended: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of one import: counts per kind of record, and the batch it recorded."""

    municipality_id: str
    counts: Mapping[str, KindCounts]
    batch_id: int | None
    dry_run: bool = False

    @property
    def added(self) -> int:
        """Records that were not in the store before."""
        return sum(c.added for c in self.counts.values())

    @property
    def changed(self) -> int:
        """Records whose content differed from the stored version."""
        return sum(c.changed for c in self.counts.values())

    @property
    def ended(self) -> int:
        """Records missing from a full export, ended (never deleted)."""
        return sum(c.ended for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        """Records equal to the stored version."""
        return sum(c.unchanged for c in self.counts.values())

    @property
    def changes(self) -> int:
        """Added + changed + ended: zero means the import left the store as it was."""
        return self.added + self.changed + self.ended


# --------------------------------------------------------------------------------------
# Domain <-> rows
# --------------------------------------------------------------------------------------


def _hash(values: Iterable[Any]) -> str:
    return hashlib.sha256(repr(tuple(values)).encode("utf-8")).hexdigest()


#: Row fields added with the planning rules (migrations 0002 and s12_0004). NULL means the
#: default; a NULL one is left out of the content hash, so that records without rules keep
#: the hash they had before and re-importing an unchanged export stays a no-op after the
#: upgrade.
_RULE_FIELDS = frozenset(
    {
        "refused_staff_ids",
        "preferred_staff_ids",
        "language",
        "primary_contact_id",
        "care_team_ids",
        "gap_group",
        "min_gap_min",
        "max_gap_min",
        "second_staff_competence",
        "late_allowance_min",
        "separate_visit",
        "second_staff_skills",
        "home_lat",
        "home_lon",
        "start_time",
        "end_time",
        "start_place",
        "end_place",
        "competence_title",
    }
)


def _content_hash(values: Mapping[str, Any]) -> str:
    """The record's content hash: every field, plus the rule fields that are set (by name)."""
    rules = _RULE_FIELDS
    fields = [
        v if k not in rules else (k, v)
        for k, v in values.items()
        if v is not None or k not in rules
    ]
    return hashlib.sha256(repr(tuple(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Kind:
    """How one kind of record maps to its table."""

    name: str
    model: type[TableBase]
    keys: tuple[str, ...]
    content: Callable[[Any], dict[str, Any]]


#: The kinds of record an import counts, in the order they are written.
KINDS: tuple[_Kind, ...] = (
    _Kind("bases", BaseRow, ("base_id",), base_values),
    _Kind("districts", DistrictRow, ("district_id",), district_values),
    _Kind("patients", PatientRow, ("patient_id",), patient_values),
    _Kind("care_plans", CarePlanRow, ("care_plan_id",), care_plan_values),
    _Kind("interventions", InterventionRow, ("intervention_id",), intervention_values),
    _Kind("staff", StaffRow, ("staff_id",), staff_values),
    _Kind("roster", RosterEntryRow, ("staff_id", "shift_date", "shift"), roster_entry_values),
)


def _records(data: MunicipalityData) -> dict[str, Sequence[Any]]:
    return {
        "bases": data.bases,
        "districts": data.districts,
        "patients": data.patients,
        "care_plans": data.care_plans,
        "interventions": [(c.care_plan_id, i) for c in data.care_plans for i in c.interventions],
        "staff": data.staff,
        "roster": data.roster.entries,
    }


def _municipality_hash(m: Municipality) -> str:
    values = municipality_values(m)
    rules = values["rules_json"]  # only when set: municipalities without rules keep their hash
    return _hash(
        (
            values["name"],
            values["timezone"],
            values["shifts_json"],
            *(() if rules is None else (rules,)),
        )
    )


def _digest_of(municipality_hash: str, plans: Mapping[str, _Plan]) -> str:
    digest = hashlib.sha256(municipality_hash.encode())
    for kind in KINDS:
        digest.update(f"|{kind.name}|".encode())
        digest.update("".join(plans[kind.name].hashes).encode())
    return digest.hexdigest()


def export_digest(data: MunicipalityData) -> str:
    """SHA-256 over the content hashes of every record of ``data`` in order.

    Equal data give equal digests; it is what an import batch records.
    """
    records = _records(data)
    digest = hashlib.sha256(_municipality_hash(data.municipality).encode())
    for kind in KINDS:
        digest.update(f"|{kind.name}|".encode())
        digest.update("".join(_content_hash(kind.content(r)) for r in records[kind.name]).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """The writes one kind of record needs."""

    hashes: list[str] = field(default_factory=list)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    counts: KindCounts = field(default_factory=KindCounts)


class Store:
    """The database of municipalities' plans, staff and rosters (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- lifecycle -------------------------------------------------------------------

    def migrate(self) -> None:
        """Create or upgrade the schema with the packaged Alembic migrations."""
        migrate(self.engine)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------

    def save_export(
        self,
        data: MunicipalityData,
        *,
        source: str = "",
        export_format: str = "csv",
        full: bool = True,
        partial_kinds: Collection[str] = (),
        as_of: date | None = None,
        dry_run: bool = False,
        on_progress: ProgressCallback | None = None,
        catalogue: Sequence[CatalogueEntry] = (),
    ) -> ImportSummary:
        """Import one municipality's export in a single transaction.

        New records are added, changed ones updated, and with ``full`` (the default: the
        export holds everything the municipality has) stored records missing from it are
        ended; missing interventions get ``valid_to`` = the day before ``as_of`` (today in
        the municipality's time zone by default). With ``dry_run`` everything is computed
        and the transaction rolled back. Either all of it is written or none of it.
        ``partial_kinds`` names kinds (see :data:`KINDS`) the export does not carry in full,
        e.g. ``("roster",)`` for FHIR exports: their missing records are not ended.
        ``catalogue`` holds the municipality's own catalogue entries the export brings
        (``LoadedExport.catalogue``): those the store lacks are added (counted as kind
        ``catalogue``), in the same transaction; none is ever ended.
        """
        with gc_paused():
            return self._save(
                data,
                source,
                export_format,
                full,
                partial_kinds,
                as_of,
                dry_run,
                on_progress,
                catalogue,
            )

    def _save(
        self,
        data: MunicipalityData,
        source: str,
        export_format: str,
        full: bool,
        partial_kinds: Collection[str],
        as_of: date | None,
        dry_run: bool,
        on_progress: ProgressCallback | None,
        catalogue: Sequence[CatalogueEntry] = (),
    ) -> ImportSummary:
        municipality = data.municipality
        tz = ZoneInfo(municipality.timezone)
        started = datetime.now(UTC)
        as_of = as_of or started.astimezone(tz).date()
        records = _records(data)
        progress = on_progress or (lambda _stage, _done, _total: None)
        with Session(writing(self.engine)) as session, session.begin():
            mun_row = municipality_row(session, municipality.municipality_id)
            mun_values = municipality_values(municipality)
            mun_hash = _municipality_hash(municipality)
            plans: dict[str, _Plan] = {}
            for kind in KINDS:
                plans[kind.name] = self._diff(
                    session,
                    kind,
                    municipality.municipality_id,
                    records[kind.name],
                    full and kind.name not in partial_kinds,
                    as_of,
                )
            mun_counts = KindCounts(
                added=int(mun_row is None),
                changed=int(mun_row is not None and mun_row.content_hash != mun_hash),
                unchanged=int(mun_row is not None and mun_row.content_hash == mun_hash),
            )
            counts = {"municipality": mun_counts} | {k: p.counts for k, p in plans.items()}
            brought = new_entries((), catalogue)  # each name once
            held = stored_entries(session, municipality.municipality_id) if brought else ()
            added_entries = new_entries(held, brought)
            changed = changed_entries(held, brought)  # a title given another level
            if brought:
                counts["catalogue"] = KindCounts(
                    added=len(added_entries),
                    changed=len(changed),
                    unchanged=len(brought) - len(added_entries) - len(changed),
                )
            changes = sum(c.added + c.changed + c.ended for c in counts.values())
            if dry_run or changes == 0:
                session.rollback()
                return ImportSummary(
                    municipality_id=municipality.municipality_id,
                    counts=counts,
                    batch_id=None,
                    dry_run=dry_run,
                )
            batch_id: int = session.scalars(
                insert(ImportBatchRow)
                .values(
                    municipality_id=municipality.municipality_id,
                    source=source,
                    export_format=export_format,
                    export_digest=_digest_of(mun_hash, plans),
                    full_export=full,
                    as_of=as_of,
                    started_at=started,
                    finished_at=started,
                    added=sum(c.added for c in counts.values()),
                    changed=sum(c.changed for c in counts.values()),
                    ended=sum(c.ended for c in counts.values()),
                    unchanged=sum(c.unchanged for c in counts.values()),
                )
                .returning(ImportBatchRow.batch_id)
            ).one()
            if mun_row is None:
                session.execute(
                    insert(MunicipalityRow).values(
                        municipality_id=municipality.municipality_id,
                        content_hash=mun_hash,
                        first_batch_id=batch_id,
                        last_batch_id=batch_id,
                        **mun_values,
                    )
                )
            elif mun_row.content_hash != mun_hash:
                session.execute(
                    update(MunicipalityRow)
                    .where(MunicipalityRow.municipality_id == municipality.municipality_id)
                    .values(content_hash=mun_hash, last_batch_id=batch_id, **mun_values)
                )
            add_entries(session, municipality.municipality_id, added_entries, batch_id)
            update_entries(session, municipality.municipality_id, changed)
            total = sum(len(p.inserts) + len(p.updates) for p in plans.values())
            done = 0
            progress("write", 0, total)
            for kind in KINDS:
                plan = plans[kind.name]
                for chunk in _chunks(plan.inserts):
                    for row in chunk:
                        row["first_batch_id"] = batch_id
                        row["last_batch_id"] = batch_id
                    _bulk_insert(session, kind, chunk)
                    done += len(chunk)
                    progress("write", done, total)
                for chunk in _chunks(plan.updates):
                    for row in chunk:
                        if row.get("ended_batch_id", 0) == -1:
                            row["ended_batch_id"] = batch_id
                            row["last_batch_id"] = batch_id
                        elif "content_hash" in row:  # not a mere change of position
                            row["last_batch_id"] = batch_id
                    _bulk_update(session, kind, chunk)
                    done += len(chunk)
                    progress("write", done, total)
            session.execute(
                update(ImportBatchRow)
                .where(ImportBatchRow.batch_id == batch_id)
                .values(finished_at=datetime.now(UTC))
            )
            progress("commit", done, total)
        return ImportSummary(
            municipality_id=municipality.municipality_id, counts=counts, batch_id=batch_id
        )

    @staticmethod
    def _diff(
        session: Session,
        kind: _Kind,
        municipality_id: str,
        records: Sequence[Any],
        full: bool,
        as_of: date,
    ) -> _Plan:
        stored = stored_versions(session, kind, municipality_id)
        plan = _Plan()
        added = changed = unchanged = ended = 0
        seen: set[tuple[Any, ...]] = set()
        for position, record in enumerate(records):
            values = kind.content(record)
            key = tuple(values[k] for k in kind.keys)
            seen.add(key)
            content_hash = _content_hash(values)
            plan.hashes.append(content_hash)
            previous = stored.get(key)
            if previous is None:
                added += 1
                plan.inserts.append(
                    {
                        "municipality_id": municipality_id,
                        **values,
                        "position": position,
                        "content_hash": content_hash,
                        "ended_batch_id": None,
                    }
                )
                continue
            old_hash, old_position, old_ended = previous[0], previous[1], previous[2]
            if old_hash != content_hash or old_ended is not None:
                changed += 1
                plan.updates.append(
                    {
                        "municipality_id": municipality_id,
                        **values,
                        "position": position,
                        "content_hash": content_hash,
                        "ended_batch_id": None,
                    }
                )
            else:
                unchanged += 1
                if old_position != position:  # reordered only: keep the order, count nothing
                    plan.updates.append(
                        {
                            "municipality_id": municipality_id,
                            **{k: values[k] for k in kind.keys},
                            "position": position,
                        }
                    )
        if full:
            for key, previous in stored.items():
                if key in seen or previous[2] is not None:
                    continue
                ended += 1
                row = {
                    "municipality_id": municipality_id,
                    **dict(zip(kind.keys, key, strict=True)),
                    "ended_batch_id": -1,  # replaced by the batch id when written
                }
                if kind.name == "interventions":
                    valid_to = previous[4]
                    end = as_of - timedelta(days=1)
                    row["valid_to"] = end if valid_to is None or valid_to > end else valid_to
                plan.updates.append(row)
        plan.counts = KindCounts(added=added, changed=changed, ended=ended, unchanged=unchanged)
        return plan

    # -- reading ---------------------------------------------------------------------

    def session(self) -> Session:
        """A session for the read queries of this package (use it as a context manager)."""
        return Session(self.engine)

    def municipality_ids(self) -> list[str]:
        """Ids of the municipalities in the store, sorted."""
        with self.session() as session:
            return municipality_ids(session)

    def latest_batch(self, municipality_id: str) -> ImportBatchRow | None:
        """The most recent import that changed ``municipality_id``, or None."""
        with self.session() as session:
            return latest_batch(session, municipality_id)

    def catalogue(self, municipality_id: str) -> list[CatalogueEntry]:
        """The catalogue entries ``municipality_id`` added (none for an unknown one)."""
        with self.session() as session:
            return stored_entries(session, municipality_id)

    def catalogue_items(self, municipality_id: str | None) -> list[CatalogueItem]:
        """The catalogue entries of ``municipality_id`` as a reader's catalogue takes them;
        None: those of the only municipality the store holds (none when it holds several)."""
        with self.session() as session:
            if municipality_id is None:
                ids = municipality_ids(session)
                municipality_id = ids[0] if len(ids) == 1 else None
            if municipality_id is None:
                return []
            return [e.item() for e in stored_entries(session, municipality_id)]

    def load_municipality(self, municipality_id: str | None = None) -> MunicipalityData:
        """The current data of one municipality (the only one when ``municipality_id`` is None).

        Ended records are left out, except ended interventions of current care plans: they
        come back with their ``valid_to`` so that plans for past dates still resolve.
        """
        with gc_paused(), self.session() as session, session.begin():
            return load_municipality(session, municipality_id)


# --------------------------------------------------------------------------------------
# Queries: functions on a session, every one a ``select()``
# --------------------------------------------------------------------------------------


def municipality_ids(session: Session) -> list[str]:
    """Ids of the municipalities in the store, sorted."""
    return list(
        session.scalars(
            select(MunicipalityRow.municipality_id).order_by(MunicipalityRow.municipality_id)
        )
    )


def municipality_row(session: Session, municipality_id: str) -> MunicipalityRow | None:
    """The stored row of ``municipality_id``, or None."""
    return session.scalars(
        select(MunicipalityRow).where(MunicipalityRow.municipality_id == municipality_id)
    ).one_or_none()


def latest_batch(session: Session, municipality_id: str) -> ImportBatchRow | None:
    """The most recent import that changed ``municipality_id``, or None."""
    return session.scalars(
        select(ImportBatchRow)
        .where(ImportBatchRow.municipality_id == municipality_id)
        .order_by(ImportBatchRow.batch_id.desc())
        .limit(1)
    ).first()


def stored_versions(
    session: Session, kind: _Kind, municipality_id: str
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Key → (content hash, position, ended batch[, valid_from, valid_to]) of every stored
    record of ``kind``, ended ones included (what an import compares its records with)."""
    model: Any = kind.model
    key_cols = [getattr(model, k) for k in kind.keys]
    extra = [model.valid_from, model.valid_to] if kind.name == "interventions" else []
    rows = session.execute(
        select(*key_cols, model.content_hash, model.position, model.ended_batch_id, *extra).where(
            model.municipality_id == municipality_id
        )
    )
    return {tuple(row[: len(key_cols)]): tuple(row[len(key_cols) :]) for row in rows}


def current_rows(session: Session, model: Any, municipality_id: str) -> list[Any]:
    """The municipality's rows of ``model`` that are not ended, in export order."""
    return list(
        session.scalars(
            select(model)
            .where(model.municipality_id == municipality_id, model.ended_batch_id.is_(None))
            .order_by(model.position)
        )
    )


def load_municipality(session: Session, municipality_id: str | None = None) -> MunicipalityData:
    """The current data of one municipality (see :meth:`Store.load_municipality`)."""
    if municipality_id is None:
        municipality_id = choose_municipality(municipality_ids(session), None)
    mun = municipality_row(session, municipality_id)
    if mun is None:
        raise _not_held(municipality_id)
    mid = mun.municipality_id
    plans = current_rows(session, CarePlanRow, mid)
    interventions: dict[str, list[Intervention]] = {p.care_plan_id: [] for p in plans}
    rows = session.scalars(
        select(InterventionRow)
        .where(InterventionRow.municipality_id == mid)
        .order_by(InterventionRow.position)
    )
    for r in rows:
        if r.care_plan_id not in interventions:
            continue
        if r.ended_batch_id is not None and r.valid_to is not None and r.valid_to < r.valid_from:
            continue  # ended before it ever applied
        interventions[r.care_plan_id].append(intervention_from_row(r))
    return MunicipalityData(
        municipality=municipality_from_row(mun),
        districts=tuple(district_from_row(r) for r in current_rows(session, DistrictRow, mid)),
        bases=tuple(base_from_row(r) for r in current_rows(session, BaseRow, mid)),
        patients=tuple(patient_from_row(r) for r in current_rows(session, PatientRow, mid)),
        care_plans=tuple(
            CarePlan(
                care_plan_id=p.care_plan_id,
                patient_id=p.patient_id,
                interventions=tuple(interventions[p.care_plan_id]),
            )
            for p in plans
        ),
        staff=tuple(staff_from_row(r) for r in current_rows(session, StaffRow, mid)),
        roster=Roster(
            entries=tuple(
                roster_entry_from_row(r) for r in current_rows(session, RosterEntryRow, mid)
            )
        ),
    )


def _bulk_insert(session: Session, kind: _Kind, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows. On SQLite straight through the driver with tuples (SQLAlchemy's
    per-row parameter processing costs more than SQLite's own insert); Core elsewhere."""
    if not rows:
        return
    connection = session.connection()
    table: Any = kind.model.__table__
    if connection.dialect.name != "sqlite":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(f"{c}" for c in columns)}) '
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    # What SQLAlchemy's SQLite types store: dates as ISO text, booleans as 0/1.
    dates = [c for c in columns if isinstance(table.c[c].type, Date)]
    booleans = [c for c in columns if isinstance(table.c[c].type, Boolean)]
    if dates or booleans:
        converted = []
        for row in rows:
            row = dict(row)
            for c in dates:
                if row[c] is not None:
                    row[c] = row[c].isoformat()
            for c in booleans:
                if row[c] is not None:
                    row[c] = int(row[c])
            converted.append(row)
        rows = converted
    getter = itemgetter(*columns)
    connection.exec_driver_sql(sql, [getter(row) for row in rows])


def _bulk_update(session: Session, kind: _Kind, rows: list[dict[str, Any]]) -> None:
    """UPDATE by primary key, one executemany per set of columns (Core: fast)."""
    table: Any = kind.model.__table__
    keys = ("municipality_id", *kind.keys)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for columns, group in groups.items():
        values = [c for c in columns if c not in keys]
        statement = (
            update(table)
            .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
            .values({c: bindparam(f"v_{c}") for c in values})
        )
        session.execute(
            statement,
            [{**{f"k_{k}": r[k] for k in keys}, **{f"v_{c}": r[c] for c in values}} for r in group],
        )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def open_store(database_url: str, *, migrate_schema: bool = True) -> Store:
    """A :class:`Store` on ``database_url``, its schema migrated to the latest revision."""
    store = Store(create_store_engine(database_url))
    if migrate_schema:
        store.migrate()
    return store
