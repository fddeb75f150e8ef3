"""`ferrogym evaluate CustomerSupport-v0`: baselines and models on the same
customers, by named scenario, as a table, JSON and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.cli.evaluate_support import METRICS
from ferrogym.envs.customer_support import SCENARIOS
from ferrogym.policies.customer_support import BASELINES, RulePolicy, evaluate, run_scenario

runner = CliRunner()


def test_cli_evaluate_support__baselines_on_held_out_customers(tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "e.json", tmp_path / "e.csv"
    args = ["evaluate", "CustomerSupport-v0", "--seeds", "4", "--seed-start", "100"]
    result = runner.invoke(app, [*args, "--json", str(out_json), "--csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert "resolved" in result.output and "greedy_oracle" in result.output
    report = json.loads(out_json.read_text())
    summary = report["summary"]["random_customers"]
    assert list(summary) == list(BASELINES)
    # The same customers as the library's own evaluation.
    rule = evaluate(RulePolicy(), seeds=range(100, 104))
    assert summary["rule"]["return"]["mean"] == pytest.approx(rule.mean_return)
    assert summary["rule"]["resolved"]["mean"] == pytest.approx(rule.success_rate)
    with out_csv.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(BASELINES) * len(METRICS)


def test_cli_evaluate_support__every_named_scenario_runs_for_real(tmp_path: Path) -> None:
    out_json = tmp_path / "e.json"
    args = ["evaluate", "CustomerSupport-v0", "--scenario", "all", "-p", "rule", "--seeds", "2", "--seed-start", "7"]
    result = runner.invoke(app, [*args, "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    per_seed = json.loads(out_json.read_text())["per_seed"]
    assert list(per_seed) == list(SCENARIOS)
    for scenario in SCENARIOS:
        episode = run_scenario(scenario, RulePolicy(), seed=8)
        assert per_seed[scenario]["rule"][1]["return"] == pytest.approx(episode.total_reward)
        assert per_seed[scenario]["rule"][1]["turns"] == len(episode.turns)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "tax_question"], "unknown CustomerSupport scenario 'tax_question'"),
        (["-p", "sed"], "'sed' is neither a baseline"),
    ],
)
def test_cli_evaluate_support__bad_scenario_or_policy_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["evaluate", "CustomerSupport-v0", "--seeds", "2", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


def test_cli_evaluate_support__sb3_model_path_is_a_policy(tmp_path: Path) -> None:
    sb3 = pytest.importorskip("stable_baselines3")
    import gymnasium as gym

    env = gym.make("ferrogym/CustomerSupport-v0", invalid_action="fallback")
    sb3.PPO("MlpPolicy", env, n_steps=32, batch_size=32, n_epochs=1, device="cpu", seed=0).learn(32).save(
        tmp_path / "model.zip"
    )
    meta = {"algo": "ppo", "env_id": "ferrogym/CustomerSupport-v0", "env_kwargs": {"invalid_action": "fallback"}}
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "timesteps": 32}))
    out_json = tmp_path / "e.json"
    result = runner.invoke(
        app,
        ["evaluate", "CustomerSupport-v0", "-p", str(tmp_path), "-p", "rule", "--seeds", "2", "--json", str(out_json)],
    )
    assert result.exit_code == 0, result.output
    assert list(json.loads(out_json.read_text())["summary"]["random_customers"]) == [f"ppo:{tmp_path.name}", "rule"]
