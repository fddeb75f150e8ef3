"""One battery over every registered ferrogym env (and config variants)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import ferrogym
from ferrogym.validate.rollout import masked_sampling
from ferrogym.vector import RustVectorEnv

from .conftest import ENV_IDS, plain, rollout, sample_action, valid_action

# Gymnasium's own CartPole-v1 declares the same infinite velocity bounds.
INF_BOUNDS = "ignore:.*Box observation space (minimum|maximum) value is.*infinity"
# Gymnasium's own Pendulum-v1 has the same torque range [-2, 2] (kept for parity).
UNNORMALISED_BOX_ACTIONS = (
    "ignore:.*(recommend using a symmetric and normalized space|use a symmetric and normalized Box)"
)
# SB3 has no Tuple observation support; Gymnasium's Blackjack-v1 has the same Tuple.
TUPLE_OBS = "ignore:.*The observation space is a Tuple"


@pytest.mark.filterwarnings(INF_BOUNDS)
@pytest.mark.filterwarnings(UNNORMALISED_BOX_ACTIONS)
def test_env__passes_gymnasium_check_env(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    env = gym.make(env_id, **kw).unwrapped
    with masked_sampling(env):  # the checker samples blindly; masked envs reject that
        check_env(env, skip_render_check=False)


@pytest.mark.filterwarnings(INF_BOUNDS)
@pytest.mark.filterwarnings(UNNORMALISED_BOX_ACTIONS)
@pytest.mark.filterwarnings(TUPLE_OBS)
@pytest.mark.filterwarnings("ignore:.*(image|resolution).*:UserWarning")
def test_env__passes_sb3_check_env(case: tuple[str, dict[str, Any]]) -> None:
    sb3_checker = pytest.importorskip("stable_baselines3.common.env_checker")
    env_id, kw = case
    env = gym.make(env_id, **kw)
    with masked_sampling(env):
        sb3_checker.check_env(env, warn=True)


def test_env__same_seed_same_trajectory(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    a = rollout(gym.make(env_id, **kw), seed=7, steps=300)
    b = rollout(gym.make(env_id, **kw), seed=7, steps=300)
    assert a == b
    assert rollout(gym.make(env_id, **kw), seed=8, steps=300) != a


def test_env__observations_stay_in_space(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    env = gym.make(env_id, **kw)
    obs, _ = env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(2000):
        assert obs in env.observation_space
        obs, reward, terminated, truncated, info = env.step(sample_action(env))
        assert isinstance(reward, float) and np.isfinite(reward)
        assert type(terminated) is bool and type(truncated) is bool
        assert isinstance(info, dict)
        if terminated or truncated:
            obs, _ = env.reset()


def test_env__returns_fresh_arrays(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    env = gym.make(env_id, **kw)
    first, _ = env.reset(seed=0)
    second, _, _, _, _ = env.step(sample_action(env))
    third, _, _, _, _ = env.step(sample_action(env))
    assert not np.shares_memory(first, second)
    assert not np.shares_memory(second, third)


def test_env__state_round_trip_gives_same_future(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    env = gym.make(env_id, **kw)
    env.reset(seed=3)
    for a in [0, 1, 1, 0]:
        env.step(valid_action(env, a))
    state = env.unwrapped.get_state()  # type: ignore[attr-defined]
    actions = [1, 0, 1, 1, 0, 0, 1, 0]
    first = [env.step(valid_action(env, a))[:3] for a in actions]
    env.unwrapped.set_state(state)  # type: ignore[attr-defined]
    again = [env.step(valid_action(env, a))[:3] for a in actions]
    assert [(plain(o), r, t) for o, r, t in first] == [(plain(o), r, t) for o, r, t in again]


def test_env__pickle_continues_identically(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    env = gym.make(env_id, **kw)
    env.reset(seed=5)
    env.step(valid_action(env, 1))
    clone = pickle.loads(pickle.dumps(env))
    for a in [0, 1, 0, 0, 1]:
        o1, r1, t1, u1, _ = env.step(valid_action(env, a))
        o2, r2, t2, u2, _ = clone.step(valid_action(clone, a))
        assert (plain(o1), r1, t1, u1) == (plain(o2), r2, t2, u2)
    assert plain(env.reset()[0]) == plain(clone.reset()[0])


def test_env__renders_every_declared_mode(case: tuple[str, dict[str, Any]]) -> None:
    env_id, kw = case
    modes = gym.make(env_id, **kw).metadata["render_modes"]
    assert set(modes) == {"human", "ansi", "rgb_array"}  # human: tests/visual/test_render.py
    text_env = gym.make(env_id, render_mode="ansi", **kw)
    text_env.reset(seed=0)
    before = text_env.render()
    assert isinstance(before, str) and before.strip()
    env = gym.make(env_id, render_mode="rgb_array", **kw)
    env.reset(seed=0)
    frame = env.render()
    assert isinstance(frame, np.ndarray)
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert frame.std() > 0, "a blank frame"
    for a in [1, 1, 2, 2, 1, 2]:
        env.step(valid_action(env, a))
        text_env.step(valid_action(text_env, a))
    after = env.render()
    assert isinstance(after, np.ndarray)
    assert after.shape == frame.shape
    assert (after != frame).any(), "the frame did not change when the state did"
    assert text_env.render() != before


def test_env__render_without_mode_warns_and_returns_none() -> None:
    env = gym.make("ferrogym/CartPole-v1").unwrapped
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="without specifying any render mode"):
        assert env.render() is None


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_env__make_vec_gives_the_rust_batch(env_id: str) -> None:
    envs = gym.make_vec(env_id, num_envs=3, vectorization_mode="vector_entry_point")
    assert isinstance(envs, RustVectorEnv)
    assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.NEXT_STEP
    assert envs.autoreset_mode == gym.vector.AutoresetMode.NEXT_STEP
    assert envs.single_observation_space == gym.make(env_id).observation_space
    envs.reset(seed=0)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_env__make_works_without_importing_ferrogym(env_id: str) -> None:
    code = (
        "import sys, gymnasium as gym\n"
        f"env = gym.make('ferrogym:{env_id}')\n"
        "env.reset(seed=0)\n"
        "assert 'ferrogym' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_env__ids_are_registered_once_with_both_entry_points() -> None:
    ids = [e.id for e in ferrogym.ENVS]
    assert len(ids) == len(set(ids))
    for env_id in ids:
        spec = gym.spec(env_id)
        assert spec.entry_point and spec.vector_entry_point
    ferrogym.envs.register_all()  # idempotent
