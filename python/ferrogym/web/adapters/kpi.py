"""Per-episode KPIs and their 95% intervals over seeds.

``ferrogym.kpi`` (the TicketRouting KPI table) is used when it is installed and
the env's episode log has what it reads; otherwise a built-in subset computed
from the episode log on main, to be replaced by ``ferrogym.kpi`` when merged.
Every env gets ``reward``, ``length`` and ``reward_<component>``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.web.adapters.optional import optional_module

#: The project module when installed (it lands from another branch), else None.
_project_kpi: Any = optional_module("ferrogym.kpi")

Log = Mapping[str, Mapping[str, NDArray[np.float64]]]

# t(0.975, df) for df = 1..30; 1.96 beyond (scipy is not a dependency).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def interval(values: Sequence[float]) -> dict[str, float]:
    """Mean with a 95% Student t interval over the finite values."""
    x = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return {"mean": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    mean = float(x.mean())
    if n == 1:
        return {"mean": mean, "low": mean, "high": mean, "n": 1}
    t = _T975[n - 2] if n - 1 <= len(_T975) else 1.96
    half = t * float(x.std(ddof=1)) / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}


def source() -> str:
    return "ferrogym.kpi" if _project_kpi is not None else "ferrogym.web (built-in subset)"


def _builtin_ticket_kpis(log: Log) -> dict[str, float]:
    t, e = log["tickets"], log["engineers"]
    out: dict[str, float] = {}
    resolution = t["done"] - t["arrival"]
    out["resolved"] = float(resolution.size)
    out["resolution_mean"] = float(resolution.mean()) if resolution.size else math.nan
    out["resolution_p95"] = float(np.percentile(resolution, 95)) if resolution.size else math.nan
    wait = t["pickup"] - t["arrival"]
    out["pickup_mean"] = float(wait.mean()) if wait.size else math.nan
    out["sla_resolved"] = float((t["done"] <= t["deadline"]).mean()) if resolution.size else math.nan
    out["backlog_end"] = float(log["summary"]["backlog"][0])
    present = e["present"] > 0
    shift = e["shift_minutes"][present]
    util = np.divide(e["busy_minutes"][present], shift, out=np.zeros_like(shift), where=shift > 0)
    out["util_mean"] = float(util.mean()) if util.size else math.nan
    out["util_jain"] = float(util.sum() ** 2 / (util.size * (util**2).sum())) if (util**2).sum() > 0 else math.nan
    out["over_soft_cap_minutes"] = float(e["over_soft_minutes"].sum())
    return out


def episode_kpis(
    log: Log | None,
    rewards: Mapping[str, float],
    episode_return: float,
    length: int,
    config: Mapping[str, Any] | None,
) -> dict[str, float]:
    """KPIs of one finished episode; ``rewards`` are the episode's totals by component."""
    out: dict[str, float] = {}
    if log and "tickets" in log:
        if _project_kpi is not None and "open" in log and config is not None:
            out.update(_project_kpi.episode_kpis(log, rewards, config))
        else:
            out.update(_builtin_ticket_kpis(log))
    out["reward"] = float(episode_return)
    out["length"] = float(length)
    for name, value in rewards.items():
        out[f"reward_{name}"] = float(value)
    return out


def summarize(per_seed: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    keys = list(per_seed[0]) if per_seed else []
    return {k: interval([float(r.get(k, math.nan)) for r in per_seed]) for k in keys}
