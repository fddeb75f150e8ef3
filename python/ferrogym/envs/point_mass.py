"""PointMass in Rust: 2-D navigation to a goal with Box (force) actions."""

from __future__ import annotations

from typing import Any

from ferrogym import _core
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


class PointMassEnv(RustEnv):
    """
    ## Description

    A puck slides on a walled table ``[-1, 1]²`` with friction; push it with
    a 2-D force to a goal drawn at random each episode. A small
    continuous-control task (like DeepMind Control's ``point_mass`` or
    Gymnasium's Reacher without the arm) that SAC/PPO learn in minutes.
    Every step (dt = 0.1): ``v <- v * 0.95 + 0.2 * force``, speed capped at
    2 per axis, ``p <- p + 0.1 * v``; a wall stops the puck along that axis.

    ## Action Space

    ``Box(-1.0, 1.0, (2,), float32)``: the force along x and y. Out-of-range
    forces are clipped to [-1, 1] (as Gymnasium's Pendulum clips torques); a
    NaN raises ``ferrogym.errors.InvalidAction``.

    ## Observation Space

    ``Box(6,)`` float32 (``env.unwrapped.obs_layout`` names the slices):

    | Num | Observation           | Min  | Max |
    |-----|-----------------------|------|-----|
    | 0-1 | puck position x, y    | -1.0 | 1.0 |
    | 2-3 | puck velocity vx, vy  | -2.0 | 2.0 |
    | 4-5 | goal minus position   | -2.0 | 2.0 |

    ## Rewards

    ``-distance_to_goal - ctrl_cost * |force|²`` every step, plus
    ``reach_bonus`` on the step that reaches the goal.

    ## Starting State

    The puck at rest uniformly in ``[-0.9, 0.9]²``; the goal uniformly in the
    same square, at least 0.3 away. Drawn from the env's Rust generator,
    seeded from ``np_random``.

    ## Episode End

    Terminated when the puck is within ``goal_radius`` of the goal;
    truncated after 200 steps (``max_episode_steps``).

    ## Arguments

    - ``goal_radius`` (float in (0, 1), default 0.05)
    - ``ctrl_cost`` (float in [0, 1e6], default 0.01)
    - ``reach_bonus`` (float in [0, 1e6], default 10.0)
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"`` (400x400)

    >>> import gymnasium as gym, ferrogym, numpy as np
    >>> env = gym.make("ferrogym/PointMass-v0")
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(np.array([1.0, 0.0], dtype=np.float32))
    >>> obs.shape
    (6,)

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.PointMassCore
    #: ``box_actions: clip``: out-of-range actions are clipped, not refused
    #: (read by ``ferrogym check``'s invalid-action fuzzing).
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 10, "box_actions": "clip"}


class PointMassVectorEnv(RustVectorEnv):
    """PointMass batched in Rust; actions are a float32 array of shape
    ``(num_envs, 2)``. See :class:`PointMassEnv`."""

    _batch_cls = _core.PointMassBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 10}
