"""``ferrogym evaluate TicketRouting-v0 --headroom``: the best heuristic, the
best tuned stronger baseline, the rollout planner and the information oracle
on the same held-out seeds, each paired against the rung below
(:mod:`ferrogym.headroom`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ferrogym import kpi
from ferrogym.cli.report_files import write_outputs
from ferrogym.errors import ConfigError
from ferrogym.headroom import HEADROOM_KPIS, Headroom, headroom


def _cell(d: dict[str, float], signed: bool = False, unit: str = "") -> str:
    if math.isnan(d["mean"]):
        return "-"
    fmt = "+.1f" if signed else ".1f"
    if math.isnan(d["low"]):
        return f"{d['mean']:{fmt}}{unit}"
    return f"{d['mean']:{fmt}}{unit} [{d['low']:{fmt}}, {d['high']:{fmt}}]"


def print_headroom(console: Console, h: Headroom) -> None:
    """Prints the headroom ladder: each rung's mean KPIs and its paired difference to the rung below."""
    r = h.report
    table = Table(
        title=f"{r.env} ({', '.join(f'{k}={v}' for k, v in r.env_kwargs.items())}) headroom — "
        f"{len(r.seeds)} seeds, means; differences paired against the rung named in 'vs', mean [95% CI]",
        title_justify="left",
    )
    for col in ("rung", "policy", *HEADROOM_KPIS, "vs", f"{kpi.PRIMARY} diff", "diff %", "sla_critical diff",
                "resolved diff"):  # fmt: skip
        table.add_column(col)
    for row in h.table():
        diffs = ["-"] * 4
        if row["vs"]:
            diffs = [
                _cell(row[f"{kpi.PRIMARY}_diff"], signed=True),
                _cell(row[f"{kpi.PRIMARY}_diff_pct"], signed=True, unit="%"),
                _cell({k: 100 * v if k != "n" else v for k, v in row["sla_critical_diff"].items()}, True, " pt"),
                _cell(row["resolved_diff"], signed=True),
            ]
        table.add_row(
            row["role"],
            row["policy"],
            *(_cell({**row[k], "low": math.nan}) for k in HEADROOM_KPIS),
            row["vs"] or "-",
            *diffs,
        )
    console.print(table)


def run_headroom(
    console: Console,
    env: str,
    seed_list: list[int],
    env_kwargs: dict[str, Any],
    planner_knobs: dict[str, Any],
    json_out: Path | None,
    csv_out: Path | None,
) -> None:
    """Runs the headroom ladder on ``env`` over ``seed_list``, prints it and writes the JSON and CSV asked for.

    Raises:
        typer.BadParameter: the env config or the planner knobs are invalid (the message names them).
    """
    with console.status("headroom") as status:
        try:
            h = headroom(
                env,
                seed_list,
                planner_knobs,
                progress=lambda name: status.update(f"evaluating {name} on {len(seed_list)} seeds"),
                **env_kwargs,
            )
        except (ConfigError, ValueError, TypeError) as e:
            raise typer.BadParameter(str(e)) from None
    print_headroom(console, h)
    write_outputs(h, json_out, csv_out)
