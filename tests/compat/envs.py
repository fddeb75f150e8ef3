"""The env ids every compat test runs over.

The compat suite covers the envs with Discrete actions and array (Box)
observations. Box-action and Tuple-observation envs (Pendulum, PointMass,
Blackjack) fit only some of these libraries' algorithms (no DQN or
MaskablePPO for Box actions; SB3, Tianshou and the vector observation
wrappers take no Tuple observations): they are listed in NOT_COVERED until
each library's cells are written for them. So are envs whose Box observation
has more than one axis and is not an image (ConnectFour's (2, 6, 7) planes):
RLlib has no default network for that shape, skrl's and CleanRL's MLPs take
flat inputs and SB3's checker warns; MaskablePPO, TorchRL and Tianshou did
run ConnectFour when tried (docs/connect_four.md).
"""

from __future__ import annotations

import gymnasium as gym
from gymnasium import spaces

import ferrogym

ALL_IDS = [e.id for e in ferrogym.ENVS]
MASKED = {e.id for e in ferrogym.ENVS if e.masked}


def _uncovered_reason(env_id: str) -> str | None:
    env = gym.make(env_id)
    try:
        if not isinstance(env.action_space, spaces.Discrete):
            return f"{type(env.action_space).__name__} actions"
        if not isinstance(env.observation_space, spaces.Box):
            return f"{type(env.observation_space).__name__} observations"
        if len(env.observation_space.shape) > 1:
            return f"Box observations of shape {env.observation_space.shape} (not flat)"
        return None
    finally:
        env.close()


NOT_COVERED = {i: r for i in ALL_IDS if (r := _uncovered_reason(i)) is not None}
ENV_IDS = [i for i in ALL_IDS if i not in NOT_COVERED]
