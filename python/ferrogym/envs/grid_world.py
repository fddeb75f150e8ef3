"""GridWorld in Rust: ASCII maps, built-in layouts, slip, two observation modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym  # noqa: F401  (used in the doctest)

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


@dataclass
class GridWorldConfig(RustEnvConfig):
    """GridWorld's arguments (``None``: the Rust default); see :class:`GridWorldEnv`.

    >>> cfg = GridWorldConfig(layout="four_rooms", slip=0.1)
    >>> env = gym.make("ferrogym/GridWorld-v0", **cfg.kwargs())
    """

    _core_cls = _core.GridWorldCore

    layout: str | None = None
    map: str | None = None
    maze_size: int | None = None
    maze_seed: int | None = None
    slip: float | None = None
    step_cost: float | None = None
    goal_reward: float | None = None
    lava_reward: float | None = None
    random_start: bool | None = None
    observation: str | None = None
    cell_px: int | None = None


class GridWorldEnv(RustEnv):
    """
    ## Description

    An agent walks a grid of floor, walls, lava and goals. Reaching a goal
    ends the episode with ``goal_reward``; stepping into lava ends it with
    ``lava_reward``; every step costs ``step_cost``. With probability ``slip``
    the move goes to one of the two perpendicular directions instead.

    ## Action Space

    ``Discrete(4)``: 0 up, 1 right, 2 down, 3 left. Moves into walls or off
    the map leave the agent where it is.

    ## Observation Space

    - ``observation="coords"`` (default): ``Box(0, [H-1, W-1], (2,), float32)``,
      the agent's ``[row, column]``.
    - ``observation="image"``: ``Box(0, 1, (4, H, W), float32)``, channels
      wall, goal, lava, agent.

    ## Rewards

    ``-step_cost`` every step, plus ``goal_reward`` on a goal or
    ``lava_reward`` in lava.

    ## Starting State

    An ``S`` cell (one drawn at random if there are several), or any floor
    cell with ``random_start=True``.

    ## Episode End

    Terminated on a goal or lava cell; truncated after ``max_episode_steps``
    (100 by default).

    ## Arguments

    - ``layout``: ``"open_room"`` (7x7, default), ``"four_rooms"`` (13x13) or
      ``"maze"`` (``maze_size`` odd, generated from ``maze_seed``).
    - ``map``: ASCII text, ``#`` wall, ``.`` floor, ``S`` start, ``G`` goal,
      ``L`` lava; overrides ``layout``.
    - ``slip`` (float in [0, 1], default 0), ``step_cost`` (0.01),
      ``goal_reward`` (1.0), ``lava_reward`` (-1.0), ``random_start`` (False),
      ``observation`` (``"coords"`` or ``"image"``), ``cell_px`` (32).
    - ``render_mode``: ``"ansi"`` or ``"rgb_array"``.

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/GridWorld-v0", map="#####\\n#S.G#\\n#####")
    >>> obs, _ = env.reset(seed=0)
    >>> obs.tolist()
    [1.0, 1.0]

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.GridWorldCore
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 8}


class GridWorldVectorEnv(RustVectorEnv):
    """GridWorld batched in Rust; see :class:`GridWorldEnv`."""

    _batch_cls = _core.GridWorldBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 8}
