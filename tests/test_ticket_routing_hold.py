"""TicketRouting's hold action, work-in-progress caps and the scenarios built on them."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.errors import ConfigError, InvalidAction
from ferrogym.integrations.pettingzoo import MultiTeamTicketRouting

ID = "ferrogym/TicketRouting-v0"


@pytest.mark.parametrize("cap", [1, 2])
def test_ticket_routing__holding_everything_reaches_the_end(cap: int) -> None:
    env = gym.make(ID, scenario="understaffed", allow_hold=True, cap=cap, soft_cap=1)
    hold = int(env.action_space.n) - 1
    env.reset(seed=1)
    last_minutes, steps, truncated = 0.0, 0, False
    while not truncated:
        assert env.unwrapped.action_masks()[hold]
        _, _, _, truncated, info = env.step(hold)
        assert info["sim"]["minutes"] >= last_minutes
        last_minutes = info["sim"]["minutes"]
        steps += 1
        assert steps < 50_000
    assert info["sim"]["minutes"] == 1440.0 or info["sim"]["backlog_overflow"] == 1.0


def test_ticket_routing__hold_leaves_ticket_in_backlog() -> None:
    env = gym.make(ID, scenario="specialists_pull")
    env.reset(seed=3)
    assert env.action_space.n == env.unwrapped.config.max_engineers + 1
    before = env.unwrapped.get_state()
    ticket = before["current"]["id"]
    env.step(int(env.action_space.n) - 1)
    after = env.unwrapped.get_state()
    waiting = {t["id"] for t in after["pending"]}
    current = after["current"]["id"] if after["current"] else None
    assert ticket in waiting or (current == ticket and after["now"] > before["now"])


def test_ticket_routing__hold_without_allow_hold_is_invalid_and_env_stays_usable() -> None:
    env = gym.make(ID, scenario="specialists")
    env.reset(seed=0)
    hold = env.unwrapped.config.max_engineers
    with pytest.raises(InvalidAction, match="allow_hold"):
        env.step(hold)
    env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scenario": "specialists_pull", "cap": 0}, "cap"),
        ({"scenario": "specialists_week", "episode_days": 0}, "episode_days"),
        ({"scenario": "no_such_desk"}, "scenario"),
    ],
)
def test_ticket_routing__bad_hold_settings_are_config_errors(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        gym.make(ID, **kwargs)


def test_multi_team__refuses_allow_hold() -> None:
    with pytest.raises(ConfigError, match="allow_hold"):
        MultiTeamTicketRouting(n_teams=1, scenario="mirrored", teams=[{"allow_hold": True}])


def test_ticket_routing__specialists_week_carries_the_backlog_over_five_days() -> None:
    env = gym.make(ID, scenario="specialists_week")
    env.reset(seed=0)
    truncated, info = False, {}
    while not truncated:
        _, _, _, truncated, info = env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
    assert info["sim"]["minutes"] == 5 * 1440.0
