"""``ferrogym evaluate TicketRouting-v0``: dispatch policies on the same seeds,
a KPI table with 95% intervals and paired differences against the best
heuristic; ``--json`` / ``--csv`` write every figure."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ferrogym import kpi
from ferrogym.cli import evaluate_support as support
from ferrogym.cli.evaluate_headroom import run_headroom
from ferrogym.cli.kpi_report import print_headline
from ferrogym.cli.report_files import write_outputs
from ferrogym.errors import ConfigError, ModelFileError
from ferrogym.evaluation import DEFAULT_ENV, HELD_OUT_SEED, DispatchPolicy, Report, env_id, evaluate, make_batch
from ferrogym.policies import POLICIES, make_policy


def build_policies(names: list[str], env: str, seed: int, **env_kwargs: Any) -> dict[str, DispatchPolicy]:
    """Heuristics by name, the tuned stronger baselines (``lp-sed``, ``weighted-sed``, ``sed-hold``),
    or trained models from a path (a `ferrogym train` directory, SB3 or RLlib, or an SB3 .zip)."""
    from ferrogym.policies.stronger import STRONGER, Team, make_stronger

    probe = make_batch(env, 1, **env_kwargs)
    try:
        layout = probe.obs_layout
        team = None
        if any(n in STRONGER for n in names):
            probe.reset(seed=seed)
            team = Team.of(probe)
    finally:
        probe.close()
    out: dict[str, DispatchPolicy] = {}
    for name in names:
        if name in POLICIES:
            out[name] = make_policy(name, layout, seed=seed)
        elif name in STRONGER:
            assert team is not None
            out[name] = make_stronger(name, layout, team, seed=seed)
        elif _rllib_run(Path(name)):
            from ferrogym.cli.train_rllib import CHECKPOINT_DIR
            from ferrogym.integrations.rllib import ModulePolicy

            rllib = ModulePolicy.from_checkpoint(Path(name) / CHECKPOINT_DIR, name=f"rllib-ppo:{Path(name).name}")
            out[rllib.name] = rllib
        elif Path(name).exists():
            from ferrogym.training import load_policy

            try:
                model = load_policy(name)
            except ModelFileError as e:
                raise typer.BadParameter(str(e)) from None
            out[model.name] = model
        else:
            choices = ", ".join([*POLICIES, *STRONGER])
            raise typer.BadParameter(f"{name!r} is neither a policy ({choices}) nor a model path")
    return out


def parse_settings(settings: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as env arguments: a value that parses as JSON is
    that (``0.5``, ``true``, ``[[8, 16]]``), any other a plain string
    (``service=processor_sharing``)."""
    out: dict[str, Any] = {}
    for item in settings:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--set {item!r}: expected KEY=VALUE, e.g. service=processor_sharing")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        out[key.strip()] = value
    return out


def _scenario_config(path: Path | None) -> dict[str, Any]:
    """The config of a scenario file (``{}`` without one)."""
    if path is None:
        return {}
    from ferrogym.calibrate.scenario import load_scenario

    try:
        return dict(load_scenario(path).config)
    except ConfigError as e:
        raise typer.BadParameter(str(e)) from None


def _rllib_run(path: Path) -> bool:
    """A ``ferrogym train --library rllib`` directory (its meta.json says so)."""
    meta = path / "meta.json"
    return meta.is_file() and json.loads(meta.read_text()).get("library") == "rllib"


def _fmt(iv: kpi.Interval, signed: bool = False) -> str:
    if math.isnan(iv.mean):
        return "-"
    digits = 3 if abs(iv.mean) < 10 else 1
    mean = f"{iv.mean:+.{digits}f}" if signed else f"{iv.mean:.{digits}f}"
    return mean if math.isnan(iv.low) else f"{mean}±{iv.half_width:.{digits}f}"


def print_report(console: Console, report: Report, full: bool = False) -> None:
    """The headline KPIs in 80 columns (:mod:`ferrogym.cli.kpi_report`); ``full``: every KPI, wide."""
    if not full:
        print_headline(console, report)
        return
    summary = report.summary
    names = list(summary)
    keys = list(next(iter(summary.values())) if summary else {})
    kw = ", ".join(f"{k}={v}" for k, v in report.env_kwargs.items())
    table = Table(title=f"{report.env} ({kw}) — {len(report.seeds)} seeds, mean ± 95% CI", title_justify="left")
    table.add_column("KPI")
    for n in names:
        table.add_column(n, justify="right")
    for k in keys:
        table.add_row(k, *(_fmt(summary[n][k]) for n in names))
    console.print(table)
    best = report.best_heuristic()
    if best is None:
        return
    diffs = report.paired_vs(best)
    if not diffs:
        return
    t2 = Table(
        title=f"paired difference vs best heuristic '{best}' (by {kpi.PRIMARY}; same seeds), mean ± 95% CI",
        title_justify="left",
    )
    t2.add_column("KPI")
    for n in diffs:
        t2.add_column(n, justify="right")
    for k in keys:
        cells = []
        for n in diffs:
            iv = diffs[n][k]
            cell = _fmt(iv, signed=True)
            significant = not math.isnan(iv.low) and (iv.low > 0 or iv.high < 0)
            if significant and iv.mean != 0:
                won = kpi.better(k, iv.mean, 0.0)
                cell = f"[green]{cell}[/]" if won else f"[red]{cell}[/]"
            cells.append(cell)
        t2.add_row(k, *cells)
    console.print(t2)


def run_evaluation(
    console: Console,
    env: str,
    policies: dict[str, DispatchPolicy],
    seeds: list[int],
    env_kwargs: dict[str, Any],
) -> Report:
    """Evaluates ``policies`` on ``env`` over ``seeds`` with a live status line; returns the KPI report."""
    with console.status("evaluating") as status:
        return evaluate(
            policies,
            seeds,
            env,
            heuristics=[n for n in policies if n in POLICIES],
            progress=lambda name: status.update(f"evaluating {name} on {len(seeds)} seeds"),
            **env_kwargs,
        )


def run(
    env: Annotated[str, typer.Argument(help="Env id (a ferrogym env with an episode log).")] = DEFAULT_ENV,
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", "-p", help="Policy name or model path (repeatable); default: every heuristic."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            help="TicketRouting: scenario preset (default balanced). CustomerSupport: a named conversation or 'all' "
            "(default: held-out random customers)."
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(min=2, help="Episodes (one per seed).")] = 30,
    seed_start: Annotated[
        int, typer.Option(help="First seed (default held out from `ferrogym train`).")
    ] = HELD_OUT_SEED,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full report as JSON.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write KPI rows as CSV.")] = None,
    full: Annotated[
        bool,
        typer.Option("--wide", "--full", help="Every KPI, in a wide table (default: the headline KPIs in 80 columns)."),
    ] = False,
    headroom: Annotated[
        bool,
        typer.Option(
            "--headroom",
            help="TicketRouting: the best heuristic, the best tuned stronger baseline, the rollout planner and "
            "the information oracle, paired (ignores --policy).",
        ),
    ] = False,
    merge: Annotated[
        list[Path] | None,
        typer.Option(
            "--merge",
            help="--headroom: instead of evaluating, merge reports written with --json on disjoint seeds "
            "(repeatable; a long evaluation split across processes or machines).",
        ),
    ] = None,
    planner_samples: Annotated[int, typer.Option(help="--headroom: re-sampled futures per candidate (K).")] = 16,
    planner_horizon: Annotated[
        float,
        typer.Option(
            help="--headroom: minutes each rollout simulates (inf: to the episode's end; a rollout cut earlier "
            "pays what the episode's end would charge for the work it leaves open)."
        ),
    ] = math.inf,
    planner_candidates: Annotated[int, typer.Option(help="--headroom: candidate engineers per decision.")] = 5,
    planner_z: Annotated[
        float, typer.Option(help="--headroom: standard errors by which the planner must beat sed to switch.")
    ] = 1.0,
    vs: Annotated[
        list[str] | None,
        typer.Option(
            "--vs",
            help="TicketRouting: also compare every policy with this one, paired (repeatable; it must be one "
            "of --policy), e.g. --vs lp-sed; the JSON gets paired_vs with percentages.",
        ),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="TicketRouting: a config field over the scenario's, KEY=VALUE (repeatable; VALUE as JSON or "
            "a string), e.g. --set service=processor_sharing --set context_switch_penalty=0.2.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="TicketRouting: a scenario file (scenario.yaml from `ferrogym calibrate`) whose config the "
            "episodes use (--scenario and --set override it).",
        ),
    ] = None,
    trace: Annotated[
        Path | None,
        typer.Option(
            "--trace",
            help="TicketRouting: replay this ticket table (tickets.parquet or CSV from `ferrogym calibrate`) on "
            "the --config desk: the recorded arrivals for every policy (default: every heuristic and tuned "
            "stronger baseline); seeds vary only the work of tickets without a recorded effort.",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(help="--trace: days replayed from the scenario's start (default: the days the tickets span)."),
    ] = None,
) -> None:
    """Run policies on the same seeds and report KPIs with 95% intervals (TicketRouting: dispatch
    policies; CustomerSupport: its baselines and models, by scenario)."""
    console = Console()
    if env_id(env) == support.ENV_ID:
        if settings or config or trace:
            raise typer.BadParameter(
                "--set, --config and --trace are for TicketRouting's config; CustomerSupport takes --scenario"
            )
        _run_support(console, policy, scenario, seeds, seed_start, json_out, csv_out)
        return
    overrides: dict[str, Any] = {**({"scenario": scenario} if scenario else {}), **parse_settings(settings or [])}
    env_kwargs: dict[str, Any] = {"scenario": "balanced", **_scenario_config(config), **overrides}
    names = policy or list(POLICIES)
    seed_list = list(range(seed_start, seed_start + seeds))
    if merge and not headroom:
        raise typer.BadParameter("--merge combines headroom reports: add --headroom")
    if trace is not None:
        if headroom:
            raise typer.BadParameter("--headroom samples arrivals; it does not replay a --trace")
        from ferrogym.cli.evaluate_trace import run_trace

        run_trace(console, trace, config, policy, seed_list, overrides, days, full, json_out, csv_out)
        return
    if headroom:
        knobs = {
            "samples": planner_samples,
            "horizon_minutes": planner_horizon,
            "candidates": planner_candidates,
            "z": planner_z,
        }
        run_headroom(console, env, seed_list, env_kwargs, knobs, json_out, csv_out, full, merge)
        return
    try:
        policies = build_policies(names, env, seed_start, **env_kwargs)
    except (ValueError, TypeError, ImportError) as e:
        raise typer.BadParameter(str(e)) from None
    missing = [v for v in vs or [] if v not in policies]
    if missing:
        raise typer.BadParameter(f"--vs {missing[0]!r} is not among the policies evaluated: {', '.join(policies)}")
    report = run_evaluation(console, env_id(env), policies, seed_list, env_kwargs)
    if config is not None:
        # The scenario file holds the config; the title names it instead of listing it.
        report.env_kwargs = {"config": str(config), **overrides}
    report.compare_with = list(vs or [])
    print_report(console, report, full)
    write_outputs(report, json_out, csv_out)


def _run_support(
    console: Console,
    names: list[str] | None,
    scenario: str | None,
    seeds: int,
    seed_start: int,
    json_out: Path | None,
    csv_out: Path | None,
) -> None:
    from ferrogym.policies.customer_support import BASELINES

    try:
        scenarios = support.scenarios_for(scenario)
        policies = support.build_policies(names or list(BASELINES), seed_start)
    except (ValueError, ImportError, FileNotFoundError) as e:
        raise typer.BadParameter(str(e)) from None
    seed_list = list(range(seed_start, seed_start + seeds))
    with console.status(f"running {len(policies)} policies x {len(scenarios)} scenarios x {seeds} seeds"):
        report = support.evaluate(policies, scenarios, seed_list)
    support.print_report(console, report)
    write_outputs(report, json_out, csv_out)
