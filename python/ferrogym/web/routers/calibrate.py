"""Calibrate: upload a team's ticket export or event log, fit TicketRouting to
it (:mod:`ferrogym.web.calibrations`, the ``ferrogym calibrate`` pipeline),
read the report, and compare routing policies on the replayed history.

The upload is the request's raw body (the file's bytes), streamed to the
calibration's folder against ``max_upload_bytes``; how to read it comes in
the query (``filename``, ``preset``, ``map``... as the CLI's options). The
reading options are checked before a byte of the body is read.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from ferrogym.errors import ConfigError
from ferrogym.web.calibrations import CAL_ID, UPLOAD_NAME, CalibrationStore, Reading
from ferrogym.web.context import Context, ctx
from ferrogym.web.schemas import Compare, PresetInfo
from ferrogym.web.security import BodyTooLarge

router = APIRouter(prefix="/api/calibrations", tags=["calibrate"])
Ctx = Annotated[Context, Depends(ctx)]
CalId = Annotated[str, Path(pattern=CAL_ID)]
Items = Annotated[list[str], Query(max_length=32)]


def _store(c: Context) -> CalibrationStore:
    return c.calibrations


@router.get("/presets")
def presets() -> list[PresetInfo]:
    """The export layouts an upload can be read with (``ferrogym calibrate --preset``)."""
    from ferrogym.calibrate.presets import PRESETS

    return [PresetInfo(name=p.name, summary=p.summary, columns=p.columns) for p in PRESETS.values()]


@router.get("")
def calibrations(c: Ctx) -> list[dict[str, Any]]:
    """The calibrations kept on the server, newest first (their summaries)."""
    store = _store(c)
    return [store.summary(i) for i in store.ids()]


@router.post("", status_code=201)
async def upload(
    request: Request,
    c: Ctx,
    filename: Annotated[str, Query(pattern=UPLOAD_NAME, description="The file's name: .csv, .parquet or .xes.")],
    preset: str | None = None,
    map: Items = [],  # noqa: B006 - FastAPI copies query defaults
    event_log: bool = False,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    resource: str | None = None,
    created_activity: Items = [],  # noqa: B006
    assigned_activity: Items = [],  # noqa: B006
    resolved_activity: Items = [],  # noqa: B006
    tz: str = "UTC",
    weeks: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """Calibrates TicketRouting to the uploaded file; returns the calibration's summary (201).

    Raises (as JSON 4xx): 400 for a reading option or an input the CLI would
    refuse (the message names the column or field), 413 for a body above
    ``max_upload_bytes``, 429 when the calibrations cap is reached or another
    calibration is running.
    """
    limits = c.settings.limits
    weeks = limits.calibration_weeks if weeks is None else weeks
    if weeks > limits.max_calibration_weeks:
        raise ValueError(f"weeks = {weeks}; expected at most {limits.max_calibration_weeks} (max_calibration_weeks)")
    reading = Reading(
        filename=filename,
        preset=preset,
        maps=tuple(map),
        event_log=event_log,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        created=tuple(created_activity),
        assigned=tuple(assigned_activity),
        resolved=tuple(resolved_activity),
        tz=tz,
        weeks=weeks,
    )
    reading.mappings()  # a wrong preset or mapping is refused before the body is read
    store = _store(c)
    with store.slot():
        cal_id, folder = store.create()
        try:
            source = folder / f"input{reading.suffix}"
            received = 0
            with source.open("wb") as f:
                async for chunk in request.stream():
                    received += len(chunk)
                    if received > limits.max_upload_bytes:  # the Guard counts too; this holds without it
                        raise BodyTooLarge(limits.max_upload_bytes, "max_upload_bytes")
                    f.write(chunk)
            if received == 0:
                raise ConfigError(f"{filename}: the upload is empty; expected the file's bytes as the request body")
            return await asyncio.to_thread(store.calibrate, cal_id, source, reading)
        except BaseException:
            store.remove(cal_id)
            raise


@router.get("/{cal_id}")
def calibration(cal_id: CalId, c: Ctx) -> dict[str, Any]:
    """A calibration's summary: period, notes, the report's key tables, the validation and the figures."""
    return _store(c).summary(cal_id)


@router.get("/{cal_id}/files/{name}")
def calibration_file(cal_id: CalId, name: str, c: Ctx) -> FileResponse:
    """One of a calibration's report files: ``report.md``, ``report.html``, ``scenario.yaml`` or a PNG figure."""
    path = _store(c).file(cal_id, name)
    media = {".png": "image/png", ".html": "text/html", ".md": "text/markdown", ".yaml": "application/yaml"}
    return FileResponse(path, media_type=media[path.suffix])


@router.post("/{cal_id}/compare")
async def compare(cal_id: CalId, body: Compare, c: Ctx) -> dict[str, Any]:
    """Compares routing policies (registry names only) on the calibration's replayed tickets, as
    ``ferrogym evaluate --trace`` does; returns its KPI report rows."""
    from ferrogym.cli.evaluate_trace import DEFAULT_POLICIES
    from ferrogym.policies import POLICIES

    limits = c.settings.limits
    if body.seeds > limits.max_compare_seeds:
        raise ValueError(f"seeds = {body.seeds}; expected at most {limits.max_compare_seeds} (max_compare_seeds)")
    names = list(POLICIES) if body.policies is None else list(dict.fromkeys(body.policies))
    unknown = [n for n in names if n not in DEFAULT_POLICIES]
    if unknown or not names:
        raise ValueError(f"policies {unknown or names}: expected some of {DEFAULT_POLICIES}")
    store = _store(c)
    store.folder(cal_id)  # 404 before taking the slot
    seeds = list(range(body.seed, body.seed + body.seeds))
    with store.slot():
        return await asyncio.to_thread(store.compare, cal_id, names, seeds)


@router.delete("/{cal_id}", status_code=204)
def delete(cal_id: CalId, c: Ctx) -> Response:
    """Deletes a calibration and its files."""
    store = _store(c)
    store.folder(cal_id)
    store.remove(cal_id)
    return Response(status_code=204)
