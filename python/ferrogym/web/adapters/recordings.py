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
from pydantic import BaseModel, ConfigDict, ValidationError

from ferrogym.envs.catalogue import env_ids
from ferrogym.errors import FerrogymError
from ferrogym.web.env_factory import make_env
from ferrogym.web.exceptions import CapReached, NotFound
from ferrogym.web.jsonable import jsonable

FORMAT = "ferrogym-web-recording/1"
SUFFIX = ".fgrec.json"


class ReplayError(FerrogymError, ValueError):
    """A recording that cannot be read or no longer replays as recorded."""


@dataclass
class Recording:
    """A dashboard episode: env id, config and reset seed, then every action and reward, which replay it exactly."""

    env_id: str
    config: dict[str, Any]
    seed: int | None
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    policy: str | None = None

    @property
    def steps(self) -> int:
        """Transitions recorded."""
        return len(self.actions)

    def save(self, path: Path, max_bytes: int) -> None:
        """Writes a new file (never over an existing one, nor through a link), at most ``max_bytes``."""
        text = json.dumps({"format": FORMAT, **jsonable(asdict(self))})
        if len(text) > max_bytes:
            raise CapReached(f"the recording takes {len(text)} bytes, above the cap of {max_bytes}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x") as f:
                f.write(text)
        except FileExistsError:
            raise ValueError(f"a recording named {path.name.removesuffix(SUFFIX)!r} exists already") from None


class _File(BaseModel):
    """The types a recording file's fields must have (the file is client input like any other)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    env_id: str
    config: dict[str, Any]
    seed: int | None
    actions: list[Any] = []
    rewards: list[float] = []
    policy: str | None = None


def inside(directory: Path, path: Path) -> bool:
    """Whether ``path``, links followed, is in ``directory``: a link out of it is refused."""
    return path.resolve().is_relative_to(directory.resolve())


def safe_path(directory: Path, filename: str) -> Path:
    """Returns ``directory / filename``.

    Raises:
        ReplayError: the path is a symbolic link leading out of ``directory``.
    """
    path = directory / filename
    if path.is_symlink() and not inside(directory, path):
        raise ReplayError(f"{filename!r} is a link out of the recordings folder; it is not opened")
    return path


def path_of(directory: Path, name: str) -> Path:
    """Returns the path of recording ``name`` in ``directory``."""
    return directory / f"{name}{SUFFIX}"


def list_recordings(directory: Path, max_bytes: int) -> list[tuple[str, Recording | ReplayError]]:
    """Every dashboard recording in ``directory``: the recording, or why it cannot be read."""
    out: list[tuple[str, Recording | ReplayError]] = []
    for p in sorted(directory.glob(f"*{SUFFIX}")):
        name = p.name.removesuffix(SUFFIX)
        try:
            out.append((name, load(directory, name, max_bytes)))
        except (ReplayError, NotFound) as e:
            out.append((name, e if isinstance(e, ReplayError) else ReplayError(str(e))))
    return out


def load(directory: Path, name: str, max_bytes: int) -> Recording:
    """Reads recording ``name`` from ``directory``.

    Raises:
        NotFound: there is no such recording.
        ReplayError: the file is above ``max_bytes``, a link out of the folder, unreadable, or not a recording.
    """
    path = safe_path(directory, f"{name}{SUFFIX}")
    try:
        if path.stat().st_size > max_bytes:
            raise ReplayError(f"recording {path.name!r} is above the cap of {max_bytes} bytes")
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise NotFound(f"no recording {name!r}") from None
    except (OSError, ValueError) as e:  # not JSON, not UTF-8, a folder
        raise ReplayError(f"cannot read recording {path.name!r}: {e}") from None
    if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
        raise ReplayError(f"{path.name!r} is not a {FORMAT} file")
    unexpected = sorted(set(data) - set(_File.model_fields))
    if unexpected:
        raise ReplayError(f"recording {path.name!r} has unexpected fields {unexpected}")
    try:
        rec = Recording(**_File.model_validate(data).model_dump())
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ReplayError(f"recording {path.name!r}: field {where!r}: {first['msg']}") from None
    if rec.env_id not in env_ids():
        raise ReplayError(f"recording {path.name!r} is of env {rec.env_id!r}, which is not a registered ferrogym env")
    return rec


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
        self.env = make_env(rec.env_id, rec.config)
        self.env.reset(seed=rec.seed)
        self.step = 0
        self.cumulative = 0.0
        self.last_reward: float | None = None
        self.last_components: dict[str, float] = {}
        self.snapshots: dict[int, tuple[Any, float]] = {0: (self._state(), 0.0)}

    def _state(self) -> Any:
        return self.env.unwrapped.get_state()  # type: ignore[attr-defined]

    def seek(self, t: int) -> None:
        """Moves the replay to step ``t`` (0 is the reset), re-simulating from the nearest kept state.

        Raises:
            ValueError: ``t`` is outside ``0..steps``.
        """
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
        """Returns the env's render of the current step."""
        return self.env.render()

    def close(self) -> None:
        """Closes the replay env."""
        self.env.close()
