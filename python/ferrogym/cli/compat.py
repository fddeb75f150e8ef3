"""``ferrogym compat``: the compatibility matrix from the last tests/compat run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ferrogym.compat import (
    MODES,
    NOT_SUPPORTED,
    SHIPPED,
    SYMBOL,
    load_results,
    markdown,
    matrix,
    reasons,
    results_path,
)

STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow", "n/a": "dim"}


def run(
    results: Annotated[
        Path | None,
        typer.Option(help="Results file written by `pytest tests/compat` (default compat-results/matrix.json)."),
    ] = None,
    md: Annotated[bool, typer.Option("--markdown", help="Print the table as Markdown instead.")] = False,
) -> None:
    """Print which RL libraries work with which ferrogym env, single and batched."""
    path = results or results_path()
    data = load_results(path)
    if not data.get("cells") and results is None:
        # No run on this machine yet: the matrix measured when this ferrogym was built.
        path, data = SHIPPED, load_results(SHIPPED)
        typer.echo(
            f"no compat results at {results_path()}; showing the matrix shipped with ferrogym, measured "
            f"{data.get('measured', 'on an unknown date')} (`pytest tests/compat` measures this machine)",
            err=True,
        )
    if not data.get("cells"):
        typer.echo(f"no compat results at {path}: run `pytest tests/compat` first", err=True)
        raise typer.Exit(1)
    if md:
        typer.echo(markdown(data))
        return
    libs, envs, status = matrix(data)
    table = Table(title=f"ferrogym compatibility ({path}, measured {data.get('measured', '?')})")
    table.add_column("library", no_wrap=True)
    for env in envs:
        table.add_column(env.split("/")[-1] + "\nsingle / batched", overflow="fold")
    for lib in libs:
        row = []
        for env in envs:
            parts = []
            for mode in MODES:
                s = status.get((lib, env, mode))
                parts.append("-" if s is None else f"[{STYLE.get(s, '')}]{SYMBOL.get(s, s)}[/]")
            row.append(" / ".join(parts))
        if any(r != "- / -" for r in row):
            table.add_row(lib, *row)
    console = Console()
    console.print(table)
    versions = data.get("versions", {})
    console.print("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if v))
    for (lib, mode), why in NOT_SUPPORTED.items():
        console.print(f"[dim]n/a {lib} {mode}: {why}[/]")
    for lib, whys in reasons(data).items():
        for why in whys:
            console.print(f"[dim]n/a {lib} {why}[/]")
    if any(s == "fail" for s in status.values()):
        raise typer.Exit(1)
