"""Per-episode KPIs for the dashboard and their 95% intervals over seeds.

Envs with a ticket log get ``ferrogym.kpi``'s TicketRouting table; every env
gets ``reward``, ``length`` and ``reward_<component>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym import kpi as project_kpi

Log = Mapping[str, Mapping[str, NDArray[np.float64]]]


def source() -> str:
    """Returns the module the dashboard's KPIs come from, shown beside the figures."""
    return "ferrogym.kpi"


def episode_kpis(
    log: Log | None,
    rewards: Mapping[str, float],
    episode_return: float,
    length: int,
    config: Mapping[str, Any] | None,
) -> dict[str, float]:
    """KPIs of one finished episode; ``rewards`` are the episode's totals by component."""
    out: dict[str, float] = {}
    if log and "tickets" in log and config is not None:
        out.update(project_kpi.episode_kpis(log, rewards, config))
    out["reward"] = float(episode_return)
    out["length"] = float(length)
    for name, value in rewards.items():
        out[f"reward_{name}"] = float(value)
    return out


def summarize(per_seed: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float | int]]:
    """Mean and 95% t interval of every KPI (NaN where undefined)."""
    return {k: iv.as_dict() for k, iv in project_kpi.summarize(per_seed).items()}
