"""The env catalogue: every env ferrogym registers and what each one is
(id, version, spaces, backend, batched stepping). ``ferrogym list`` prints
it; the dashboard serves it."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from ferrogym.envs import ENVS
from ferrogym.registry import REGISTERED
from ferrogym.rust_env import RustEnv


def env_ids() -> list[str]:
    """The ENVS table, then ids registered with ``@ferrogym.register``."""
    ids = [e.id for e in ENVS]
    return ids + [i for i in REGISTERED if i not in ids]


def short_space(space: gym.Space[Any]) -> str:
    """``Box(float32, (4,))`` rather than Gymnasium's repr with every bound."""
    if isinstance(space, gym.spaces.Box):
        low, high = space.low.flat[0], space.high.flat[0]
        uniform = (space.low == low).all() and (space.high == high).all()
        bounds = f"[{low:g}, {high:g}], " if uniform else ""
        return f"Box({bounds}{space.shape}, {space.dtype})"
    return str(space)


def describe_env(env_id: str) -> dict[str, Any]:
    spec = gym.spec(env_id)
    row: dict[str, Any] = {
        "id": env_id,
        "version": spec.version,
        "batched": spec.vector_entry_point is not None,
        "max_episode_steps": spec.max_episode_steps,
    }
    try:
        env = gym.make(env_id, disable_env_checker=True)
    except Exception as e:  # listed anyway: `ferrogym check` says more
        return {**row, "backend": "?", "observation_space": f"cannot build: {e}", "action_space": ""}
    try:
        row["backend"] = "Rust" if isinstance(env.unwrapped, RustEnv) else "Python"
        row["observation_space"] = short_space(env.observation_space)
        row["action_space"] = short_space(env.action_space)
    finally:
        env.close()
    return row
