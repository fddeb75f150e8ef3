"""``ferrogym tune TicketRouting-v0 --scenario S``: tunes the stronger
baselines' knobs on training seeds and stores them where the policies read
them (``ferrogym/policies/tuned.json``)."""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ferrogym import kpi
from ferrogym.evaluation import DEFAULT_ENV
from ferrogym.policies.stronger import STRONGER, TUNED_PATH
from ferrogym.policies.tuning import check_training_seeds, store, tune


def run(
    env: Annotated[str, typer.Argument(help="Env id (TicketRouting).")] = DEFAULT_ENV,
    scenario: Annotated[str, typer.Option(help="Scenario preset to tune for.")] = "specialists",
    policy: Annotated[
        list[str] | None, typer.Option("--policy", "-p", help="Stronger baseline (repeatable); default: all.")
    ] = None,
    seeds: Annotated[int, typer.Option(min=2, help="Training episodes per grid point.")] = 200,
    seed_start: Annotated[int, typer.Option(min=0, help="First training seed (must stay below 10000).")] = 0,
    out: Annotated[Path, typer.Option(help="Where to store the tuned knobs.")] = TUNED_PATH,
) -> None:
    """Grid-search the stronger baselines' knobs on training seeds (never the held-out 10000+)."""
    console = Console()
    names = policy or list(STRONGER)
    unknown = [n for n in names if n not in STRONGER]
    if unknown:
        raise typer.BadParameter(f"unknown stronger baseline {unknown[0]!r}; expected one of {list(STRONGER)}")
    seed_list = list(range(seed_start, seed_start + seeds))
    try:
        check_training_seeds(seed_list)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    with console.status("tuning") as status:
        result = tune(env, seed_list, names, progress=lambda s: status.update(f"tuning {s}"), scenario=scenario)
    command = shlex.join(
        ["ferrogym", "tune", env, "--scenario", scenario, "--seeds", str(seeds), "--seed-start", str(seed_start)]
        + [a for n in names for a in ("--policy", n)]
    )
    store(scenario, result, seed_list, command, out)
    for name, t in result.items():
        value = t[kpi.PRIMARY]
        console.print(f"{name}: {t['params']} -> {kpi.PRIMARY} {value:.1f}" if math.isfinite(value) else name)
    console.print(f"stored in {out}")
