"""TicketRouting and MultiTeamTicketRouting refuse impossible states before touching the env."""

from __future__ import annotations

import copy
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.errors import StateError
from ferrogym.integrations.pettingzoo import MultiTeamTicketRouting

ID = "ferrogym/TicketRouting-v0"
HUGE = float(2**70)


def started() -> tuple[Any, dict[str, Any]]:
    env = gym.make(ID, scenario="specialists_pull").unwrapped
    env.reset(seed=0)
    for _ in range(15):
        env.step(int(np.flatnonzero(env.action_masks())[0]))
    return env, env.get_state()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("now", float("nan")),
        ("now", float("inf")),
        ("now", -1.0),
        ("now", HUGE),
        ("next_arrival", float("nan")),
        ("next_arrival", float("inf")),
        ("next_arrival", -5.0),
        ("next_arrival", HUGE),
        ("open_weight", float("nan")),
        ("held", 3),
    ],
)
def test_ticket_routing__set_state_refuses_impossible_values_naming_the_key(key: str, value: float) -> None:
    env, state = started()
    bad = copy.deepcopy(state)
    bad[key] = value
    with pytest.raises(StateError, match=key):
        env.set_state(bad)
    # Refused before any change: the env continues as if nothing happened.
    assert env.get_state() == state
    env.step(int(np.flatnonzero(env.action_masks())[0]))


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("engineer", "completion", float("nan")),
        ("engineer", "fatigue", 2.0),
        ("engineer", "shift_start", -60.0),
        ("ticket", "work", float("nan")),
        ("ticket", "weight", -1.0),
        ("ticket", "arrival", HUGE),
    ],
)
def test_ticket_routing__set_state_refuses_impossible_records(where: str, key: str, value: float) -> None:
    env, state = started()
    bad = copy.deepcopy(state)
    if where == "engineer":
        bad["engineers"][0][key] = value
    else:
        bad["current"][key] = value
    with pytest.raises(StateError, match=key):
        env.set_state(bad)
    assert env.get_state() == state


@pytest.mark.parametrize("path", [(), ("engineers", 0), ("current",), ("acc",)])
def test_ticket_routing__set_state_refuses_unknown_keys(path: tuple[Any, ...]) -> None:
    env, state = started()
    bad = copy.deepcopy(state)
    target = bad
    for p in path:
        target = target[p]
    target["surprise"] = 1
    with pytest.raises(StateError, match="surprise"):
        env.set_state(bad)
    assert env.get_state() == state


def test_multi_team__set_state_refuses_impossible_values_and_stays_usable() -> None:
    env = MultiTeamTicketRouting(n_teams=2, invalid_action="fallback")
    env.reset(seed=0)
    state = env.get_state()
    for key, value in [("now", float("nan")), ("next_arrival", HUGE), ("surprise", 1)]:
        bad = copy.deepcopy(state)
        bad["teams"][1][key] = value
        with pytest.raises(StateError, match=key):
            env.set_state(bad)
    bad = copy.deepcopy(state)
    bad["surprise"] = 1
    with pytest.raises(StateError, match="surprise"):
        env.set_state(bad)
    env.set_state(state)
