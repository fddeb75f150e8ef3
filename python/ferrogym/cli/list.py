"""``ferrogym list``: every env ferrogym registers, with id, version, spaces,
backend (Rust or Python) and whether it has batched stepping; then the
multi-agent (PettingZoo) envs and how to build them."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ferrogym.envs import MULTI_AGENT_ENVS
from ferrogym.envs.catalogue import describe_env, env_ids


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
