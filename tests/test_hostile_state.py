"""Hostile states: ``set_state`` refuses, before changing anything, a key
the state does not have or a value outside what the dynamics keep it in,
with a ``StateError`` naming the key; the env stays usable."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import pytest

from ferrogym.errors import StateError

from . import hostile
from .conftest import ENV_IDS
from .test_bad_input import assert_still_usable


def test_hostile_state__every_value_of_every_state_refuses_or_works(record_property: Any) -> None:
    results = hostile.run(hostile.state_cases(hostile.STATE_TARGETS))
    figures = hostile.summary(results)
    for key, value in figures.items():
        record_property(key, value)
    print("hostile state fuzz:", figures)
    assert {r.target for r in results} == set(hostile.STATE_TARGETS)
    assert hostile.failures(results) == []


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_hostile_state__an_unknown_key_is_refused_by_name_and_changes_nothing(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    before = env.get_state()  # type: ignore[attr-defined]
    with pytest.raises(StateError, match="unknown key `not_a_key`"):
        env.set_state({**before, "not_a_key": 1})  # type: ignore[attr-defined]
    assert env.get_state() == before  # type: ignore[attr-defined]
    assert_still_usable(env)


def test_hostile_state__an_unknown_nested_key_is_refused_with_its_path() -> None:
    env = gym.make("ferrogym/CustomerSupport-v0").unwrapped
    env.reset(seed=0)
    state = env.get_state()  # type: ignore[attr-defined]
    state["seen"] = {**state["seen"], "mood": 0.5}
    with pytest.raises(StateError, match=r"unknown key `seen\.mood`"):
        env.set_state(state)  # type: ignore[attr-defined]


def test_hostile_state__multi_team_refuses_unknown_keys() -> None:
    from ferrogym.integrations.pettingzoo import parallel_env

    env = parallel_env()
    env.reset(seed=0)
    with pytest.raises(StateError, match="unknown key `not_a_key`"):
        env.set_state({**env.get_state(), "not_a_key": 1})


@pytest.mark.parametrize("key", ["urgency", "ltv", "sentiment"])
@pytest.mark.parametrize("value", [-1.5, 2**70, math.nan, math.inf])
def test_hostile_state__customer_support_refuses_out_of_range_customers(key: str, value: Any) -> None:
    env = gym.make("ferrogym/CustomerSupport-v0").unwrapped
    env.reset(seed=0)
    before = env.get_state()  # type: ignore[attr-defined]
    with pytest.raises(StateError, match=f"`{key}`"):
        env.set_state({**before, key: value})  # type: ignore[attr-defined]
    assert env.get_state() == before  # type: ignore[attr-defined]
    assert_still_usable(env)


@pytest.mark.parametrize(
    ("env_id", "key", "value"),
    [
        ("ferrogym/CartPole-v1", "physics", [1e300, 0.0, 0.0, 0.0]),
        ("ferrogym/Pendulum-v1", "physics", [0.0, 1e300]),
        ("ferrogym/Pendulum-v1", "last_u", math.nan),
    ],
)
def test_hostile_state__physics_outside_the_observation_space_is_refused(env_id: str, key: str, value: Any) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    with pytest.raises(StateError, match=key):
        env.set_state({**env.get_state(), key: value})  # type: ignore[attr-defined]
    assert_still_usable(env)


def test_hostile_state__blackjack_refuses_an_impossible_total() -> None:
    env = gym.make("ferrogym/Blackjack-v1").unwrapped
    env.reset(seed=0)
    state = env.get_state()  # type: ignore[attr-defined]
    # More cards than the state lists, so only the total's range can tell.
    slots = len(state["player"]["cards"])
    state["player"] = {**state["player"], "cards": [2] * slots, "count": slots + 1, "total": 40}
    with pytest.raises(StateError, match="player"):
        env.set_state(state)  # type: ignore[attr-defined]


def test_hostile_state__inventory_refuses_a_pipeline_that_would_overflow() -> None:
    env = gym.make("ferrogym/InventoryControl-v0").unwrapped
    env.reset(seed=0)
    state = env.get_state()  # type: ignore[attr-defined]
    state["pipeline"] = [2**32 - 1] * len(state["pipeline"])
    with pytest.raises(StateError, match=r"pipeline\[0\]"):
        env.set_state(state)  # type: ignore[attr-defined]
    assert_still_usable(env)


@pytest.mark.parametrize(("key", "value"), [("elapsed", math.nan), ("elapsed", -1), ("episode_over", math.nan)])
def test_hostile_state__python_envs_check_their_bookkeeping_keys(key: str, value: Any) -> None:
    env = hostile.example_inventory({})  # a BaseEnvironment: the Python template
    env.reset(seed=0)
    with pytest.raises(StateError, match=f"`{key}`"):
        env.set_state({**env.get_state(), key: value})


def test_hostile_state__python_envs_name_unknown_and_missing_keys() -> None:
    env = hostile.example_inventory({})
    env.reset(seed=0)
    state = {k: v for k, v in env.get_state().items() if k != "elapsed"}
    with pytest.raises(StateError, match=r"unknown key\(s\) \['mood'\] and missing key\(s\) \['elapsed'\]"):
        env.set_state({**state, "mood": 1})
