"""GridWorld batched in Rust beside Gymnasium's SyncVectorEnv of FrozenLake
(Gymnasium's own grid env; it has no native vector version)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401

from .conftest import gate, measure

BATCH_STEPS = 20


@pytest.mark.parametrize(("side", "n"), [("gymnasium", 256), ("ferrogym", 4096)])
def test_grid_batched_step(benchmark: Any, side: str, n: int) -> None:
    actions = np.random.default_rng(0).integers(0, 4, size=(BATCH_STEPS, n))
    if side == "gymnasium":
        env = gym.make_vec("FrozenLake-v1", num_envs=n, vectorization_mode="sync", is_slippery=False)
    else:
        env = gym.make_vec("ferrogym/GridWorld-v0", num_envs=n, vectorization_mode="vector_entry_point")
    env.reset(seed=0)

    def run() -> None:
        step = env.step
        for a in actions:
            step(a)

    measure(benchmark, f"grid/{side}", run, BATCH_STEPS * n)


def test_gate_grid_ratio() -> None:
    gate("grid world batch N=4096 vs gymnasium FrozenLake sync N=256", "grid/ferrogym", "grid/gymnasium", floor=50.0)
