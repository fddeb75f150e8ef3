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

import numpy as np

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
    """A Rust-batched VecEnv that also sums ``reward_components`` per episode
    (FerroVecEnv passes SB3 only what SB3 reads)."""
    from stable_baselines3.common.vec_env import VecMonitor

    from ferrogym.sb3 import FerroVecEnv

    class ComponentVecEnv(FerroVecEnv):
        def __init__(self) -> None:
            super().__init__(env_id, n_envs, **config)
            self.sums: dict[str, np.ndarray[Any, Any]] = {}

        def step_wait(self) -> Any:
            assert self._actions is not None
            actions = self._actions
            obs, rewards, terminated, truncated, infos = self.venv.step(actions)
            self._actions = None
            dones = terminated | truncated
            # SAME_STEP autoreset: an ended sub-env's last step is in final_info.
            final = infos.get("final_info", {}).get("reward_components", {})
            for k, v in infos.get("reward_components", {}).items():
                if not k.startswith("_"):
                    step = np.where(dones, final.get(k, 0.0), np.asarray(v, dtype=np.float64))
                    self.sums[k] = self.sums.get(k, np.zeros(self.num_envs)) + step
            step_infos: list[dict[str, Any]] = [{"TimeLimit.truncated": bool(t)} for t in truncated & ~terminated]
            for i in np.flatnonzero(dones):
                if "final_obs" in infos:
                    step_infos[i]["terminal_observation"] = infos["final_obs"][i]
                step_infos[i]["components"] = {k: float(v[i]) for k, v in self.sums.items()}
                for v in self.sums.values():
                    v[i] = 0.0
            return obs, rewards.astype(np.float32), dones, step_infos

    venv = ComponentVecEnv()
    venv.seed(seed)
    return VecMonitor(venv)


def run(spec: dict[str, Any], out: Any, stop: Any) -> None:
    """Entry point of the worker process."""
    try:
        _train(spec, out, stop)
    except BaseException as e:  # reported to the server, which shows it as the job's error
        out.put({"kind": "error", "error": f"{type(e).__name__}: {e}"})


def _train(spec: dict[str, Any], out: Any, stop: Any) -> None:
    import torch
    from stable_baselines3.common.callbacks import BaseCallback

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
            for info in self.locals.get("infos", []):
                if "episode" not in info:
                    continue
                out.put(
                    {
                        "kind": "metric",
                        "timesteps": int(self.num_timesteps),
                        "episode_return": float(info["episode"]["r"]),
                        "episode_length": int(info["episode"]["l"]),
                        "components": info.get("components", {}),
                        "fps": self.num_timesteps / max(now - started, 1e-9),
                    }
                )
            if now - self.last_sent > 1.0 / MAX_POINTS_PER_SECOND:
                self.last_sent = now
                out.put({"kind": "progress", "timesteps": int(self.num_timesteps)})
            return not stop.is_set()

    out.put({"kind": "status", "status": "running"})
    model.learn(total_timesteps=spec["total_timesteps"], callback=Report())
    path = Path(spec["model_path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(str(path))
    meta = {k: spec[k] for k in ("env_id", "algo", "config")}
    meta.update(timesteps=int(model.num_timesteps), created=time.time())
    path.with_suffix(".json").write_text(json.dumps(meta))
    venv.close()
    kpi_env.close()
    out.put({"kind": "done", "model": path.stem, "timesteps": int(model.num_timesteps), "stopped": stop.is_set()})
