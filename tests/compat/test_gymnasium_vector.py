"""Gymnasium-native consumers: the Rust batch under Gymnasium's vector wrappers, and a CleanRL-style PPO loop."""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.wrappers import vector as vw

from ferrogym.errors import UnsupportedSpace
from ferrogym.validate.rollout import valid_batch_actions

from .envs import BOX_ACTION_IDS, ENV_IDS, TUPLE_OBS_IDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _batch(env_id: str, n: int = 4) -> gym.vector.VectorEnv:  # type: ignore[type-arg]
    return gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(e, marks=pytest.mark.compat(library="gymnasium-vector-wrappers", env=e, mode="batched"))
        for e in ENV_IDS + BOX_ACTION_IDS + TUPLE_OBS_IDS
    ],
)
def test_vector_wrappers__stack_over_the_rust_batch(env_id: str) -> None:
    batch = _batch(env_id)
    if env_id in TUPLE_OBS_IDS:
        batch = vw.FlattenObservation(batch)  # NormalizeObservation needs a Box
    if env_id in BOX_ACTION_IDS:
        batch = vw.ClipAction(vw.RescaleAction(batch, np.float32(-1.0), np.float32(1.0)))
    envs = vw.RecordEpisodeStatistics(vw.NormalizeReward(vw.NormalizeObservation(batch)))
    obs, _ = envs.reset(seed=0)
    envs.action_space.seed(0)
    rng = np.random.default_rng(0)
    finished = 0
    # Enough steps for every sub-env to end an episode (Pendulum: 200).
    for _ in range(max(300, gym.spec(env_id).max_episode_steps or 0)):
        if env_id in BOX_ACTION_IDS:
            actions = 1.5 * envs.action_space.sample()  # ClipAction brings them back into [-1, 1]
        else:
            actions = valid_batch_actions(
                envs.unwrapped, rng.integers(0, envs.single_action_space.n, size=envs.num_envs)
            )
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
    [
        pytest.param(e, marks=pytest.mark.compat(library="cleanrl-ppo", env=e, mode="batched"))
        for e in ENV_IDS + TUPLE_OBS_IDS
    ],
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


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(
            e,
            marks=pytest.mark.compat(
                library="cleanrl-ppo",
                env=e,
                mode="batched",
                na="the ported ppo.py has a categorical policy (CleanRL's ppo_continuous_action.py is not ported)",
            ),
        )
        for e in BOX_ACTION_IDS
    ],
)
def test_cleanrl_ppo__example_refuses_box_actions(env_id: str) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import cleanrl_ppo
    finally:
        sys.path.remove(str(EXAMPLES))
    with pytest.raises(UnsupportedSpace, match=r"Discrete actions.*ppo_continuous_action"):
        cleanrl_ppo.train(cleanrl_ppo.Args(env_id=env_id, num_envs=2, num_steps=8, total_timesteps=16))
