"""``ferrogym list``: every env ferrogym registers, with id, version, spaces,
backend (Rust or Python) and whether it has batched stepping; then the
multi-agent (PettingZoo) envs and how to build them."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ferrogym.envs import MULTI_AGENT_ENVS
from ferrogym.envs.catalogue import describe_env, env_ids


def run(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the environments ferrogym registers."""
    rows = [describe_env(i, cells=not json_out) for i in env_ids()]
    multi = [{"id": e.name, **dataclasses.asdict(e)} for e in MULTI_AGENT_ENVS]
    if json_out:
        typer.echo(json.dumps(rows + multi, indent=2))
        return
    # Narrow enough for an 80-column terminal: no side borders, the version
    # is already in the id, spaces in short form (--json has them in full).
    table = Table(
        title="ferrogym environments", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True
    )
    table.add_column("id", no_wrap=True)
    for col in ("observation", "action", "backend"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        backend = f"{r['backend']}, batched" if r["batched"] else r["backend"]
        table.add_row(r["id"], r["observation_cell"], r["action_cell"], backend)
    console = Console()
    console.print(table)
    agents = Table(
        title="multi-agent (PettingZoo; pip install 'ferrogym\\[pettingzoo]')",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    agents.add_column("name\nbuild with", no_wrap=True)
    agents.add_column("API\nbackend", no_wrap=True)
    for m in multi:
        agents.add_row(f"{m['name']}\n{m['factory']}()", f"{m['api']}\n{m['backend']}")
    console.print(agents)
