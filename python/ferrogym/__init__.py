"""ferrogym: Gymnasium environments with their dynamics in Rust.

``import ferrogym`` registers every env under the ``ferrogym/`` namespace::

    import gymnasium as gym
    import ferrogym

    env = gym.make("ferrogym/CartPole-v1")
    envs = gym.make_vec("ferrogym/CartPole-v1", num_envs=4096)
"""

from __future__ import annotations

from ferrogym import errors, events, rewards, validate
from ferrogym._core import __version__
from ferrogym.base import BaseEnvironment
from ferrogym.config import EnvConfig, make
from ferrogym.envs import ENVS, register_all
from ferrogym.registry import register

register_all()

__all__ = [
    "ENVS",
    "BaseEnvironment",
    "EnvConfig",
    "__version__",
    "errors",
    "events",
    "make",
    "register",
    "rewards",
    "validate",
]
