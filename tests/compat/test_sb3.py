"""Stable-Baselines3 (PPO, A2C, DQN) and sb3-contrib MaskablePPO, single envs and the Rust batch."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import pytest

pytest.importorskip("stable_baselines3")
pytest.importorskip("sb3_contrib")

from sb3_contrib import MaskablePPO
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.env_util import make_vec_env as sb3_make_vec_env
from stable_baselines3.common.vec_env import VecEnv

from ferrogym.integrations import blind_kwargs
from ferrogym.sb3 import make_vec_env

from .envs import ENV_IDS

ALGOS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "PPO": (PPO, {"n_steps": 64, "batch_size": 64, "n_epochs": 1}),
    "A2C": (A2C, {"n_steps": 8}),
    "DQN": (DQN, {"learning_starts": 64, "buffer_size": 1000, "train_freq": 4}),
}


def _venv(env_id: str, mode: str, kwargs: dict[str, Any]) -> VecEnv:
    if mode == "batched":
        return make_vec_env(env_id, n_envs=4, seed=0, **kwargs)
    return sb3_make_vec_env(env_id, n_envs=2, seed=0, env_kwargs=kwargs)


def _cases() -> list[Any]:
    return [
        pytest.param(algo, env_id, mode, marks=pytest.mark.compat(library=f"sb3-{algo}", env=env_id, mode=mode))
        for algo in ALGOS
        for env_id in ENV_IDS
        for mode in ("single", "batched")
    ]


@pytest.mark.parametrize(("algo", "env_id", "mode"), _cases())
def test_sb3__algorithm_trains_a_few_hundred_steps(algo: str, env_id: str, mode: str) -> None:
    cls, params = ALGOS[algo]
    venv = _venv(env_id, mode, blind_kwargs(env_id, {}))
    model = cls("MlpPolicy", venv, seed=0, device="cpu", policy_kwargs={"net_arch": [32]}, **params)
    model.learn(256)
    assert model.num_timesteps >= 256
    venv.close()


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="sb3-contrib-MaskablePPO", env=e, mode=m))
        for e in ENV_IDS
        for m in ("single", "batched")
    ],
)
def test_sb3_contrib__maskable_ppo_trains_on_masks(env_id: str, mode: str) -> None:
    # No fallback: a masked env rejects forbidden actions, so the masks must be honoured.
    venv = _venv(env_id, mode, {})
    model = MaskablePPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=64, batch_size=64, n_epochs=1)
    model.learn(256)
    assert model.num_timesteps >= 256


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(e, marks=pytest.mark.compat(library=f"sb3-{a}", env=e, mode="single"))
        for e in ENV_IDS
        for a in ALGOS
    ],
)
def test_sb3__env_checker_passes(env_id: str) -> None:
    check_env(gym.make(env_id, **blind_kwargs(env_id, {})).unwrapped)
