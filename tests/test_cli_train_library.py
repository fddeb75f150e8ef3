"""`ferrogym train --library sb3|rllib --config FILE.yaml`: the RLlib recipe end
to end (checkpoint, TensorBoard, evaluation, reload by `ferrogym evaluate`) and
the hyper-parameter file's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.errors import ConfigError
from ferrogym.training import hyperparams

runner = CliRunner()
TRAIN = ["train", "TicketRouting-v0", "--timesteps", "64", "--n-envs", "2", "--eval-seeds", "0"]


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "train.yaml"
    path.write_text(text)
    return path


def test_hyperparams__sections_pick_the_library_and_exponents_become_floats(tmp_path: Path) -> None:
    path = _yaml(tmp_path, "sb3: {learning_rate: 3e-4, n_steps: 32}\nrllib: {lr: 1e-3, model_config: {a: [1e2]}}\n")
    assert hyperparams.load(path, "sb3") == {"learning_rate": 3e-4, "n_steps": 32}
    assert hyperparams.load(path, "rllib") == {"lr": 1e-3, "model_config": {"a": [100.0]}}
    flat = _yaml(tmp_path, "gamma: 0.9\n")
    assert hyperparams.load(flat, "rllib") == {"gamma": 0.9}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- 1\n- 2\n", "must hold a mapping"),
        ("a: [1\n", "not valid YAML"),
        ("sb3: 3\n", "section 'sb3' must be a mapping"),
    ],
)
def test_hyperparams__malformed_file_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        hyperparams.load(_yaml(tmp_path, text), "sb3")
    with pytest.raises(ConfigError, match="cannot read"):
        hyperparams.load(tmp_path / "missing.yaml", "sb3")


@pytest.mark.parametrize(
    ("args", "yaml_text", "message"),
    [
        (
            ["--algo", "ppo"],
            "lerning_rate: 0.1\n",
            "unknown hyper-parameter 'lerning_rate' (did you mean 'learning_rate'?)",
        ),
        (["--algo", "dqn"], "clip_range: 0.1\n", "unknown hyper-parameter 'clip_range'"),
        ([], "seed: 3\n", "'seed' is set by ferrogym train, not by the config file: use --seed"),
        (["--num-workers", "2"], "", "--num-workers and --address are RLlib options"),
        (["--library", "rllib", "--algo", "a2c"], "", "--library rllib trains PPO"),
    ],
)
def test_cli_train__config_errors_exit_2_with_the_reason(
    tmp_path: Path, args: list[str], yaml_text: str, message: str
) -> None:
    result = runner.invoke(app, [*TRAIN, *args, "--config", str(_yaml(tmp_path, yaml_text)), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "model.zip").exists()


def test_cli_train__unknown_library_is_refused() -> None:
    result = runner.invoke(app, [*TRAIN, "--library", "cleanrl"])
    assert result.exit_code == 2
    assert "unknown library 'cleanrl'" in result.output


def test_cli_train__sb3_config_file_reaches_the_model(tmp_path: Path) -> None:
    path = _yaml(tmp_path, "rllib: {lr: 0.5}\nsb3: {n_steps: 16, gamma: 0.9}\n")
    result = runner.invoke(app, [*TRAIN, "--algo", "ppo", "--config", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["hyperparameters"]["n_steps"] == 16 and meta["hyperparameters"]["gamma"] == 0.9
    assert "lr" not in meta["hyperparameters"]


def test_cli_train__rllib_unknown_key_names_valid_ones(tmp_path: Path) -> None:
    pytest.importorskip("ray.rllib")
    result = runner.invoke(app, [*TRAIN, "--library", "rllib", "--config", str(_yaml(tmp_path, "entropy_coef: 0.1\n"))])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "unknown hyper-parameter 'entropy_coef' (did you mean 'entropy_coeff'?)" in text
    assert "train_batch_size_per_learner" in text


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # RLlib's own deprecations
def test_cli_train__rllib_trains_checkpoints_logs_and_evaluates(tmp_path: Path) -> None:
    pytest.importorskip("ray.rllib")
    out = tmp_path / "run"
    config = _yaml(tmp_path, "rllib: {num_epochs: 1, lr: 1e-4, rollout_fragment_length: 32}\n")
    args = ["train", "TicketRouting-v0", "--library", "rllib", "--num-workers", "1", "--n-envs", "2"]
    args += ["--timesteps", "200", "--eval-seeds", "2", "--config", str(config), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["library"] == "rllib" and meta["timesteps"] >= 200
    assert meta["hyperparameters"]["lr"] == 1e-4 and meta["num_env_runners"] == 1
    assert (out / "checkpoint" / "rllib_checkpoint.json").exists()
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))
    report = json.loads((out / "eval.json").read_text())
    assert {"rllib-ppo", "sed", "random"} <= set(report["summary"])
    # The saved run is a policy for `ferrogym evaluate`, loaded without Ray running; same seeds, same figures.
    again = runner.invoke(
        app, ["evaluate", "TicketRouting-v0", "-p", str(out), "--seeds", "2", "--json", str(tmp_path / "e.json")]
    )
    assert again.exit_code == 0, again.output
    summary = json.loads((tmp_path / "e.json").read_text())["summary"]
    assert summary["rllib-ppo:run"] == report["summary"]["rllib-ppo"]
