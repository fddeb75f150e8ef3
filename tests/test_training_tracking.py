"""``ferrogym train --track mlflow`` against a real local MLflow file store:
parameters, metrics, the model and the KPI report as artifacts; TensorBoard
events on every run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app

pytest.importorskip("sb3_contrib")
mlflow = pytest.importorskip("mlflow")

runner = CliRunner()
HYPER = json.dumps({"n_steps": 48, "batch_size": 384, "torch_threads": 1})  # episodes end in update 2


def test_cli_train__track_mlflow_logs_params_metrics_model_and_kpi_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["train", "--algo", "batch-ppo", "--n-envs", "16", "--timesteps", "1536", "--hyper", HYPER]
    result = runner.invoke(app, [*args, "--out", str(out), "--eval-seeds", "2", "--track", "mlflow"])
    assert result.exit_code == 0, result.output
    client = mlflow.MlflowClient(tracking_uri=(out / "mlruns").resolve().as_uri())
    (experiment,) = [e for e in client.search_experiments() if e.name == "ferrogym"]
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["algo"] == "batch-ppo" and params["env.scenario"] == "balanced" and params["hyper.n_steps"] == "48"
    assert {"train/policy_loss", "train/value_loss", "timesteps"} <= set(run.data.metrics)
    assert any(k.startswith("reward_components/") for k in run.data.metrics)
    assert run.data.metrics["timesteps"] == 1536
    history = client.get_metric_history(run.info.run_id, "train/policy_loss")
    assert [m.step for m in history] == [768, 1536]  # one point per update
    model_files = {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    assert model_files == {"model/model.zip", "model/meta.json"}
    reports = {a.path for a in client.list_artifacts(run.info.run_id, "kpi_report")}
    assert reports == {"kpi_report/eval.json", "kpi_report/eval.csv"}
    assert any((out / "tb").iterdir())  # TensorBoard as well


def test_cli_train__unknown_tracker_is_a_usage_error_before_training(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "--timesteps", "10", "--out", str(tmp_path), "--track", "wandb"])
    assert result.exit_code == 2 and "expected one of mlflow" in result.output
    assert not (tmp_path / "model.zip").exists()
