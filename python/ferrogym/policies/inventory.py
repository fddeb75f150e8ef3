"""InventoryControl baselines: base-stock and (s, S) ordering with parameters
from the demand model, and evaluation on held-out seeds.

Both read the inventory position (on hand + on order - backorders) from the
observation, through ``obs_layout`` and the config's scales, so one call
serves a single observation or a batch. The levels come from the textbook
approximations (normal lead-time demand over the protection interval of
lead time + one review day, the newsvendor critical ratio, the economic
order quantity for the (s, S) gap); they are good, not optimal.

>>> import gymnasium as gym, ferrogym
>>> from ferrogym.policies.inventory import BaseStockPolicy, evaluate
>>> env = gym.make("ferrogym/InventoryControl-v0")
>>> policy = BaseStockPolicy.from_env(env.unwrapped)
>>> policy.level
17
>>> round(evaluate(policy, seeds=range(3)).mean_return) < 0
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.envs.inventory_control import InventoryControlConfig, InventoryControlEnv
from ferrogym.spaces import ObsSlice

ENV_ID = "ferrogym/InventoryControl-v0"
#: Held-out evaluation seeds (training uses other seeds).
EVAL_SEEDS = range(10_000, 10_050)


def _full(config: InventoryControlConfig) -> dict[str, Any]:
    """Every field with the Rust default where the dataclass leaves ``None``."""
    return {**InventoryControlConfig.rust_defaults(), **config.kwargs()}


@dataclass(frozen=True)
class DemandModel:
    """Daily demand moments and the protection interval of a config."""

    mean: float
    variance: float
    #: Days an order must cover: lead time (its mean when random) + one review day.
    interval_mean: float
    interval_variance: float

    @classmethod
    def of(cls, config: InventoryControlConfig) -> DemandModel:
        """Returns the demand moments and protection interval of ``config`` (Rust defaults filled in)."""
        c = _full(config)
        # The weekly cycle averages out over a week: sin sums to 0 over 7 days.
        mean = float(c["demand_mean"])
        variance = mean if c["demand_model"] == "poisson" else mean + mean * mean / float(c["demand_dispersion"])
        jitter = int(c["lead_time_jitter"])
        return cls(
            mean=mean,
            variance=variance,
            interval_mean=int(c["lead_time"]) + jitter / 2 + 1,
            interval_variance=((jitter + 1) ** 2 - 1) / 12,
        )

    def interval_demand(self) -> tuple[float, float]:
        """Mean and standard deviation of demand over the protection interval
        (a random sum: E[T] var(D) + E[D]^2 var(T))."""
        m = self.mean * self.interval_mean
        v = self.interval_mean * self.variance + self.mean**2 * self.interval_variance
        return m, math.sqrt(v)


def critical_ratio(config: InventoryControlConfig) -> float:
    """Newsvendor service level: shortage / (shortage + holding); with lost
    sales a lost unit also saves its purchase cost."""
    c = _full(config)
    h, p = float(c["holding_cost"]), float(c["shortage_cost"])
    if c["shortage"] == "lost_sales":
        p = max(p - float(c["order_unit_cost"]), 0.0)
    if p + h == 0:
        return 0.5
    return min(max(p / (p + h), 0.01), 0.999)


class _PositionPolicy:
    """Orders from the inventory position read off the observation."""

    name = ""

    def __init__(self, config: InventoryControlConfig, layout: Iterable[ObsSlice]) -> None:
        c = _full(config)
        slices = {s.name: s for s in layout}
        self._on_hand, self._back, self._pipe = slices["on_hand"], slices["backorders"], slices["pipeline"]
        self._capacity = float(c["capacity"])
        self._pipe_scale = float(c["max_order"] * (c["lead_time_jitter"] + 1))
        self._step = int(c["order_step"])
        self._n_levels = int(c["max_order"]) // self._step + 1

    def position(self, obs: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
        """On hand + on order - backorders, in units (rounded: the
        observation divides integers by the config's scales)."""
        o = np.asarray(obs, dtype=np.float64)
        on_hand = self._on_hand.of(o)[..., 0] * self._capacity
        back = self._back.of(o)[..., 0] * self._capacity
        pipe = self._pipe.of(o).sum(axis=-1) * self._pipe_scale
        units: NDArray[np.float64] = np.rint(on_hand - back + pipe)
        return units

    def _order(self, units: NDArray[np.float64]) -> NDArray[np.int64]:
        """The action ordering the nearest multiple of ``order_step`` to ``units``."""
        return np.clip(np.rint(units / self._step), 0, self._n_levels - 1).astype(np.int64)

    def act(self, obs: NDArray[np.floating[Any]]) -> NDArray[np.int64]:
        raise NotImplementedError

    def __call__(self, obs: NDArray[np.floating[Any]]) -> Any:
        """An ``int`` for one observation, an int64 array for a batch."""
        a = self.act(obs)
        return int(a) if np.ndim(a) == 0 else a


class BaseStockPolicy(_PositionPolicy):
    """Order up to ``level`` every day: optimal for linear costs with
    backorders; the level is the critical-ratio quantile of demand over the
    protection interval."""

    name = "base_stock"

    def __init__(self, config: InventoryControlConfig, layout: Iterable[ObsSlice], level: int | None = None) -> None:
        super().__init__(config, layout)
        if level is None:
            m, sd = DemandModel.of(config).interval_demand()
            level = math.ceil(m + NormalDist().inv_cdf(critical_ratio(config)) * sd)
        self.level = int(level)

    @classmethod
    def from_env(cls, env: InventoryControlEnv, level: int | None = None) -> BaseStockPolicy:
        """Returns the policy for ``env``'s config and observation layout; ``level`` None picks the optimal level."""
        return cls(env.config, env.obs_layout, level)

    def act(self, obs: NDArray[np.floating[Any]]) -> NDArray[np.int64]:
        """Returns the order for each observation: the gap between ``level`` and the inventory position."""
        return self._order(self.level - self.position(obs))


class SSPolicy(_PositionPolicy):
    """(s, S): when the position falls below ``s``, order up to ``S``. With
    a fixed order cost this batches orders; ``s`` is the base-stock level and
    ``S = s + EOQ`` (economic order quantity ``sqrt(2 K mean / h)``)."""

    name = "s_S"

    def __init__(
        self, config: InventoryControlConfig, layout: Iterable[ObsSlice], s: int | None = None, S: int | None = None
    ) -> None:
        super().__init__(config, layout)
        c = _full(config)
        if s is None:
            s = BaseStockPolicy(config, layout).level
        if S is None:
            d = DemandModel.of(config)
            h = max(float(c["holding_cost"]), 1e-9)
            S = s + max(1, round(math.sqrt(2 * float(c["order_fixed_cost"]) * d.mean / h)))
        self.s, self.S = int(s), int(S)

    @classmethod
    def from_env(cls, env: InventoryControlEnv, s: int | None = None, S: int | None = None) -> SSPolicy:
        """Returns the policy for ``env``'s config and layout; ``s`` and ``S`` None pick the computed levels."""
        return cls(env.config, env.obs_layout, s, S)

    def act(self, obs: NDArray[np.floating[Any]]) -> NDArray[np.int64]:
        """Returns, per observation, the order up to ``S`` when the position is below ``s``, else 0."""
        pos = self.position(obs)
        return np.where(pos < self.s, self._order(self.S - pos), 0).astype(np.int64)


@dataclass(frozen=True)
class Evaluation:
    """A policy's return over ``episodes`` episodes and the mean total of each reward component."""

    mean_return: float
    std_return: float
    episodes: int
    #: Mean per-episode total of each reward component.
    components: dict[str, float]


def evaluate_batch(
    policy: Callable[[NDArray[np.float32]], Any], seeds: range = EVAL_SEEDS, **config: Any
) -> Evaluation:
    """Like :func:`evaluate` but all seeds at once in the Rust batch (sub-env
    ``i`` is seeded ``seeds.start + i``, as a single env with that seed):
    for policies that act on a batch of observations, e.g. the baselines."""
    if seeds.step != 1:
        raise ValueError(f"evaluate_batch: seeds must be consecutive; got {seeds}")
    n = len(seeds)
    envs = gym.make_vec(ENV_ID, num_envs=n, vectorization_mode="vector_entry_point", **config)
    obs, _ = envs.reset(seed=seeds.start)
    returns = np.zeros(n)
    totals: dict[str, float] = {}
    done = np.zeros(n, dtype=bool)
    while not done.all():  # every episode lasts `horizon` days: they end together
        obs, r, term, trunc, infos = envs.step(np.asarray(policy(obs), dtype=np.int64))
        returns += r
        groups = infos["reward_components"]
        for k, v in groups.items():
            if not k.startswith("_"):  # Gymnasium's "_name" masks of the vector info
                totals[k] = totals.get(k, 0.0) + float(np.sum(v[groups[f"_{k}"]]))
        done = term | trunc
    envs.close()
    return Evaluation(
        mean_return=float(np.mean(returns)),
        std_return=float(np.std(returns)),
        episodes=n,
        components={k: v / n for k, v in totals.items()},
    )


def tune_s_S(
    config: InventoryControlConfig, layout: Iterable[ObsSlice], seeds: range = range(20), spread: int = 6
) -> SSPolicy:
    """The best (s, S) on a grid around the textbook levels (s within
    ``spread`` of the base-stock level, ``S - s`` from 1/2 to 2 EOQ), judged
    on ``seeds`` (keep them apart from the evaluation seeds)."""
    layout = tuple(layout)
    start = SSPolicy(config, layout)
    gap = start.S - start.s
    best: tuple[float, SSPolicy] | None = None
    for s in range(max(0, start.s - spread), start.s + spread + 1):
        for S in sorted({s + max(1, round(gap * f)) for f in np.linspace(0.5, 2.0, 7)}):
            policy = SSPolicy(config, layout, s, S)
            score = evaluate_batch(policy, seeds, **config.kwargs()).mean_return
            if best is None or score > best[0]:
                best = (score, policy)
    assert best is not None
    return best[1]


def evaluate(
    policy: Callable[[NDArray[np.float32]], Any], seeds: Iterable[int] = EVAL_SEEDS, **config: Any
) -> Evaluation:
    """Runs one episode per seed with ``policy(obs) -> action``."""
    env = gym.make(ENV_ID, **config)
    returns: list[float] = []
    totals: dict[str, float] = {}
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        ret, done = 0.0, False
        while not done:
            obs, r, term, trunc, info = env.step(policy(obs))
            ret += float(r)
            for k, v in info["reward_components"].items():
                totals[k] = totals.get(k, 0.0) + float(v)
            done = bool(term or trunc)
        returns.append(ret)
    env.close()
    n = len(returns)
    return Evaluation(
        mean_return=float(np.mean(returns)),
        std_return=float(np.std(returns)),
        episodes=n,
        components={k: v / n for k, v in totals.items()},
    )
