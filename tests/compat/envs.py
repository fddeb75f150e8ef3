"""The env ids the compat tests run over, grouped by the spaces libraries care about.

- ENV_IDS: Discrete actions and Box observations, the shape every library takes;
- BOX_ACTION_IDS: Box actions (Pendulum, PointMass): no DQN or MaskablePPO;
- TUPLE_OBS_IDS: Tuple observations (Blackjack): SB3, Tianshou and array
  policies need them flattened (Gymnasium's FlattenObservation, one-hot parts).
- PLANE_OBS_IDS (within ENV_IDS): Box observations with more than one axis
  that are not images (ConnectFour's (2, 6, 7) planes). RLlib has no default
  network for that shape, skrl's and CleanRL's MLPs take flat inputs and SB3's
  checker warns (it recommends flattening): those run them through the same
  flattening as Tuple observations (FLATTEN_IDS). TorchRL, Tianshou and
  Gymnasium's vector wrappers take the planes as they are.

A library that cannot take an env gets a test that checks it says so
(``compat(..., na=reason)``): the matrix shows "n/a" and the reason.
"""

from __future__ import annotations

import gymnasium as gym
from gymnasium import spaces

import ferrogym

ALL_IDS = [e.id for e in ferrogym.ENVS]
MASKED = {e.id for e in ferrogym.ENVS if e.masked}


def _spaces(env_id: str) -> tuple[gym.Space[object], gym.Space[object]]:
    env = gym.make(env_id)
    try:
        return env.observation_space, env.action_space
    finally:
        env.close()


_SPACES = {i: _spaces(i) for i in ALL_IDS}
ENV_IDS = [i for i, (o, a) in _SPACES.items() if isinstance(a, spaces.Discrete) and isinstance(o, spaces.Box)]
BOX_ACTION_IDS = [i for i, (o, a) in _SPACES.items() if isinstance(a, spaces.Box) and isinstance(o, spaces.Box)]
TUPLE_OBS_IDS = [i for i, (o, a) in _SPACES.items() if isinstance(o, spaces.Tuple)]
PLANE_OBS_IDS = [i for i, (o, a) in _SPACES.items() if isinstance(o, spaces.Box) and len(o.shape) > 1]
#: Observations that libraries whose default networks are MLPs get flattened.
FLATTEN_IDS = TUPLE_OBS_IDS + PLANE_OBS_IDS
COVERED = set(ENV_IDS) | set(BOX_ACTION_IDS) | set(TUPLE_OBS_IDS)
#: Every id belongs to a group above (a new kind of space needs its cells written).
assert set(ALL_IDS) == COVERED, sorted(set(ALL_IDS) - COVERED)
