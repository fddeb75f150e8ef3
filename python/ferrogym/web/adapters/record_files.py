"""``ferrogym.record`` recordings (Parquet, or HDF5) on the Replay page.

A file holds one or more episodes, logged row by row: observations, actions,
rewards with their components, infos, and env states (on reset rows, or on
every row with ``states="all"``). The page reads rewards and components from
the log. Frames are drawn from the recorded state where there is one;
elsewhere the env is re-simulated with the recorded actions from the nearest
earlier state (or from the reset seed), and every reward and observation must
match the log, or the replay stops with a 409 saying where it diverged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.errors import NondeterminismError, RecordingError
from ferrogym.web.adapters.recordings import ReplayError, safe_path, set_elapsed
from ferrogym.web.adapters.transcript import action_labels
from ferrogym.web.env_factory import make_env
from ferrogym.web.exceptions import NotFound

SUFFIXES = (".parquet", ".h5", ".hdf5")


def is_record_file(name: str) -> bool:
    """Returns whether ``name`` is a ferrogym.record file (Parquet or HDF5) by its suffix."""
    return name.lower().endswith(SUFFIXES)


@dataclass
class FileSummary:
    """One record file as the recordings list shows it; an unreadable file carries its ``error``."""

    name: str
    env_id: str
    episodes: int
    steps: int
    mean_return: float | None
    #: Why the file cannot be opened (it is listed all the same).
    error: str | None = None


def open_file(directory: Path, name: str) -> Any:
    """The :class:`ferrogym.record.Recording` called ``name`` in ``directory``."""
    from ferrogym.record import Recording

    if not is_record_file(name):
        raise NotFound(f"no recording {name!r}")
    path = safe_path(directory, name)
    if not path.is_file():
        raise NotFound(f"no recording {name!r}")
    try:
        return Recording(path)
    except RecordingError as e:
        raise ReplayError(str(e)) from None
    except ImportError as e:  # pyarrow / h5py missing
        raise ReplayError(f"cannot open {name!r}: {e}") from None


def episode_table(rec: Any) -> list[dict[str, Any]]:
    """One row per episode: id, sub-env, transitions, return, reset seed."""
    try:
        cols = rec.columns(["episode", "env_index", "step", "reward", "seed"])
    except RecordingError as e:
        raise ReplayError(str(e)) from None
    rows: dict[int, dict[str, Any]] = {}
    for ep, env_index, step, reward, seed in zip(
        cols["episode"], cols["env_index"], cols["step"], cols["reward"], cols["seed"], strict=True
    ):
        row = rows.setdefault(
            int(ep), {"episode": int(ep), "env_index": int(env_index), "steps": 0, "episode_return": 0.0, "seed": None}
        )
        if int(step) == 0:
            row["seed"] = None if seed is None else int(seed)
        elif reward is not None and not (isinstance(reward, float) and math.isnan(reward)):
            row["steps"] += 1
            row["episode_return"] += float(reward)
    return [rows[k] for k in sorted(rows)]


def list_files(directory: Path) -> list[FileSummary]:
    """Returns a summary of every record file in ``directory`` (empty when the folder does not exist)."""
    out: list[FileSummary] = []
    if not directory.is_dir():
        return out
    for path in sorted(p for p in directory.iterdir() if is_record_file(p.name)):
        try:
            rec = open_file(directory, path.name)
            table = episode_table(rec)
        except (ReplayError, NotFound) as e:
            out.append(FileSummary(path.name, "", 0, 0, None, str(e)))
            continue
        except Exception as e:  # pyarrow/h5py raise their own types: one bad file must not hide the rest
            out.append(FileSummary(path.name, "", 0, 0, None, f"cannot read {path.name!r}: {type(e).__name__}: {e}"))
            continue
        returns = [r["episode_return"] for r in table]
        out.append(
            FileSummary(
                path.name,
                rec.meta.env_id,
                len(table),
                sum(r["steps"] for r in table),
                float(np.mean(returns)) if returns else None,
            )
        )
    return out


def rebuild_env(rec: Any) -> gym.Env[Any, Any]:
    """The recorded env, built like any client's: the env id from the allow-list
    (a file naming ``module:Env-v0`` imports nothing) and the config checked."""
    meta = rec.meta
    config = dict(meta.env_kwargs)
    if meta.extra.get("max_episode_steps") is not None:
        config["max_episode_steps"] = meta.extra["max_episode_steps"]
    return make_env(meta.env_id, config)


class LogReplayer:
    """Scrubs one episode of a recording file: the log at any step, and the
    frame where the env can be rebuilt; keeps states every ``every`` steps
    of re-simulation so scrubbing back costs at most ``every`` steps."""

    def __init__(self, rec: Any, episode: int, every: int = 50) -> None:
        if episode not in set(rec.episodes().tolist()):
            raise NotFound(f"{rec.path.name} has no episode {episode}")
        try:
            self.ep = rec.episode(episode)
        except RecordingError as e:
            raise ReplayError(str(e)) from None
        self.name = rec.path.name
        self.every = every
        self.env: gym.Env[Any, Any] | None = None
        self.note: str | None = None
        try:
            self.env = rebuild_env(rec)
        except (RecordingError, gym.error.Error, TypeError, ValueError, NotFound) as e:
            self.note = f"no frames: the env cannot be rebuilt ({e})"
        self._get = getattr(self.env.unwrapped, "get_state", None) if self.env else None
        self._set = getattr(self.env.unwrapped, "set_state", None) if self.env else None
        if self.env is not None and self._set is None and self.ep.seed is None:
            self.note = "no frames: the env has no set_state and the episode no reset seed"
        self.labels = action_labels(self.env) if self.env is not None else None
        #: Where the simulation stands (None: not started), and states it kept.
        self.pos: int | None = None
        self.snapshots: dict[int, Any] = {}

    @property
    def steps(self) -> int:
        """Transitions in the episode."""
        return len(self.ep)

    def _diverged(self, t: int, what: str, detail: str) -> ReplayError:
        return ReplayError(
            f"{self.name} episode {self.ep.episode}: the replay diverges at step {t}: {what} {detail} "
            "(the env or its config changed since it was recorded)"
        )

    def _restart(self, t: int) -> None:
        """Puts the env at the latest known state at or before ``t``."""
        assert self.env is not None
        known = {k: s for k, s in enumerate(self.ep.states[: t + 1]) if s is not None} if self._set else {}
        known.update({k: s for k, s in self.snapshots.items() if k <= t})
        if known:
            base = max(known)
            if self.pos is None:  # Gymnasium's order checks want a reset before the first render
                self.env.reset(seed=self.ep.seed)
            assert self._set is not None
            self._set(known[base])
            set_elapsed(self.env, base)
            self.pos = base
            return
        if self.ep.seed is None:
            raise ReplayError(
                f"{self.name} episode {self.ep.episode}: no recorded state and no reset seed to replay from"
            )
        obs, _ = self.env.reset(seed=self.ep.seed)
        if not np.array_equal(np.asarray(obs).reshape(self.ep.observations[0].shape), self.ep.observations[0]):
            raise self._diverged(0, "the reset observation", f"with seed {self.ep.seed} differs from the log")
        self.pos = 0

    def _frame(self, t: int) -> Any:
        if self.env is None or self.note is not None:
            return None
        if self.pos is None or t < self.pos or t - self.pos > self.every or self.ep.states[t] is not None:
            self._restart(t)
        assert self.pos is not None
        discrete = isinstance(self.env.action_space, gym.spaces.Discrete)
        while self.pos < t:
            a = self.ep.actions[self.pos]
            obs, reward, _, _, _ = self.env.step(int(a.reshape(())) if discrete else a)
            self.pos += 1
            if float(reward) != float(self.ep.rewards[self.pos - 1]):
                raise self._diverged(
                    self.pos, "reward", f"{float(reward)!r}, recorded {self.ep.rewards[self.pos - 1]!r}"
                )
            expected = self.ep.observations[self.pos]
            if not np.array_equal(np.asarray(obs).reshape(expected.shape), expected):
                raise self._diverged(self.pos, "the observation", "differs from the log")
            if self._get is not None and self.pos % self.every == 0:
                self.snapshots.setdefault(self.pos, self._get())
        return self.env.render()

    def at(self, t: int) -> dict[str, Any]:
        """The log at step ``t`` (0: the reset) and the frame there."""
        if not 0 <= t <= self.steps:
            raise ValueError(f"step {t} is outside episode {self.ep.episode} (0..{self.steps})")
        try:
            frame = self._frame(t)
        except NondeterminismError as e:
            raise ReplayError(str(e)) from None
        prev = t - 1
        action = self.ep.actions[prev].tolist() if t > 0 else None
        return {
            "episode": self.ep.episode,
            "step": t,
            "steps": self.steps,
            "action": action,
            "action_label": self.labels[int(action)] if self.labels and isinstance(action, (int, float)) else None,
            "reward": float(self.ep.rewards[prev]) if t > 0 else None,
            "cumulative_return": float(self.ep.rewards[:t].sum()),
            "reward_components": {k: float(v[prev]) for k, v in self.ep.components.items()} if t > 0 else {},
            "terminated": bool(self.ep.terminated[prev]) if t > 0 else False,
            "truncated": bool(self.ep.truncated[prev]) if t > 0 else False,
            "info": self.ep.infos[t],
            "frame_array": frame,
            "frame_source": None
            if frame is None
            else ("recorded state" if self.ep.states[t] is not None else "re-simulated"),
            "note": self.note,
        }

    def _source(self, t: int) -> str:
        return "recorded state" if self._set is not None and self.ep.states[t] is not None else "re-simulated"

    def close(self) -> None:
        """Closes the rebuilt env, if there is one."""
        if self.env is not None:
            self.env.close()
