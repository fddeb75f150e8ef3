"""``ferrogym train ENV --library rllib``: PPO on RLlib's new API stack, each
env runner stepping the Rust batch; a local Ray instance unless ``--address``
names a cluster. Writes under ``--out``: ``checkpoint/`` (``Algorithm.save_to_path``),
``tensorboard/`` (the training results) and ``meta.json``; the evaluation
against the heuristics is the SB3 recipe's (:mod:`ferrogym.cli.train`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ferrogym.evaluation import env_id

#: Defaults as for SB3's PPO in ferrogym.cli.train (long horizon: gamma), in
#: RLlib's names; ``--config`` overrides them.
HYPER: dict[str, Any] = {
    "gamma": 0.995,
    "entropy_coeff": 0.003,
    "lr": 3e-4,
    "rollout_fragment_length": 64,
    "minibatch_size": 256,
    "num_epochs": 4,
    "model_config": {"fcnet_hiddens": [128, 128]},
}
CHECKPOINT_DIR = "checkpoint"
TENSORBOARD_DIR = "tensorboard"


def train_rllib(
    env: str,
    env_kwargs: dict[str, Any],
    *,
    timesteps: int,
    n_envs: int,
    num_workers: int,
    seed: int,
    address: str | None,
    hyper: dict[str, Any],
    max_minutes: float,
    out: Path,
    console: Console,
) -> tuple[Any, dict[str, Any]]:
    """Trains, saves the checkpoint and TensorBoard logs under ``out``; returns
    the trained policy (``policy(obs, mask)``) and the run's metadata."""
    import ray

    from ferrogym.integrations.rllib import ModulePolicy, train

    params = {**HYPER, **hyper}
    # ppo_config derives the train batch from these (and fits the minibatch in it).
    sizes = {k: params.pop(k) for k in ("rollout_fragment_length", "minibatch_size", "num_epochs") if k in params}
    started_ray = not ray.is_initialized()
    out.mkdir(parents=True, exist_ok=True)
    columns = (TextColumn("training rllib-ppo"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, TextColumn("{task.fields[ret]}"), console=console) as progress:
            task = progress.add_task("train", total=timesteps, ret="")

            def on_iteration(_: int, result: dict[str, Any]) -> None:
                runners = result.get("env_runners", {})
                ret = float(runners.get("episode_return_mean", math.nan))
                progress.update(
                    task,
                    completed=min(timesteps, int(runners.get("num_env_steps_sampled_lifetime", 0))),
                    ret="" if math.isnan(ret) else f"return {ret:.2f}",
                )

            result, algo = train(
                env_id(env),
                timesteps=timesteps,
                max_seconds=60 * max_minutes,
                num_env_runners=num_workers,
                num_envs_per_env_runner=n_envs,
                env_config=env_kwargs,
                address=address,
                checkpoint_dir=out / CHECKPOINT_DIR,
                tensorboard_dir=out / TENSORBOARD_DIR,
                on_iteration=on_iteration,
                **sizes,
                seed=seed,
                overrides=params,
            )
        try:
            policy = ModulePolicy.from_algorithm(algo)
        finally:
            algo.stop()  # type: ignore[no-untyped-call]
    finally:
        if started_ray:
            ray.shutdown()
    meta = {
        "library": "rllib",
        "algo": "ppo",
        "env": env_id(env),
        "env_kwargs": env_kwargs,
        "timesteps": result.env_steps,
        "iterations": result.iterations,
        "num_env_runners": num_workers,
        "num_envs_per_env_runner": n_envs,
        "seed": seed,
        "train_seconds": round(result.seconds, 1),
        "env_steps_per_s": round(result.env_steps_per_s),
        "checkpoint": result.checkpoint,
        "tensorboard": str((out / TENSORBOARD_DIR).resolve()),
        "hyperparameters": {**HYPER, **hyper},
    }
    return policy, meta
