"""The peer InventoryControl is measured beside: the same day (deliveries, order,
Poisson demand serving backorders first, costs, observation) written the way
one would in Python without ferrogym. Default config only (Poisson demand,
fixed lead time, backorders), with numpy's generator for demand, so it is a
speed peer, not a reference (tests/reference/inventory_control_ref.py is)."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

HORIZON, MEAN, LEAD, CAPACITY, MAX_ORDER, STEP = 91, 4.0, 2, 60, 20, 2
HOLDING, SHORTAGE, FIXED, UNIT = 0.1, 1.0, 2.0, 0.5
OBS = 12 + LEAD


class PyInventoryControl(gym.Env[NDArray[np.float32], int]):
    """One store in plain Python (ints and lists), numpy only for demand and the observation."""

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (OBS,), np.float32)
        self.action_space = gym.spaces.Discrete(MAX_ORDER // STEP + 1)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        self.day, self.backorders = 0, 0
        self.on_hand = int(self.np_random.integers(0, CAPACITY // 2 + 1))
        self.pipeline = [0] * LEAD
        self.history = [int(d) for d in self.np_random.poisson(MEAN, 7)]
        return self._obs(), {}

    def step(self, action: int) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        ordered = int(action) * STEP
        arrived = self.pipeline.pop(0)
        self.pipeline.append(0)
        self.on_hand = min(self.on_hand + arrived, CAPACITY)
        self.pipeline[LEAD - 1] += ordered
        demand = int(self.np_random.poisson(MEAN))
        served = min(self.backorders, self.on_hand)
        self.backorders -= served
        self.on_hand -= served
        sold = min(demand, self.on_hand)
        self.on_hand -= sold
        self.backorders += demand - sold
        components = {
            "holding": -HOLDING * self.on_hand,
            "shortage": -SHORTAGE * self.backorders,
            "ordering": -((FIXED if ordered else 0.0) + UNIT * ordered),
        }
        self.history = [demand, *self.history[:-1]]
        self.day += 1
        reward = sum(components.values())
        return self._obs(), reward, False, self.day >= HORIZON, {"reward_components": components}

    def _obs(self) -> NDArray[np.float32]:
        angle = 2 * math.pi * (self.day % 7) / 7
        return np.array(
            [
                self.on_hand / CAPACITY,
                min(self.backorders / CAPACITY, 1.0),
                *(q / MAX_ORDER for q in self.pipeline),
                *(min(d / MAX_ORDER, 1.0) for d in self.history),
                math.sin(angle),
                math.cos(angle),
                self.day / HORIZON,
            ],
            dtype=np.float32,
        )


class NumpyInventoryBatch:
    """``n`` stores stepped together with numpy array operations, reset at the horizon."""

    def __init__(self, n: int, seed: int = 0) -> None:
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.day = np.zeros(n, dtype=np.int64)
        self.on_hand = self.rng.integers(0, CAPACITY // 2 + 1, n)
        self.backorders = np.zeros(n, dtype=np.int64)
        self.pipeline = np.zeros((n, LEAD), dtype=np.int64)
        self.history = self.rng.poisson(MEAN, (n, 7))

    def step(self, actions: NDArray[np.int64]) -> tuple[NDArray[np.float32], NDArray[np.float64], NDArray[np.bool_]]:
        ordered = actions * STEP
        self.on_hand = np.minimum(self.on_hand + self.pipeline[:, 0], CAPACITY)
        self.pipeline = np.roll(self.pipeline, -1, axis=1)
        self.pipeline[:, -1] = 0
        self.pipeline[:, LEAD - 1] += ordered
        demand = self.rng.poisson(MEAN, self.n)
        served = np.minimum(self.backorders, self.on_hand)
        self.backorders -= served
        self.on_hand -= served
        sold = np.minimum(demand, self.on_hand)
        self.on_hand -= sold
        self.backorders += demand - sold
        reward = -(HOLDING * self.on_hand + SHORTAGE * self.backorders + (ordered > 0) * FIXED + UNIT * ordered)
        self.history = np.roll(self.history, 1, axis=1)
        self.history[:, 0] = demand
        self.day += 1
        truncated = self.day >= HORIZON
        if truncated.any():
            k = int(truncated.sum())
            self.day[truncated] = 0
            self.on_hand[truncated] = self.rng.integers(0, CAPACITY // 2 + 1, k)
            self.backorders[truncated] = 0
            self.pipeline[truncated] = 0
            self.history[truncated] = self.rng.poisson(MEAN, (k, 7))
        return self._obs(), reward, truncated

    def _obs(self) -> NDArray[np.float32]:
        angle = 2 * np.pi * (self.day % 7) / 7
        return np.concatenate(
            [
                (self.on_hand / CAPACITY)[:, None],
                np.minimum(self.backorders / CAPACITY, 1.0)[:, None],
                self.pipeline / MAX_ORDER,
                np.minimum(self.history / MAX_ORDER, 1.0),
                np.sin(angle)[:, None],
                np.cos(angle)[:, None],
                (self.day / HORIZON)[:, None],
            ],
            axis=1,
            dtype=np.float32,
        )
