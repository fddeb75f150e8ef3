"""``ferrogym list``: every env ferrogym registers, with id, version, spaces,
backend (Rust or Python) and whether it has batched stepping; then the
multi-agent (PettingZoo) envs and how to build them."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import gymnasium as gym
import typer
from rich.console import Console
from rich.table import Table

from ferrogym.envs import ENVS, MULTI_AGENT_ENVS
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


def run(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the environments ferrogym registers."""
    rows = [describe_env(i) for i in env_ids()]
    multi = [{"id": e.name, **dataclasses.asdict(e)} for e in MULTI_AGENT_ENVS]
    if json_out:
        typer.echo(json.dumps(rows + multi, indent=2))
        return
    table = Table(title="ferrogym environments")
    table.add_column("id", no_wrap=True)
    for col in ("version", "observation space", "action space", "backend", "batched"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["id"],
            "-" if r["version"] is None else f"v{r['version']}",
            r["observation_space"],
            r["action_space"],
            r["backend"],
            "yes" if r["batched"] else "no",
        )
    console = Console()
    console.print(table)
    agents = Table(title="multi-agent environments (PettingZoo; pip install 'ferrogym\\[pettingzoo]')")
    for col in ("name", "build with", "API", "backend"):
        agents.add_column(col, overflow="fold")
    for m in multi:
        agents.add_row(m["name"], f"{m['factory']}()", m["api"], m["backend"])
    console.print(agents)
