"""Gymnasium-native consumers: the Rust batch under Gymnasium's vector wrappers, and a CleanRL-style PPO loop."""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.wrappers import vector as vw

from ferrogym.validate.rollout import valid_batch_actions

from .envs import ENV_IDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _batch(env_id: str, n: int = 4) -> gym.vector.VectorEnv:  # type: ignore[type-arg]
    return gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(e, marks=pytest.mark.compat(library="gymnasium-vector-wrappers", env=e, mode="batched"))
        for e in ENV_IDS
    ],
)
def test_vector_wrappers__stack_over_the_rust_batch(env_id: str) -> None:
    envs = vw.RecordEpisodeStatistics(vw.NormalizeReward(vw.NormalizeObservation(_batch(env_id))))
    obs, _ = envs.reset(seed=0)
    rng = np.random.default_rng(0)
    finished = 0
    for _ in range(300):
        actions = valid_batch_actions(envs.unwrapped, rng.integers(0, envs.single_action_space.n, size=envs.num_envs))
        obs, rewards, _terminated, _truncated, infos = envs.step(actions)
        assert obs.shape == envs.observation_space.shape
        assert np.isfinite(obs).all() and np.isfinite(rewards).all()
        finished += int(infos.get("_episode", np.zeros(1, bool)).sum())
    assert finished > 0
    # Gymnasium's vector wrappers do not forward `call`: it is the batch's.
    assert len(envs.unwrapped.call("action_masks")) == envs.num_envs
    envs.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_vector_wrappers__clip_action_refuses_discrete_actions_clearly(env_id: str) -> None:
    with pytest.raises(TypeError, match="Box"):
        vw.ClipAction(_batch(env_id))


@pytest.mark.parametrize(
    "env_id",
    [pytest.param(e, marks=pytest.mark.compat(library="cleanrl-ppo", env=e, mode="batched")) for e in ENV_IDS],
)
def test_cleanrl_ppo__example_trains_a_few_hundred_steps(env_id: str) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import cleanrl_ppo
    finally:
        sys.path.remove(str(EXAMPLES))
    stats = cleanrl_ppo.train(cleanrl_ppo.Args(env_id=env_id, num_envs=4, num_steps=32, total_timesteps=384))
    assert stats["global_step"] >= 384
    assert np.isfinite(stats["loss"])
