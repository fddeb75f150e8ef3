"""The FastAPI app: routers, security, limits, the built front end, and the
lifecycle that starts the job pump and stops every worker on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ferrogym.web import errors
from ferrogym.web.context import Context
from ferrogym.web.routers import calibrate, envs, models, recordings, scenarios, system, training
from ferrogym.web.security import Guard
from ferrogym.web.settings import Settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Returns the dashboard's FastAPI app for ``settings`` (defaults: loopback, no token).

    The app serves the API routers and the built front end behind the host and token guard, and runs
    the job pump and the idle-session expiry while it lives.
    """
    settings = settings or Settings()
    context = Context.create(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(context.jobs.run_pump()), asyncio.create_task(context.sessions.run_expiry())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(context.close)

    app = FastAPI(
        title="ferrogym dashboard",
        summary="Environments, training jobs, models, scenarios and recordings of ferrogym.",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ctx = context
    errors.install(app)

    app.add_middleware(Guard, settings=settings)  # Host, token, Origin, body size: see security.py
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["authorization", "content-type"],
    )
    for r in (system, envs, training, models, scenarios, recordings, calibrate):
        app.include_router(r.router)

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "DELETE", "PUT", "PATCH"], include_in_schema=False)
    def api_not_found(rest: str) -> JSONResponse:
        return JSONResponse({"detail": f"no API endpoint /api/{rest}"}, 404)

    if (STATIC / "index.html").is_file():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")

        @app.get("/{page:path}", include_in_schema=False)
        def index(page: str) -> FileResponse:
            # Client-side routes (/training, /models...) all load the single page.
            return FileResponse(STATIC / "index.html")

    return app
