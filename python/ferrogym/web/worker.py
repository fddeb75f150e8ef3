"""The training process: one run of the training service
(:func:`ferrogym.training.train`), started by the job manager with
multiprocessing's ``spawn`` so the server's threads and event loop are never
forked; this module only reports its progress over a queue and stops it when
its event is set. The model lands in ``MODELS_DIR/NAME/`` in the service's
format, beside models trained with ``ferrogym train --out MODELS_DIR/NAME``.

Messages put on ``out`` (plain dicts, picklable):
``{"kind": "status", "status": ...}``, ``{"kind": "metric", ...MetricPoint}``,
``{"kind": "done", "model": path}`` and ``{"kind": "error", "error": text}``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ferrogym.training import Reporter

#: Progress messages sent per second at most.
MAX_POINTS_PER_SECOND = 20.0
#: KPI evaluations per job (one greedy episode each on a fixed seed).
KPI_EVALUATIONS = 10
#: Seed of the KPI episodes, apart from the training seeds.
KPI_SEED = 1_000_003


def curriculum_from_spec(spec: dict[str, Any], seed: int) -> Any:
    """The :class:`~ferrogym.curriculum.Curriculum` of a job's ``curriculum`` spec."""
    from ferrogym.curriculum import Curriculum, Level

    params = {k: spec[k] for k in ("promote_at", "demote_below", "window", "min_episodes", "replay_share")}
    return Curriculum([Level(lv["name"], lv["knobs"]) for lv in spec["levels"]], seed=seed, **params)


def run(spec: dict[str, Any], out: Any, stop: Any) -> None:
    """Entry point of the worker process."""
    try:
        _train(spec, out, stop)
    except BaseException as e:  # reported to the server, which shows it as the job's error
        out.put({"kind": "error", "error": f"{type(e).__name__}: {e}"})


class _Report(Reporter):
    """The service's :class:`~ferrogym.training.Reporter` for a job: episode
    points, KPI evaluations of the current policy on a fixed seed, progress
    ticks, and the stop button."""

    def __init__(self, spec: dict[str, Any], out: Any, stop: Any, level_fields: Any) -> None:
        from ferrogym.web.env_factory import make_env

        self.spec, self.out, self.stop, self.level_fields = spec, out, stop, level_fields
        self.kpi_env = make_env(spec["env_id"], spec["config"], render=False)
        self.kpi_every = self.next_kpi = max(spec["total_timesteps"] // KPI_EVALUATIONS, 1)
        self.last_sent = 0.0
        self.started_at = time.monotonic()
        self.policy: Any = None

    def started(self, model: Any, total: int) -> None:
        from ferrogym.training import ModelPolicy

        self.policy = ModelPolicy(model, self.spec["algo"], name=self.spec["algo"])
        # ``total`` is what training really reaches (whole rollouts); KPIs are
        # spaced over it as the dashboard labels them, Math.round(total / 10).
        self.kpi_every = self.next_kpi = max(int(total / KPI_EVALUATIONS + 0.5), 1)
        self.out.put({"kind": "status", "status": "running", "total_timesteps": int(total)})

    def progress(self, timesteps: int) -> bool:
        from ferrogym.web.evaluation import run_episode

        now = time.monotonic()
        if timesteps >= self.next_kpi:
            # KPIs of the current policy on one fixed-seed episode (the
            # batch resets ended sub-envs at once, so their logs are gone).
            self.next_kpi += self.kpi_every
            kpis = run_episode(self.kpi_env, self.policy, KPI_SEED)
            self.out.put({"kind": "metric", "timesteps": int(timesteps), "kpis": kpis})
        if now - self.last_sent > 1.0 / MAX_POINTS_PER_SECOND:
            self.last_sent = now
            self.out.put({"kind": "progress", "timesteps": int(timesteps)})
        return not self.stop.is_set()

    def episode(self, timesteps: int, episode_return: float, length: int, components: dict[str, float]) -> None:
        elapsed = max(time.monotonic() - self.started_at, 1e-9)
        self.out.put(
            {
                "kind": "metric",
                "timesteps": int(timesteps),
                "episode_return": float(episode_return),
                "episode_length": int(length),
                "components": components,
                "fps": timesteps / elapsed,
                **self.level_fields(),
            }
        )

    def update(self, timesteps: int, stats: dict[str, float]) -> None:
        """Losses are in the run's TensorBoard logs; the dashboard shows episodes and KPIs."""

    def close(self) -> None:
        self.kpi_env.close()


def request_from_spec(spec: dict[str, Any]) -> Any:
    """The :class:`~ferrogym.training.TrainRequest` of a job's spec (the
    dashboard's form: rollout length per sub-env, SB3's minibatch of 64)."""
    from ferrogym.training import TrainRequest

    hyper: dict[str, Any] = {}
    if spec["algo"] in ("ppo", "maskable-ppo", "a2c"):
        hyper["n_steps"] = spec["n_steps"]
    if spec["algo"] in ("ppo", "maskable-ppo"):
        hyper["batch_size"] = min(64, spec["n_steps"] * spec["n_envs"])
    if spec["algo"] == "batch-ppo":
        hyper.update(n_steps=spec["n_steps"], torch_threads=1)
    return TrainRequest(
        env_id=spec["env_id"],
        algo=spec["algo"],
        env_kwargs=dict(spec["config"]),
        timesteps=spec["total_timesteps"],
        n_envs=spec["n_envs"],
        seed=spec["seed"],
        hyper=hyper,
    )


def _train(spec: dict[str, Any], out: Any, stop: Any) -> None:
    import torch

    import ferrogym  # noqa: F401  registers the envs in this fresh process
    from ferrogym.training import train

    torch.set_num_threads(1)  # several jobs may share the server's cores
    request = request_from_spec(spec)
    curriculum = None
    callbacks: list[Any] = []
    if spec.get("curriculum") is not None:
        from ferrogym.curriculum_sb3 import CurriculumCallback

        curriculum = curriculum_from_spec(spec["curriculum"], seed=spec["seed"])
        callbacks.append(CurriculumCallback(curriculum, key=tuple(spec["curriculum"]["success"])))

    def level_fields() -> dict[str, Any]:
        if curriculum is None:
            return {}
        rate = curriculum.success_rate
        return {"curriculum_level": curriculum.level, "curriculum_success": None if rate != rate else rate}

    report = _Report(spec, out, stop, level_fields)
    try:
        result = train(request, Path(spec["model_path"]), report, callbacks)
    finally:
        report.close()
    done = int(result.meta["timesteps"])
    out.put({"kind": "done", "model": result.out.name, "timesteps": done, "stopped": stop.is_set()})
