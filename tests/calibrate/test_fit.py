"""Fit bounds and hostile histories: too short, too few tickets, too many engineers or types, 0-row types."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ferrogym.calibrate.fit import MAX_ENGINEERS, MAX_TYPES, OTHER, Options, calibrate
from ferrogym.calibrate.scenario import MAX_ARRIVALS_PER_DAY, MAX_BACKLOG
from ferrogym.calibrate.stats import poisson_rate
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.errors import ConfigError


def test_limits__match_what_ticket_routing_accepts() -> None:
    TicketRoutingConfig(n_engineers=MAX_ENGINEERS, max_engineers=MAX_ENGINEERS).resolved()
    with pytest.raises(ConfigError):
        TicketRoutingConfig(n_engineers=MAX_ENGINEERS + 1, max_engineers=MAX_ENGINEERS + 1).resolved()
    names = [f"t{i}" for i in range(MAX_TYPES)]
    probs = [1 / MAX_TYPES] * MAX_TYPES
    TicketRoutingConfig(
        ticket_types=names,
        type_probs=probs,
        priority_probs=[[0.25] * 4] * MAX_TYPES,
        work_median_minutes=[10.0] * MAX_TYPES,
        work_sigma=[0.5] * MAX_TYPES,
        skills=[],
    ).resolved()
    with pytest.raises(ConfigError, match="ticket_types"):
        TicketRoutingConfig(ticket_types=[*names, "one more"]).resolved()
    TicketRoutingConfig(arrivals_per_day=MAX_ARRIVALS_PER_DAY, max_backlog=MAX_BACKLOG).resolved()
    with pytest.raises(ConfigError, match="arrivals_per_day"):
        TicketRoutingConfig(arrivals_per_day=MAX_ARRIVALS_PER_DAY * 1.01).resolved()
    with pytest.raises(ConfigError, match="max_backlog"):
        TicketRoutingConfig(max_backlog=MAX_BACKLOG + 1).resolved()


def test_calibrate__one_day_of_history_says_how_much_a_fit_needs(known_tickets: pl.DataFrame) -> None:
    day = known_tickets.filter(pl.col("created").dt.date() == known_tickets.get_column("created").min().date())
    with pytest.raises(ConfigError, match=r"spans 1 day\(s\); a fit needs at least 7 days"):
        calibrate(day.vstack(day.head(40).with_columns(pl.col("ticket_id") + "x")), "one-day.csv")
    with pytest.raises(ConfigError, match=r"one-day\.csv: 3 tickets; a fit needs at least 30"):
        calibrate(day.head(3), "one-day.csv")


def test_calibrate__more_engineers_than_the_env_takes_is_refused(known_tickets: pl.DataFrame) -> None:
    many = known_tickets.with_columns(
        pl.format("eng{}", pl.int_range(pl.len()) % (MAX_ENGINEERS + 1)).alias("assignee")
    )
    with pytest.raises(ConfigError, match=f"names {MAX_ENGINEERS + 1} engineers; TicketRouting takes at most"):
        calibrate(many, "big.csv")


def test_calibrate__a_listed_type_without_tickets_is_refused(known_tickets: pl.DataFrame) -> None:
    with pytest.raises(ConfigError, match="no ticket of type 'hardware' listed in --types"):
        calibrate(known_tickets, "x.csv", Options(types=("technical", "hardware")))


def test_calibrate__unlisted_and_surplus_types_become_other_and_are_counted(known_tickets: pl.DataFrame) -> None:
    cal = calibrate(known_tickets, "x.csv", Options(types=("technical", "billing")))
    assert cal.mix.types[:1] == ["technical"] and set(cal.mix.types) == {"technical", "billing", OTHER}
    many = known_tickets.with_columns(pl.format("kind{}", pl.int_range(pl.len()) % 40).alias("type"))
    cal = calibrate(many, "many.csv")
    assert len(cal.mix.types) == MAX_TYPES
    assert cal.notes.counts[f"tickets of rarer or unlisted types counted as {OTHER!r}"] > 0


def test_calibrate__sla_targets_given_replace_the_defaults(known_tickets: pl.DataFrame) -> None:
    cal = calibrate(known_tickets, "x.csv", Options(sla_minutes={"critical": 60.0}))
    assert cal.sla_minutes[0] == 60.0
    assert cal.sla_minutes[1:] == (TicketRoutingConfig().resolved().sla_minutes or [])[1:]
    with pytest.raises(ConfigError, match="--sla 'blocker'"):
        calibrate(known_tickets, "x.csv", Options(sla_minutes={"blocker": 60.0}))
    with pytest.raises(ConfigError, match="expected minutes in"):
        calibrate(known_tickets, "x.csv", Options(sla_minutes={"low": -1.0}))


def test_poisson_rate__garwood_interval_of_zero_and_ten() -> None:
    _, low, high = poisson_rate(np.array([0.0, 10.0]), 1.0)
    assert low[0] == 0.0 and high[0] == pytest.approx(3.689, abs=1e-3)
    assert low[1] == pytest.approx(4.795, abs=1e-3) and high[1] == pytest.approx(18.39, abs=1e-2)


def test_calibrate__effort_minutes_are_the_handling_time_when_recorded(known_tickets: pl.DataFrame) -> None:
    rng = np.random.default_rng(0)
    effort = pl.Series(rng.lognormal(np.log(30.0), 0.4, known_tickets.height))
    cal = calibrate(known_tickets.with_columns(effort.alias("effort_minutes")), "effort.csv")
    assert cal.work.handling_source.startswith("effort (")
    for w in cal.work.types.values():
        assert w is not None
        assert w.sigma.covers(0.4)


def test_calibrate__without_assignment_times_the_handling_time_is_a_stated_upper_bound(
    known_tickets: pl.DataFrame,
) -> None:
    cal = calibrate(known_tickets.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("assigned")), "x.csv")
    assert "on-shift created->resolved" in cal.work.handling_source
    assert any("upper bound that includes queueing" in s for s in cal.notes.not_fitted)
    exact = calibrate(known_tickets, "x.csv")
    for t, w in cal.work.types.items():
        fitted = exact.work.types[t]
        assert w is not None and fitted is not None
        assert w.median.value >= fitted.median.value * 0.95  # queueing only adds time


def test_calibrate__work_in_progress_at_export_is_censored_not_dropped() -> None:
    rng = np.random.default_rng(1)
    n = 1200
    created = np.datetime64("2026-11-02T00:00:00", "us") + (np.sort(rng.uniform(0, 14, n)) * 86400e6).astype(
        "timedelta64[us]"
    )
    work = rng.lognormal(np.log(60.0), 0.8, n)
    bound = rng.exponential(90.0, n)
    last_week = created >= np.datetime64("2026-11-09T00:00:00", "us")
    censored = last_week & (bound < work)
    effort = np.where(censored, bound, work)
    resolved = created + (effort * 60e6).astype("timedelta64[us]")
    table = pl.DataFrame(
        {
            "ticket_id": [str(i) for i in range(n)],
            "created": created,
            "assigned": created,
            "resolved": pl.Series(resolved).scatter(np.flatnonzero(censored), None),
            "assignee": ["ann"] * n,
            "type": ["incident"] * n,
            "priority": ["medium"] * n,
            "tier": pl.Series([None] * n, dtype=pl.Utf8),
            "effort_minutes": effort,
        }
    )
    cal = calibrate(table, "censored.csv")
    fit = cal.work.types["incident"]
    assert fit is not None
    assert int(censored.sum()) - 5 <= fit.censored <= int(censored.sum())  # a few fall just outside the 7 days
    assert fit.censored > 100
    assert fit.median.covers(60.0) and fit.sigma.covers(0.8)
    naive = calibrate(table.filter(pl.col("resolved").is_not_null()), "dropped.csv").work.types["incident"]
    assert naive is not None
    assert naive.median.value < fit.median.value  # dropping long open tickets biases work down
