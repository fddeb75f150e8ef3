from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import ferrogym
from conftest import EXAMPLES
from ferrogym.cli import app
from ferrogym.envs import MULTI_AGENT_ENVS

runner = CliRunner()
FAST = ["--steps", "60", "--fuzz-examples", "8", "--skip", "speed"]


def test_cli_list__shows_id_version_spaces_backend_and_batching() -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["ferrogym/CartPole-v1"]["backend"] == "Rust"
    assert rows["ferrogym/CartPole-v1"]["batched"] is True
    assert rows["ferrogym/CartPole-v1"]["version"] == 1
    assert rows["examples/Inventory-v0"]["backend"] == "Python"
    assert rows["examples/Inventory-v0"]["batched"] is False
    assert rows["examples/Inventory-v0"]["observation_space"] == "Box([0, 20], (1,), float32)"
    table = runner.invoke(app, ["list"])
    assert table.exit_code == 0
    assert "Corridor" in table.output


def test_cli_list__fits_an_80_column_terminal_one_line_per_env() -> None:
    result = runner.invoke(app, ["list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, result.output
    assert "…" not in result.output
    for env in ferrogym.ENVS:
        row = next(line for line in lines if line.startswith(env.id + " "))
        assert ("Rust, batched" in row and "Discrete" in row) or "Box" in row, row
    for m in MULTI_AGENT_ENVS:
        assert f"{m.factory}()" in result.output


def test_cli_list__shows_the_multi_agent_envs_and_their_factories_build_them() -> None:
    import importlib

    result = runner.invoke(app, ["list", "--json"])
    multi = [r for r in json.loads(result.output) if "factory" in r]
    assert {r["name"] for r in multi} >= {"MultiTeamTicketRouting", "PredatorPrey", "ConnectFour (two players)"}
    for r in multi:
        module, func = r["factory"].split(":")
        env = getattr(importlib.import_module(module), func)()
        env.reset(seed=0)
        assert env.possible_agents, r["name"]
        env.close()
    table = runner.invoke(app, ["list"])
    assert "PredatorPrey" in table.output and "ParallelEnv" in table.output


def test_cli_check__passing_env_exits_zero() -> None:
    result = runner.invoke(app, ["check", f"{EXAMPLES / 'inventory.py'}:InventoryEnv", *FAST])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_cli_check__broken_env_exits_one_with_hints_and_json() -> None:
    target = f"{EXAMPLES / 'broken_env.py'}:BrokenWalkEnv"
    result = runner.invoke(app, ["check", target, *FAST])
    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert "hint" in result.output
    as_json = runner.invoke(app, ["check", target, "--json", *FAST])
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["ok"] is False


def test_cli_check__several_targets_give_a_json_list() -> None:
    result = runner.invoke(
        app, ["check", "ferrogym/CartPole-v1", "ferrogym/GridWorld-v0", "--json", "--only", "determinism"]
    )
    assert result.exit_code == 0, result.output
    assert [r["env_id"] for r in json.loads(result.output)] == ["ferrogym/CartPole-v1", "ferrogym/GridWorld-v0"]


def test_cli_check__bad_usage_exits_two() -> None:
    assert runner.invoke(app, ["check"]).exit_code == 2
    assert runner.invoke(app, ["check", "ferrogym/CartPole-v1", "--only", "nope"]).exit_code == 2


@pytest.mark.parametrize(
    "env_id", ["ferrogym/TicketRouting-v0", "ferrogym/ConnectFour-v0", "ferrogym/CustomerSupport-v0"]
)
def test_cli_bench__peer_steps_masked_envs_with_valid_actions(env_id: str) -> None:
    result = runner.invoke(app, ["bench", env_id, "-n", "4", "--seconds", "0.02", "--json"])
    assert result.exit_code == 0, result.output
    modes = [r["mode"] for r in json.loads(result.output)]
    assert modes == ["single env", "batched (Rust)", "SyncVectorEnv (peer)"]


def test_cli_bench__reports_single_batched_and_peer() -> None:
    args = ["bench", "ferrogym/CartPole-v1", "-n", "8", "--seconds", "0.02", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    modes = [r["mode"] for r in json.loads(result.output)]
    assert modes == ["single env", "batched (Rust)", "SyncVectorEnv (peer)"]
    table = runner.invoke(app, args[:-1])
    assert table.exit_code == 0
    assert "vs SyncVectorEnv" in table.output
    assert runner.invoke(app, ["bench", "ferrogym/Nope-v0"]).exit_code == 2
