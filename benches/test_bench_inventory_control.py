"""InventoryControl: ferrogym beside a plain-Python env (single) and a numpy batch (batched)
of the same dynamics (benches/inventory_control_peer.py)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401  (registers ferrogym/ ids)

from .conftest import gate, measure, single_env_loop
from .inventory_control_peer import NumpyInventoryBatch, PyInventoryControl

ENV_ID = "ferrogym/InventoryControl-v0"
STEPS = 1000  # env.step calls per timed round (single env)
BATCH_STEPS = 20  # batched steps per timed round


def inventory_loop(side: str) -> Any:
    env: gym.Env[Any, Any] = gym.make(ENV_ID) if side == "ferrogym" else PyInventoryControl()
    env.reset(seed=0)
    return single_env_loop(env, [int(a) for a in np.random.default_rng(0).integers(0, 11, size=STEPS)])


@pytest.mark.parametrize("side", ["python", "ferrogym"])
def test_inventory_single_step(benchmark: Any, side: str) -> None:
    measure(benchmark, f"inventory/single/{side}", inventory_loop(side), STEPS)


def batched_loop(side: str, n: int) -> Any:
    actions = np.random.default_rng(0).integers(0, 11, size=(BATCH_STEPS, n))
    if side == "numpy":
        step = NumpyInventoryBatch(n).step
    else:
        env = gym.make_vec(ENV_ID, num_envs=n, vectorization_mode="vector_entry_point")
        env.reset(seed=0)
        step = env.step

    def run() -> None:
        for a in actions:
            step(a)

    return run


@pytest.mark.parametrize("n", [256, 4096])
@pytest.mark.parametrize("side", ["numpy", "ferrogym"])
def test_inventory_batched_step(benchmark: Any, side: str, n: int) -> None:
    measure(benchmark, f"inventory/batch{n}/{side}", batched_loop(side, n), BATCH_STEPS * n)


def test_gate_inventory_ratios() -> None:
    gate("inventory single step vs plain Python", "inventory/single/ferrogym", "inventory/single/python", floor=2.0)
    gate("inventory batch N=256 vs numpy", "inventory/batch256/ferrogym", "inventory/batch256/numpy", floor=1.2)
    gate("inventory batch N=4096 vs numpy", "inventory/batch4096/ferrogym", "inventory/batch4096/numpy", floor=1.2)
