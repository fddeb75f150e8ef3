"""PointMass: Box actions single and batched, clipping, NaN, learnability by a simple controller."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.envs.point_mass import PointMassEnv
from ferrogym.errors import ConfigError, InvalidAction, InvalidActionType


def test_point_mass__a_pd_controller_reaches_the_goal_and_random_does_not() -> None:
    def episode_return(policy: str, seed: int) -> tuple[float, bool]:
        env = gym.make("ferrogym/PointMass-v0")
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        total = 0.0
        while True:
            if policy == "pd":
                action = np.clip(2.0 * obs[4:6] - obs[2:4], -1, 1).astype(np.float32)
            else:
                action = env.action_space.sample()
            obs, r, terminated, truncated, _ = env.step(action)
            total += float(r)
            if terminated or truncated:
                return total, terminated

    pd = [episode_return("pd", s) for s in range(10)]
    rand = [episode_return("random", s) for s in range(10)]
    assert all(reached for _, reached in pd)
    assert np.mean([r for r, _ in pd]) > np.mean([r for r, _ in rand]) + 20


def test_point_mass__out_of_range_force_is_clipped_and_nan_rejected() -> None:
    env = PointMassEnv()
    env.reset(seed=0)
    state = env.get_state()
    big = env.step(np.array([9.0, -9.0], dtype=np.float32))
    env.set_state(state)
    edge = env.step(np.array([1.0, -1.0], dtype=np.float32))
    assert big[0].tobytes() == edge[0].tobytes() and big[1] == edge[1]
    before = env.get_state()
    with pytest.raises(InvalidAction, match=r"PointMass: invalid action \[0\.0, NaN\]"):
        env.step(np.array([0.0, np.nan], dtype=np.float32))
    assert env.get_state() == before
    with pytest.raises(InvalidActionType, match=r"shape \(2,\)"):
        env.step(np.zeros(3, dtype=np.float32))
    with pytest.raises(ConfigError, match="goal_radius"):
        PointMassEnv(goal_radius=2.0)


def test_point_mass__batch_equals_single_envs_and_rejects_bad_rows() -> None:
    envs = gym.make_vec("ferrogym/PointMass-v0", num_envs=4, vectorization_mode="vector_entry_point")
    singles = [gym.make("ferrogym/PointMass-v0") for _ in range(4)]
    obs, _ = envs.reset(seed=3)
    for i, e in enumerate(singles):
        assert e.reset(seed=3 + i)[0].tobytes() == obs[i].tobytes()
    envs.action_space.seed(0)
    for _ in range(50):
        actions = envs.action_space.sample()
        assert actions.dtype == np.float32 and actions.shape == (4, 2)
        obs, rewards, _, _, _ = envs.step(actions)
        for i, e in enumerate(singles):
            o, r, te, tr, _ = e.step(actions[i])
            assert o.tobytes() == obs[i].tobytes() and r == rewards[i]
            if te or tr:
                break
    with pytest.raises(InvalidActionType, match=r"shape \(4, 2\)"):
        envs.step(np.zeros(4, dtype=np.float32))
    bad = np.zeros((4, 2), dtype=np.float32)
    bad[3, 1] = np.nan
    with pytest.raises(InvalidAction, match="sub-env 3"):
        envs.step(bad)
    assert envs.action_masks().shape == (4, 0)  # Box actions have no masks
