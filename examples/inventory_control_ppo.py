"""Trains PPO on ferrogym/InventoryControl-v0 and compares it with the base-stock
and (s, S) baselines on held-out seeds; one run per call, results in docs/results/:

    nice -n 10 python examples/inventory_control_ppo.py run --steps 200000 --seed 0
    python examples/inventory_control_ppo.py report
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecNormalize

from ferrogym.policies.inventory import (
    ENV_ID,
    EVAL_SEEDS,
    BaseStockPolicy,
    SSPolicy,
    evaluate,
    evaluate_batch,
    tune_s_S,
)
from ferrogym.sb3 import make_vec_env

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "results"


def baselines(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The baselines on the held-out seeds, batched in Rust (a few seconds)."""
    env = gym.make(ENV_ID, **config).unwrapped
    cfg, layout = env.config, env.obs_layout  # type: ignore[attr-defined]
    policies = {
        "never order": lambda obs: np.zeros(len(obs), dtype=np.int64),
        "base-stock (textbook level)": BaseStockPolicy(cfg, layout),
        "(s, S) (textbook levels)": SSPolicy(cfg, layout),
    }
    tuned = tune_s_S(cfg, layout, seeds=range(20))
    policies[f"(s, S) = ({tuned.s}, {tuned.S}), tuned on seeds 0-19"] = tuned
    return {name: evaluate_batch(p, EVAL_SEEDS, **config).__dict__ for name, p in policies.items()}


def run(steps: int, seed: int) -> None:
    torch.set_num_threads(1)
    config: dict[str, Any] = {}
    # Training seeds start at `seed`, far from the held-out EVAL_SEEDS (10_000+).
    venv = VecNormalize(make_vec_env(ENV_ID, n_envs=8, seed=seed, **config), norm_obs=False, gamma=0.99)
    model = PPO("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, n_steps=512, batch_size=256, ent_coef=0.01)
    start = time.perf_counter()
    model.learn(steps)
    seconds = time.perf_counter() - start

    def policy(obs: np.ndarray) -> int:
        return int(model.predict(obs, deterministic=True)[0])

    final = evaluate(policy, EVAL_SEEDS, **config)
    out = {
        "algo": "ppo",
        "steps": steps,
        "seed": seed,
        "config": config,
        "train_seconds": seconds,
        "eval_seeds": [EVAL_SEEDS.start, EVAL_SEEDS.stop],
        "final": final.__dict__,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"inventory_control_ppo_s{seed}.json").write_text(json.dumps(out, indent=1))
    print(f"ppo s{seed}: {seconds:.0f}s, held-out {final}")


def report() -> None:
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("inventory_control_ppo_s*.json"))]
    if not runs:
        print("no runs yet")
        return
    n = runs[0]["eval_seeds"][1] - runs[0]["eval_seeds"][0]
    print(f"| policy | mean return ({n} held-out seeds) | holding | shortage | ordering |")
    print("|---|---|---|---|---|")
    rows = list(baselines(runs[0]["config"]).items())
    rows += [(f"PPO {r['steps'] // 1000}k steps, seed {r['seed']}", r["final"]) for r in runs]
    for name, e in rows:
        c = e["components"]
        print(
            f"| {name} | {e['mean_return']:.1f} ± {e['std_return']:.1f} | {c['holding']:.1f} "
            f"| {c['shortage']:.1f} | {c['ordering']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--steps", type=int, default=200_000)
    r.add_argument("--seed", type=int, default=0)
    sub.add_parser("report")
    args = parser.parse_args()
    if args.cmd == "run":
        run(args.steps, args.seed)
    else:
        report()


if __name__ == "__main__":
    main()
