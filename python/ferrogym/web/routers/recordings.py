"""Recordings: save an env session's episode, list the recordings folder
(the dashboard's JSON episodes and ``ferrogym.record`` Parquet/HDF5 files),
and replay any step of any episode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from ferrogym.web.adapters import record_files
from ferrogym.web.adapters.record_files import LogReplayer
from ferrogym.web.adapters.recordings import Recording, Replayer, list_recordings, load, path_of
from ferrogym.web.adapters.transcript import action_labels
from ferrogym.web.context import MODEL_NAME, Context, ctx
from ferrogym.web.exceptions import CapReached, without_folders
from ferrogym.web.jsonable import jsonable
from ferrogym.web.png import data_url
from ferrogym.web.schemas import RecordedEpisode, RecordingInfo, ReplayFrame, SaveRecording

router = APIRouter(prefix="/api/recordings", tags=["recordings"])
Ctx = Annotated[Context, Depends(ctx)]
Name = Annotated[str, Path(pattern=MODEL_NAME)]

#: Replayers kept open (each holds an env) for scrubbing.
KEEP_REPLAYERS = 4


def _info(name: str, rec: Recording) -> RecordingInfo:
    return RecordingInfo(
        name=name, env_id=rec.env_id, steps=rec.steps, episode_return=sum(rec.rewards), seed=rec.seed, policy=rec.policy
    )


@router.get("")
def recordings(c: Ctx) -> list[RecordingInfo]:
    """The dashboard's JSON episodes, then the ferrogym.record files (one row per file);
    a file that cannot be opened is listed with its ``error``."""
    d = c.settings.recordings_dir
    if not d.is_dir():
        return []
    out = []
    for name, rec in list_recordings(d, c.settings.limits.max_recording_bytes):
        if isinstance(rec, Recording):
            out.append(_info(name, rec))
        else:
            out.append(_broken(name, without_folders(str(rec), d), "dashboard"))
    for f in record_files.list_files(d):
        if f.error is not None:
            out.append(_broken(f.name, without_folders(f.error, d), "record"))
            continue
        out.append(
            RecordingInfo(
                name=f.name,
                env_id=f.env_id,
                kind="record",
                episodes=f.episodes,
                steps=f.steps,
                episode_return=f.mean_return,
                seed=None,
                policy=None,
            )
        )
    return out


def _broken(name: str, error: str, kind: Literal["dashboard", "record"]) -> RecordingInfo:
    return RecordingInfo(
        name=name, env_id="", kind=kind, episodes=0, steps=0, episode_return=None, seed=None, policy=None, error=error
    )


@router.post("", status_code=201)
def save(body: SaveRecording, c: Ctx) -> RecordingInfo:
    """Saves a session's episode so far as a recording (capped in number and size)."""
    session = c.sessions.get(body.session)
    if record_files.is_record_file(body.name):
        raise ValueError(f"{body.name!r} ends like a ferrogym.record file; pick a name without that suffix")
    d, limits = c.settings.recordings_dir, c.settings.limits
    path = path_of(d, body.name)
    if path.exists() or path.is_symlink():
        raise ValueError(f"a recording named {body.name!r} exists already; pick another name")
    if d.is_dir() and sum(1 for _ in d.iterdir()) >= limits.max_recordings:
        raise CapReached(f"the recordings folder holds {limits.max_recordings} files (the cap); delete some first")
    with session.lock:
        if session.step == 0:
            raise ValueError("the session has taken no step since its reset: nothing to record")
        rec = session.recording()
    rec.save(path, limits.max_recording_bytes)
    return _info(body.name, rec)


@router.get("/{name}/episodes")
def episodes(name: Name, c: Ctx) -> list[RecordedEpisode]:
    """The episodes a recording holds (a dashboard recording holds one, numbered 0)."""
    if record_files.is_record_file(name):
        rec = record_files.open_file(c.settings.recordings_dir, name)
        return [RecordedEpisode(**row) for row in record_files.episode_table(rec)]
    r = load(c.settings.recordings_dir, name, c.settings.limits.max_recording_bytes)
    return [RecordedEpisode(episode=0, env_index=0, steps=r.steps, episode_return=sum(r.rewards), seed=r.seed)]


AnyReplayer = Replayer | LogReplayer


def _label(r: Replayer, action: object) -> str | None:
    labels = action_labels(r.env)
    return labels[action] if labels and isinstance(action, int) and 0 <= action < len(labels) else None


def _with_replayer(
    c: Context, key: str, open_one: Callable[[], AnyReplayer], use: Callable[[AnyReplayer], ReplayFrame]
) -> ReplayFrame:
    with c.lock:
        replayer = c.replayers.pop(key, None)
    if replayer is None:
        replayer = open_one()
    try:
        return use(replayer)
    finally:
        with c.lock:  # one request uses a replayer at a time: it was popped above
            other = c.replayers.pop(key, None)
            if other is not None:  # a concurrent request opened one too
                other.close()
            c.replayers[key] = replayer
            while len(c.replayers) > KEEP_REPLAYERS:
                c.replayers.popitem(last=False)[1].close()


@router.get("/{name}/frames/{step}")
def frame(name: Name, step: int, c: Ctx, episode: Annotated[int, Query(ge=0)] = 0) -> ReplayFrame:
    """Step ``step`` (0: the reset) of ``episode`` (files hold several; a dashboard recording only 0)."""
    d = c.settings.recordings_dir
    if record_files.is_record_file(name):

        def open_log() -> LogReplayer:
            return LogReplayer(record_files.open_file(d, name), episode)

        def use_log(r: AnyReplayer) -> ReplayFrame:
            assert isinstance(r, LogReplayer)
            row = r.at(step)
            pixels = row.pop("frame_array")
            return ReplayFrame(name=name, frame=None if pixels is None else data_url(pixels), **jsonable(row))

        return _with_replayer(c, f"{name}#{episode}", open_log, use_log)

    if episode != 0:
        raise ValueError(f"recording {name!r} holds one episode (0), not {episode}")

    def use(r: AnyReplayer) -> ReplayFrame:
        assert isinstance(r, Replayer)
        r.seek(step)
        rec = r.rec
        return ReplayFrame(
            name=name,
            episode=0,
            step=step,
            steps=rec.steps,
            action=rec.actions[step - 1] if step > 0 else None,
            action_label=_label(r, rec.actions[step - 1]) if step > 0 else None,
            reward=r.last_reward,
            cumulative_return=r.cumulative,
            reward_components=r.last_components,
            frame=data_url(r.frame()),
            frame_source="re-simulated",
        )

    return _with_replayer(c, name, lambda: Replayer(load(d, name, c.settings.limits.max_recording_bytes)), use)
