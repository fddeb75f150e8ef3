"""Ticket tables from the simulator itself: consecutive one-week TicketRouting episodes under a policy.

Used by the validation (the fitted scenario under the team's observed routing)
and to generate exports with known parameters (the round-trip test and
``examples/data/make_sample_export.py``). ``assigned`` is the start of work
(TicketRouting's pickup), so the on-shift minutes from ``assigned`` to
``resolved`` are exactly the ticket's ``work / skill``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import polars as pl

from ferrogym.calibrate.scenario import ENV_ID
from ferrogym.calibrate.tickets import PRIORITIES, TIERS, validate_tickets
from ferrogym.errors import ConfigError
from ferrogym.policies import make_policy
from ferrogym.policies.base import Policy
from ferrogym.spaces import ObsSlice

#: Most simulated weeks in one call (ten years).
MAX_WEEKS = 520
PolicyFactory = Callable[[Sequence[ObsSlice], int], Policy]


def policy_factory(name: str) -> PolicyFactory:
    """A factory of the registered dispatch rule ``name`` (:data:`ferrogym.policies.POLICIES`)."""
    return lambda layout, seed: make_policy(name, layout, seed=seed)


def simulate_weeks(
    config: dict[str, Any], weeks: int, policy: PolicyFactory, seed: int = 0, days: int = 7
) -> list[dict[str, dict[str, Any]]]:
    """The episode logs of ``weeks`` one-week episodes (seeds ``seed``, ``seed + 1``, ...).

    Args:
        config: TicketRouting keyword arguments (``episode_days`` is set to ``days``, ``start_weekday`` to Monday).
        weeks: episodes, 1 to :data:`MAX_WEEKS`.
        days: days of each episode (1 to 7; fewer than 7 only to sample a large desk briefly).
        policy: builds the routing policy from the observation layout and a seed.
        seed: the first episode's seed.

    Raises:
        ConfigError: ``weeks`` out of range, or a config TicketRouting refuses.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ConfigError(f"weeks {weeks}: expected 1 to {MAX_WEEKS}")
    if not 1 <= days <= 7:
        raise ConfigError(f"days {days}: expected 1 to 7")
    env = gym.make(ENV_ID, **{**config, "episode_days": days, "start_weekday": 0})
    try:
        core = env.unwrapped
        rule = policy(core.obs_layout, seed)  # type: ignore[attr-defined]
        logs = []
        for w in range(weeks):
            obs, _ = env.reset(seed=seed + w)
            rule.reset(1, seed + w)
            done = False
            while not done:
                action = rule(obs, core.action_masks())  # type: ignore[attr-defined]
                obs, _, terminated, truncated, _ = env.step(action)
                done = terminated or truncated
            logs.append(core.episode_log())  # type: ignore[attr-defined]
    finally:
        env.close()
    return logs


def logs_to_tickets(
    logs: list[dict[str, dict[str, Any]]],
    ticket_types: Sequence[str],
    start: str = "2026-11-02",
    engineers: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The ticket table of consecutive weekly episode logs, week ``i`` starting ``7 i`` days after ``start``.

    Tickets still open at the end of a week have no ``resolved`` (and no
    ``assigned`` when still in the backlog).
    """
    origin = np.datetime64(start, "us")
    parts = []
    for w, log in enumerate(logs):
        for table, resolved in ((log["tickets"], True), (log["open"], False)):
            arrival = np.asarray(table["arrival"], dtype=np.float64)
            if not len(arrival):
                continue
            offset = origin + np.timedelta64(7 * w, "D")
            pickup = np.asarray(table["pickup"], dtype=np.float64)
            engineer = np.asarray(table["engineer"], dtype=np.int64)
            names = [None if e < 0 else (engineers[e] if engineers is not None else f"eng{e:02d}") for e in engineer]
            parts.append(
                pl.DataFrame(
                    {
                        "ticket_id": [f"W{w:03d}-{'R' if resolved else 'O'}{i:05d}" for i in range(len(arrival))],
                        "created": _times(offset, arrival),
                        "assigned": _times(offset, np.where(pickup >= 0, pickup, np.nan)),
                        "resolved": _times(offset, np.asarray(table["done"], dtype=np.float64))
                        if resolved
                        else pl.Series([None] * len(arrival), dtype=pl.Datetime("us")),
                        "assignee": pl.Series(names, dtype=pl.Utf8),
                        "type": [ticket_types[int(k)] for k in table["kind"]],
                        "priority": [PRIORITIES[int(p)] for p in table["priority"]],
                        "tier": [TIERS[int(t)] for t in table["tier"]],
                        "effort_minutes": pl.Series([None] * len(arrival), dtype=pl.Float64),
                    }
                )
            )
    return validate_tickets(pl.concat(parts), "simulated tickets")


def _times(origin: np.datetime64, minutes: np.ndarray[Any, np.dtype[np.float64]]) -> pl.Series:
    """``origin`` plus ``minutes`` (NaN: null), to the microsecond."""
    micros = np.round(np.nan_to_num(minutes) * 60e6).astype(np.int64)
    values = origin + micros.astype("timedelta64[us]")
    return pl.Series(values).cast(pl.Datetime("us")).scatter(np.flatnonzero(np.isnan(minutes)), None)
