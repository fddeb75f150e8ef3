"""InventoryControl in Rust: daily ordering under random demand with lead times (operations research)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym  # noqa: F401  (used in the doctest)

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


@dataclass
class InventoryControlConfig(RustEnvConfig):
    """InventoryControl's arguments (``None``: the Rust default); see :class:`InventoryControlEnv`.

    >>> cfg = InventoryControlConfig(demand_model="negative_binomial", lead_time=3, shortage="lost_sales")
    >>> env = gym.make("ferrogym/InventoryControl-v0", **cfg.kwargs())
    """

    _core_cls = _core.InventoryControlCore

    horizon: int | None = None
    demand_model: str | None = None
    demand_mean: float | None = None
    demand_dispersion: float | None = None
    seasonality: float | None = None
    lead_time: int | None = None
    lead_time_jitter: int | None = None
    shortage: str | None = None
    holding_cost: float | None = None
    shortage_cost: float | None = None
    order_fixed_cost: float | None = None
    order_unit_cost: float | None = None
    capacity: int | None = None
    max_order: int | None = None
    order_step: int | None = None
    initial_stock: int | None = None


class InventoryControlEnv(RustEnv):
    """
    ## Description

    A store reviews its stock of one product every day and orders from a
    supplier who delivers after a lead time, while customers arrive with
    random demand. Holding stock costs money, running short costs more, and
    every order has a fixed and a per-unit cost: the classical periodic-review
    inventory problem (Scarf's (s, S) setting). One step is one day:

    1. orders due today arrive (units beyond ``capacity`` are turned away:
       paid for, never stocked);
    2. the chosen order is placed; it arrives ``lead_time`` days later (plus
       a uniform draw in ``[0, lead_time_jitter]``), before that day's demand;
    3. the day's demand is drawn (Poisson, or negative binomial with
       variance ``m + m^2 / demand_dispersion``; the mean follows a weekly
       cycle ``demand_mean * (1 + seasonality * sin(2 pi weekday / 7))``);
       stock serves backorders first, then today's customers; the rest is
       backordered (``shortage="backorder"``) or lost (``"lost_sales"``);
    4. the day's costs are charged.

    :mod:`ferrogym.policies.inventory` has the classical baselines
    (base-stock and (s, S) with parameters from the demand model).

    ## Action Space

    ``Discrete(max_order / order_step + 1)``: action ``a`` orders
    ``a * order_step`` units (default ``Discrete(11)``: 0, 2, ..., 20 units).

    ## Observation Space

    ``Box(12 + P,)`` float32 in [0, 1] (day of week in [-1, 1]), where
    ``P = lead_time + lead_time_jitter``; ``env.unwrapped.obs_layout`` names
    the slices:

    | index | content | range |
    |-------|---------|-------|
    | 0 | units on hand / ``capacity`` | [0, 1] |
    | 1 | units backordered / ``capacity``, clipped (0 with lost sales) | [0, 1] |
    | 2 .. 1+P | units arriving in 1, 2, ..., P days / (``max_order`` x (``lead_time_jitter`` + 1)) | [0, 1] |
    | 2+P .. 8+P | demand of the last 7 days, most recent first / ``max_order``, clipped | [0, 1] |
    | 9+P, 10+P | sin, cos of the coming day's weekday (2 pi d / 7) | [-1, 1] |
    | 11+P | days played / ``horizon`` | [0, 1] |

    ## Rewards

    Minus the day's costs, each in ``info["reward_components"]`` (each <= 0,
    summing to the reward): ``holding`` (``-holding_cost`` x units on hand at
    the end of the day), ``shortage`` (``-shortage_cost`` x units backordered
    at the end of the day, or x units lost today) and ``ordering``
    (``-(order_fixed_cost + order_unit_cost x units)`` when an order is
    placed). ``info["flows"]`` has the day's ``demand``, ``sold``, ``unmet``,
    ``arrived``, ``overflow`` and ``ordered`` units.

    ## Starting State

    ``initial_stock`` units on hand (default: uniform in ``[0, capacity / 2]``),
    nothing on order or backordered, and a week of demand history drawn from
    the demand model; day 0 is a Monday. Drawn from the env's Rust generator,
    seeded from ``np_random``.

    ## Episode End

    Never terminated (a store does not finish); truncated after ``horizon``
    days (the env truncates itself: no ``TimeLimit``).

    ## Arguments

    Every field of :class:`InventoryControlConfig`: ``horizon`` (91 days, 13 weeks),
    ``demand_model`` (``"poisson"`` or ``"negative_binomial"``),
    ``demand_mean`` (4.0), ``demand_dispersion`` (2.0, the negative binomial
    shape), ``seasonality`` (0.0, in [0, 1)), ``lead_time`` (2, >= 1),
    ``lead_time_jitter`` (0), ``shortage`` (``"backorder"`` or
    ``"lost_sales"``), ``holding_cost`` (0.1), ``shortage_cost`` (1.0),
    ``order_fixed_cost`` (2.0), ``order_unit_cost`` (0.5) (costs in [0, 1e6]), ``capacity`` (60),
    ``max_order`` (20), ``order_step`` (2, divides ``max_order``),
    ``initial_stock`` (None: random). Invalid values raise
    ``ferrogym.errors.ConfigError`` naming the field. ``render_mode``:
    ``"human"`` (a pygame window), ``"ansi"`` or ``"rgb_array"`` (480x260).

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/InventoryControl-v0", lead_time=3)
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape
    (15,)
    >>> obs, reward, terminated, truncated, info = env.step(5)  # order 10 units
    >>> sorted(info["reward_components"])
    ['holding', 'ordering', 'shortage']
    >>> info["reward_components"]["ordering"]
    -7.0

    ## Version History

    - v0: first version (one product).
    """

    _core_cls = _core.InventoryControlCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 7}

    @property
    def config(self) -> InventoryControlConfig:
        """The configuration in effect, every default resolved."""
        return _config(self._core.effective_config())


class InventoryControlVectorEnv(RustVectorEnv):
    """InventoryControl batched in Rust; see :class:`InventoryControlEnv`."""

    _batch_cls = _core.InventoryControlBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 7}

    @property
    def config(self) -> InventoryControlConfig:
        """The configuration in effect (the same for every sub-env)."""
        return _config(self._core.effective_config())


def _config(values: dict[str, Any] | None) -> InventoryControlConfig:
    assert values is not None  # InventoryControl always reports its config
    return InventoryControlConfig(**values)
