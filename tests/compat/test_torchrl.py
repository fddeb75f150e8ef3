"""TorchRL: GymWrapper over single envs and over the Rust batch in DISABLED autoreset mode."""

from __future__ import annotations

import gymnasium as gym
import pytest

pytest.importorskip("torchrl")

from torchrl.collectors import Collector
from torchrl.envs import GymWrapper
from torchrl.envs.utils import check_env_specs

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs
from ferrogym.integrations.torchrl import make_env

from .envs import BOX_ACTION_IDS, ENV_IDS, TUPLE_OBS_IDS


def _env(env_id: str, mode: str) -> GymWrapper:
    # Tuple observations (Blackjack) through Gymnasium's FlattenObservation, as documented.
    flatten = env_id in TUPLE_OBS_IDS
    if mode == "batched":
        return make_env(env_id, num_envs=4, flatten_observation=flatten)
    env = gym.make(env_id, **blind_kwargs(env_id, {}))
    return GymWrapper(gym.wrappers.FlattenObservation(env) if flatten else env)


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="torchrl", env=e, mode=m))
        for e in ENV_IDS + BOX_ACTION_IDS + TUPLE_OBS_IDS
        for m in ("single", "batched")
    ],
)
def test_torchrl__check_env_specs_and_collector(env_id: str, mode: str) -> None:
    env = _env(env_id, mode)
    check_env_specs(env, seed=0)
    # Enough frames that every sub-env ends an episode (Pendulum's last 200 steps).
    horizon = gym.spec(env_id).max_episode_steps or 0
    total = max(400, -(-(env.batch_size.numel() * horizon + 1) // 200) * 200)
    collector = Collector(env, policy=None, frames_per_batch=200, total_frames=total)
    frames = 0
    dones = 0
    for batch in collector:
        frames += batch.numel()
        dones += int(batch["next", "done"].sum())
    collector.shutdown()
    assert frames == total
    assert dones > 0


def test_torchrl__batch_resets_only_ended_sub_envs() -> None:
    env = make_env("ferrogym/CartPole-v1", num_envs=4)
    td = env.rollout(200, break_when_any_done=False)
    done = td["next", "done"].squeeze(-1)
    assert done.any()
    # After a sub-env ends, its next observation is a fresh start (|x| < 0.05);
    # the other sub-envs carry on (their observation is the step's next one).
    i, t = (int(x) for x in done.nonzero()[0])  # batch dims: (sub-env, time)
    assert t + 1 < done.shape[1]
    assert float(td["observation"][i, t + 1].abs().max()) <= 0.05
    assert float(td["observation"][i, t].abs().max()) > 0.05


@pytest.mark.parametrize("env_id", TUPLE_OBS_IDS)
def test_torchrl__tuple_observations_need_flattening(env_id: str) -> None:
    with pytest.raises(UnsupportedSpace, match=r"Tuple.*flatten_observation=True"):
        make_env(env_id, num_envs=2)
