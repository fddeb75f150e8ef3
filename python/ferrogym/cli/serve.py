"""``ferrogym serve``: the web dashboard on 127.0.0.1 (another address needs a token)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ferrogym.extras import missing
from ferrogym.web.settings import TOKEN_ENV


def run(
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    token: Annotated[
        str | None, typer.Option(envvar=TOKEN_ENV, help=f"Token every request must carry (or ${TOKEN_ENV}).")
    ] = None,
    runs: Annotated[Path, typer.Option(help="Folder for saved models/ and recordings/.")] = Path("ferrogym-runs"),
    recordings: Annotated[
        Path | None,
        typer.Option(help="Folder the Replay page lists (dashboard recordings, ferrogym.record Parquet/HDF5 files)."),
    ] = None,
    max_ws_clients: Annotated[int, typer.Option(help="Cap on concurrent WebSocket clients.")] = 128,
) -> None:
    """Serve the dashboard: environments, training, models, scenarios, replay."""
    try:
        import uvicorn

        from ferrogym.web import Limits, Settings, create_app
    except ImportError as e:
        raise missing(e.name or "fastapi", "web", "ferrogym serve") from None
    try:
        settings = Settings(
            host=host,
            port=port,
            token=token or None,
            models_dir=runs / "models",
            recordings_dir=recordings if recordings is not None else runs / "recordings",
            calibrations_dir=runs / "calibrations",
            limits=Limits(max_ws_clients=max_ws_clients),
        )
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--host/--token") from None
    where = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(f"ferrogym dashboard on {where}  (Ctrl-C stops it and every training job)")
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="warning", ws_max_size=settings.limits.max_message_bytes
    )
