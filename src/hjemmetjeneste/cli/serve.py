"""`serve` and `token`: run the worklist API with uvicorn; issue demo bearer tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hjemmetjeneste.cli.app import app, console, err_console


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.", min=1)] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request (ids only).")] = True,
) -> None:
    """Serve the worklist API over the store of HJEMMETJENESTE_DATABASE_URL (uvicorn)."""
    import uvicorn

    from hjemmetjeneste.settings import Settings

    settings = Settings()  # validated here, at start; each worker builds its app from it
    err_console.print(escape(f"Serving the store {settings.database_url} on http://{host}:{port}"))
    uvicorn.run(
        "hjemmetjeneste.api:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
    )


@app.command()
def token(
    role: Annotated[str, typer.Option(help="planner, nurse, patient, specialist or admin.")],
    person: Annotated[
        str, typer.Option(help="Person id: a nurse's staff_id, a patient's patient_id, …")
    ],
    municipality: Annotated[str, typer.Option(help="Municipality id, e.g. 5001.")] = "5001",
    hours: Annotated[float, typer.Option(help="Validity in hours.", min=0.01, max=24)] = 8.0,
) -> None:
    """Print a demo bearer token signed with the configured secret (the demo's by default)."""
    from hjemmetjeneste.api.auth import Role, issue_demo_token
    from hjemmetjeneste.settings import Settings

    try:
        parsed = Role(role)
    except ValueError as exc:
        raise typer.BadParameter(f"role must be one of {', '.join(r.value for r in Role)}") from exc
    settings = Settings()
    if settings.jwt_jwks_url:
        err_console.print("[yellow]A JWKS is configured: the server will not accept this token.")
    console.print(
        issue_demo_token(
            settings,
            role=parsed,
            person_id=person,
            municipality_id=municipality,
            ttl_s=int(hours * 3600),
        ),
        soft_wrap=True,
    )
