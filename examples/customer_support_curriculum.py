"""Trains agents on ferrogym/CustomerSupport-v0 and compares them with the baselines on held-out seeds.

One run per call (each stays well under 10 minutes on one CPU core), results in docs/results/:

    nice -n 10 python examples/customer_support_curriculum.py run ppo          # default config
    nice -n 10 python examples/customer_support_curriculum.py run a2c
    nice -n 10 python examples/customer_support_curriculum.py run dqn
    nice -n 10 python examples/customer_support_curriculum.py run ppo --hard   # full difficulty, no curriculum
    nice -n 10 python examples/customer_support_curriculum.py run ppo --hard --curriculum
    python examples/customer_support_curriculum.py report   # tables + docs/images/customer_support_curriculum.png
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList

from ferrogym.curriculum import Curriculum, Level
from ferrogym.curriculum_sb3 import CurriculumCallback
from ferrogym.integrations.sb3 import make_vec_env
from ferrogym.policies.customer_support import EVAL_SEEDS, ModelPolicy, evaluate, evaluate_baselines

ENV_ID = "ferrogym/CustomerSupport-v0"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"
#: The full-difficulty setting of the curriculum comparison.
HARD: dict[str, Any] = {"upset_share": 0.7, "patience": 0.7, "sentiment_noise": 0.3}
LEVELS = [
    Level(
        "calm", {"upset_share": 0.0, "patience": 1.5, "sentiment_noise": 0.05, "inquiries": ["transactional", "sales"]}
    ),
    Level("some_upset", {"upset_share": 0.3, "patience": 1.0, "sentiment_noise": 0.15}),
    Level("full", HARD),
]
ALGOS: dict[str, tuple[type[BaseAlgorithm], dict[str, Any]]] = {
    "ppo": (PPO, {"n_steps": 256, "batch_size": 256, "ent_coef": 0.01}),
    "a2c": (A2C, {"n_steps": 16, "ent_coef": 0.01}),
    "dqn": (
        DQN,
        {"learning_starts": 2000, "buffer_size": 100_000, "exploration_fraction": 0.3, "target_update_interval": 2000},
    ),
}


class EvalCurve(BaseCallback):
    """Evaluates the deterministic policy on held-out seeds every ``every`` steps."""

    def __init__(self, every: int, seeds: list[int], config: dict[str, Any]) -> None:
        super().__init__()
        self.every, self.seeds, self.config = every, seeds, config
        self.curve: list[dict[str, float]] = []
        self._next = 0

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next:
            self._next += self.every
            s = evaluate(ModelPolicy(self.model, "model"), self.seeds, **self.config)
            self.curve.append(
                {"timesteps": self.num_timesteps, "mean_return": s.mean_return, "success_rate": s.success_rate}
            )
        return True


def run(algo: str, steps: int, seed: int, hard: bool, curriculum: bool) -> None:
    torch.set_num_threads(1)
    config = dict(HARD) if hard else {}
    cls, kwargs = ALGOS[algo]
    venv = make_vec_env(ENV_ID, n_envs=8, seed=seed, invalid_action="fallback", **config)
    model = cls("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **kwargs)
    curve = EvalCurve(steps // 20, list(EVAL_SEEDS)[:100], config)
    callbacks: list[BaseCallback] = [curve]
    cur_cb = None
    if curriculum:
        cur = Curriculum(
            LEVELS, promote_at=0.7, demote_below=0.2, window=200, min_episodes=100, replay_share=0.2, seed=seed
        )
        cur_cb = CurriculumCallback(cur)
        callbacks.append(cur_cb)
    start = time.perf_counter()
    model.learn(steps, callback=CallbackList(callbacks))
    seconds = time.perf_counter() - start
    final = evaluate(ModelPolicy(model, algo), EVAL_SEEDS, **config)
    name = f"{algo}{'_hard' if hard else ''}{'_curriculum' if curriculum else ''}_s{seed}"
    out = {
        "name": name,
        "algo": algo,
        "steps": steps,
        "seed": seed,
        "config": config,
        "train_seconds": seconds,
        "final": final.as_dict(),
        "curve": curve.curve,
        "levels": cur_cb.timeline if cur_cb else [],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"customer_support_{name}.json").write_text(json.dumps(out, indent=1))
    print(f"{name}: {seconds:.0f}s, held-out {final}")


def report() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("customer_support_*_s*.json"))]
    for hard in (False, True):
        config = HARD if hard else {}
        title = f"full difficulty {json.dumps(HARD)}" if hard else "default config"
        print(f"\n## {title} ({len(EVAL_SEEDS)} held-out seeds)")
        print("| policy | mean return | success | abandoned | escalated | turns |")
        print("|---|---|---|---|---|---|")
        rows = [s.as_dict() for s in evaluate_baselines(EVAL_SEEDS, **config)]
        rows += [{**r["final"], "policy": r["name"]} for r in runs if bool(r["config"]) == hard]
        for r in rows:
            print(
                f"| {r['policy']} | {r['mean_return']:.3f} ± {r['std_return']:.2f} | {r['success_rate']:.2f} "
                f"| {r['abandon_rate']:.2f} | {r['escalation_rate']:.2f} | {r['mean_turns']:.1f} |"
            )
    hard_ppo = [r for r in runs if r["algo"] == "ppo" and r["config"]]
    if not hard_ppo:
        return
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for curriculum, color in ((False, "tab:blue"), (True, "tab:orange")):
        group = [r for r in hard_ppo if ("curriculum" in r["name"]) == curriculum]
        if not group:
            continue
        label = f"PPO {'with' if curriculum else 'without'} curriculum ({len(group)} seeds)"
        t = np.array([c["timesteps"] for c in group[0]["curve"]])
        for ax, key in zip(axes[:2], ("success_rate", "mean_return"), strict=True):
            values = np.array([[c[key] for c in r["curve"]] for r in group])
            ax.plot(t, values.mean(axis=0), color=color, label=label)
            ax.fill_between(t, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2)
        for r in group:
            if r["levels"]:
                lv = np.array(r["levels"])
                axes[2].step(lv[:, 0], lv[:, 1], where="post", color=color, alpha=0.6)
    axes[0].set(xlabel="training steps", ylabel="success rate", title="full difficulty, 100 held-out seeds")
    axes[1].set(xlabel="training steps", ylabel="mean return", title="mean (line) and min-max over seeds")
    axes[2].set(xlabel="training steps", ylabel="level", title="curriculum level per seed")
    axes[2].set_yticks(range(len(LEVELS)), [lv.name for lv in LEVELS])
    axes[0].legend(fontsize=8)
    fig.suptitle("CustomerSupport-v0: PPO with vs without curriculum (same seeds, same budget)")
    fig.tight_layout()
    path = ROOT / "docs" / "images" / "customer_support_curriculum.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"\nplot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("algo", choices=sorted(ALGOS))
    r.add_argument("--steps", type=int, default=200_000)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--hard", action="store_true")
    r.add_argument("--curriculum", action="store_true")
    sub.add_parser("report")
    args = parser.parse_args()
    if args.cmd == "run":
        run(args.algo, args.steps, args.seed, args.hard, args.curriculum)
    else:
        report()


if __name__ == "__main__":
    main()
