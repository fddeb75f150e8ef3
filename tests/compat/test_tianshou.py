"""Tianshou: single envs in DummyVectorEnv, and the adapter over the Rust batch (subsets of env ids)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("tianshou")

from tianshou.algorithm.modelfree.dqn import DQN, DiscreteQLearningPolicy
from tianshou.algorithm.optim import AdamOptimizerFactory
from tianshou.data import Collector, VectorReplayBuffer
from tianshou.env import DummyVectorEnv
from tianshou.utils.net.common import Net
from tianshou.utils.torch_utils import policy_within_training_step

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs
from ferrogym.integrations.tianshou import FerroTianshouVectorEnv, check_algorithm

from .envs import BOX_ACTION_IDS, ENV_IDS, TUPLE_OBS_IDS

NO_BOX_ACTIONS = "Tianshou's DQN takes Discrete actions (refused by ferrogym.integrations.tianshou.check_algorithm)"
NO_TUPLE_BATCH = "the batch adapter takes array observations (single envs: FlattenObservation in DummyVectorEnv)"


def _venv(env_id: str, mode: str, n: int = 4) -> Any:
    if mode == "batched":
        return FerroTianshouVectorEnv(env_id, n)
    kwargs = blind_kwargs(env_id, {})
    if env_id in TUPLE_OBS_IDS:
        return DummyVectorEnv([lambda: gym.wrappers.FlattenObservation(gym.make(env_id, **kwargs)) for _ in range(n)])
    return DummyVectorEnv([lambda: gym.make(env_id, **kwargs) for _ in range(n)])


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="tianshou-DQN", env=e, mode=m))
        for e in ENV_IDS + TUPLE_OBS_IDS
        for m in ("single", "batched")
        if (e, m) not in {(t, "batched") for t in TUPLE_OBS_IDS}
    ],
)
def test_tianshou__dqn_collects_and_updates(env_id: str, mode: str) -> None:
    env = _venv(env_id, mode)
    check_algorithm(DQN, env.action_space[0], env_id)
    obs_space, act_space = env.observation_space[0], env.action_space[0]
    if env_id in TUPLE_OBS_IDS:
        # Tianshou reads spaces from the unwrapped env: the Tuple before FlattenObservation.
        obs_space = gym.spaces.flatten_space(obs_space)
    net = Net(state_shape=obs_space.shape, action_shape=int(act_space.n), hidden_sizes=[32])
    policy = DiscreteQLearningPolicy(model=net, action_space=act_space, observation_space=obs_space, eps_training=0.3)
    algo = DQN(policy=policy, optim=AdamOptimizerFactory(lr=1e-3), target_update_freq=10)
    buffer = VectorReplayBuffer(2000, len(env))
    collector = Collector(algo, env, buffer, exploration_noise=True)
    collector.reset()
    steps = collector.collect(n_step=300)
    with policy_within_training_step(algo.policy):
        for _ in range(5):
            algo.update(buffer, sample_size=64)
    # Episode collection steps shrinking subsets of env ids at the end.
    episodes = collector.collect(n_episode=6)
    assert steps.n_collected_steps == 300
    assert episodes.n_collected_episodes == 6
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_tianshou__subset_steps_match_dummy_vector_env(env_id: str) -> None:
    ours, ref = _venv(env_id, "batched"), _venv(env_id, "single")
    ours.seed(5)
    ref.seed(5)
    o1, _ = ours.reset(seed=7)
    o2, _ = ref.reset(seed=7)
    np.testing.assert_array_equal(o1, o2)
    rng = np.random.default_rng(0)
    n_actions = int(ours.action_space[0].n)
    for t in range(60):
        ids = np.array([0, 2]) if t % 3 else np.arange(4)
        masks = ours.venv.action_masks()[ids]
        actions = np.array([rng.choice(np.flatnonzero(m)) for m in masks]) % n_actions
        r1 = ours.step(actions, ids)
        r2 = ref.step(actions, ids)
        for a, b in zip(r1[:4], r2[:4], strict=True):
            np.testing.assert_array_equal(a, b)
        ended = ids[r1[2] | r1[3]]
        if len(ended):
            np.testing.assert_array_equal(ours.reset(ended)[0], ref.reset(ended)[0])


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="tianshou-DQN", env=e, mode=m, na=NO_BOX_ACTIONS))
        for e in BOX_ACTION_IDS
        for m in ("single", "batched")
    ],
)
def test_tianshou__dqn_is_refused_box_actions(env_id: str, mode: str) -> None:
    env = _venv(env_id, mode)
    with pytest.raises(UnsupportedSpace, match=rf"{env_id}: Tianshou DQN takes Discrete actions, not Box.*SAC, TD3"):
        check_algorithm(DQN, env.action_space[0], env_id)
    env.close()


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(e, marks=pytest.mark.compat(library="tianshou-DQN", env=e, mode="batched", na=NO_TUPLE_BATCH))
        for e in TUPLE_OBS_IDS
    ],
)
def test_tianshou__batch_adapter_refuses_tuple_observations(env_id: str) -> None:
    with pytest.raises(UnsupportedSpace, match=r"array observations, not Tuple.*FlattenObservation"):
        FerroTianshouVectorEnv(env_id, 2)
