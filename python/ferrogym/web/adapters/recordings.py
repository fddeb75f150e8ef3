"""Recorded runs the Replay page opens.

A recording here is what reproduces an episode exactly: env id, config, reset
seed and the actions taken, with the rewards seen at record time. Replaying
re-simulates from the seed (ferrogym envs are deterministic given seed and
actions), renders the frame at any step, and checks every reward against the
recorded one, so a recording that no longer replays says so instead of
showing a different episode.

This JSON format is the dashboard's own; ``ferrogym.record`` files (Parquet
or HDF5) in the same folder open through :mod:`.record_files`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.errors import FerrogymError
from ferrogym.web.exceptions import NotFound
from ferrogym.web.jsonable import jsonable

FORMAT = "ferrogym-web-recording/1"
SUFFIX = ".fgrec.json"


class ReplayError(FerrogymError, ValueError):
    """A recording that cannot be read or no longer replays as recorded."""


@dataclass
class Recording:
    env_id: str
    config: dict[str, Any]
    seed: int | None
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    policy: str | None = None

    @property
    def steps(self) -> int:
        return len(self.actions)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"format": FORMAT, **jsonable(asdict(self))}))


def path_of(directory: Path, name: str) -> Path:
    return directory / f"{name}{SUFFIX}"


def list_recordings(directory: Path) -> dict[str, Recording]:
    out: dict[str, Recording] = {}
    for p in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            out[p.name.removesuffix(SUFFIX)] = load(p)
        except ReplayError:
            continue  # unreadable files are not listed; opening one by name says why
    return out


def load(path: Path) -> Recording:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise NotFound(f"no recording {path.name.removesuffix(SUFFIX)!r}") from None
    except (OSError, json.JSONDecodeError) as e:
        raise ReplayError(f"cannot read recording {path.name!r}: {e}") from None
    if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
        raise ReplayError(f"{path.name!r} is not a {FORMAT} file")
    try:
        return Recording(**data)
    except TypeError as e:
        raise ReplayError(f"recording {path.name!r} has unexpected fields: {e}") from None


def set_elapsed(env: gym.Env[Any, Any], steps: int) -> None:
    """TimeLimit counts steps outside the env's state: restore its count too."""
    while isinstance(env, gym.Wrapper):
        if isinstance(env, gym.wrappers.TimeLimit):
            env._elapsed_steps = steps  # type: ignore[assignment]
        env = env.env


class Replayer:
    """Steps a fresh env through a recording; keeps states every ``every``
    steps so scrubbing backwards costs at most ``every`` steps."""

    def __init__(self, rec: Recording, every: int = 50) -> None:
        self.rec = rec
        self.every = every
        self.env = gym.make(rec.env_id, render_mode="rgb_array", disable_env_checker=True, **rec.config)
        self.env.reset(seed=rec.seed)
        self.step = 0
        self.cumulative = 0.0
        self.last_reward: float | None = None
        self.last_components: dict[str, float] = {}
        self.snapshots: dict[int, tuple[Any, float]] = {0: (self._state(), 0.0)}

    def _state(self) -> Any:
        return self.env.unwrapped.get_state()  # type: ignore[attr-defined]

    def seek(self, t: int) -> None:
        if not 0 <= t <= self.rec.steps:
            raise ValueError(f"step {t} is outside the recording (0..{self.rec.steps})")
        if t < self.step or t - self.step > self.every or (t == self.step and t > 0 and self.last_reward is None):
            # Restart from the nearest snapshot strictly before t, so the step
            # into t is taken and its reward and components are known.
            base = max(k for k in self.snapshots if k < t) if t > 0 else 0
            state, cumulative = self.snapshots[base]
            self.env.unwrapped.set_state(state)  # type: ignore[attr-defined]
            set_elapsed(self.env, base)
            self.step, self.cumulative, self.last_reward, self.last_components = base, cumulative, None, {}
        while self.step < t:
            action = self.rec.actions[self.step]
            _, reward, _, _, info = self.env.step(np.asarray(action) if isinstance(action, list) else action)
            expected = self.rec.rewards[self.step] if self.step < len(self.rec.rewards) else None
            if expected is not None and not math.isclose(float(reward), expected, rel_tol=1e-9, abs_tol=1e-9):
                raise ReplayError(
                    f"the recording diverges at step {self.step}: reward {float(reward)!r}, recorded {expected!r} "
                    "(the env or its config changed since it was recorded)"
                )
            self.step += 1
            self.cumulative += float(reward)
            self.last_reward = float(reward)
            self.last_components = {k: float(v) for k, v in info.get("reward_components", {}).items()}
            if self.step % self.every == 0:
                self.snapshots.setdefault(self.step, (self._state(), self.cumulative))

    def frame(self) -> Any:
        return self.env.render()

    def close(self) -> None:
        self.env.close()
