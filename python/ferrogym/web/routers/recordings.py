"""Recordings: save an env session's episode, list them, replay any step."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from ferrogym.web.adapters.recordings import Replayer, list_recordings, load, path_of
from ferrogym.web.context import MODEL_NAME, Context, ctx
from ferrogym.web.png import data_url
from ferrogym.web.schemas import RecordingInfo, ReplayFrame, SaveRecording

router = APIRouter(prefix="/api/recordings", tags=["recordings"])
Ctx = Annotated[Context, Depends(ctx)]
Name = Annotated[str, Path(pattern=MODEL_NAME)]

#: Replayers kept open (each holds an env) for scrubbing.
KEEP_REPLAYERS = 4


def _info(name: str, rec: object) -> RecordingInfo:
    from ferrogym.web.adapters.recordings import Recording

    assert isinstance(rec, Recording)
    return RecordingInfo(
        name=name, env_id=rec.env_id, steps=rec.steps, episode_return=sum(rec.rewards), seed=rec.seed, policy=rec.policy
    )


@router.get("")
def recordings(c: Ctx) -> list[RecordingInfo]:
    return [_info(n, r) for n, r in list_recordings(c.settings.recordings_dir).items()]


@router.post("", status_code=201)
def save(body: SaveRecording, c: Ctx) -> RecordingInfo:
    session = c.sessions.get(body.session)
    path = path_of(c.settings.recordings_dir, body.name)
    if path.exists():
        raise ValueError(f"a recording named {body.name!r} exists already; pick another name")
    with session.lock:
        if session.step == 0:
            raise ValueError("the session has taken no step since its reset: nothing to record")
        rec = session.recording()
    rec.save(path)
    return _info(body.name, rec)


@router.get("/{name}/frames/{step}")
def frame(name: Name, step: int, c: Ctx) -> ReplayFrame:
    with c.lock:
        replayer = c.replayers.pop(name, None)
    if replayer is None:
        replayer = Replayer(load(path_of(c.settings.recordings_dir, name)))
    try:
        replayer.seek(step)
        rec = replayer.rec
        return ReplayFrame(
            name=name,
            step=step,
            steps=rec.steps,
            action=rec.actions[step - 1] if step > 0 else None,
            reward=replayer.last_reward,
            cumulative_return=replayer.cumulative,
            reward_components=replayer.last_components,
            frame=data_url(replayer.frame()),
        )
    finally:
        with c.lock:  # one request uses a replayer at a time: it was popped above
            other = c.replayers.pop(name, None)
            if other is not None:  # a concurrent request opened one too
                other.close()
            c.replayers[name] = replayer
            while len(c.replayers) > KEEP_REPLAYERS:
                c.replayers.popitem(last=False)[1].close()
