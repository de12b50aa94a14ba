"""Planners upload a municipality export: same checks, counts and error report as `import`."""

from __future__ import annotations

import logging
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, UploadFile, status
from fastapi.responses import JSONResponse

from hjemmetjeneste.api.deps import PlannerUser, StateDep
from hjemmetjeneste.api.schemas import (
    ImportSummaryPublic,
    IssuePublic,
    KindCountsPublic,
    ProblemPublic,
    problem_responses,
)
from hjemmetjeneste.errors import HjemmetjenesteError, PlanInputError

router = APIRouter(prefix="/v1/imports", tags=["imports"])
log = logging.getLogger("hjemmetjeneste.api.imports")

#: The largest upload accepted, all files together.
MAX_UPLOAD_BYTES = 256 * 1024 * 1024


def _safe_name(name: str | None) -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name
    if not base or base.startswith("."):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"bad file name {name!r}")
    return base


def _unpack(files: list[UploadFile], folder: Path) -> None:
    total = 0
    for upload in files:
        name = _safe_name(upload.filename)
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "the upload is too large")
        if name.lower().endswith(".zip"):
            zip_path = folder / ".upload.zip"
            zip_path.write_bytes(data)
            try:
                with zipfile.ZipFile(zip_path) as archive:
                    for member in archive.infolist():
                        if member.is_dir():
                            continue
                        total += member.file_size
                        if total > MAX_UPLOAD_BYTES:
                            raise HTTPException(
                                status.HTTP_413_CONTENT_TOO_LARGE, "the upload is too large"
                            )
                        (folder / _safe_name(member.filename)).write_bytes(archive.read(member))
            except zipfile.BadZipFile:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} is not a zip archive"
                ) from None
            finally:
                zip_path.unlink(missing_ok=True)
        else:
            (folder / name).write_bytes(data)


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
) -> ImportSummaryPublic | JSONResponse:
    """Import an export of the caller's municipality in one transaction (all or nothing).

    Bad input answers 422 with every issue found, each naming file, row and field.
    """
    from hjemmetjeneste.formats.auto import make_geocoder, read_plan_export

    settings = state.settings

    with tempfile.TemporaryDirectory(prefix="hjemmetjeneste-upload-") as tmp:
        folder = Path(tmp)
        _unpack(files, folder)
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
            )
        except PlanInputError as exc:
            problem = ProblemPublic(
                detail=f"{len(exc.issues)} problem(s) in the upload",
                issues=[
                    IssuePublic(file=Path(i.file).name, row=i.row, field=i.field, message=i.message)
                    for i in exc.issues
                ],
            )
            return JSONResponse(problem.model_dump(), status.HTTP_422_UNPROCESSABLE_CONTENT)
        except (ValueError, HjemmetjenesteError) as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
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
    )
    log.info(
        "import by %s: %d change(s), batch %s", user.person_id, summary.changes, summary.batch_id
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
    )
