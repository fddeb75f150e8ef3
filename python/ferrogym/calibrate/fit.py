"""Fitting a TicketRouting scenario to a ticket table: arrivals, mix, work, skills, shifts, SLAs.

:func:`calibrate` checks that the history can carry a fit (bounded in days,
types and engineers, which the env bounds too: rust/core/src/envs/
ticket_routing/config.rs), then runs each fit (:mod:`.arrivals`,
:mod:`.work`) and the type/priority/tier mix here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ferrogym.calibrate.arrivals import ArrivalFit, fit_arrivals
from ferrogym.calibrate.inputs import Notes
from ferrogym.calibrate.scenario import BASE_SCENARIO
from ferrogym.calibrate.stats import Estimate, proportions
from ferrogym.calibrate.tickets import PRIORITIES, TIERS
from ferrogym.calibrate.work import WorkFit, fit_work, infer_shifts
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.errors import ConfigError

#: TicketRouting's bounds (config.rs: MAX_ENGINEERS, and 1..=32 ticket types); a test checks both against the env.
MAX_ENGINEERS = 256
MAX_TYPES = 32
#: Shortest history a fit takes: one full week, so every weekday and hour is seen at least once.
MIN_DAYS = 7
#: Longest history (ten years): bounds every table sized by days.
MAX_DAYS = 3660
#: Fewest tickets a fit takes.
MIN_TICKETS = 30
#: The type that absorbs the rarest types beyond :data:`MAX_TYPES`, or types not listed in ``--types``.
OTHER = "other"


@dataclass(frozen=True)
class Options:
    """What the caller says rather than the data.

    Attributes:
        types: ticket types to keep, in this order (others become :data:`OTHER`); ``None``: all, by frequency.
        n_engineers: team size when the input names no engineers (``None``: the base scenario's).
        sla_minutes: SLA per priority name, minutes (missing priorities: the base scenario's).
    """

    types: tuple[str, ...] | None = None
    n_engineers: int | None = None
    sla_minutes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MixFit:
    """The type, priority and tier mix.

    Attributes:
        types: type names in config order.
        type_probs: per type, its share with interval.
        priority_probs: per type, the share of each priority (rows sum to 1).
        priority_counts: per type, tickets of each priority.
        tier_probs: the share of each tier with interval, or ``None`` when the input has no tiers.
    """

    types: list[str]
    type_probs: list[Estimate]
    priority_probs: list[list[float]]
    priority_counts: list[list[int]]
    tier_probs: list[Estimate] | None


@dataclass(frozen=True)
class Calibration:
    """Every fit of one ticket table, and what the input did not allow.

    Attributes:
        first_day: the first day of the period (midnight).
        days: days in the period.
        tickets: the ticket table, types mapped to ``mix.types``.
        arrivals, mix, work: the fits.
        sla_minutes: per priority (critical first), and whether each was given.
        notes: counted problems and what could not be fitted.
        n_engineers: the team size (engineers named in the data, or the flag / default).
    """

    first_day: np.datetime64
    days: int
    tickets: pl.DataFrame
    arrivals: ArrivalFit
    mix: MixFit
    work: WorkFit
    sla_minutes: list[float]
    n_engineers: int
    notes: Notes


def base_config() -> TicketRoutingConfig:
    """The resolved base scenario (its values fill what the data cannot give)."""
    return TicketRoutingConfig(scenario=BASE_SCENARIO).resolved()


def calibrate(df: pl.DataFrame, source: str, options: Options | None = None, notes: Notes | None = None) -> Calibration:
    """Fits every part of a TicketRouting scenario to the ticket table ``df``.

    Args:
        df: a validated ticket table (:func:`~ferrogym.calibrate.tickets.validate_tickets`).
        source: the input's name, for messages.
        options: what the caller gives instead of the data.
        notes: what reading the input already counted (added to).

    Returns:
        The :class:`Calibration`.

    Raises:
        ConfigError: too little or too much history, too many engineers, a
            listed type without tickets, an unknown priority in ``sla_minutes``
            or a non-positive SLA.
    """
    options = options or Options()
    notes = notes or Notes()
    if df.height < MIN_TICKETS:
        raise ConfigError(
            f"{source}: {df.height} tickets; a fit needs at least {MIN_TICKETS} tickets over {MIN_DAYS} days or more"
        )
    first = df.get_column("created").min()
    last = df.get_column("created").max()
    first_day = np.datetime64(first, "D")  # type: ignore[call-overload]
    days = int((np.datetime64(last, "D") - first_day).astype(np.int64)) + 1  # type: ignore[call-overload]
    if days < MIN_DAYS:
        raise ConfigError(
            f"{source}: column 'created' spans {days} day(s); a fit needs at least {MIN_DAYS} days "
            "(a full week, so that every weekday is seen)"
        )
    if days > MAX_DAYS:
        raise ConfigError(f"{source}: column 'created' spans {days} days; expected at most {MAX_DAYS}")
    base = base_config()
    sla = _sla(options.sla_minutes, base, notes)
    df = _map_types(df, options.types, source, notes)
    engineers = sorted(str(a) for a in df.get_column("assignee").drop_nulls().unique().to_list())
    if len(engineers) > MAX_ENGINEERS:
        raise ConfigError(
            f"{source}: column 'assignee' names {len(engineers)} engineers; TicketRouting takes at most "
            f"{MAX_ENGINEERS} (filter the export to one team)"
        )
    if engineers:
        n_engineers = len(engineers)
        shifts = infer_shifts(df, engineers, notes)
    else:
        n_engineers = options.n_engineers or int(base.n_engineers or 1)
        if not 1 <= n_engineers <= MAX_ENGINEERS:
            raise ConfigError(f"--engineers {n_engineers}: expected 1 to {MAX_ENGINEERS}")
        shifts = []
        told = "given by --engineers" if options.n_engineers else f"the {BASE_SCENARIO} scenario's default"
        notes.cannot(
            f"no assignee: skills are 1 for everyone, shifts are the {BASE_SCENARIO} scenario's, "
            f"and the team has {n_engineers} engineers ({told})"
        )
    mix = _fit_mix(df, options.types)
    work = fit_work(df, mix.types, engineers, shifts, notes)
    return Calibration(
        first_day=first_day,
        days=days,
        tickets=df,
        arrivals=fit_arrivals(df.get_column("created"), first_day, days),
        mix=mix,
        work=work,
        sla_minutes=sla,
        n_engineers=n_engineers,
        notes=notes,
    )


def _sla(given: dict[str, float], base: TicketRoutingConfig, notes: Notes) -> list[float]:
    unknown = [p for p in given if p not in PRIORITIES]
    if unknown:
        raise ConfigError(f"--sla {unknown[0]!r}: expected a priority, one of {list(PRIORITIES)}")
    bad = {p: v for p, v in given.items() if not (0 < v <= 1e6)}
    if bad:
        raise ConfigError(f"--sla {bad}: expected minutes in (0, 1e6]")
    defaults = list(base.sla_minutes or [])
    missing = [p for p in PRIORITIES if p not in given]
    if missing:
        notes.cannot(f"SLA targets not given for {missing}: the {BASE_SCENARIO} scenario's defaults are used")
    return [float(given.get(p, defaults[i])) for i, p in enumerate(PRIORITIES)]


def _map_types(df: pl.DataFrame, listed: tuple[str, ...] | None, source: str, notes: Notes) -> pl.DataFrame:
    """Types kept as given (``--types``) or by frequency, at most :data:`MAX_TYPES`; the rest become :data:`OTHER`."""
    freq = df.group_by("type").len().sort(["len", "type"], descending=[True, False])
    if listed is not None:
        if not 1 <= len(listed) <= MAX_TYPES - 1:
            raise ConfigError(f"--types: {len(listed)} types; expected 1 to {MAX_TYPES - 1}")
        present = set(freq.get_column("type").to_list())
        empty = [t for t in listed if t not in present]
        if empty:
            raise ConfigError(
                f"{source}: column 'type' has no ticket of type {empty[0]!r} listed in --types; "
                f"its types are {sorted(present)[:20]}"
            )
        keep = list(listed)
    else:
        names = freq.get_column("type").to_list()
        keep = names if len(names) <= MAX_TYPES else names[: MAX_TYPES - 1]
    lumped = df.filter(~pl.col("type").is_in(keep)).height
    notes.count(f"tickets of rarer or unlisted types counted as {OTHER!r}", lumped)
    return df.with_columns(
        pl.when(pl.col("type").is_in(keep)).then(pl.col("type")).otherwise(pl.lit(OTHER)).alias("type")
    )


def _fit_mix(df: pl.DataFrame, listed: tuple[str, ...] | None) -> MixFit:
    freq = df.group_by("type").len().sort(["len", "type"], descending=[True, False])
    types = freq.get_column("type").to_list()
    if listed is not None:  # the caller's order, then OTHER
        types = [t for t in listed if t in types] + [t for t in types if t not in listed]
    lookup = dict(freq.iter_rows())
    type_probs = proportions(np.array([lookup[t] for t in types]))
    counts = []
    for t in types:
        per = df.filter(pl.col("type") == t).group_by("priority").len()
        lookup = dict(per.iter_rows())
        counts.append([int(lookup.get(p, 0)) for p in PRIORITIES])
    probs = [[c / sum(row) for c in row] for row in counts]
    tiers = df.get_column("tier").drop_nulls()
    tier_probs = None
    if len(tiers):
        lookup = dict(tiers.value_counts().iter_rows())
        tier_probs = proportions(np.array([lookup.get(t, 0) for t in TIERS]))
    return MixFit(types, type_probs, probs, counts, tier_probs)
