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


def test_ticket_routing__obs_shows_eligibility_shifts_queued_weight_and_clock() -> None:
    env = gym.make(ID, scenario="specialists_pull")
    obs, _ = env.reset(seed=2)
    layout = {s.name: s for s in env.unwrapped.obs_layout}
    rows = layout["engineers"].of(obs)
    labels = layout["engineers"].labels
    col = {name: labels.index(name) for name in labels}
    mask = env.unwrapped.action_masks()[:-1]
    present = rows[:, col["present"]] == 1.0
    # Eligibility is its own column and matches the mask; eta is shown for every present engineer.
    np.testing.assert_array_equal(rows[:, col["eligible"]] == 1.0, mask)
    assert (rows[present, col["eta"]] > 0.0).all()
    on = rows[:, col["on_shift"]] == 1.0
    assert (rows[on, col["shift_starts_in"]] == 0.0).all()
    assert (rows[present & ~on, col["shift_starts_in"]] > 0.0).all()
    assert (rows[present, col["shift_ends_in"]] > 0.0).all()
    assert (rows[:, col["queued_weight"]] == 0.0).all()  # nobody has a ticket yet
    minutes = env.unwrapped.get_state()["now"]
    day, week = layout["clock"].of(obs)
    assert day == pytest.approx((minutes % 1440.0) / 1440.0, abs=1e-6)
    assert week == pytest.approx(minutes / (7 * 1440.0), abs=1e-6)
    assert layout["backlog_type"].labels == layout["ticket_type"].labels
