"""``ferrogym evaluate TicketRouting-v0 --trace tickets.parquet --config scenario.yaml``:
every policy on the team's recorded tickets (:mod:`ferrogym.calibrate.trace`),
with the same KPI report as the sampled evaluation and a statement of what
was replayed and what was sampled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from ferrogym.calibrate.trace import load_trace, replay, replay_kwargs
from ferrogym.cli.evaluate import build_policies, print_report
from ferrogym.cli.report_files import write_outputs
from ferrogym.errors import ConfigError
from ferrogym.evaluation import DEFAULT_ENV, DispatchPolicy
from ferrogym.policies import POLICIES
from ferrogym.policies.stronger import STRONGER

#: The default line-up on a trace: the heuristics, then the tuned stronger baselines.
DEFAULT_POLICIES = [*POLICIES, *STRONGER]


def build_trace_policies(names: list[str], seed: int, env_kwargs: dict[str, Any]) -> dict[str, DispatchPolicy]:
    """Policies by name in ``names`` order (heuristics, tuned stronger baselines with the team of the
    replayed desk, or model paths) on the replayed desk's config ``env_kwargs``."""
    return build_policies(names, DEFAULT_ENV, seed, **env_kwargs)


def run_trace(
    console: Console,
    trace_path: Path,
    config_path: Path | None,
    names: list[str] | None,
    seed_list: list[int],
    overrides: dict[str, Any],
    days: int | None,
    full: bool,
    json_out: Path | None,
    csv_out: Path | None,
) -> None:
    """Loads the trace, runs the policies on it, prints and writes the report."""
    if config_path is None:
        raise typer.BadParameter(
            "--trace needs --config scenario.yaml: the calibrated desk the tickets are replayed on "
            "(`ferrogym calibrate` writes both)"
        )
    try:
        scenario, trace = load_trace(trace_path, config_path, days)
        kwargs = replay_kwargs(scenario, trace, overrides)
        policies = build_trace_policies(names or DEFAULT_POLICIES, seed_list[0], kwargs)
        with console.status("replaying") as status:
            result = replay(
                policies,
                seed_list,
                scenario,
                trace,
                overrides,
                progress=lambda name: status.update(f"replaying {trace.tickets} tickets under {name}"),
            )
    except (ConfigError, ValueError, TypeError, ImportError) as e:
        raise typer.BadParameter(str(e)) from None
    console.print(trace.describe(), highlight=False)
    print_report(console, result.report, full)
    write_outputs(result, json_out, csv_out)
