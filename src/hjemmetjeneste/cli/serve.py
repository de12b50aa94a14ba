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
    demo: Annotated[
        bool,
        typer.Option(
            help="Accept tokens signed with the public demo secret (synthetic demo data only; "
            "loopback hosts only)."
        ),
    ] = False,
) -> None:
    """Serve the worklist API over the store of HJEMMETJENESTE_DATABASE_URL (uvicorn).

    Refuses to start on unsafe settings (the demo secret without --demo on 127.0.0.1, a
    secret under 32 bytes, a JWKS without issuer), naming the settings to set.
    """
    import os

    import uvicorn

    from hjemmetjeneste.api.security import InsecureSettingsError, check_settings
    from hjemmetjeneste.settings import Settings

    if demo:  # the workers build their apps from the environment: tell them too
        os.environ["HJEMMETJENESTE_API_DEMO"] = "true"
    settings = Settings()  # validated here, at start; each worker builds its app from it
    try:
        check_settings(settings, host)
    except InsecureSettingsError as exc:
        err_console.print(f"[red]{escape(str(exc))}")
        raise typer.Exit(2) from None
    err_console.print(
        f"Serving the store {escape(settings.database_url)} on http://{escape(host)}:{port}"
    )
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


@app.command("deliver-notices")
def deliver_notices() -> None:
    """Deliver the due notices of the outbox to HJEMMETJENESTE_WEBHOOK_URL once (signed with
    HJEMMETJENESTE_WEBHOOK_SECRET, ids only); the API does the same in the background."""
    from hjemmetjeneste.api.webhooks import deliver_due
    from hjemmetjeneste.settings import Settings
    from hjemmetjeneste.store import open_store

    settings = Settings()
    if not settings.webhook_url or settings.webhook_secret is None:
        err_console.print(
            "[red]set HJEMMETJENESTE_WEBHOOK_URL and HJEMMETJENESTE_WEBHOOK_SECRET[/red]"
        )
        raise typer.Exit(2)
    store = open_store(settings.database_url)
    try:
        done = deliver_due(
            store.engine,
            settings.webhook_url,
            settings.webhook_secret.get_secret_value().encode(),
            max_attempts=settings.webhook_max_attempts,
            backoff_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
        )
    finally:
        store.close()
    console.print(
        f"Notices delivered {done.delivered}, to retry {done.retrying}, failed {done.failed}."
    )
