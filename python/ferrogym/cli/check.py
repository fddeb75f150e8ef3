"""``ferrogym check TARGET...``: the checker's report; exit code 1 when a
check fails, ``--json`` for CI."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ferrogym.envs.catalogue import env_ids
from ferrogym.validate import CHECK_NAMES, Options, Report, check

_STYLE = {"pass": "[green]PASS[/]", "fail": "[bold red]FAIL[/]", "skip": "[yellow]skip[/]"}


def print_report(console: Console, report: Report, verbose: bool) -> None:
    """Prints the checker's report as a table; ``verbose`` adds each check's notes."""
    title = report.target + (f" ({report.env_id})" if report.env_id and report.env_id != report.target else "")
    table = Table(title=escape(title), title_justify="left", show_lines=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for r in report.results:
        detail = escape(r.reason)
        if r.status == "fail" and r.hint:
            detail += f"\n[cyan]hint:[/] {escape(r.hint)}"
        if verbose:
            detail += "".join(f"\n[dim]note: {escape(n)}[/]" for n in r.notes)
        table.add_row(r.name, _STYLE[r.status], detail)
    console.print(table)
    if report.ok:
        console.print(f"[green]OK[/]: {len(report.results)} checks, none failed")
    else:
        console.print(f"[bold red]FAILED[/]: {len(report.failures)} of {len(report.results)} checks")


def run(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Env ids, module:Class, path/to/file.py:Class or env files (.yaml/.json)."),
    ] = None,
    all_envs: Annotated[bool, typer.Option("--all", help="Check every env ferrogym registers.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report(s) as JSON.")] = False,
    only: Annotated[list[str] | None, typer.Option(help=f"Run only these checks: {', '.join(CHECK_NAMES)}.")] = None,
    skip: Annotated[list[str] | None, typer.Option(help="Skip these checks (e.g. --skip speed).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of every rollout.")] = 0,
    steps: Annotated[int, typer.Option(min=1, help="Steps per random rollout.")] = 300,
    fuzz_examples: Annotated[int, typer.Option(min=1, help="Hypothesis examples per fuzz check.")] = 40,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show advice notes too.")] = False,
) -> None:
    """Check environments: Gymnasium and SB3 checkers, determinism, spaces, time limits, render modes,
    fuzzing, state round trip, batched parity and speed."""
    names = list(targets or []) + (env_ids() if all_envs else [])
    if not names:
        raise typer.BadParameter("give at least one TARGET, or --all")
    bad = sorted((set(only or []) | set(skip or [])) - set(CHECK_NAMES))
    if bad:
        raise typer.BadParameter(f"unknown check(s) {bad}; checks are {list(CHECK_NAMES)}")
    options = Options(seed=seed, steps=steps, fuzz_examples=fuzz_examples)
    console = Console()
    reports = []
    for name in names:
        if json_out:
            reports.append(check(name, options=options, only=only, skip=skip or ()))
        else:
            with console.status(f"checking {escape(name)}..."):
                reports.append(check(name, options=options, only=only, skip=skip or ()))
            print_report(console, reports[-1], verbose)
    if json_out:
        data = [r.to_dict() for r in reports]
        typer.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2, default=str))
    if not all(r.ok for r in reports):
        raise typer.Exit(code=1)
