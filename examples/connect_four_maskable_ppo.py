"""MaskablePPO learns Connect Four against the random opponent on the Rust batch, then
plays 200 games against the random and the greedy opponent beside a random policy.

    python examples/connect_four_maskable_ppo.py --steps 100000

Needs the ``sb3`` extra. The batch's masks reach MaskablePPO through ``action_masks()``,
so no move is ever illegal; the first mover is drawn per game so the policy plays both sides.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from sb3_contrib import MaskablePPO

import ferrogym  # noqa: F401  (registers the envs)
from ferrogym.envs.connect_four import ConnectFourEnv
from ferrogym.integrations.sb3 import make_vec_env

Policy = Callable[[NDArray[np.float32], NDArray[np.bool_], np.random.Generator], int]


def play(policy: Policy, opponent: str, games: int = 200, seed: int = 1000) -> dict[str, float]:
    """Shares of wins, losses and draws of ``policy`` over ``games`` seeded games."""
    env = ConnectFourEnv(opponent=opponent, first="random")
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    rewards = []
    for _ in range(games):
        terminated = False
        reward = 0.0
        while not terminated:
            obs, reward, terminated, _, _ = env.step(policy(obs, env.action_masks(), rng))
        rewards.append(reward)
        obs, _ = env.reset()
    return {k: rewards.count(v) / games for k, v in (("win", 1.0), ("loss", -1.0), ("draw", 0.0))}


def random_policy(obs: NDArray[np.float32], mask: NDArray[np.bool_], rng: np.random.Generator) -> int:
    return int(rng.choice(np.flatnonzero(mask)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    venv = make_vec_env("ferrogym/ConnectFour-v0", n_envs=16, seed=0, opponent="random", first="random")
    model = MaskablePPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=256, batch_size=512)
    start = time.perf_counter()
    model.learn(args.steps)
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.0f} s")

    def ppo(obs: NDArray[np.float32], mask: NDArray[np.bool_], rng: np.random.Generator) -> int:
        action: Any
        action, _ = model.predict(obs, action_masks=mask, deterministic=True)
        return int(action)

    for opponent in ("random", "greedy"):
        print(f"vs {opponent}: random policy {play(random_policy, opponent)}, MaskablePPO {play(ppo, opponent)}")


if __name__ == "__main__":
    main()
