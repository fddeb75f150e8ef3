"""``ferrogym evaluate TicketRouting-v0 --headroom``: the best heuristic, the
best tuned stronger baseline, the rollout planner and the information oracle
on the same held-out seeds, each paired against the rung below
(:mod:`ferrogym.headroom`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ferrogym import kpi
from ferrogym.cli.report_files import write_outputs
from ferrogym.errors import ConfigError
from ferrogym.evaluation import env_id
from ferrogym.headroom import HEADROOM_KPIS, Headroom, headroom, merge_headroom


def _cell(d: dict[str, float], signed: bool = False, unit: str = "") -> str:
    if math.isnan(d["mean"]):
        return "-"
    fmt = "+.1f" if signed else ".1f"
    if math.isnan(d["low"]):
        return f"{d['mean']:{fmt}}{unit}"
    return f"{d['mean']:{fmt}}{unit} [{d['low']:{fmt}}, {d['high']:{fmt}}]"


def _num(x: float, unit: str = "") -> str:
    return f"{x:+.0f}{unit}" if abs(x) >= 100 else f"{x:+.1f}{unit}"


def _short(d: dict[str, float], unit: str = "", scale: float = 1.0) -> str:
    """A signed mean over its interval (two lines), for the 80-column table."""
    if math.isnan(d["mean"]):
        return "-"
    m, lo, hi = (scale * d[k] for k in ("mean", "low", "high"))
    return _num(m, unit) if math.isnan(lo) else f"{_num(m, unit)}\n[{_num(lo)},{_num(hi)}]"


def print_headroom(console: Console, h: Headroom, wide: bool = False) -> None:
    """Prints the headroom ladder: each rung's mean KPIs and its paired difference to the rung below.

    Args:
        console: where to print.
        h: the headroom report.
        wide: every column, with the rung's role and the differences in minutes;
            by default the ladder fits 80 columns.
    """
    r = h.report
    config = ", ".join(f"{k}={v}" for k, v in r.env_kwargs.items())
    if not wide:
        table = Table(
            title=f"{r.env} ({config}), {len(r.seeds)} seeds. Rows: the best heuristic, the best tuned rule, "
            "the planner, the oracle. Paired differences, mean [95% CI]: the tuned rule against the best "
            "heuristic; the planner and the oracle against the tuned rule.",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("policy")
        for col in ("weighted resolution", "difference", "critical SLA (pt)", "resolved"):
            table.add_column(col, justify="right")
        for row in h.table():
            diffs = ["-"] * 3
            if row["vs"]:
                diffs = [
                    _short(row[f"{kpi.PRIMARY}_diff_pct"], "%"),
                    _short(row["sla_critical_diff"], scale=100.0),
                    _short(row["resolved_diff"]),
                ]
            table.add_row(row["policy"], f"{row[kpi.PRIMARY]['mean']:.1f}", *diffs)
        console.print(table)
        return
    table = Table(
        title=f"{r.env} ({config}) headroom — "
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


#: Largest headroom JSON ``--merge`` reads (a 100-seed report is about 2 MB).
MAX_PART_BYTES = 256 * 2**20


def _read_part(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_PART_BYTES:
            raise typer.BadParameter(
                f"--merge {path}: {size} bytes; expected a headroom JSON of at most {MAX_PART_BYTES}"
            )
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise typer.BadParameter(f"--merge {path}: cannot read a headroom JSON ({e})") from None
    if not isinstance(doc, dict):
        raise typer.BadParameter(f"--merge {path}: expected a JSON object written by --headroom --json")
    return doc


def run_headroom(
    console: Console,
    env: str,
    seed_list: list[int],
    env_kwargs: dict[str, Any],
    planner_knobs: dict[str, Any],
    json_out: Path | None,
    csv_out: Path | None,
    wide: bool = False,
    merge: list[Path] | None = None,
) -> None:
    """Runs the headroom ladder on ``env`` over ``seed_list`` (or merges the
    parts in ``merge``, written by earlier runs on disjoint seeds), prints it
    and writes the JSON and CSV asked for.

    Raises:
        typer.BadParameter: the env config or the planner knobs are invalid, or a
            part cannot be merged (the message names the field or the file).
    """
    if merge:
        parts = [(str(p), _read_part(p)) for p in merge]
        for name, doc in parts:
            if doc.get("env") != env_id(env):
                raise typer.BadParameter(f"--merge {name}: a report of {doc.get('env')!r}, not of {env_id(env)!r}")
        try:
            h = merge_headroom(parts)
        except ConfigError as e:
            raise typer.BadParameter(str(e)) from None
    else:
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
    print_headroom(console, h, wide)
    write_outputs(h, json_out, csv_out)
