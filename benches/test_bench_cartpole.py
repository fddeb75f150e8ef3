"""CartPole: ferrogym beside Gymnasium (single env and NumPy vector env) and EnvPool."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401  (registers ferrogym/ ids)

from .conftest import RESULTS, gate, measure, single_env_loop

STEPS = 1000  # env.step calls per timed round (single env)
BATCH_STEPS = 20  # batched steps per timed round


def cartpole_loop(env_id: str) -> Any:
    env = gym.make(env_id)
    env.reset(seed=0)
    return single_env_loop(env, [int(a) for a in np.random.default_rng(0).integers(0, 2, size=STEPS)])


@pytest.mark.parametrize("side", ["gymnasium", "ferrogym"])
def test_single_step_via_gym_make(benchmark: Any, side: str) -> None:
    env_id = "CartPole-v1" if side == "gymnasium" else "ferrogym/CartPole-v1"
    measure(benchmark, f"single/{side}", cartpole_loop(env_id), STEPS)


def batched_loop(side: str, n: int) -> Any:
    actions = np.random.default_rng(0).integers(0, 2, size=(BATCH_STEPS, n))
    if side == "envpool":
        envpool = pytest.importorskip("envpool")
        env = envpool.make("CartPole-v1", env_type="gymnasium", num_envs=n, batch_size=n)
        env.reset()
        acts = actions.astype(np.int32)
    else:
        env_id = "CartPole-v1" if side == "gymnasium" else "ferrogym/CartPole-v1"
        env = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")
        env.reset(seed=0)
        acts = actions

    def run() -> None:
        step = env.step
        for a in acts:
            step(a)

    return run


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("n", [256, 4096])
@pytest.mark.parametrize("side", ["gymnasium", "envpool", "ferrogym"])
def test_batched_step_via_make_vec(benchmark: Any, side: str, n: int) -> None:
    measure(benchmark, f"batch{n}/{side}", batched_loop(side, n), BATCH_STEPS * n)


def test_gate_cartpole_ratios() -> None:
    gate("cartpole single step vs gymnasium", "single/ferrogym", "single/gymnasium", floor=5.0)
    gate("cartpole batch N=256 vs gymnasium vector", "batch256/ferrogym", "batch256/gymnasium", floor=4.0)
    gate("cartpole batch N=4096 vs gymnasium vector", "batch4096/ferrogym", "batch4096/gymnasium", floor=1.2)
    if "batch256/envpool" in RESULTS:  # EnvPool installs on Linux only
        gate("cartpole batch N=256 vs envpool", "batch256/ferrogym", "batch256/envpool", floor=10.0)
        gate("cartpole batch N=4096 vs envpool", "batch4096/ferrogym", "batch4096/envpool", floor=10.0)
