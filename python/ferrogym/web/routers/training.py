"""Training jobs: start, list, stop, and a WebSocket of live metrics."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

import gymnasium as gym
import numpy as np
from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect

from ferrogym.errors import ConfigError
from ferrogym.training import prepare
from ferrogym.web.context import Context, ctx, ws_ctx
from ferrogym.web.env_factory import action_mask, make_env
from ferrogym.web.exceptions import NotFound
from ferrogym.web.jobs import ACTIVE, topic
from ferrogym.web.schemas import CurriculumSpec, JobInfo, StartJob
from ferrogym.web.security import origin_ok, token_ok
from ferrogym.web.stream import Client
from ferrogym.web.worker import curriculum_from_spec, request_from_spec

router = APIRouter(prefix="/api/jobs", tags=["training"])
Ctx = Annotated[Context, Depends(ctx)]


def _check_spec(body: StartJob, c: Context) -> None:
    cap = c.settings.limits.max_timesteps
    if body.total_timesteps > cap:
        raise ValueError(f"total_timesteps {body.total_timesteps} is above the cap of {cap}")
    # Validates id and config before a process starts.
    env = make_env(body.env_id, body.config, render=False, max_episode_steps=c.settings.limits.max_episode_steps)
    try:
        env.reset(seed=body.seed)
        if body.curriculum is not None:
            _check_curriculum(body.env_id, body.curriculum, env)
    finally:
        env.close()
    prepare(request_from_spec(body.model_dump()))  # the algorithm fits the env (the service's own check)


def _check_curriculum(env_id: str, spec: CurriculumSpec, env: gym.Env[Any, Any]) -> None:
    """Refuses a curriculum the worker could not run: bad settings, an env
    without ``set_config``, knobs it rejects, or no success flag in its infos."""
    curriculum_from_spec(spec.model_dump(), seed=0)  # CurriculumError (400) names the bad setting
    set_config = getattr(env.unwrapped, "set_config", None)
    if set_config is None:
        raise ValueError(f"{env_id} cannot change its config while training, so it cannot follow a curriculum")
    for level in spec.levels:
        try:
            set_config(level.knobs)  # ConfigError (400) names the env, knob and value
        except ConfigError as e:
            raise ConfigError(f"curriculum level {level.name!r}: {e}") from None
    group, flag = spec.success
    mask = action_mask(env)
    _, _, _, _, info = env.step(int(np.flatnonzero(mask)[0]) if mask is not None else env.action_space.sample())
    if not isinstance(info.get(group), dict) or flag not in info[group]:
        raise ValueError(f"{env_id}'s step infos have no {group!r}/{flag!r} success flag for the curriculum")


@router.post("", status_code=201)
def start(body: StartJob, c: Ctx) -> JobInfo:
    """Starts a training job (capped in number); its progress streams on the job's WebSocket."""
    _check_spec(body, c)
    job = c.jobs.start(body.model_dump())
    return JobInfo(**job.info())


@router.get("")
def jobs(c: Ctx) -> list[JobInfo]:
    """Lists the training jobs."""
    return [JobInfo(**j.info()) for j in c.jobs.jobs.values()]


@router.get("/{job_id}")
def job(job_id: str, c: Ctx) -> dict[str, Any]:
    """The job and the metric points it keeps (the latest ``job_history``)."""
    j = c.jobs.get(job_id)
    return {"job": JobInfo(**j.info()).model_dump(), "history": list(j.history)}


@router.post("/{job_id}/stop")
def stop(job_id: str, c: Ctx) -> JobInfo:
    """Asks a training job to stop; it saves the model trained so far."""
    return JobInfo(**c.jobs.stop(job_id).info())


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    await websocket.accept()
    await websocket.send_json({"type": "refused", "error": reason})
    await websocket.close(code=code, reason=reason[:120])


async def _drain_incoming(websocket: WebSocket, limit: int) -> None:
    """Clients send nothing we act on; an oversized message closes the socket."""
    while True:
        msg = await websocket.receive()
        if msg["type"] == "websocket.disconnect":
            return
        size = len(msg.get("text") or "") + len(msg.get("bytes") or b"")
        if size > limit:
            await websocket.close(code=1009, reason=f"message of {size} bytes is above the cap of {limit}")
            return


@router.websocket("/{job_id}/ws")
async def stream(websocket: WebSocket, job_id: str) -> None:
    """History first (``{"type": "history"}``), then every live message; each
    carries ``dropped``: messages this client lost because it read too slowly."""
    c = ws_ctx(websocket)
    if not token_ok(websocket, c.settings):
        await _refuse(websocket, 4401, "missing or wrong token")
        return
    if not origin_ok(websocket, c.settings):
        await _refuse(websocket, 4403, f"origin {websocket.headers.get('origin')!r} is not allowed")
        return
    try:
        j = c.jobs.get(job_id)
    except NotFound as e:
        await _refuse(websocket, 4404, str(e))
        return
    client: Client | None = c.broadcaster.subscribe(topic(job_id))
    if client is None:
        await _refuse(websocket, 1013, f"too many live clients ({c.settings.limits.max_ws_clients}, the cap)")
        return
    # Snapshot the history in the same event-loop turn as the subscription:
    # every later point is then in the queue and none is in both.
    first = {"type": "history", "job": j.info(), "history": list(j.history), "dropped": 0}
    await websocket.accept()
    reader = asyncio.create_task(_drain_incoming(websocket, c.settings.limits.max_message_bytes))
    try:
        await websocket.send_json(first)
        while True:
            if j.status not in ACTIVE and client.queue.empty():
                await websocket.close(code=1000, reason=f"job {j.status}")
                break
            getter = asyncio.ensure_future(client.queue.get())
            done, _ = await asyncio.wait({getter, reader}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                if reader in done:
                    break
                continue
            await websocket.send_json({**getter.result(), "dropped": client.dropped})
            client.sent += 1
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away mid-send
    finally:
        c.broadcaster.unsubscribe(client)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await reader
