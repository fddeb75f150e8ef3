"""`ferrogym evaluate` and `ferrogym train` through typer's CliRunner, and the
evaluation runner's pairing of seeds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.errors import ModelFileError
from ferrogym.evaluation import env_id, evaluate, make_batch, run_policy
from ferrogym.kpi import episode_kpis
from ferrogym.policies import POLICIES, make_policy
from ferrogym.training import load_policy

runner = CliRunner()
ID = "ferrogym/TicketRouting-v0"


def test_evaluate__batched_run_equals_single_episodes_per_seed() -> None:
    layout = make_batch(ID, 1).obs_layout
    seeds = [5, 9, 2]
    batched = run_policy(make_policy("sed", layout), seeds, ID, scenario="understaffed")
    for seed, row in zip(seeds, batched, strict=True):
        env = gym.make(ID, scenario="understaffed")
        obs, _ = env.reset(seed=seed)
        policy = make_policy("sed", layout)
        totals: dict[str, float] = {}
        truncated = False
        while not truncated:
            obs, _, _, truncated, info = env.step(policy(obs, env.unwrapped.action_masks()))  # type: ignore[attr-defined]
            for k, v in info["reward_components"].items():
                totals[k] = totals.get(k, 0.0) + float(v)
        single = episode_kpis(env.unwrapped.episode_log(), totals, env.unwrapped.config.kwargs())  # type: ignore[attr-defined]
        assert single.keys() == row.keys()
        for k in single:
            assert np.isclose(single[k], row[k], equal_nan=True, rtol=1e-9), (seed, k)


def test_evaluate__best_heuristic_excludes_random_and_paired_rows_are_complete() -> None:
    layout = make_batch(ID, 1).obs_layout
    pols = {n: make_policy(n, layout, seed=0) for n in ("random", "round-robin", "sed")}
    report = evaluate(pols, [1, 2, 3], ID, heuristics=list(pols))
    assert report.best_heuristic() in ("round-robin", "sed")
    rows = report.rows()
    assert {r["policy"] for r in rows} == set(pols)
    assert all(r["vs"] == report.best_heuristic() for r in rows)
    assert env_id("TicketRouting-v0") == ID


def test_cli_evaluate__table_json_and_csv(tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "e.json", tmp_path / "e.csv"
    args = ["evaluate", "TicketRouting-v0", "--scenario", "specialists", "--seeds", "3", "--wide"]
    result = runner.invoke(app, [*args, "--json", str(out_json), "--csv", str(out_csv)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "paired difference vs best heuristic" in result.output
    assert "util_jain" in result.output and "pickup_p95" in result.output  # --wide: every KPI
    data = json.loads(out_json.read_text())
    assert data["seeds"] == [10_000, 10_001, 10_002]
    assert set(data["summary"]) == set(POLICIES)
    assert data["best_heuristic"] in POLICIES
    assert len(data["per_seed"]["sed"]) == 3
    with out_csv.open() as f:
        rows = list(csv.DictReader(f))
    assert {r["policy"] for r in rows} == set(POLICIES)
    assert any(r["kpi"] == "sla_critical" for r in rows)


def test_cli_evaluate__report_fits_80_columns_with_policies_as_rows() -> None:
    args = ["evaluate", "TicketRouting-v0", "--scenario", "specialists", "--seeds", "3"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, result.output
    assert "…" not in result.output  # nothing cut: every name and figure whole
    best = next(line for line in lines if "vs the best heuristic" in line).split(", ")[1].split()[0]
    for name in POLICIES:  # one row per policy in each table (the best is not in the paired one)
        assert sum(line.split()[:1] == [name] for line in lines) == 2 - (name == best), name
    header = " ".join(lines)
    for column in ("weighted", "p95", "critical", "SLA", "spread", "at end"):
        assert column in header
    assert "util_jain" not in result.output  # the full list is for --wide, JSON and CSV


def test_cli_evaluate__set_passes_config_fields_to_the_env(tmp_path: Path) -> None:
    out_json = tmp_path / "e.json"
    args = ["evaluate", "--seeds", "2", "--policy", "sed", "--json", str(out_json)]
    sets = ["--set", "service=processor_sharing", "--set", "context_switch_penalty=0.25"]
    result = runner.invoke(app, [*args, *sets])
    assert result.exit_code == 0, result.output
    kwargs = json.loads(out_json.read_text())["env_kwargs"]
    assert kwargs == {"scenario": "balanced", "service": "processor_sharing", "context_switch_penalty": 0.25}
    fifo = run_policy(make_policy("sed", make_batch(ID, 1).obs_layout), [10_000, 10_001], ID)
    shared = json.loads(out_json.read_text())["per_seed"]["sed"]
    assert [r["reward"] for r in shared] != [r["reward"] for r in fifo]


@pytest.mark.parametrize(
    ("setting", "message"),
    [("service", "expected KEY=VALUE"), ("service=lifo", "processor_sharing"), ("cap=-1", "cap")],
)
def test_cli_evaluate__bad_set_is_a_usage_error(setting: str, message: str) -> None:
    result = runner.invoke(app, ["evaluate", "--seeds", "2", "--policy", "sed", "--set", setting])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_evaluate__unknown_policy_is_a_usage_error() -> None:
    result = runner.invoke(app, ["evaluate", "--policy", "nobody", "--seeds", "2"])
    assert result.exit_code == 2
    assert "neither a policy" in result.output


@pytest.mark.parametrize("algo", ["maskable-ppo", "dqn"])
def test_cli_train__saves_model_and_evaluates_it(tmp_path: Path, algo: str) -> None:
    out = tmp_path / algo
    args = ["train", "--algo", algo, "--timesteps", "256", "--n-envs", "2", "--out", str(out), "--eval-seeds", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "model.zip").exists()
    meta = json.loads((out / "meta.json").read_text())
    # An algorithm without masks trains (and is evaluated) with masked choices re-routed.
    fallback = {} if algo == "maskable-ppo" else {"invalid_action": "fallback"}
    assert meta["algo"] == algo and meta["env_kwargs"] == {"scenario": "balanced", **fallback}
    assert meta["timesteps"] >= 256
    report = json.loads((out / "eval.json").read_text())
    assert algo in report["summary"]
    # The saved model is a policy for `ferrogym evaluate --policy DIR`.
    policy = load_policy(out)
    assert policy.masked == (algo == "maskable-ppo")
    ev = runner.invoke(app, ["evaluate", "--policy", str(out), "--policy", "sed", "--seeds", "2"])
    assert ev.exit_code == 0, ev.output


def test_cli_train__set_trains_and_evaluates_on_the_changed_config(tmp_path: Path) -> None:
    # Reward weights reduced to the KPI's objective: the evaluation's reward has no SLA term.
    args = ["train", "--timesteps", "128", "--n-envs", "2", "--out", str(tmp_path), "--eval-seeds", "2"]
    sets = ["--scenario", "specialists", "--set", "sla_penalty=[0, 0, 0, 0]", "--set", "burnout_weight=0"]
    result = runner.invoke(app, [*args, *sets])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["env_kwargs"] == {"scenario": "specialists", "sla_penalty": [0, 0, 0, 0], "burnout_weight": 0}
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["env_kwargs"] == meta["env_kwargs"]
    rows = report["per_seed"]["sed"]
    assert all(r["reward_sla"] == 0.0 and r["reward_burnout"] == 0.0 for r in rows)
    assert any(r["sla_critical"] < 1.0 for r in rows)  # breaches still happen: only their price is zero
    more = tmp_path / "more"
    resume = ["train", "--resume", str(tmp_path), "--timesteps", "64", "--eval-seeds", "0", "--out", str(more)]
    resumed = runner.invoke(app, resume)
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((more / "meta.json").read_text())["env_kwargs"] == meta["env_kwargs"]


@pytest.mark.parametrize(("setting", "message"), [("cap=-1", "cap"), ("nonsense=1", "nonsense")])
def test_cli_train__bad_set_is_a_usage_error_before_training(tmp_path: Path, setting: str, message: str) -> None:
    result = runner.invoke(app, ["train", "--timesteps", "10", "--out", str(tmp_path), "--set", setting])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "model.zip").exists()


def test_cli_train__max_minutes_stops_early_and_still_saves(tmp_path: Path) -> None:
    args = ["train", "--timesteps", "100000", "--n-envs", "2", "--out", str(tmp_path), "--eval-seeds", "0"]
    result = runner.invoke(app, [*args, "--max-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "stopped at" in result.output
    assert json.loads((tmp_path / "meta.json").read_text())["timesteps"] < 100000


def test_cli_train__unknown_algo_lists_the_choices_and_missing_model_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "--algo", "sac", "--timesteps", "10", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown algorithm 'sac'" in result.output and "batch-ppo" in result.output
    assert not (tmp_path / "model.zip").exists()
    with pytest.raises(ModelFileError, match="no model at /nonexistent/run"):
        load_policy("/nonexistent/run")


@pytest.mark.slow
def test_maskable_ppo__short_training_beats_random_on_balanced(tmp_path: Path) -> None:
    out = tmp_path / "ppo"
    args = ["train", "--timesteps", "150000", "--out", str(out), "--eval-seeds", "20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "eval.json").read_text())
    per_seed = report["per_seed"]
    ppo = np.array([r["weighted_resolution"] for r in per_seed["maskable-ppo"]])
    rnd = np.array([r["weighted_resolution"] for r in per_seed["random"]])
    diff = ppo - rnd  # same seeds: paired
    assert diff.mean() + 2.1 * diff.std(ddof=1) / np.sqrt(diff.size) < 0


def test_cli_evaluate__stronger_baselines_by_name_and_paired_vs_one_of_them(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["evaluate", "--scenario", "specialists", "--seeds", "3", "-p", "sed", "-p", "lp-sed", "-p", "weighted-sed"]
    result = runner.invoke(app, [*args, "--vs", "lp-sed", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "paired difference vs lp-sed" in result.output
    data = json.loads(out.read_text())
    row = data["paired_vs"]["lp-sed"]["sed"]["weighted_resolution"]
    summary = data["summary"]
    diff = summary["sed"]["weighted_resolution"]["mean"] - summary["lp-sed"]["weighted_resolution"]["mean"]
    assert row["mean"] == pytest.approx(diff)
    assert row["mean_pct"] == pytest.approx(100 * diff / summary["lp-sed"]["weighted_resolution"]["mean"])


def test_cli_evaluate__vs_a_policy_not_evaluated_is_a_usage_error() -> None:
    result = runner.invoke(app, ["evaluate", "--seeds", "2", "-p", "sed", "--vs", "lp-sed"])
    assert result.exit_code == 2
    assert "not among the policies evaluated" in result.output
