"""Pendulum in Rust, identical to Gymnasium's Pendulum-v1 (Box actions)."""

from __future__ import annotations

from typing import Any

from ferrogym import _core
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


class PendulumEnv(RustEnv):
    """
    ## Description

    The inverted pendulum swing-up: a pendulum hangs from a fixed pivot and
    starts at a random angle; apply torque to swing it up and keep it upright.
    The dynamics are Gymnasium's Pendulum-v1 computed in Rust with the same
    operations in the same precision (a float64 state; the float32 torque
    enters float32 products as NumPy 2 promotes them), so from the same state
    and actions both give identical observations and rewards
    (``tests/test_pendulum.py`` checks it).

    ## Action Space

    ``Box(-2.0, 2.0, (1,), float32)``: the torque on the free end. As in
    Gymnasium, out-of-range torques are clipped to [-2, 2] (±inf included);
    a NaN torque raises ``ferrogym.errors.InvalidAction``. Actions are read as
    float32, the space's dtype (Gymnasium computes a float64 action in float64).

    ## Observation Space

    ``Box(3,)`` float32:

    | Num | Observation      | Min  | Max |
    |-----|------------------|------|-----|
    | 0   | x = cos(theta)   | -1.0 | 1.0 |
    | 1   | y = sin(theta)   | -1.0 | 1.0 |
    | 2   | angular velocity | -8.0 | 8.0 |

    ## Rewards

    ``-(theta² + 0.1 theta_dot² + 0.001 torque²)`` with theta normalised to
    [-pi, pi): 0 at best (upright, still, no torque), about -16.27 at worst.

    ## Starting State

    theta uniform in [-pi, pi), theta_dot uniform in [-1, 1), drawn from the
    env's Rust generator seeded from ``np_random`` (Gymnasium's ``x_init`` /
    ``y_init`` reset options are not supported).

    ## Episode End

    Never terminates; truncated after 200 steps (``max_episode_steps``).

    ## Arguments

    - ``g`` (float in [0, 1000], default 10.0): gravity
    - ``render_mode``: ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"`` (500x500)

    >>> import gymnasium as gym, ferrogym, numpy as np
    >>> env = gym.make("ferrogym/Pendulum-v1")
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(np.array([1.0], dtype=np.float32))
    >>> obs.shape, terminated
    ((3,), False)

    ## Version History

    - v1: first ferrogym version, matching Gymnasium's Pendulum-v1.
    """

    _core_cls = _core.PendulumCore
    #: ``box_actions: clip``: out-of-range actions are clipped, not refused
    #: (read by ``ferrogym check``'s invalid-action fuzzing).
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 30, "box_actions": "clip"}


class PendulumVectorEnv(RustVectorEnv):
    """Pendulum-v1 batched in Rust; actions are a float32 array of shape
    ``(num_envs, 1)``. See :class:`PendulumEnv` for the dynamics."""

    _batch_cls = _core.PendulumBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 30}
