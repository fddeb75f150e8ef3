"""Hostile configs: every config field of every env, with values meant to
break it, refused by name or building a working env, never an abort, a hang
or unbounded growth (each case runs in a child process under a memory
limit and an alarm, see tests/hostile.py)."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import pytest

from ferrogym.config import EnvConfig
from ferrogym.envs.predator_prey import PredatorPreyConfig
from ferrogym.errors import ConfigError

from . import hostile
from .conftest import ENV_IDS


def test_hostile_config__every_field_of_every_env_refuses_or_works(record_property: Any) -> None:
    results = hostile.run(hostile.config_cases())
    figures = hostile.summary(results)
    for key, value in figures.items():
        record_property(key, value)
    print("hostile config fuzz:", figures)
    # Every env and every declared field was reached.
    assert {r.target for r in results} == set(hostile.TARGETS)
    assert figures["inputs"] == sum(len(hostile.config_fields(t)) for t in hostile.TARGETS) * len(
        hostile.HOSTILE_VALUES
    )
    assert hostile.failures(results) == []


#: Each grew or aborted the process (or panicked) before it was refused.
SIZES: list[tuple[str, str, Any]] = [
    ("ferrogym/TicketRouting-v0", "n_engineers", 10**9),
    ("ferrogym/TicketRouting-v0", "n_engineers", 2**62),
    ("ferrogym/TicketRouting-v0", "arrivals_per_day", 1e12),
    ("ferrogym/TicketRouting-v0", "arrivals_per_day", 2**62),
    ("ferrogym/TicketRouting-v0", "weekday_factor", [1e300] * 7),
    ("ferrogym/TicketRouting-v0", "arrival_trace", [[0.0, 0, 0, 0, 1.0]] * 300_000),
    ("MultiTeamTicketRouting", "arrivals_per_day", 1e12),
    ("MultiTeamTicketRouting", "handover_work_minutes", 1e12),
    ("MultiTeamTicketRouting", "teams", [{}] * 100_000),
    ("ferrogym/Corridor-v0", "length", 2**31),
    ("ferrogym/GridWorld-v0", "map", "S" + "." * 100_000 + "G"),
]


def test_hostile_config__sizes_are_refused_before_anything_is_allocated() -> None:
    results = hostile.run([(target, field, value, False) for target, field, value in SIZES])
    assert [(r.outcome, r.field in r.detail) for r in results] == [(hostile.REFUSED, True)] * len(SIZES), results


def test_hostile_config__the_largest_documented_ticket_load_builds_under_the_memory_limit() -> None:
    # The bounds are a promise the env keeps: the top of every range that
    # sizes the simulation, at once, works in the child (2 GiB address space).
    top = {"arrivals_per_day": 10_000.0, "episode_days": 28, "n_engineers": 256, "max_engineers": 256}
    cases = [
        ("ferrogym/TicketRouting-v0", "**", {**top, "max_backlog": 100_000}, False),
        ("MultiTeamTicketRouting", "**", {**top, "n_teams": 32}, False),
    ]
    results = hostile.run(cases)
    assert [r.outcome for r in results] == [hostile.ACCEPTED] * 2, results


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 1e300, 0, 1, "yes", [True]])
def test_hostile_config__a_bool_field_takes_only_a_bool(value: Any) -> None:
    with pytest.raises(ConfigError, match=r"sutton_barto_reward.*expected a boolean"):
        gym.make("ferrogym/CartPole-v1", sutton_barto_reward=value)
    with pytest.raises(ConfigError, match="natural"):
        gym.make("ferrogym/Blackjack-v1", natural=value)
    assert gym.make("ferrogym/CartPole-v1", sutton_barto_reward=True).unwrapped._core is not None


@pytest.mark.parametrize(
    ("env_id", "field"), [("ferrogym/GridWorld-v0", "slip"), ("ferrogym/InventoryControl-v0", "horizon")]
)
def test_hostile_config__a_number_field_refuses_a_bool(env_id: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        gym.make(env_id, **{field: True})


def test_hostile_config__refusals_name_the_field_the_value_and_the_bound() -> None:
    with pytest.raises(ConfigError, match=r"`arrivals_per_day` = 1000000000000\.0; expected .* in \[0, 10000\]"):
        gym.make("ferrogym/TicketRouting-v0", arrivals_per_day=1e12)
    with pytest.raises(ConfigError, match=r"`n_engineers` = 1000000000; expected an integer in \[1, 256\]"):
        gym.make("ferrogym/TicketRouting-v0", n_engineers=10**9)
    with pytest.raises(ConfigError, match=r"`step_cost` = 1e300; expected a finite number in \[-1000000, 1000000\]"):
        gym.make("ferrogym/GridWorld-v0", step_cost=1e300)


def test_hostile_config__vector_envs_bound_their_size() -> None:
    cases = [(f"vec:{env_id}", field, value, False) for env_id in ENV_IDS for field, value in VECTOR_SIZES]
    results = hostile.run(cases)
    assert [(r.outcome, r.field in r.detail) for r in results] == [(hostile.REFUSED, True)] * len(cases), results


#: A batch of 2^40 sub-envs aborted the process; 10^6 threads would be spawned.
VECTOR_SIZES: list[tuple[str, Any]] = [("num_envs", 2**40), ("threads", 10**6)]


def test_hostile_config__python_configs_take_only_exact_finite_numbers() -> None:
    with pytest.raises(ConfigError, match="grid_size"):
        PredatorPreyConfig(grid_size=1e300)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"step_cost` = inf; expected a finite number"):
        PredatorPreyConfig(step_cost=math.inf)
    with pytest.raises(ConfigError, match=r"step_cost` = 1e\+300; expected a finite number in"):
        PredatorPreyConfig(step_cost=1e300)
    with pytest.raises(ConfigError, match="max_cycles"):
        PredatorPreyConfig(max_cycles=2**62)
    assert PredatorPreyConfig(grid_size=12.0).grid_size == 12  # type: ignore[arg-type]


def test_hostile_config__env_config_refuses_inexact_integers_from_floats() -> None:
    from dataclasses import dataclass

    @dataclass
    class Knobs(EnvConfig):
        size: int = 3

    with pytest.raises(ConfigError, match="size"):
        Knobs(size=2.0**60)  # type: ignore[arg-type]
    assert Knobs(size=4.0).size == 4  # type: ignore[arg-type]
