"""A deliberately broken env: each marked line is a classic mistake that
``ferrogym check examples/broken_env.py:BrokenWalkEnv`` reports (see docs/checker.md)."""

import gymnasium as gym
import numpy as np
from gymnasium import spaces

MOVES = [-1, 0, 1]


class BrokenWalkEnv(gym.Env):
    """Walk along a line to a target: 0 left, 1 stay, 2 right."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, render_mode=None):
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0.0, 10.0, (2,), np.float32)
        self.action_space = spaces.Discrete(3)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        self.pos = 0.0
        self.target = float(np.random.randint(4, 11))  # noqa: NPY002  MISTAKE: global RNG, ignores the seed
        return self._obs(), {}

    def step(self, action):
        self.pos = float(np.clip(self.pos + MOVES[action], 0, 10))  # MISTAKE: action never validated (-1 passes)
        self.t += 1
        distance = abs(self.pos - self.target)
        reward = -np.log(distance)  # MISTAKE: +inf at the target, and a numpy float
        terminated = distance == 0 or self.t >= 20  # MISTAKE: a time limit reported as termination
        return self._obs(), reward, terminated, False, {}

    def _obs(self):
        return np.array([self.pos, self.target])  # MISTAKE: float64 in a float32 space

    def render(self):
        return [[0, 0, 0]]  # MISTAKE: declares rgb_array, returns a list
