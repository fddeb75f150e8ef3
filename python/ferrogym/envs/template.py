"""The Rust template env (rust/core/src/envs/template.rs), registered as
``ferrogym/Corridor-v0`` so the template is built and checked."""

from __future__ import annotations

from typing import Any

from ferrogym import _core
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


class CorridorEnv(RustEnv):
    """
    ## Description

    The one-file template for new Rust envs: an agent walks a corridor of
    ``length`` cells towards the goal at the right end.

    ## Action Space

    ``Discrete(2)``: 0 left, 1 right.

    ## Observation Space

    ``Box(0, length - 1, (1,), float32)``: the agent's cell.

    ## Rewards

    +1 on reaching the goal, ``-step_cost`` for every other step.

    ## Starting State

    A uniformly random cell other than the goal.

    ## Episode End

    Terminated at the goal; truncated after 50 steps (``max_episode_steps``).

    ## Arguments

    - ``length`` (int in [2, 1024], default 8), ``step_cost`` (float in
      [-1e6, 1e6], default 0.01)
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"``

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/Corridor-v0", length=4)
    >>> env.observation_space.shape
    (1,)

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.CorridorCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 8}


class CorridorVectorEnv(RustVectorEnv):
    """The template env batched in Rust; see :class:`CorridorEnv`."""

    _batch_cls = _core.CorridorBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 8}
