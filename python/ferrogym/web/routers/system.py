"""What the Dashboard page shows: counts, caps and whether auth is on."""

from __future__ import annotations

from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends

from ferrogym.web.context import Context, ctx
from ferrogym.web.schemas import Overview

router = APIRouter(prefix="/api", tags=["system"])


def _version() -> str:
    try:
        return version("ferrogym")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@router.get("/overview")
def overview(c: Annotated[Context, Depends(ctx)]) -> Overview:
    """Returns the server's version, open sessions, running jobs, stream clients and limits."""
    return Overview(
        version=_version(),
        envs=len(c.sessions.sessions),
        jobs_running=c.jobs.running(),
        ws_clients=c.broadcaster.clients,
        limits=asdict(c.settings.limits),
        auth=bool(c.settings.token),
    )
