"""A plain-Python reference of InventoryControl.

Written from the specification in the module doc of
rust/core/src/envs/inventory_control.rs and InventoryControlEnv's docstring:
one day = deliveries, order, demand (backorders first), costs. It shares only
the generator with the TicketRouting reference (ferrogym's xoshiro256++ and
its draws). Readable and slow on purpose; tests run it beside the Rust core
with the same seed and actions and require the same observations, rewards,
flags and infos.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tests.reference.ticket_routing_ref import Rng

HISTORY = 7
MAX_DEMAND = 100_000


class InventoryControlRef:
    def __init__(self, cfg: dict[str, Any]) -> None:
        """``cfg``: every field (``InventoryControlCore.default_config()`` updated)."""
        self.c = cfg
        self.rng = Rng(0)
        self.p = cfg["lead_time"] + cfg["lead_time_jitter"]

    def seed(self, seed: int) -> None:
        self.rng = Rng(seed)

    def mean_on(self, day: int) -> float:
        c = self.c
        return c["demand_mean"] * (1.0 + c["seasonality"] * math.sin(2.0 * math.pi * (day % 7) / 7.0))

    def demand(self, day: int) -> int:
        """Inverse CDF by sequential search on one uniform."""
        m = self.mean_on(day)
        u = self.rng.uniform()
        k = self.c["demand_dispersion"]
        poisson = self.c["demand_model"] == "poisson"
        p = math.exp(-m) if poisson else (k / (k + m)) ** k
        cdf, j = p, 0
        while cdf <= u and j < MAX_DEMAND:
            p *= m / (j + 1.0) if poisson else (j + k) / (j + 1.0) * (m / (k + m))
            j += 1
            cdf += p
            if p == 0.0 and j > m:
                break
        return j

    def reset(self) -> NDArray[np.float32]:
        c = self.c
        self.day = 0
        init = c["initial_stock"]
        self.on_hand = self.rng.below(c["capacity"] // 2 + 1) if init is None else init
        self.backorders = 0
        self.pipeline = [0] * self.p
        # history[i] is the demand of day -(i + 1).
        self.history = [self.demand(-(i + 1)) for i in range(HISTORY)]
        self.info: dict[str, dict[str, float]] = {
            "reward_components": {"holding": 0.0, "shortage": 0.0, "ordering": 0.0},
            "flows": dict.fromkeys(("demand", "sold", "unmet", "arrived", "overflow", "ordered"), 0.0),
        }
        return self.obs()

    def step(self, action: int) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        c = self.c
        ordered = action * c["order_step"]
        arrived = self.pipeline.pop(0)
        self.pipeline.append(0)
        stocked = min(arrived, c["capacity"] - self.on_hand)
        self.on_hand += stocked
        jitter = c["lead_time_jitter"]
        lead = c["lead_time"] + (self.rng.below(jitter + 1) if jitter > 0 else 0)
        self.pipeline[lead - 1] += ordered
        demand = self.demand(self.day)
        to_back = min(self.backorders, self.on_hand)
        self.backorders -= to_back
        self.on_hand -= to_back
        sold = min(demand, self.on_hand)
        self.on_hand -= sold
        unmet = demand - sold
        if c["shortage"] == "backorder":
            self.backorders += unmet
            short = self.backorders
        else:
            short = unmet
        components = {
            "holding": c["holding_cost"] * self.on_hand,
            "shortage": c["shortage_cost"] * short,
            "ordering": (c["order_fixed_cost"] if ordered > 0 else 0.0) + c["order_unit_cost"] * ordered,
        }
        self.info = {
            "reward_components": {k: -v if v != 0 else 0.0 for k, v in components.items()},
            "flows": {
                "demand": float(demand),
                "sold": float(to_back + sold),
                "unmet": float(unmet),
                "arrived": float(arrived),
                "overflow": float(arrived - stocked),
                "ordered": float(ordered),
            },
        }
        self.history = [demand, *self.history[:-1]]
        self.day += 1
        r = self.info["reward_components"]
        reward = r["holding"] + r["shortage"] + r["ordering"]
        return self.obs(), reward, False, self.day >= c["horizon"], self.info

    def obs(self) -> NDArray[np.float32]:
        c = self.c
        f = np.float32
        cap = f(c["capacity"])
        scale = f(c["max_order"] * (c["lead_time_jitter"] + 1))
        angle = 2.0 * math.pi * (self.day % 7) / 7.0
        return np.array(
            [
                f(self.on_hand) / cap,
                min(f(self.backorders) / cap, f(1.0)),
                *[f(q) / scale for q in self.pipeline],
                *[min(f(d) / f(c["max_order"]), f(1.0)) for d in self.history],
                f(math.sin(angle)),
                f(math.cos(angle)),
                f(self.day) / f(c["horizon"]),
            ],
            dtype=np.float32,
        )
