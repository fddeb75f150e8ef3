"""Trains PPO on ferrogym/InventoryControl-v0 and compares it with the base-stock
and (s, S) baselines on held-out seeds; one run per call, results in docs/results/:

    nice -n 10 python examples/inventory_control_ppo.py run --steps 200000 --seed 0   # default config
    nice -n 10 python examples/inventory_control_ppo.py run --seed 0 --horizon 364    # a 52-week year
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

from ferrogym.integrations.sb3 import make_vec_env
from ferrogym.policies.inventory import (
    ENV_ID,
    EVAL_SEEDS,
    BaseStockPolicy,
    SSPolicy,
    evaluate_batch,
    tune_s_S,
)

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


def run(steps: int, seed: int, horizon: int | None) -> None:
    torch.set_num_threads(1)
    config: dict[str, Any] = {} if horizon is None else {"horizon": horizon}
    # Training seeds start at `seed`, far from the held-out EVAL_SEEDS (10_000+).
    venv = VecNormalize(make_vec_env(ENV_ID, n_envs=8, seed=seed, **config), norm_obs=False, gamma=0.99)
    model = PPO("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, n_steps=512, batch_size=256, ent_coef=0.01)
    start = time.perf_counter()
    model.learn(steps)
    seconds = time.perf_counter() - start

    def policy(obs: np.ndarray) -> np.ndarray:
        return model.predict(obs, deterministic=True)[0]

    final = evaluate_batch(policy, EVAL_SEEDS, **config)
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
    tag = "" if horizon is None else f"h{horizon}_"
    (RESULTS / f"inventory_control_ppo_{tag}s{seed}.json").write_text(json.dumps(out, indent=1))
    print(f"ppo {tag}s{seed}: {seconds:.0f}s, held-out {final}")


def report() -> None:
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("inventory_control_ppo_*s*.json"))]
    configs = sorted({json.dumps(r["config"], sort_keys=True) for r in runs})
    for key in configs:
        config = json.loads(key)
        group = [r for r in runs if r["config"] == config]
        n = group[0]["eval_seeds"][1] - group[0]["eval_seeds"][0]
        print(f"\n## config {key} ({n} held-out seeds)\n")
        print("| policy | mean return | holding | shortage | ordering |")
        print("|---|---|---|---|---|")
        rows = list(baselines(config).items())
        rows += [(f"PPO {r['steps'] // 1000}k steps, seed {r['seed']}", r["final"]) for r in group]
        for name, e in rows:
            c = e["components"]
            print(
                f"| {name} | {e['mean_return']:.1f} ± {e['std_return']:.1f} | {c['holding']:.1f} "
                f"| {c['shortage']:.1f} | {c['ordering']:.1f} |"
            )
        means = [r["final"]["mean_return"] for r in group]
        print(f"| PPO, mean of {len(means)} seeds | {np.mean(means):.1f} (seeds ± {np.std(means):.1f}) | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--steps", type=int, default=200_000)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--horizon", type=int, default=None, help="days per episode (default: the env's)")
    sub.add_parser("report")
    args = parser.parse_args()
    if args.cmd == "run":
        run(args.steps, args.seed, args.horizon)
    else:
        report()


if __name__ == "__main__":
    main()
