"""Stable-Baselines3 (PPO, A2C, DQN, SAC) and sb3-contrib MaskablePPO, single envs and the Rust batch.

Tuple observations (Blackjack) and non-image planes (ConnectFour's
(2, 6, 7), which SB3's checker asks to flatten) run through the documented
flattening (``make_vec_env(..., flatten_observation=True)``, Gymnasium's
``FlattenObservation`` for single envs); an algorithm that cannot take an
env's action space is refused by ``ferrogym.integrations.sb3.check_algorithm`` with
UnsupportedSpace (an n/a cell).
"""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")
pytest.importorskip("sb3_contrib")

from gymnasium.wrappers import FlattenObservation
from sb3_contrib import MaskablePPO
from stable_baselines3 import A2C, DQN, PPO, SAC
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.env_util import make_vec_env as sb3_make_vec_env
from stable_baselines3.common.vec_env import VecEnv

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs
from ferrogym.integrations.sb3 import ACTION_SPACES, check_algorithm, make_vec_env

from .envs import _SPACES, BOX_ACTION_IDS, ENV_IDS, FLATTEN_IDS, PLANE_OBS_IDS, TUPLE_OBS_IDS

ALGOS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "PPO": (PPO, {"n_steps": 64, "batch_size": 64, "n_epochs": 1}),
    "A2C": (A2C, {"n_steps": 8}),
    "DQN": (DQN, {"learning_starts": 64, "buffer_size": 1000, "train_freq": 4}),
    "SAC": (SAC, {"learning_starts": 64, "buffer_size": 1000, "train_freq": 4, "batch_size": 32}),
}
IDS = ENV_IDS + BOX_ACTION_IDS + TUPLE_OBS_IDS
MODES = ("single", "batched")


def _venv(env_id: str, mode: str, kwargs: dict[str, Any]) -> VecEnv:
    flatten = env_id in FLATTEN_IDS
    if mode == "batched":
        return make_vec_env(env_id, n_envs=4, seed=0, flatten_observation=flatten, **kwargs)
    wrapper = FlattenObservation if flatten else None
    return sb3_make_vec_env(env_id, n_envs=2, seed=0, env_kwargs=kwargs, wrapper_class=wrapper)


def _refusal(algo: str, env_id: str) -> str:
    """Why ``algo`` cannot take ``env_id`` ("" when it can)."""
    action_space = _SPACES[env_id][1]
    allowed = ACTION_SPACES[algo]
    if isinstance(action_space, allowed):
        return ""
    return f"{algo} takes {' or '.join(c.__name__ for c in allowed)} actions, not {type(action_space).__name__}"


def _cells(library: str, algo: str, supported: bool) -> list[Any]:
    return [
        pytest.param(algo, e, m, marks=pytest.mark.compat(library=library, env=e, mode=m, na=_refusal(algo, e)))
        for e in IDS
        for m in MODES
        if (not _refusal(algo, e)) is supported
    ]


@pytest.mark.parametrize(("algo", "env_id", "mode"), [c for a in ALGOS for c in _cells(f"sb3-{a}", a, supported=True)])
def test_sb3__algorithm_trains_a_few_hundred_steps(algo: str, env_id: str, mode: str) -> None:
    cls, params = ALGOS[algo]
    venv = _venv(env_id, mode, blind_kwargs(env_id, {}))
    check_algorithm(cls, venv.action_space, env_id)
    model = cls("MlpPolicy", venv, seed=0, device="cpu", policy_kwargs={"net_arch": [32]}, **params)
    model.learn(256)
    assert model.num_timesteps >= 256
    venv.close()


@pytest.mark.parametrize(
    ("algo", "env_id", "mode"),
    [c for a in ALGOS for c in _cells(f"sb3-{a}", a, supported=False)]
    + _cells("sb3-contrib-MaskablePPO", "MaskablePPO", supported=False),
)
def test_sb3__algorithm_refuses_an_action_space_it_cannot_take(algo: str, env_id: str, mode: str) -> None:
    venv = _venv(env_id, mode, {})
    with pytest.raises(
        UnsupportedSpace,
        match=rf"{env_id}: Stable-Baselines3 {algo} takes .* actions, not {re.escape(str(venv.action_space))}; use ",
    ):
        check_algorithm(algo, venv.action_space, env_id)
    venv.close()


@pytest.mark.parametrize(("algo", "env_id", "mode"), _cells("sb3-contrib-MaskablePPO", "MaskablePPO", supported=True))
def test_sb3_contrib__maskable_ppo_trains_on_masks(algo: str, env_id: str, mode: str) -> None:
    # No fallback: a masked env rejects forbidden actions, so the masks must be honoured.
    venv = _venv(env_id, mode, {})
    model = MaskablePPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=64, batch_size=64, n_epochs=1)
    model.learn(256)
    assert model.num_timesteps >= 256


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(e, marks=pytest.mark.compat(library=f"sb3-{a}", env=e, mode="single"))
        for e in IDS
        for a in ALGOS
        if not _refusal(a, e)
    ],
)
# Pendulum keeps Gymnasium's [-2, 2] torque range (parity): SB3 only recommends [-1, 1].
@pytest.mark.filterwarnings("ignore:We recommend you to use a symmetric and normalized Box action space")
def test_sb3__env_checker_passes(env_id: str) -> None:
    env = gym.make(env_id, **blind_kwargs(env_id, {}))
    check_env(FlattenObservation(env) if env_id in FLATTEN_IDS else env.unwrapped)


@pytest.mark.parametrize("env_id", TUPLE_OBS_IDS)
def test_sb3__tuple_observations_are_refused_with_the_way_out(env_id: str) -> None:
    with pytest.raises(UnsupportedSpace, match=r"Tuple.*flatten_observation=True"):
        make_vec_env(env_id, n_envs=2)
    venv = make_vec_env(env_id, n_envs=2, seed=3, flatten_observation=True)
    single = FlattenObservation(gym.make(env_id))
    obs = venv.reset()
    assert obs.shape == (2, *single.observation_space.shape)
    first, _ = single.reset(seed=3)
    assert (obs[0] == first).all()


@pytest.mark.parametrize("env_id", PLANE_OBS_IDS)
def test_sb3__flattened_planes_match_flatten_observation(env_id: str) -> None:
    venv = make_vec_env(env_id, n_envs=2, seed=3, flatten_observation=True)
    single = FlattenObservation(gym.make(env_id))
    assert venv.observation_space == single.observation_space
    obs = venv.reset()
    first, _ = single.reset(seed=3)
    np.testing.assert_array_equal(obs[0], first)
    venv.close()
