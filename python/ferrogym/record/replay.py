"""Replay: rebuild a recorded episode and check it against the log.

With recorded states on every row (``states="all"``) frames are drawn from
the states themselves. Otherwise the env is re-simulated from the episode's
first state (or, without one, from its reset seed) with the recorded actions,
and every observation, reward and flag must match the log exactly: a
difference raises :class:`~ferrogym.errors.NondeterminismError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import NondeterminismError, RecordingError
from ferrogym.record.reader import Episode, Recording


@dataclass
class Replay:
    """A replayed episode: the frames (when rendered) and the observations seen."""

    episode: Episode
    source: Literal["states", "state", "seed"]
    observations: NDArray[Any]
    frames: list[Any] = field(default_factory=list)


def make_env(rec: Recording, render_mode: str | None) -> gym.Env[Any, Any]:
    """Rebuilds the env a recording was made with (its id, arguments and step limit).

    Raises:
        RecordingError: the env id is not registered here.
    """
    m = rec.meta
    try:
        spec = gym.spec(m.env_id)
    except gym.error.Error as e:
        raise RecordingError(f"{rec.path}: cannot rebuild env {m.env_id!r} to replay it ({e})") from None
    kwargs = dict(m.env_kwargs)
    if "max_episode_steps" in m.extra and m.extra["max_episode_steps"] is not None:
        kwargs["max_episode_steps"] = m.extra["max_episode_steps"]
    modes = spec.metadata.get("render_modes", []) if hasattr(spec, "metadata") else None
    del modes
    return gym.make(m.env_id, render_mode=render_mode, disable_env_checker=True, **kwargs)


def _action(a: NDArray[Any], discrete: bool) -> Any:
    return int(a.reshape(())) if discrete else a


def _differs(what: str, recorded: Any, replayed: Any) -> str | None:
    r, p = np.asarray(recorded), np.asarray(replayed)
    if r.shape != p.shape:
        return f"{what} has shape {p.shape}, recorded {r.shape}"
    if np.array_equal(r, p):
        return None
    i = tuple(int(k) for k in np.argwhere(r != p)[0]) if r.ndim else ()
    return f"{what}{list(i) if i else ''} is {p[i]!r}, recorded {r[i]!r}"


def replay_episode(
    rec: Recording | str,
    episode: int,
    *,
    render_mode: str | None = "rgb_array",
    env: gym.Env[Any, Any] | None = None,
) -> Replay:
    """Replays ``episode`` of ``rec``; frames are kept when ``render_mode`` is
    ``rgb_array`` or ``ansi`` (``human`` shows them as it goes)."""
    rec = rec if isinstance(rec, Recording) else Recording(rec)
    ep = rec.episode(episode)
    env = env if env is not None else make_env(rec, render_mode)
    try:
        return _replay(rec, ep, env)
    finally:
        env.close()


def _replay(rec: Recording, ep: Episode, env: gym.Env[Any, Any]) -> Replay:
    where = f"{rec.path} episode {ep.episode}"
    keep = env.render_mode in ("rgb_array", "ansi")
    frames: list[Any] = []
    setter = getattr(env.unwrapped, "set_state", None)

    def frame() -> None:
        if env.render_mode is None:
            return
        f = env.render()
        if keep:
            frames.append(f)

    if setter is not None and all(s is not None for s in ep.states):
        env.reset(seed=ep.seed)
        for s in ep.states:
            setter(s)
            frame()
        return Replay(ep, "states", ep.observations.copy(), frames)

    if setter is not None and ep.states[0] is not None:
        env.reset(seed=ep.seed)
        setter(ep.states[0])
        obs, source = ep.observations[0], "state"
    elif ep.seed is not None:
        obs, _ = env.reset(seed=ep.seed)
        source = "seed"
        problem = _differs("observation", ep.observations[0], np.asarray(obs).reshape(ep.observations[0].shape))
        if problem:
            raise NondeterminismError(f"{where}: the reset with seed {ep.seed} differs from the log: {problem}")
    else:
        raise RecordingError(
            f"{where}: has neither a recorded state nor a reset seed, so it cannot be replayed; "
            "record with states='reset' (the default) or reset with a seed"
        )
    frame()
    seen = [np.asarray(obs)]
    discrete = isinstance(env.action_space, gym.spaces.Discrete)
    for t in range(len(ep)):
        obs, reward, terminated, truncated, _ = env.step(_action(ep.actions[t], discrete))
        obs = np.asarray(obs).reshape(ep.observations[t + 1].shape)
        checks = (
            ("observation", ep.observations[t + 1], obs),
            ("reward", ep.rewards[t], float(reward)),
            ("terminated", ep.terminated[t], bool(terminated)),
            ("truncated", ep.truncated[t], bool(truncated)),
        )
        for what, recorded, replayed in checks:
            problem = _differs(what, recorded, replayed)
            if problem:
                raise NondeterminismError(
                    f"{where}: the replay (from the {source}) diverged at step {t + 1} of {len(ep)}: {problem}. "
                    "The env is not deterministic given its state/seed and actions, or the recording is from "
                    "another version of it."
                )
        seen.append(obs)
        frame()
    return Replay(ep, source, np.stack(seen), frames)  # type: ignore[arg-type]
