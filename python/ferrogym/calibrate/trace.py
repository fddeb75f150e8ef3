"""Trace replay: a team's recorded tickets as TicketRouting's arrivals.

A ticket table (:mod:`ferrogym.calibrate.tickets`) and the scenario calibrated
from it (:mod:`ferrogym.calibrate.scenario`) become the config field
``arrival_trace``: one row ``[minute, type, priority, tier, work_minutes]`` per
ticket, so that every routing policy meets exactly the tickets the team met.

- **Time.** Minute 0 is midnight of the scenario's ``start`` day, whose
  weekday becomes ``start_weekday``; the episode lasts ``days`` days (by
  default the days the tickets span, at most :data:`MAX_DAYS`). Tickets
  created before minute 0 or after the episode are not replayed; they are
  counted (:attr:`Trace.before_start`, :attr:`Trace.after_end`).
- **Attributes.** Types map to indices by the scenario's ``ticket_types``
  names (a type the scenario does not know is an error naming it);
  priorities and tiers by TicketRouting's vocabularies; a ticket without a
  tier is replayed as ``standard`` and counted (:attr:`Trace.no_tier`).
- **Work.** TicketRouting's work is minutes at skill 1, and an engineer of
  skill ``s`` spends ``work / s`` on it, so a recorded ``effort_minutes`` is
  ``work / s`` of the engineer who did it: the row's work is the effort times
  that engineer's skill for the type (the scenario's ``engineers`` name the
  slots, its ``skills`` give the skill; an assignee it does not name, or a
  scenario without an explicit skill matrix, counts as skill 1). A ticket
  without a positive effort gets unknown work: the env draws it from the
  type's fitted lognormal by the episode seed and the row alone, so every
  policy gets the same work on a seed (common random numbers) and seeds vary
  only that work (:attr:`Trace.sampled_work` counts these tickets).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ferrogym.calibrate.scenario import Scenario, load_scenario
from ferrogym.calibrate.tickets import PRIORITIES, TIERS, read_tickets
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.errors import ConfigError
from ferrogym.evaluation import DEFAULT_ENV, DispatchPolicy, Report, evaluate
from ferrogym.policies import POLICIES

#: TicketRouting's longest episode in days (its ``episode_days`` bound; a test pins it).
MAX_DAYS = 28
_DAY_MINUTES = 1440.0
#: A row's work when unknown (TicketRouting reads work < 0 as "draw it"; not
#: NaN, which typed configs refuse and JSON cannot carry).
UNKNOWN_WORK = -1.0
#: Replaying the recorded team: the same engineers in the same slots every
#: episode, so that seeds vary only the sampled work.
FIXED_TEAM: dict[str, Any] = {"shuffle_slots": False, "resample_skills": False}


@dataclass(frozen=True)
class Trace:
    """Tickets as ``arrival_trace`` rows, and what the conversion did.

    Attributes:
        rows: ``[minute, type, priority, tier, work_minutes]`` per replayed
            ticket, by creation time (work :data:`UNKNOWN_WORK` when sampled).
        origin: the time minute 0 stands for (midnight of the scenario's start).
        days: the episode's length in days.
        sampled_work: replayed tickets whose work is unknown (drawn per seed).
        before_start: tickets created before ``origin`` (not replayed).
        after_end: tickets created after the episode (not replayed).
        no_tier: replayed tickets without a tier (replayed as ``standard``).
    """

    rows: list[list[float]]
    origin: datetime
    days: int
    sampled_work: int
    before_start: int
    after_end: int
    no_tier: int

    @property
    def tickets(self) -> int:
        """Number of replayed tickets."""
        return len(self.rows)

    def env_kwargs(self) -> dict[str, Any]:
        """The TicketRouting fields that replay this trace (rows, length, weekday)."""
        return {"arrival_trace": self.rows, "episode_days": self.days, "start_weekday": self.origin.weekday()}

    def summary(self) -> dict[str, Any]:
        """What a report states about the replay (JSON-ready)."""
        return {
            "arrivals": "recorded",
            "tickets": self.tickets,
            "sampled_work": self.sampled_work,
            "start": self.origin.isoformat(),
            "days": self.days,
            "before_start": self.before_start,
            "after_end": self.after_end,
            "no_tier": self.no_tier,
        }

    def describe(self) -> str:
        """The replay in one paragraph: arrivals, sampled work, and what was not replayed."""
        end = self.origin + timedelta(days=self.days)
        text = (
            f"Arrivals are the {self.tickets} recorded tickets from {self.origin:%Y-%m-%d %H:%M} to "
            f"{end:%Y-%m-%d %H:%M} ({self.days} days), at their recorded times, types, priorities and tiers. "
        )
        if self.sampled_work:
            text += (
                f"Work was sampled for {self.sampled_work} of them (no recorded effort) from the type's fitted "
                "lognormal, with common random numbers: on each seed every policy gets the same work; the seeds "
                "vary only that work."
            )
        else:
            text += "Every ticket's work is the recorded effort: the seeds replay identical episodes."
        skipped = [
            (self.before_start, "created before the start"),
            (self.after_end, f"created after the {self.days}-day window"),
        ]
        notes = [f"{_tickets(n)} {why} {_were(n)} not replayed" for n, why in skipped if n]
        if self.no_tier:
            notes.append(f"{_tickets(self.no_tier)} without a tier {_were(self.no_tier)} replayed as standard")
        if notes:
            text += " " + "; ".join(notes).capitalize() + "."
        return text


def _tickets(n: int) -> str:
    return f"{n} ticket" if n == 1 else f"{n} tickets"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _origin(start: datetime | str) -> datetime:
    """Midnight of the scenario's start day (the file stores it as an ISO timestamp)."""
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError:
            raise ConfigError(
                f"scenario start = {start!r}; expected an ISO timestamp such as 2026-11-02T00:00:00"
            ) from None
    return datetime(start.year, start.month, start.day)


def _indices(values: pl.Series, names: list[str], what: str, df: pl.DataFrame, source: str) -> np.ndarray:
    """Each value's index in ``names``; a ConfigError names a value outside them."""
    index = values.replace_strict(names, list(range(len(names))), default=-1, return_dtype=pl.Int64)
    bad = index == -1
    if bad.any():
        first = int(bad.arg_true()[0])
        count = int(bad.sum())
        raise ConfigError(
            f"{source}: ticket {what} {values[first]!r} ({count} tickets, first {df['ticket_id'][first]!r}) "
            f"is not in the scenario; expected one of {names}"
        )
    return index.to_numpy()


def _skill_factor(df: pl.DataFrame, kinds: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Skill of each ticket's assignee for its type (1 where the scenario cannot say)."""
    skills = scenario.config.get("skills") or []
    factor = np.ones(len(df))
    if not skills:
        return factor
    slot = {name: i for i, name in enumerate(scenario.engineers) if i < len(skills)}
    for row, name in enumerate(df["assignee"].to_list()):
        i = slot.get(name) if name is not None else None
        if i is not None:
            factor[row] = float(skills[i][kinds[row]])
    return factor


def trace_from_tickets(
    tickets: pl.DataFrame, scenario: Scenario, days: int | None = None, source: str = "tickets"
) -> Trace:
    """The ticket table ``tickets`` as the trace that replays it on ``scenario``'s desk.

    Args:
        tickets: a ticket table (:func:`~ferrogym.calibrate.tickets.read_tickets`).
        scenario: the calibrated scenario (ticket types, skills, engineers, start).
        days: the episode's length; default the days the tickets span from the
            start, at most :data:`MAX_DAYS`.
        source: the name errors give the table (its file).

    Returns:
        The trace (module doc: time, attributes, work).

    Raises:
        ConfigError: ``days`` outside ``[1, MAX_DAYS]``, no ticket inside the
            episode, a ticket type the scenario does not name, or a scenario
            config TicketRouting refuses.
    """
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"trace days = {days}; expected an integer in [1, {MAX_DAYS}]")
    types = list(TicketRoutingConfig(**scenario.config).resolved().ticket_types or [])
    origin = _origin(scenario.start)
    df = tickets.sort("created", maintain_order=True).with_columns(
        ((pl.col("created") - origin).dt.total_microseconds() / 60e6).alias("_minute")
    )
    before = df.filter(pl.col("_minute") < 0)
    df = df.filter(pl.col("_minute") >= 0)
    last = float(df["_minute"].max() or 0.0) if len(df) else 0.0  # type: ignore[arg-type]
    if days is None:
        days = min(MAX_DAYS, math.floor(last / _DAY_MINUTES) + 1)
    after = df.filter(pl.col("_minute") >= days * _DAY_MINUTES)
    df = df.filter(pl.col("_minute") < days * _DAY_MINUTES)
    if not len(df):
        # An empty arrival_trace means "sample the arrivals": never replay nothing as that.
        raise ConfigError(
            f"{source}: no ticket created in the {days} day{'s' if days != 1 else ''} from {origin:%Y-%m-%d %H:%M} "
            f"({len(before)} before, {len(after)} after); expected at least one to replay"
        )
    kinds = _indices(df["type"], types, "type", df, source)
    priorities = _indices(df["priority"], list(PRIORITIES), "priority", df, source)
    tiers = _indices(df["tier"].fill_null("standard"), list(TIERS), "tier", df, source)
    effort = df["effort_minutes"].fill_null(math.nan).to_numpy().astype(np.float64)
    known = effort > 0  # NaN compares false
    work = np.where(known, effort * _skill_factor(df, kinds, scenario), UNKNOWN_WORK)
    table = np.column_stack([df["_minute"].to_numpy(), kinds, priorities, tiers, work]).astype(np.float64)
    return Trace(
        rows=table.tolist(),
        origin=origin,
        days=days,
        sampled_work=int((~known).sum()),
        before_start=len(before),
        after_end=len(after),
        no_tier=int(df["tier"].null_count()),
    )


def load_trace(tickets_path: str | Path, scenario_path: str | Path, days: int | None = None) -> tuple[Scenario, Trace]:
    """Reads a ticket table and its scenario file and builds the trace (:func:`trace_from_tickets`).

    Raises:
        ConfigError: either file is missing or invalid, or the tickets do not fit the scenario.
    """
    scenario = load_scenario(scenario_path)
    return scenario, trace_from_tickets(read_tickets(tickets_path), scenario, days, source=str(tickets_path))


def replay_kwargs(scenario: Scenario, trace: Trace, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """TicketRouting keyword arguments replaying ``trace`` on ``scenario``'s desk.

    The scenario's config, the team fixed (:data:`FIXED_TEAM`), ``overrides``
    (e.g. ``--set`` fields), then the trace's fields, which decide the episode.
    """
    return {**scenario.config, **FIXED_TEAM, **(overrides or {}), **trace.env_kwargs()}


@dataclass
class TraceReport:
    """An evaluation on a replayed trace: the KPI report and the trace it replayed."""

    report: Report
    trace: Trace

    def to_json(self) -> dict[str, Any]:
        """The report's JSON with a ``trace`` section (:meth:`Trace.summary`)."""
        return {**self.report.to_json(), "trace": self.trace.summary()}

    def rows(self) -> list[dict[str, Any]]:
        """The report's CSV rows."""
        return self.report.rows()


def replay(
    policies: Mapping[str, DispatchPolicy],
    seeds: list[int],
    scenario: Scenario,
    trace: Trace,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TraceReport:
    """Every policy on ``trace`` replayed on ``scenario``'s desk, on the same seeds.

    The report's ``env_kwargs`` keep the overrides and the trace's length and
    weekday, not the rows (:meth:`TraceReport.to_json` summarises them).

    Raises:
        ConfigError: the scenario and trace make no valid TicketRouting config.
    """
    kwargs = replay_kwargs(scenario, trace, overrides)
    report = evaluate(policies, seeds, DEFAULT_ENV, heuristics=list(POLICIES), progress=progress, **kwargs)
    shown = {k: v for k, v in trace.env_kwargs().items() if k != "arrival_trace"}
    report.env_kwargs = {**dict(overrides or {}), **shown, "arrival_trace": f"{trace.tickets} recorded tickets"}
    return TraceReport(report, trace)
