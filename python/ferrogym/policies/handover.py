"""Dispatch rules for the multi-team TicketRouting (PettingZoo), and the
episode KPIs they are compared on.

:class:`HandoverSED`: every dispatcher routes its ticket to its own team's
engineer with the shortest expected completion (TicketRouting's ``sed``)
and, with ``handover=True``, hands the ticket to another team instead when
that team's expected completion at its best eligible engineer (handover
work included, from the ``other_teams`` rows of the observation) is shorter
by more than ``margin_minutes``. ``handover=False`` is the no-handover
baseline: the same rule, each team on its own.

:func:`episode_kpis` pools the teams: ``weighted_resolution`` is the
priority x tier weighted open time of every ticket that arrived in any team,
work left at the end charged as the reward charges it, per unit of weight
(minutes; :mod:`ferrogym.kpi`'s definition over all teams); a handed-over
ticket counts once, in the team that holds it at the end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ferrogym.policies.base import Columns, first_by_keys
from ferrogym.spaces import ObsSlice

#: The observation shows durations as ``x / (x + SCALE_MINUTES)``.
SCALE_MINUTES = 240.0
NOOP = 0


def unsquash(s: float) -> float:
    """Minutes from an observed ``x / (x + 240)`` (1 means infinite)."""
    return math.inf if s >= 1.0 else SCALE_MINUTES * s / (1.0 - s)


@dataclass
class HandoverSED:
    """Shortest expected delay in the own team; hand over when another team beats it by a margin."""

    layout: Sequence[ObsSlice]
    margin_minutes: float = 30.0
    handover: bool = True
    cols: Columns = field(init=False)

    def __post_init__(self) -> None:
        self.cols = Columns(tuple(self.layout))
        self.max_engineers = self.cols.slice("engineers").shape[0]
        names = [s.name for s in self.layout]
        self.others = self.cols.slice("other_teams") if "other_teams" in names else None

    def act_one(self, obs: NDArray[np.float32], mask: NDArray[Any]) -> int:
        """Returns one team's action: its engineer with the shortest expected delay.

        With handover on, the no-op past the engineer slots hands the ticket over when another team's best
        expected delay (read from ``others``) is shorter by more than ``margin_minutes``.
        """
        valid = np.asarray(mask, dtype=bool)
        m = self.max_engineers
        if not valid[:m].any() or int(valid.sum()) == 1:
            # Idle (only the no-op is allowed) or a single choice.
            return int(np.flatnonzero(valid)[0])
        eta = self.cols.engineer(obs[None], "eta")
        slot = int(first_by_keys(valid[None, :m], eta)[0])
        if not self.handover or self.others is None:
            return slot
        own = unsquash(float(eta[0, slot]))
        rows = self.others.of(obs)
        col = self.others.labels.index("eta")
        best, best_i = own - self.margin_minutes, -1
        for i in np.flatnonzero(valid[m:]):
            there = unsquash(float(rows[i, col]))
            if there < best:
                best, best_i = there, int(i)
        return slot if best_i < 0 else m + best_i

    def __call__(self, observations: Mapping[str, Mapping[str, NDArray[Any]]]) -> dict[str, int]:
        """Returns an action for every team in ``observations`` (PettingZoo parallel dicts)."""
        return {a: self.act_one(o["observation"], o["action_mask"]) for a, o in observations.items()}


class MultiTeamEnv(Protocol):
    """What :func:`run_episode` needs of ``MultiTeamTicketRouting``."""

    agents: list[str]

    @property
    def config(self) -> dict[str, Any]:
        """The env's effective config."""

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Starts an episode; returns per-team observations and infos."""

    def step(self, actions: dict[str, int]) -> tuple[Any, dict[str, float], Any, Any, dict[str, dict[str, Any]]]:
        """Applies one action per team; returns PettingZoo's five per-team dicts."""

    def episode_logs(self) -> list[dict[str, dict[str, NDArray[np.float64]]]]:
        """Per-ticket logs of the finished episode, one dict of arrays per team."""


Policy = HandoverSED


def run_episode(env: MultiTeamEnv, policy: Policy, seed: int) -> dict[str, float]:
    """One episode of ``policy`` from ``seed``; its pooled KPIs."""
    obs, _ = env.reset(seed=seed)
    agents = list(env.agents)
    totals: dict[str, dict[str, float]] = {a: {} for a in agents}
    handovers = 0.0
    while env.agents:
        obs, _, _, _, infos = env.step(policy(obs))
        for a, info in infos.items():
            for name, v in info["reward_components"].items():
                totals[a][name] = totals[a].get(name, 0.0) + v
            handovers += info["handover"]["out"]
    out = episode_kpis(env.episode_logs(), [totals[a] for a in agents], env.config["teams"])
    out["handovers"] = handovers
    return out


def episode_kpis(
    logs: Sequence[Mapping[str, Mapping[str, NDArray[np.float64]]]],
    rewards: Sequence[Mapping[str, float]],
    teams: Sequence[Mapping[str, Any]],
) -> dict[str, float]:
    """Pooled KPIs of a finished episode from each team's log, reward totals and config."""
    weight = 0.0
    weighted_minutes = 0.0
    resolution: list[NDArray[np.float64]] = []
    for log, r, cfg in zip(logs, rewards, teams, strict=True):
        pw = np.asarray(cfg["priority_weights"], dtype=np.float64)
        tw = np.asarray(cfg["tier_weights"], dtype=np.float64)
        for table in ("tickets", "open"):
            t = log[table]
            weight += float((pw[t["priority"].astype(np.int64)] * tw[t["tier"].astype(np.int64)]).sum())
        weighted_minutes -= 60.0 * (r.get("wait", 0.0) + r.get("backlog_end", 0.0)) / float(cfg["wait_weight"])
        resolution.append(log["tickets"]["done"] - log["tickets"]["arrival"])
    res = np.concatenate(resolution)
    return {
        "weighted_resolution": weighted_minutes / weight if weight else math.nan,
        "resolution_mean": float(res.mean()) if res.size else math.nan,
        "resolution_p95": float(np.percentile(res, 95)) if res.size else math.nan,
        "reward": float(sum(sum(r.values()) for r in rewards)),
    }


def evaluate(env: MultiTeamEnv, policy: Policy, seeds: Iterable[int]) -> list[dict[str, float]]:
    """``run_episode`` over ``seeds`` (the same seeds give every policy the same tickets)."""
    return [run_episode(env, policy, s) for s in seeds]
