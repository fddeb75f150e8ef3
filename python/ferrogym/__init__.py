"""ferrogym: Gymnasium environments with their dynamics in Rust.

``import ferrogym`` registers every env under the ``ferrogym/`` namespace::

    import gymnasium as gym
    import ferrogym

    env = gym.make("ferrogym/CartPole-v1")
    envs = gym.make_vec("ferrogym/CartPole-v1", num_envs=4096)
"""

from __future__ import annotations

from ferrogym import errors
from ferrogym._core import __version__
from ferrogym.envs import ENVS, register_all

register_all()

__all__ = ["ENVS", "__version__", "errors"]
