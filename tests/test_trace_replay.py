"""Trace replay: TicketRouting's ``arrival_trace`` from Python, the ticket
table -> trace conversion (ferrogym.calibrate.trace) and
``ferrogym evaluate --trace``."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

import ferrogym  # noqa: F401
from ferrogym.calibrate.scenario import Scenario, load_scenario
from ferrogym.calibrate.tickets import read_tickets, write_tickets
from ferrogym.calibrate.trace import MAX_DAYS, UNKNOWN_WORK, load_trace, replay_kwargs, trace_from_tickets
from ferrogym.cli import app
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.errors import ConfigError, StateError
from ferrogym.evaluation import run_policy
from ferrogym.policies import make_policy

ID = "ferrogym/TicketRouting-v0"
TYPES = ["technical", "billing", "feature_request", "bug_report", "integration"]
START = datetime(2026, 11, 2)  # a Monday


def rows(n: int = 40, known: bool = True, seed: int = 0) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    minutes = np.sort(rng.uniform(420.0, 1200.0, n))
    return [
        [float(m), int(rng.integers(5)), int(rng.integers(4)), int(rng.integers(3)), 40.0 if known else math.nan]
        for m in minutes
    ]


def pick(env: Any, last: bool) -> int:
    valid = np.flatnonzero(env.unwrapped.action_masks())
    return int(valid[-1] if last else valid[0])


def tickets_seen(env: Any, seed: int, last: bool = False) -> list[tuple[int, float, int, int, int, float]]:
    """Every ticket of the episode (each is a decision once, or open at the end): id, arrival, type,
    priority, tier, work."""
    env.reset(seed=seed)
    seen: dict[int, dict[str, Any]] = {}
    truncated = False
    while not truncated:
        current = env.unwrapped.get_state()["current"]
        if current is not None:
            seen[current["id"]] = current
        _, _, _, truncated, _ = env.step(pick(env, last))
    state = env.unwrapped.get_state()
    for t in [*state["pending"], *(t for e in state["engineers"] for t in e["queue"])]:
        seen.setdefault(t["id"], t)
    return sorted((t["id"], t["arrival"], t["kind"], t["priority"], t["tier"], t["work"]) for t in seen.values())


# -- the env's arrival mode ---------------------------------------------------------------


def test_ticket_routing__trace_arrivals_are_the_rows_exactly() -> None:
    trace = rows()
    env = gym.make(ID, scenario="specialists", arrival_trace=trace)
    seen = tickets_seen(env, seed=3)
    assert [(a, k, p, t, w) for _, a, k, p, t, w in seen] == [tuple(r) for r in trace]
    log = env.unwrapped.episode_log()
    arrivals = np.sort(np.concatenate([log["tickets"]["arrival"], log["open"]["arrival"]]))
    np.testing.assert_array_equal(arrivals, [r[0] for r in trace])


def test_ticket_routing__trace_gives_two_policies_the_same_arrivals_and_work_on_a_seed() -> None:
    env = gym.make(ID, scenario="specialists", arrival_trace=rows(known=False))
    assert env.unwrapped.config.arrival_trace[0][4] == -1.0, "NaN work resolves to -1 (unknown)"
    first, last = tickets_seen(env, seed=5), tickets_seen(env, seed=5, last=True)
    assert first == last
    assert len({w for *_, w in first}) == len(first), "each unknown work drawn"
    other = tickets_seen(env, seed=6)
    assert [t[:5] for t in other] == [t[:5] for t in first]
    assert [t[5] for t in other] != [t[5] for t in first], "another seed, other work"


def too_many() -> list[list[float]]:
    return [[0.0, 0, 0, 0, 1.0]] * 280_001


@pytest.mark.parametrize(
    ("trace", "needle"),
    [
        ([[60.0, 0, 0, 0, 1.0], [0.0, 0, 0, 0, 1.0]], "arrival_trace[1]"),
        ([[math.nan, 0, 0, 0, 1.0]], "arrival_trace[0]"),
        ([[0.0, 5, 0, 0, 1.0]], "a ticket type index in 0..5"),
        ([[0.0, 0, 0, 3, 1.0]], "a tier index"),
        ([[1440.0, 0, 0, 0, 1.0]], "inside the episode"),
        ([[0.0, 0, 0, 0, math.inf]], "work_minutes"),
        (None, "at most 280000 rows"),
    ],
    ids=["unsorted", "nan-minute", "type", "tier", "beyond-episode", "inf-work", "too-many"],
)
def test_ticket_routing__hostile_trace_is_refused_and_the_env_stays_usable(
    trace: list[list[float]] | None, needle: str
) -> None:
    bad = too_many() if trace is None else trace
    env = gym.make(ID, scenario="specialists", arrival_trace=rows())
    env.reset(seed=0)
    with pytest.raises(ConfigError, match="arrival_trace") as err:
        gym.make(ID, arrival_trace=bad)
    assert needle in str(err.value)
    assert len(str(err.value)) < 400, "the message shows the row, not the trace"
    env.step(pick(env, False))
    assert gym.make(ID, arrival_trace=[[0.0, 0, 0, 0, 1.0]]).reset(seed=0)


def test_ticket_routing__trace_state_round_trip_mid_trace() -> None:
    env = gym.make(ID, scenario="specialists", arrival_trace=rows(known=False))
    env.reset(seed=1)
    for _ in range(8):
        env.step(pick(env, False))
    state = env.unwrapped.get_state()
    assert 8 <= state["trace_next"] < 40
    copy = gym.make(ID, scenario="specialists", arrival_trace=rows(known=False))
    copy.reset(seed=99)
    copy.unwrapped.set_state(state)
    for _ in range(10):
        a = pick(env, False)
        o1, r1, _, t1, _ = env.step(a)
        o2, r2, _, t2, _ = copy.step(a)
        np.testing.assert_array_equal(o1, o2)
        assert (r1, t1) == (r2, t2)
    with pytest.raises(StateError, match="trace_next"):
        copy.unwrapped.set_state({**state, "trace_next": 41})
    copy.step(pick(copy, False))


# -- ticket table -> trace ----------------------------------------------------------------


def ticket_table(n: int = 12, effort: bool = True) -> pl.DataFrame:
    created = [START + timedelta(hours=8, minutes=37 * i) for i in range(n)]
    return pl.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(n)],
            "created": created,
            "assigned": created,
            "resolved": [c + timedelta(hours=2) for c in created],
            "assignee": ["ana" if i % 2 else "bo" for i in range(n)],
            "type": [TYPES[i % 3] for i in range(n)],
            "priority": [("critical", "high", "medium", "low")[i % 4] for i in range(n)],
            "tier": [None if i == 0 else ("enterprise", "business", "standard")[i % 3] for i in range(n)],
            "effort_minutes": [(30.0 + i) if effort and i % 3 else None for i in range(n)],
        },
        schema_overrides={"created": pl.Datetime("us"), "assigned": pl.Datetime("us"), "resolved": pl.Datetime("us")},
    )


def scenario(**config: Any) -> Scenario:
    base = {
        "scenario": "balanced",
        "n_engineers": 2,
        "max_engineers": 2,
        "shifts": [[0.0, 24.0], [0.0, 24.0]],
        "skills": [[1.0, 0.5, 1.0, 1.0, 1.0], [0.8, 1.0, 1.0, 1.0, 1.0]],
    }
    return Scenario(config={**base, **config}, start=START, engineers=["ana", "bo"])


def test_trace__rows_map_names_minutes_and_skill_one_work() -> None:
    table = ticket_table()
    trace = trace_from_tickets(table, scenario())
    assert trace.tickets == 12 and trace.days == 1 and trace.no_tier == 1
    assert trace.sampled_work == 4  # every third ticket has no effort
    first, second = trace.rows[0], trace.rows[1]
    assert first[:4] == [8 * 60.0, 0, 0, 2]  # no tier: standard
    assert first[4] == UNKNOWN_WORK
    # ticket 1: billing by ana (skill 0.5): 31 minutes of effort are 15.5 at skill 1.
    assert second == [8 * 60.0 + 37, 1, 1, 1, 31.0 * 0.5]
    assert trace.env_kwargs()["start_weekday"] == 0
    assert "sampled for 4" in trace.describe()


def test_trace__window_counts_what_it_does_not_replay() -> None:
    table = ticket_table(4)
    early = table.head(1).with_columns(pl.col("created") - timedelta(days=1), pl.lit("E").alias("ticket_id"))
    late = table.head(1).with_columns(pl.col("created") + timedelta(days=3), pl.lit("L").alias("ticket_id"))
    trace = trace_from_tickets(pl.concat([early, table, late]), scenario(), days=2)
    assert (trace.tickets, trace.before_start, trace.after_end) == (4, 1, 1)
    assert "1 ticket created before the start was not replayed" in trace.describe()
    assert trace_from_tickets(pl.concat([table, late]), scenario()).days == 4


def test_trace__unknown_type_or_nothing_to_replay_is_a_config_error() -> None:
    table = ticket_table().with_columns(pl.lit("refund").alias("type"))
    with pytest.raises(ConfigError, match=r"'refund'.*12 tickets, first 'T0'"):
        trace_from_tickets(table, scenario())
    early = ticket_table().with_columns(pl.col("created") - timedelta(days=30))
    with pytest.raises(ConfigError, match="no ticket created in the 1 day from 2026-11-02"):
        trace_from_tickets(early, scenario())
    with pytest.raises(ConfigError, match="days = 29"):
        trace_from_tickets(ticket_table(), scenario(), days=MAX_DAYS + 1)


def test_trace__max_days_is_ticket_routings_longest_episode() -> None:
    TicketRoutingConfig(episode_days=MAX_DAYS).validate()
    with pytest.raises(ConfigError, match="episode_days"):
        TicketRoutingConfig(episode_days=MAX_DAYS + 1).validate()


def test_trace__a_replay_with_recorded_work_is_the_same_on_every_seed() -> None:
    trace = trace_from_tickets(ticket_table(effort=True).with_columns(pl.lit(20.0).alias("effort_minutes")), scenario())
    assert trace.sampled_work == 0
    env = gym.make(ID, **{**scenario().config, **trace.env_kwargs()})
    assert tickets_seen(env, seed=1) == tickets_seen(env, seed=2)


# -- ferrogym evaluate --trace ------------------------------------------------------------


def write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    tickets, scenario_file = tmp_path / "tickets.parquet", tmp_path / "scenario.yaml"
    write_tickets(ticket_table(30), tickets)
    s = scenario()
    scenario_file.write_text(
        yaml.safe_dump(
            {
                "ferrogym_scenario": 1,
                "env": ID,
                "config": s.config,
                "engineers": s.engineers,
                "start": START.isoformat(),
                "provenance": {"source": "test"},
            }
        )
    )
    return tickets, scenario_file


def test_cli_evaluate__trace_replays_the_table_for_every_policy(tmp_path: Path) -> None:
    tickets, scenario_file = write_inputs(tmp_path)
    out, rows_csv = tmp_path / "report.json", tmp_path / "report.csv"
    args = ["evaluate", "TicketRouting-v0", "--trace", str(tickets), "--config", str(scenario_file), "--seeds", "2"]
    result = CliRunner().invoke(app, [*args, "--json", str(out), "--csv", str(rows_csv)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Arrivals are the 30 recorded tickets" in result.output
    assert "Work was sampled for 10 of them" in result.output
    report = json.loads(out.read_text())
    assert report["trace"]["tickets"] == 30 and report["trace"]["sampled_work"] == 10
    assert {"sed", "round-robin", "weighted-sed", "lp-sed", "sed-hold"} <= set(report["summary"])
    assert report["env_kwargs"]["arrival_trace"] == "30 recorded tickets"
    resolved = {p: s["resolved"]["mean"] + s["open_at_end"]["mean"] for p, s in report["summary"].items()}
    assert set(resolved.values()) == {30.0}, "every policy meets the 30 tickets"
    assert pl.read_csv(rows_csv)["policy"].n_unique() == len(report["summary"])


def test_cli_evaluate__trace_without_config_or_with_bad_table_is_a_clear_error(tmp_path: Path) -> None:
    tickets, scenario_file = write_inputs(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "TicketRouting-v0", "--trace", str(tickets)], env={"COLUMNS": "300"})
    assert result.exit_code != 0 and "--trace needs --config" in result.output
    result = runner.invoke(
        app,
        ["evaluate", "--trace", str(tmp_path / "missing.parquet"), "--config", str(scenario_file)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code != 0 and "missing.parquet" in result.output
    result = runner.invoke(
        app, ["evaluate", "--trace", str(tickets), "--config", str(scenario_file), "--headroom"], env={"COLUMNS": "300"}
    )
    assert result.exit_code != 0 and "does not replay a --trace" in result.output
    scenario_type, trace = load_trace(tickets, scenario_file)
    assert trace.tickets == 30 and scenario_type.engineers == ["ana", "bo"]


def test_cli_evaluate__config_runs_the_scenario_file(tmp_path: Path) -> None:
    _, scenario_file = write_inputs(tmp_path)
    out = tmp_path / "report.json"
    args = ["evaluate", "--config", str(scenario_file), "-p", "sed", "-p", "round-robin", "--seeds", "2"]
    result = CliRunner().invoke(app, [*args, "--json", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["env_kwargs"] == {"config": str(scenario_file)}
    scenario_file.write_text("[]")
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code != 0 and "scenario.yaml" in result.output
    result = CliRunner().invoke(app, ["evaluate", "CustomerSupport-v0", "--config", str(scenario_file)])
    assert result.exit_code != 0


# -- a simulated history, exported and replayed ------------------------------------------


def export_history(config: dict[str, Any], seed: int) -> tuple[pl.DataFrame, list[dict[str, float]]]:
    """One ``sed`` episode of ``config`` as a ticket table (effort = the assignee's hands-on minutes,
    work / skill), and the episode's KPIs."""
    env = gym.make(ID, **config)
    obs, _ = env.reset(seed=seed)
    policy = make_policy("sed", env.unwrapped.obs_layout)
    work: dict[float, float] = {}
    truncated = False
    while not truncated:
        current = env.unwrapped.get_state()["current"]
        if current is not None:
            work[current["arrival"]] = current["work"]
        obs, _, _, truncated, _ = env.step(policy(obs, env.unwrapped.action_masks()))
    state = env.unwrapped.get_state()
    for t in [*state["pending"], *(t for e in state["engineers"] for t in e["queue"])]:
        work.setdefault(t["arrival"], t["work"])
    log = env.unwrapped.episode_log()
    parts = [log["tickets"], log["open"]]
    arrival = np.concatenate([p["arrival"] for p in parts])
    kind = np.concatenate([p["kind"] for p in parts]).astype(int)
    slot = np.concatenate([p["engineer"] for p in parts]).astype(int)
    skills = config["skills"]
    effort = [work[a] / (skills[s][k] if s >= 0 else 1.0) for a, k, s in zip(arrival, kind, slot, strict=True)]
    created = [START + timedelta(microseconds=round(a * 60e6)) for a in arrival]
    table = pl.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(len(arrival))],
            "created": created,
            "assigned": [None] * len(arrival),
            "resolved": [None] * len(arrival),
            "assignee": [f"e{s}" if s >= 0 else None for s in slot],
            "type": [TYPES[k] for k in kind],
            "priority": [
                ("critical", "high", "medium", "low")[int(p)] for p in np.concatenate([x["priority"] for x in parts])
            ],
            "tier": [
                ("enterprise", "business", "standard")[int(t)] for t in np.concatenate([x["tier"] for x in parts])
            ],
            "effort_minutes": effort,
        },
        schema_overrides={"created": pl.Datetime("us"), "assigned": pl.Datetime("us"), "resolved": pl.Datetime("us")},
    )
    kpis = run_policy(make_policy("sed", env.unwrapped.obs_layout), [seed], ID, **config)
    return table, kpis


def test_trace__replaying_a_history_with_its_policy_reproduces_its_kpis() -> None:
    probe = gym.make(ID, scenario="specialists")
    probe.reset(seed=0)
    n = int(probe.unwrapped.config.resolved().n_engineers)
    skills = [e["skill"] for e in probe.unwrapped.get_state()["engineers"][:n]]
    config = {"scenario": "specialists", "skills": skills}
    table, original = export_history(config, seed=11)
    history = Scenario(config=config, start=START, engineers=[f"e{i}" for i in range(n)])
    trace = trace_from_tickets(table, history)
    assert trace.sampled_work == 0 and trace.tickets == len(table) > 30
    replayed = run_policy(make_policy("sed", probe.unwrapped.obs_layout), [99], ID, **replay_kwargs(history, trace))
    for key, value in original[0].items():
        assert np.isclose(replayed[0][key], value, rtol=1e-6, equal_nan=True), key


@pytest.mark.parametrize("value", [-1, 2**40, 41, 1.5, True, "3"])
def test_ticket_routing__hostile_trace_position_is_a_state_error(value: Any) -> None:
    env = gym.make(ID, scenario="specialists", arrival_trace=rows())
    env.reset(seed=0)
    state = env.unwrapped.get_state()
    with pytest.raises(StateError, match="trace_next"):
        env.unwrapped.set_state({**state, "trace_next": value})
    env.step(pick(env, False))


# -- the ticket table and scenario files the replay reads -----------------------------------


def test_tickets__csv_round_trip_and_refusals_name_the_file(tmp_path: Path) -> None:
    table = ticket_table(5)
    path = tmp_path / "tickets.csv"
    write_tickets(table, path)
    assert read_tickets(path).equals(table)
    with pytest.raises(ConfigError, match=r"nope\.parquet"):
        read_tickets(tmp_path / "nope.parquet")
    bad = tmp_path / "bad.parquet"
    table.drop("type").write_parquet(bad)
    with pytest.raises(ConfigError, match=r"bad\.parquet"):
        read_tickets(bad)
    table.with_columns(pl.lit("urgent").alias("priority")).write_parquet(bad)
    with pytest.raises(ConfigError, match="urgent"):
        read_tickets(bad)


def test_scenario__loads_the_schema_and_refuses_other_files(tmp_path: Path) -> None:
    _, path = write_inputs(tmp_path)
    loaded = load_scenario(path)
    assert loaded.config == scenario().config and loaded.start == START
    assert loaded.engineers == ["ana", "bo"]
    for text in (
        "[1, 2]",
        "ferrogym_scenario: 1\nconfig: 3\nstart: '2026-11-02'",
        "ferrogym_scenario: 1\nconfig: {}\nstart: soon",
        "{",
    ):
        path.write_text(text)
        with pytest.raises(ConfigError):
            load_scenario(path)
