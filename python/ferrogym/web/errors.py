"""Every failure is a 4xx JSON ``{"detail": ...}`` with a clear message; an
unexpected error is a 500 naming only the exception type and message (never a
traceback)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ferrogym.errors import FerrogymError
from ferrogym.web.adapters.recordings import ReplayError
from ferrogym.web.exceptions import CapReached, NotFound, without_folders
from ferrogym.web.jsonable import jsonable

log = logging.getLogger("ferrogym.web")

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
    (CapReached, 429),
    (ReplayError, 409),
    (FerrogymError, 400),
    (ValueError, 400),
    (TypeError, 400),
)


def _detail(text: str, request: Request) -> str:
    settings = request.app.state.ctx.settings
    return without_folders(text, settings.recordings_dir, settings.models_dir, settings.calibrations_dir)


def install(app: FastAPI) -> None:
    """Maps ferrogym's exceptions to HTTP statuses (404, 409, 429, 400) with a JSON ``detail`` free of server paths."""
    for exc_type, status in _STATUS:

        def handler(request: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": _detail(str(exc), request)}, status_code=status)

        app.add_exception_handler(exc_type, handler)

    def invalid(request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own 422 echoes the input, which JSON cannot carry when it is NaN or infinite.
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)

    def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        detail = _detail(f"internal error: {type(exc).__name__}: {exc}", request)
        return JSONResponse({"detail": detail}, status_code=500)

    app.add_exception_handler(Exception, unexpected)
