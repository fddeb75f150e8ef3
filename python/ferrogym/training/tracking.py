"""Experiment tracking beside TensorBoard (which every run writes, see
:mod:`ferrogym.training.service`): ``--track mlflow`` records a run in a
local MLflow file store under the run directory (``RUN_DIR/mlruns``; browse
with ``mlflow ui --backend-store-uri RUN_DIR/mlruns``): the request and the
hyper-parameters as parameters, episode returns, reward components and
update losses as metrics, the model and the KPI report as artifacts.
Needs the ``mlflow`` extra (``pip install 'ferrogym[mlflow]'``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ferrogym.training.model_files import META_FILE, MODEL_FILE
from ferrogym.training.service import Reporter, TrainRequest, TrainResult

#: Trackers ``--track`` takes (TensorBoard is always on).
TRACKERS = ("mlflow",)
#: The MLflow store's folder inside a run directory.
MLFLOW_DIR = "mlruns"
#: Episode metrics are averaged and logged at most this often (a file write each).
FLUSH_SECONDS = 1.0


def _mlflow() -> Any:
    # MLflow 3 keeps its file store in maintenance mode and refuses it unless
    # this is set; a file store needs no database and lives in the run folder.
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    from ferrogym.extras import require

    return require("mlflow", "mlflow", "--track mlflow")


class MlflowTracker(Reporter):
    """Forwards to ``inner`` (the progress bar, the dashboard's reporter) and
    logs to an MLflow run in ``out/mlruns``; :meth:`finish` adds the artifacts
    and ends the run."""

    def __init__(self, inner: Reporter, out: Path, request: TrainRequest, experiment: str = "ferrogym") -> None:
        mlflow = _mlflow()
        self.inner = inner
        self.store = (out / MLFLOW_DIR).resolve()
        self.client = mlflow.MlflowClient(tracking_uri=self.store.as_uri())
        found = self.client.get_experiment_by_name(experiment)
        experiment_id = found.experiment_id if found is not None else self.client.create_experiment(experiment)
        self.run_id: str = self.client.create_run(experiment_id, run_name=out.name).info.run_id
        params = {
            "env_id": request.env_id,
            "algo": request.algo,
            "policy_arch": request.arch,
            "n_envs": request.envs,
            "seed": request.seed,
            "timesteps": request.timesteps,
            "warm_start": request.warm_start or "",
            **{f"env.{k}": v for k, v in request.env_kwargs.items()},
            **{f"hyper.{k}": v for k, v in request.hyper.items()},
        }
        for key, value in params.items():
            self.client.log_param(self.run_id, key, str(value)[:500])
        self._episodes: list[tuple[float, dict[str, float]]] = []
        self._last_flush = time.monotonic()
        self._step = 0

    def started(self, model: Any, total: int) -> None:
        """Passes the start on to ``inner``."""
        self.inner.started(model, total)

    def progress(self, timesteps: int) -> bool:
        """Logs the episodes collected when due; stops when ``inner`` says so."""
        self._step = timesteps
        if self._episodes and time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self._flush()
        return self.inner.progress(timesteps)

    def episode(self, timesteps: int, episode_return: float, length: int, components: dict[str, float]) -> None:
        """Keeps the episode's return and components for the next log, and passes it on."""
        self._episodes.append((episode_return, components))
        self.inner.episode(timesteps, episode_return, length, components)

    def update(self, timesteps: int, stats: dict[str, float]) -> None:
        """Logs the update's losses and speed under ``train/`` and passes them on."""
        self._log({f"train/{k}": v for k, v in stats.items()}, timesteps)
        self.inner.update(timesteps, stats)

    def _log(self, metrics: dict[str, float], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        self.client.log_batch(self.run_id, metrics=[Metric(k, float(v), now, step) for k, v in metrics.items()])

    def _flush(self) -> None:
        n = len(self._episodes)
        metrics = {"rollout/ep_rew_mean": sum(r for r, _ in self._episodes) / n, "rollout/episodes": float(n)}
        names = {k for _, c in self._episodes for k in c}
        for name in names:
            metrics[f"reward_components/{name}"] = sum(c.get(name, 0.0) for _, c in self._episodes) / n
        self._log(metrics, self._step)
        self._episodes = []
        self._last_flush = time.monotonic()

    def finish(self, result: TrainResult | None, reports: Sequence[Path] = (), status: str = "FINISHED") -> None:
        """Logs what is left: pending episode metrics, the model and its
        meta.json, the KPI report files that exist; ends the run."""
        if self._episodes:
            self._flush()
        if result is not None:
            # The hyper-parameters in effect, defaults included (the request held only the overrides).
            logged = set(self.client.get_run(self.run_id).data.params)
            for k, v in result.meta["hyperparameters"].items():
                if f"hyper.{k}" not in logged:
                    self.client.log_param(self.run_id, f"hyper.{k}", str(v)[:500])
            self._log({"timesteps": float(result.meta["timesteps"])}, int(result.meta["timesteps"]))
            for name in (MODEL_FILE, META_FILE):
                self.client.log_artifact(self.run_id, str(result.out / name), artifact_path="model")
        for path in reports:
            if path.is_file():
                self.client.log_artifact(self.run_id, str(path), artifact_path="kpi_report")
        self.client.set_terminated(self.run_id, status=status)
