"""CartPole in Rust, identical to Gymnasium's CartPole-v1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


@dataclass
class CartPoleConfig(RustEnvConfig):
    """CartPole's arguments (``None``: the Rust default); see :class:`CartPoleEnv`."""

    _core_cls = _core.CartPoleCore

    sutton_barto_reward: bool | None = None
    reset_bound: float | None = None


class CartPoleEnv(RustEnv):
    """
    ## Description

    A pole is attached by an un-actuated joint to a cart moving along a
    frictionless track; push the cart left or right to keep the pole upright.
    The dynamics are Gymnasium's CartPole-v1 (Barto, Sutton & Anderson, 1983)
    computed in Rust with the same equations in the same order: from the same
    state and actions both give identical observations
    (``tests/test_cartpole.py`` checks it).

    ## Action Space

    ``Discrete(2)``: 0 pushes the cart left, 1 pushes it right.

    ## Observation Space

    ``Box(4,)`` float32 (the state itself is float64, as in Gymnasium):

    | Num | Observation           | Min                 | Max               |
    |-----|-----------------------|---------------------|-------------------|
    | 0   | Cart Position         | -4.8                | 4.8               |
    | 1   | Cart Velocity         | -Inf                | Inf               |
    | 2   | Pole Angle            | ~ -0.418 rad (-24°) | ~ 0.418 rad (24°) |
    | 3   | Pole Angular Velocity | -Inf                | Inf               |

    ## Rewards

    +1 for every step, the terminating step included (``sutton_barto_reward``:
    0 per step and -1 on termination).

    ## Starting State

    Every state variable uniform in ``(-reset_bound, reset_bound)``, drawn
    from the env's Rust generator, which is seeded from ``np_random``.

    ## Episode End

    Terminated when the pole angle leaves ±12° or the cart position leaves
    ±2.4; truncated after 500 steps (``max_episode_steps``).

    ## Arguments

    - ``sutton_barto_reward`` (bool, default False)
    - ``reset_bound`` (float, default 0.05)
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"`` (600x400)

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/CartPole-v1")
    >>> obs, info = env.reset(seed=42)
    >>> obs.shape, obs.dtype
    ((4,), dtype('float32'))

    ## Version History

    - v1: first ferrogym version, matching Gymnasium's CartPole-v1.
    """

    _core_cls = _core.CartPoleCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 50}


class CartPoleVectorEnv(RustVectorEnv):
    """CartPole-v1 batched in Rust; see :class:`CartPoleEnv` for the dynamics."""

    _batch_cls = _core.CartPoleBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 50}
