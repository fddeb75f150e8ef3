"""A store orders stock each day and sells to random demand: a new env in < 50 lines."""

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces

import ferrogym
from ferrogym.rewards import Sum, Term


@dataclass
class InventoryConfig(ferrogym.EnvConfig):
    capacity: int = 20  # most units the store can hold
    max_demand: int = 6  # daily demand is uniform in [0, max_demand]
    price: float = 1.0  # earned per unit sold
    holding_cost: float = 0.05  # paid per unit in stock at the end of a day

    def validate(self) -> None:  # every field bounded: the spaces are sized by capacity
        bounds = {"capacity": (1, 10_000), "max_demand": (0, 10_000), "price": (0, 1e6), "holding_cost": (0, 1e6)}
        for name, (low, high) in bounds.items():
            kind = "an integer" if isinstance(high, int) else "a number"
            if not low <= getattr(self, name) <= high:
                raise self.invalid(name, f"{kind} in [{low}, {high:g}]")


@dataclass
class Shelf:
    stock: int
    sold: int = 0


@ferrogym.register("examples/Inventory-v0", max_episode_steps=100)
class InventoryEnv(ferrogym.BaseEnvironment[InventoryConfig, Shelf]):
    config_cls = InventoryConfig
    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    reward_fn = Sum(
        Term("sales", lambda env, action: env.state.sold * env.config.price),
        Term("holding", lambda env, action: env.state.stock * env.config.holding_cost, weight=-1.0),
    )

    def _setup(self) -> None:  # observation: stock on the shelf; action: units to order
        self.observation_space = spaces.Box(0, self.config.capacity, (1,), np.float32)
        self.action_space = spaces.Discrete(self.config.capacity + 1)

    def _reset_state(self, options: dict) -> Shelf:
        return Shelf(stock=int(self.np_random.integers(0, self.config.capacity + 1)))

    def _update_state(self, action: int) -> None:
        stock = min(self.state.stock + int(action), self.config.capacity)
        self.state.sold = min(stock, int(self.np_random.integers(0, self.config.max_demand + 1)))
        self.state.stock = stock - self.state.sold

    def _check_termination(self) -> bool:
        return False  # a store never "finishes"; episodes end at max_episode_steps

    def _get_observation(self) -> np.ndarray:
        return np.array([self.state.stock], dtype=np.float32)

    def _render_frame(self, mode: str) -> str:
        return f"stock {self.state.stock:3d} {'#' * self.state.stock}  sold {self.state.sold}"
