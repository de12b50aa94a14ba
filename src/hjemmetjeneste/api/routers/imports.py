"""Planners upload a municipality export: same checks, counts and error report as `import`."""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, UploadFile, status
from fastapi.responses import JSONResponse

from hjemmetjeneste.api.deps import PlannerUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.limits import (
    MAX_NAME_BYTES,
    UploadRefusedError,
    check_archive,
    check_json_depth,
    check_rows,
    safe_name,
)
from hjemmetjeneste.api.routers.runs import Lang
from hjemmetjeneste.api.schemas import (
    ImportSummaryPublic,
    IssuePublic,
    KindCountsPublic,
    ProblemPublic,
    problem_responses,
)
from hjemmetjeneste.domain import COMPETENCE_KIND, SKILL_KIND
from hjemmetjeneste.errors import HjemmetjenesteError, PlanInputError
from hjemmetjeneste.i18n import DEFAULT_LANGUAGE, translate
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store.catalogue import import_entries

router = APIRouter(prefix="/v1/imports", tags=["imports"])
log = logging.getLogger("hjemmetjeneste.api.imports")

#: Issues an error answer lists at most (the count says how many there were).
MAX_ISSUES = 200
_TEXT_SUFFIXES = (".csv", ".ndjson", ".txt", ".tsv")
_JSON_SUFFIXES = (".json", ".ndjson")


def _copy(upload: UploadFile, target: Path, budget: int) -> int:
    """Stream an uploaded file to ``target``; its size (413 past ``budget``)."""
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > budget:
                raise UploadRefusedError(413, target.name, "the upload is too large")
            out.write(chunk)
    return size


def _check_file(path: Path, settings: Settings) -> None:
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        check_rows(path, path.name, settings.api_max_upload_rows)
    if suffix in _JSON_SUFFIXES:
        check_json_depth(path, path.name, settings.api_max_json_depth)
    if suffix == ".xlsx":
        check_archive(path, path.name, settings.api_max_unpacked_bytes)


def _unpack(files: list[UploadFile], folder: Path, settings: Settings) -> None:
    """Write the upload into ``folder`` (unpacking a zip), checking every limit first."""
    names = [safe_name(f.filename) for f in files]
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise UploadRefusedError(422, name, "two uploaded files have this name; rename one")
        seen.add(name.lower())
    budget = settings.api_max_upload_bytes
    unpacked = 0
    for upload, name in zip(files, names, strict=True):
        if not name.lower().endswith(".zip"):
            budget -= _copy(upload, folder / name, budget)
            _check_file(folder / name, settings)
            continue
        zip_path = folder / ".upload.zip"
        budget -= _copy(upload, zip_path, budget)
        try:
            members = check_archive(zip_path, name, settings.api_max_unpacked_bytes - unpacked)
            with zipfile.ZipFile(zip_path) as archive:
                for member in members:
                    if member.is_dir():
                        continue
                    inner = safe_name(member.filename)
                    if inner.lower() in seen:
                        raise UploadRefusedError(422, inner, "two uploaded files have this name")
                    seen.add(inner.lower())
                    unpacked += member.file_size
                    with archive.open(member) as source, (folder / inner).open("wb") as out:
                        shutil.copyfileobj(source, out, 1 << 20)
                    _check_file(folder / inner, settings)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise UploadRefusedError(422, name, "not a valid zip archive") from None
        finally:
            zip_path.unlink(missing_ok=True)


def _refused(exc: UploadRefusedError) -> JSONResponse:
    problem = ProblemPublic(
        detail=exc.message if exc.file is None else f"{exc.file}: {exc.message}",
        issues=[IssuePublic(file=exc.file, message=exc.message)],
    )
    return JSONResponse(problem.model_dump(), exc.status)


def _clean(text: str, folder: Path) -> str:
    """A reader's message without the server's temporary paths, and not too long."""
    return text.replace(str(folder) + "/", "").replace(str(folder), "upload")[:300]


@router.post(
    "",
    response_model=ImportSummaryPublic,
    responses=problem_responses(401, 403, 413, 422),
)
def upload_import(
    user: PlannerUser,
    state: StateDep,
    files: Annotated[
        list[UploadFile],
        File(description="The export's files (patients.csv, …) or one .zip/.xlsx of them."),
    ],
    dry_run: Annotated[bool, Query(description="Check and count, write nothing.")] = False,
    full: Annotated[
        bool, Query(description="The export holds everything: end what it leaves out.")
    ] = True,
    lang: Lang = DEFAULT_LANGUAGE,
) -> ImportSummaryPublic | JSONResponse:
    """Import an export of the caller's municipality in one transaction (all or nothing).

    Bad input answers 422 with every issue found, each naming file, row and field, its
    message in bokmål (or English with ``?lang=en``).
    """
    from hjemmetjeneste.formats.auto import make_geocoder, read_plan_export

    settings = state.settings

    with tempfile.TemporaryDirectory(prefix="hjemmetjeneste-upload-") as tmp:
        folder = Path(tmp)
        try:
            _unpack(files, folder, settings)
        except UploadRefusedError as exc:
            return _refused(exc)
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        single = len(entries) == 1 and entries[0].suffix.lower() in (".xlsx", ".json", ".ndjson")
        source = entries[0] if single else folder
        try:
            loaded = read_plan_export(
                source,
                "auto",
                geocoder=make_geocoder(
                    settings.address_register, settings.geocoder_url, settings.geocoder_kind
                ),
                default_tolerance_min=settings.default_tolerance_min,
                known_catalogue=lambda mid: state.store.catalogue_items(
                    mid or user.municipality_id
                ),
            )
        except PlanInputError as exc:
            shown = exc.issues[:MAX_ISSUES]
            more = "" if len(exc.issues) == len(shown) else f"; the first {len(shown)} shown"
            problem = ProblemPublic(
                detail=f"{len(exc.issues)} problem(s) in the upload{more}",
                issues=[
                    IssuePublic(
                        file=Path(i.file).name[:MAX_NAME_BYTES],
                        row=i.row,
                        field=None if i.field is None else str(i.field)[:200],
                        message=_clean(i.worded(lambda m: translate(m, lang)), folder),
                    )
                    for i in shown
                ],
            )
            return JSONResponse(problem.model_dump(), status.HTTP_422_UNPROCESSABLE_CONTENT)
        except (ValueError, HjemmetjenesteError) as exc:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, _clean(str(exc), folder)
            ) from None
        except Exception as exc:  # a reader's library failing on junk: say so, nothing more
            log.info("upload not readable: %s", type(exc).__name__)
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "the upload is not a readable export (CSV, Parquet, .xlsx, .zip or FHIR JSON)",
            ) from None
    data = loaded.data
    if data.municipality.municipality_id != user.municipality_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the export belongs to another municipality")
    summary = state.store.save_export(
        data,
        source="api upload",
        export_format=loaded.format,
        full=full,
        partial_kinds=loaded.partial_kinds,
        dry_run=dry_run,
        catalogue=import_entries(loaded),
    )
    log_event(
        "import",
        municipality_id=summary.municipality_id,
        batch_id=summary.batch_id,
        dry_run=summary.dry_run,
        changes=summary.changes,
        actor_id=user.person_id,
    )
    return ImportSummaryPublic(
        municipality_id=summary.municipality_id,
        batch_id=summary.batch_id,
        dry_run=summary.dry_run,
        changes=summary.changes,
        counts={
            kind: KindCountsPublic(
                added=c.added, changed=c.changed, ended=c.ended, unchanged=c.unchanged
            )
            for kind, c in summary.counts.items()
        },
        new_headings=dict(loaded.new_problem_areas),
        new_titles={n: c for k, n, c in loaded.new_entries if k == COMPETENCE_KIND},
        new_skills={n: c for k, n, c in loaded.new_entries if k == SKILL_KIND},
    )
