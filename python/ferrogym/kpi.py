"""KPIs a support manager reads, from TicketRouting's episode log, and their
confidence intervals over seeds.

Per episode (:func:`episode_kpis`), all times in minutes:

- ``resolution_*``: done - arrival over resolved tickets (mean, p50, p95;
  overall and per priority). Tickets still open at the end are not in these
  (their resolution time is unknown); they are counted in ``open_at_end``.
- ``weighted_resolution``: the env's objective in minutes per ticket: the
  priority x tier weighted open time of every ticket that arrived, the work
  left at the end charged as the reward charges it (``wait`` and
  ``backlog_end`` components), divided by the total weight. Lower is better;
  unlike ``resolution_*`` it cannot be flattered by leaving tickets open.
- ``pickup_mean``, ``pickup_p95``: start of service - arrival (resolved tickets).
- ``sla_<priority>``: met / decided, where a ticket is decided when resolved
  or still open past its deadline (open tickets within their SLA are not yet
  decided). NaN when no ticket of the priority was decided.
- ``resolved``: tickets resolved in the episode.
- ``backlog_end`` (unassigned), ``open_at_end`` (unassigned + queued).
- ``util_mean``, ``util_spread`` (max - min), ``util_jain`` (Jain's fairness
  index (sum x)^2 / (n sum x^2)): busy / on-shift minutes per engineer present.
- ``over_soft_cap_minutes``: engineer-minutes spent above the soft cap.
- ``top2_share``: share of assigned tickets given to one of the two most
  skilled engineers for their type.
- ``reward`` and ``reward_<component>``: episode totals.

Over seeds (:func:`summarize`, :func:`paired`): mean with a 95% Student t
interval, ``mean +- t(0.975, n-1) * sd / sqrt(n)`` (SciPy's t quantile). Paired differences use the same seeds for both
policies (common random numbers), so the interval is over per-seed differences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

PRIORITY_NAMES = ("critical", "high", "medium", "low")

Log = Mapping[str, Mapping[str, NDArray[np.float64]]]

#: KPIs where larger is better (all others: smaller is better).
HIGHER_IS_BETTER = frozenset(
    {"resolved", "sla_all", *(f"sla_{p}" for p in PRIORITY_NAMES), "util_mean", "util_jain", "top2_share", "reward"}
)

#: The KPI that ranks policies ("best heuristic").
PRIMARY = "weighted_resolution"


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    return float(stats.t.ppf(0.975, df))


@dataclass(frozen=True)
class Interval:
    """Mean of per-seed values with a 95% t interval (NaN values left out)."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float] | NDArray[np.float64]) -> Interval:
        """Returns the mean of ``values`` with its 95% Student-t interval.

        NaN values are left out; with fewer than two values the bounds are NaN.
        """
        x = np.asarray(values, dtype=np.float64)
        x = x[~np.isnan(x)]
        n = int(x.size)
        if n == 0:
            return cls(math.nan, math.nan, math.nan, 0)
        mean = float(x.mean())
        if n == 1:
            return cls(mean, math.nan, math.nan, 1)
        half = t_quantile_975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
        return cls(mean, mean - half, mean + half, n)

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2

    def as_dict(self) -> dict[str, float | int]:
        """Returns the interval as a plain dict: mean, low, high and n."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n}


def _stats(prefix: str, x: NDArray[np.float64], out: dict[str, float]) -> None:
    empty = x.size == 0
    out[f"{prefix}_mean"] = math.nan if empty else float(x.mean())
    out[f"{prefix}_p50"] = math.nan if empty else float(np.percentile(x, 50))
    out[f"{prefix}_p95"] = math.nan if empty else float(np.percentile(x, 95))


def jain_index(x: NDArray[np.float64]) -> float:
    """Jain's fairness index: 1 when all equal, 1/n when one takes everything."""
    sq = float((x**2).sum())
    return math.nan if x.size == 0 or sq == 0.0 else float(x.sum()) ** 2 / (x.size * sq)


def episode_kpis(log: Log, rewards: Mapping[str, float], config: Mapping[str, Any]) -> dict[str, float]:
    """The KPIs of one finished episode.

    ``log`` is ``env.unwrapped.episode_log()`` at the episode's end, ``rewards``
    the episode's reward totals by component (``info["reward_components"]``
    summed), ``config`` the resolved config (``env.unwrapped.config.kwargs()``
    or a dict with ``priority_weights``, ``tier_weights``, ``wait_weight``).
    """
    t, o, e = log["tickets"], log["open"], log["engineers"]
    out: dict[str, float] = {}
    prio = t["priority"].astype(np.int64)
    resolution = t["done"] - t["arrival"]
    _stats("resolution", resolution, out)
    for p, name in enumerate(PRIORITY_NAMES):
        _stats(f"resolution_{name}", resolution[prio == p], out)
    wait = t["pickup"] - t["arrival"]
    out["pickup_mean"] = float(wait.mean()) if wait.size else math.nan
    out["pickup_p95"] = float(np.percentile(wait, 95)) if wait.size else math.nan

    end = float(log["summary"]["minutes"][0])
    oprio = o["priority"].astype(np.int64)
    met = t["done"] <= t["deadline"]
    late_open = o["deadline"] <= end
    for p, name in enumerate(PRIORITY_NAMES):
        decided = int((prio == p).sum() + (late_open & (oprio == p)).sum())
        out[f"sla_{name}"] = float(met[prio == p].sum()) / decided if decided else math.nan
    decided_all = int(prio.size + late_open.sum())
    out["sla_all"] = float(met.sum()) / decided_all if decided_all else math.nan

    pw = np.asarray(config["priority_weights"], dtype=np.float64)
    tw = np.asarray(config["tier_weights"], dtype=np.float64)
    weight = float(
        (pw[prio] * tw[t["tier"].astype(np.int64)]).sum() + (pw[oprio] * tw[o["tier"].astype(np.int64)]).sum()
    )
    weighted_hours = -(rewards.get("wait", 0.0) + rewards.get("backlog_end", 0.0)) / float(config["wait_weight"])
    out["weighted_resolution"] = 60.0 * weighted_hours / weight if weight else math.nan

    out["resolved"] = float(prio.size)
    out["backlog_end"] = float(log["summary"]["backlog"][0])
    out["open_at_end"] = float(o["arrival"].size)
    present = e["present"] > 0
    shift = e["shift_minutes"][present]
    util = np.divide(e["busy_minutes"][present], shift, out=np.zeros_like(shift), where=shift > 0)
    out["util_mean"] = float(util.mean()) if util.size else math.nan
    out["util_spread"] = float(util.max() - util.min()) if util.size else math.nan
    out["util_jain"] = jain_index(util)
    out["over_soft_cap_minutes"] = float(e["over_soft_minutes"].sum())
    assigned_top2 = np.concatenate([t["top2"], o["top2"][o["engineer"] >= 0]])
    out["top2_share"] = float(assigned_top2.mean()) if assigned_top2.size else math.nan
    out["reward"] = float(sum(rewards.values()))
    for name, value in rewards.items():
        out[f"reward_{name}"] = float(value)
    return out


def summarize(per_seed: Sequence[Mapping[str, float]]) -> dict[str, Interval]:
    """Mean and 95% interval of every KPI over seeds."""
    keys = list(per_seed[0]) if per_seed else []
    return {k: Interval.of([float(r.get(k, math.nan)) for r in per_seed]) for k in keys}


def paired(a: Sequence[Mapping[str, float]], b: Sequence[Mapping[str, float]]) -> dict[str, Interval]:
    """Per-seed differences ``a - b`` (the same seeds in the same order), mean and 95% interval."""
    if len(a) != len(b):
        raise ValueError(f"paired comparison needs the same seeds: {len(a)} vs {len(b)} episodes")
    keys = [k for k in (a[0] if a else {}) if k in (b[0] if b else {})]
    return {k: Interval.of([float(x[k]) - float(y[k]) for x, y in zip(a, b, strict=True)]) for k in keys}


def better(kpi: str, x: float, y: float) -> bool:
    """``x`` is better than ``y`` for ``kpi``."""
    higher = kpi in HIGHER_IS_BETTER or kpi.startswith("reward")
    return x > y if higher else x < y
