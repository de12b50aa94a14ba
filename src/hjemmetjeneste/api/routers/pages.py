"""The pages next to the planner's: the nurse's phone page, the patient's page and the
hospital's view (static files; everything they show comes from the API with the signed-in
bearer token), and the nurse page's service worker, which keeps the page readable offline.

- ``GET /nurse``: today's visits in order, started/done, changes since last opened.
- ``GET /patient``: upcoming visits, notices, cancel or report absence, a message.
- ``GET /hospital``: a patient's municipal plan (an audited read) and admission/discharge.
- ``GET /nurse-sw.js``: the service worker (at the root, so that it may control ``/nurse``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import FileResponse

from hjemmetjeneste.api.routers.planner import _PAGE_CSP, STATIC_DIR

__all__ = ["PAGES", "mount_pages"]

#: Path -> file in the static folder.
PAGES = {"/nurse": "nurse.html", "/patient": "patient.html", "/hospital": "hospital.html"}
SERVICE_WORKER = "nurse-sw.js"


def _page_route(app: FastAPI, path: str, filename: str) -> None:
    async def page() -> FileResponse:
        return FileResponse(
            STATIC_DIR / filename,
            headers={"Content-Security-Policy": _PAGE_CSP, "Cache-Control": "no-cache"},
        )

    page.__doc__ = f"The page {path} (it holds no data itself)."
    app.get(path, include_in_schema=False)(page)


def mount_pages(app: FastAPI) -> None:
    """Serve the nurse's, the patient's and the hospital's pages and the service worker."""
    for path, filename in PAGES.items():
        _page_route(app, path, filename)

    @app.get(f"/{SERVICE_WORKER}", include_in_schema=False)
    async def service_worker() -> FileResponse:
        """The nurse page's service worker (no-cache: a new version is picked up at once)."""
        return FileResponse(
            STATIC_DIR / SERVICE_WORKER,
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/nurse"},
        )
