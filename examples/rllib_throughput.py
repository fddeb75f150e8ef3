"""RLlib PPO throughput on a ferrogym env: 1 vs 2 env runners, and the size of
the Rust batch inside each runner (``num_envs_per_env_runner`` sub-envs stepped
by one ``RustVectorEnv``), beside Gymnasium's SyncVectorEnv of single envs.
Needs ``pip install 'ferrogym[rllib]'``; run it on a quiet machine::

    nice -n 10 python examples/rllib_throughput.py --runners 1 2 --envs-per-runner 1 8 32

Every configuration builds its own PPO, runs ``--warmup`` iterations (module
build, first connector passes, JIT-less torch warm-up) that are not counted,
then ``--iterations`` measured ones. Per configuration the table gives

- env steps/s (train): env steps over the wall time of the measured
  ``algo.train()`` calls (sampling + one epoch of learning);
- env steps/s (sampling): the same steps over RLlib's
  ``env_runner_sampling_timer`` (the driver waiting for the runners' samples,
  runners sampling in parallel);
- per runner: sampling steps/s divided by the number of runners;
- env alone: the same vector env (Rust batch or SyncVectorEnv of that size)
  stepped with random actions in this process, no RLlib: the ceiling the env
  sets. Where it is far above "per runner", RLlib's own per-step work
  (connectors, episode bookkeeping, the module's forward pass) is the limit and
  a faster env changes little.

The driver's learner runs with ``--learner-threads`` torch threads (1: on a
small machine more threads only contend with the runners; Ray gives each
runner one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import gymnasium as gym
import ray
import torch

from ferrogym.integrations.rllib import make_env, ppo_config


@dataclass
class Row:
    runners: int
    envs_per_runner: int
    mode: str
    env_steps: int
    train_s: float
    sample_s: float
    env_alone: float

    @property
    def train_rate(self) -> float:
        return self.env_steps / self.train_s

    @property
    def sample_rate(self) -> float:
        return self.env_steps / self.sample_s


def env_alone(env: str, envs: int, mode: str, seconds: float = 1.0) -> float:
    """Env steps/s of the vector env RLlib builds, random actions, no RLlib."""
    if mode == "vector_entry_point":
        venv = make_env({"env_id": env, "num_envs": envs})
    else:
        venv = gym.make_vec(env, num_envs=envs, vectorization_mode="sync", invalid_action="fallback")
    venv.reset(seed=0)
    venv.action_space.seed(0)
    actions = [venv.action_space.sample() for _ in range(64)]
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        venv.step(actions[steps % 64])
        steps += 1
    rate = steps * envs / (time.perf_counter() - t0)
    venv.close()
    return rate


def measure(env: str, runners: int, envs: int, mode: str, fragment: int, warmup: int, iterations: int) -> Row:
    config = ppo_config(
        env,
        num_env_runners=runners,
        num_envs_per_env_runner=envs,
        vectorize_mode=mode,
        rollout_fragment_length=fragment,
        num_epochs=1,
    )
    algo = config.build_algo()
    try:
        steps0 = 0
        for _ in range(warmup):
            steps0 = int(algo.train()["env_runners"]["num_env_steps_sampled_lifetime"])  # type: ignore[no-untyped-call]
        train_s = sample_s = 0.0
        steps = steps0
        for _ in range(iterations):
            t0 = time.perf_counter()
            out = algo.train()  # type: ignore[no-untyped-call]
            train_s += time.perf_counter() - t0
            sample_s += float(out["timers"]["env_runner_sampling_timer"])
            steps = int(out["env_runners"]["num_env_steps_sampled_lifetime"])
        return Row(runners, envs, mode, steps - steps0, train_s, sample_s, env_alone(env, envs, mode))
    finally:
        algo.stop()  # type: ignore[no-untyped-call]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="ferrogym/TicketRouting-v0")
    parser.add_argument("--runners", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--envs-per-runner", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--fragment", type=int, default=64, help="rollout_fragment_length (steps per sub-env)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument(
        "--sync-at",
        type=int,
        nargs="*",
        default=None,
        help="envs/runner sizes also run with Gymnasium's SyncVectorEnv (default: the largest)",
    )
    parser.add_argument("--learner-threads", type=int, default=1, help="torch threads of the driver's learner")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    warnings.filterwarnings("ignore")
    logging.getLogger("ray").setLevel(logging.ERROR)
    torch.set_num_threads(args.learner_threads)
    sync_at = args.sync_at if args.sync_at is not None else [max(args.envs_per_runner)]
    configs = [(r, e, "vector_entry_point") for r in args.runners for e in args.envs_per_runner]
    configs += [(r, e, "sync") for r in args.runners for e in sync_at]
    ray.init(num_cpus=max(args.runners) + 1, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    rows: list[Row] = []
    try:
        print(f"{args.env}, rollout_fragment_length {args.fragment}, {args.iterations} measured iterations")
        print(
            "| runners | envs/runner | vectorize mode | env steps | steps/s (train) | steps/s (sampling) "
            "| per runner | env alone |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for runners, envs, mode in configs:
            row = measure(args.env, runners, envs, mode, args.fragment, args.warmup, args.iterations)
            rows.append(row)
            print(
                f"| {runners} | {envs} | {mode} | {row.env_steps} | {row.train_rate:.0f} | "
                f"{row.sample_rate:.0f} | {row.sample_rate / runners:.0f} | {row.env_alone:.0f} |",
                flush=True,
            )
    finally:
        ray.shutdown()
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
