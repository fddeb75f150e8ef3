"""The training process: one SB3 (or sb3-contrib) run, started by the job
manager with multiprocessing's ``spawn`` so the server's threads and event loop
are never forked. It reports over a queue and stops when its event is set.

Messages put on ``out`` (plain dicts, picklable):
``{"kind": "status", "status": ...}``, ``{"kind": "metric", ...MetricPoint}``,
``{"kind": "done", "model": path}`` and ``{"kind": "error", "error": text}``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

#: Progress messages sent per second at most.
MAX_POINTS_PER_SECOND = 20.0
#: KPI evaluations per job (one greedy episode each on a fixed seed).
KPI_EVALUATIONS = 10
#: Seed of the KPI episodes, apart from the training seeds.
KPI_SEED = 1_000_003


def _algo(name: str) -> Any:
    if name == "MaskablePPO":
        from sb3_contrib import MaskablePPO

        return MaskablePPO
    import stable_baselines3

    return getattr(stable_baselines3, name)


def _vec_env(env_id: str, n_envs: int, seed: int, config: dict[str, Any]) -> Any:
    """The Rust-batched SB3 VecEnv, monitored for episode returns."""
    from ferrogym.integrations.sb3 import make_vec_env

    return make_vec_env(env_id, n_envs=n_envs, seed=seed, **config)


def curriculum_from_spec(spec: dict[str, Any], seed: int) -> Any:
    """The :class:`~ferrogym.curriculum.Curriculum` of a job's ``curriculum`` spec."""
    from ferrogym.curriculum import Curriculum, Level

    params = {k: spec[k] for k in ("promote_at", "demote_below", "window", "min_episodes", "replay_share")}
    return Curriculum([Level(lv["name"], lv["knobs"]) for lv in spec["levels"]], seed=seed, **params)


class EpisodeComponents:
    """Per-episode sums of each sub-env's ``reward_components`` (which
    FerroVecEnv puts in SB3's per-env infos, terminal steps included)."""

    def __init__(self) -> None:
        self._running: dict[int, dict[str, float]] = {}

    def add(self, i: int, info: dict[str, Any], done: bool) -> dict[str, float] | None:
        """Adds one step; returns the episode's sums when it ended."""
        sums = self._running.setdefault(i, {})
        for name, value in info.get("reward_components", {}).items():
            sums[name] = sums.get(name, 0.0) + float(value)
        return self._running.pop(i) if done else None


def run(spec: dict[str, Any], out: Any, stop: Any) -> None:
    """Entry point of the worker process."""
    try:
        _train(spec, out, stop)
    except BaseException as e:  # reported to the server, which shows it as the job's error
        out.put({"kind": "error", "error": f"{type(e).__name__}: {e}"})


def _train(spec: dict[str, Any], out: Any, stop: Any) -> None:
    import torch
    from stable_baselines3.common.callbacks import BaseCallback, CallbackList

    import ferrogym  # noqa: F401  registers the envs in this fresh process

    torch.set_num_threads(1)
    venv = _vec_env(spec["env_id"], spec["n_envs"], spec["seed"], spec["config"])
    algo = _algo(spec["algo"])
    kwargs: dict[str, Any] = {"seed": spec["seed"], "verbose": 0, "device": "cpu"}
    if spec["algo"] in ("PPO", "MaskablePPO", "A2C"):
        kwargs["n_steps"] = spec["n_steps"]
    if spec["algo"] in ("PPO", "MaskablePPO"):
        kwargs["batch_size"] = min(64, spec["n_steps"] * spec["n_envs"])
    model = algo("MlpPolicy", venv, **kwargs)
    started = time.monotonic()

    from ferrogym.web.evaluation import model_policy, run_episode
    from ferrogym.web.sessions import has_mask, make_env

    kpi_env = make_env(spec["env_id"], spec["config"], render=False)
    kpi_env.reset(seed=KPI_SEED)
    kpi_policy = model_policy(model, has_mask(kpi_env))
    kpi_every = max(spec["total_timesteps"] // KPI_EVALUATIONS, 1)

    components = EpisodeComponents()
    curriculum = None
    callbacks: list[BaseCallback] = []
    if spec.get("curriculum") is not None:
        from ferrogym.curriculum_sb3 import CurriculumCallback

        curriculum = curriculum_from_spec(spec["curriculum"], seed=spec["seed"])
        # Before Report in the list: an episode's point carries the level it left the curriculum at.
        callbacks.append(CurriculumCallback(curriculum, key=tuple(spec["curriculum"]["success"])))

    def level_fields() -> dict[str, Any]:
        if curriculum is None:
            return {}
        rate = curriculum.success_rate
        return {"curriculum_level": curriculum.level, "curriculum_success": None if rate != rate else rate}

    class Report(BaseCallback):
        last_sent = 0.0
        next_kpi = kpi_every

        def _on_step(self) -> bool:
            now = time.monotonic()
            if self.num_timesteps >= self.next_kpi:
                # KPIs of the current policy on one fixed-seed episode (the
                # batch resets ended sub-envs at once, so their logs are gone).
                self.next_kpi += kpi_every
                kpis = run_episode(kpi_env, kpi_policy, KPI_SEED)
                out.put({"kind": "metric", "timesteps": int(self.num_timesteps), "kpis": kpis})
            dones = self.locals.get("dones", ())
            for i, info in enumerate(self.locals.get("infos", [])):
                episode_components = components.add(i, info, bool(dones[i]) if len(dones) else False)
                if "episode" not in info:
                    continue
                out.put(
                    {
                        "kind": "metric",
                        "timesteps": int(self.num_timesteps),
                        "episode_return": float(info["episode"]["r"]),
                        "episode_length": int(info["episode"]["l"]),
                        "components": episode_components or {},
                        "fps": self.num_timesteps / max(now - started, 1e-9),
                        **level_fields(),
                    }
                )
            if now - self.last_sent > 1.0 / MAX_POINTS_PER_SECOND:
                self.last_sent = now
                out.put({"kind": "progress", "timesteps": int(self.num_timesteps)})
            return not stop.is_set()

    out.put({"kind": "status", "status": "running"})
    callbacks.append(Report())
    model.learn(total_timesteps=spec["total_timesteps"], callback=CallbackList(callbacks))
    path = Path(spec["model_path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(str(path))
    meta = {k: spec[k] for k in ("env_id", "algo", "config")}
    meta.update(timesteps=int(model.num_timesteps), created=time.time())
    path.with_suffix(".json").write_text(json.dumps(meta))
    venv.close()
    kpi_env.close()
    out.put({"kind": "done", "model": path.stem, "timesteps": int(model.num_timesteps), "stopped": stop.is_set()})
