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


_DTYPES = {"float32": "f32", "float64": "f64", "int64": "i64", "int32": "i32", "int8": "i8", "uint8": "u8"}


def cell_space(space: gym.Space[Any]) -> str:
    """The shortest readable form, for a table cell: ``Box(4,) f32``."""
    if isinstance(space, gym.spaces.Box):
        shape = ", ".join(map(str, space.shape)) + ("," if len(space.shape) == 1 else "")
        return f"Box({shape}) {_DTYPES.get(str(space.dtype), str(space.dtype))}"
    if isinstance(space, gym.spaces.Tuple):  # one element a line
        return "Tuple(" + ",\n".join(cell_space(s) for s in space.spaces) + ")"
    return str(space)


def describe_env(env_id: str, cells: bool = False) -> dict[str, Any]:
    """What ``--json`` prints for ``env_id``; with ``cells``, also the short
    ``observation_cell`` and ``action_cell`` of the table."""
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
        failed = {"observation_space": f"cannot build: {e}", "action_space": ""}
        extra = {"observation_cell": failed["observation_space"], "action_cell": ""} if cells else {}
        return {**row, "backend": "?", **failed, **extra}
    try:
        row["backend"] = "Rust" if isinstance(env.unwrapped, RustEnv) else "Python"
        row["observation_space"] = short_space(env.observation_space)
        row["action_space"] = short_space(env.action_space)
        if cells:
            row["observation_cell"] = cell_space(env.observation_space)
            row["action_cell"] = cell_space(env.action_space)
    finally:
        env.close()
    return row
