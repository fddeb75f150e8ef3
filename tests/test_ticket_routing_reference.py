"""TicketRouting in Rust against the plain-Python reference (tests/reference/):
same seed and actions must give the same observations, rewards, flags, masks
and reward components, in every scenario and with every option."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_match import check_environments_match

import ferrogym  # noqa: F401
from ferrogym.envs.ticket_routing import TicketRoutingEnv
from ferrogym.envs.ticket_routing_config import SCENARIOS, TicketRoutingConfig

from .reference.ticket_routing_ref import Rng, TicketRoutingRefEnv

OBS_ATOL = 1e-6  # float32 observations computed from the same float64 values
REWARD_RTOL = 1e-9


def pair(**kwargs: Any) -> tuple[TicketRoutingEnv, TicketRoutingRefEnv]:
    resolved = TicketRoutingConfig(**kwargs).resolved().kwargs()
    return TicketRoutingEnv(**kwargs), TicketRoutingRefEnv(resolved)


def choose(policy: str, mask: np.ndarray, rng: np.random.Generator) -> int:
    valid = np.flatnonzero(mask)
    if policy == "first":
        return int(valid[0])
    if policy == "last":
        return int(valid[-1])
    if policy == "any":  # may be invalid: only with invalid_action="fallback"
        return int(rng.integers(len(mask)))
    if policy == "holdy":  # hold (the last action, when the env has it) most of the time
        return int(valid[-1]) if rng.random() < 0.6 else int(rng.choice(valid))
    return int(rng.choice(valid))


def run_side_by_side(seed: int, policy: str, episodes: int = 1, **kwargs: Any) -> int:
    """Steps both envs through whole episodes; returns the number of steps."""
    rust, ref = pair(**kwargs)
    rng = np.random.default_rng(seed)
    steps = 0
    for ep in range(episodes):
        o1, _ = rust.reset(seed=seed if ep == 0 else None)
        o2, _ = ref.reset(seed=seed if ep == 0 else None)
        np.testing.assert_allclose(o1, o2, rtol=0, atol=OBS_ATOL, err_msg=f"reset obs, episode {ep}")
        while True:
            m1, m2 = rust.action_masks(), ref.action_masks()
            np.testing.assert_array_equal(m1, m2, err_msg=f"mask at step {steps}")
            a = choose(policy, m1, rng)
            o1, r1, te1, tr1, i1 = rust.step(a)
            o2, r2, te2, tr2, i2 = ref.step(a)
            steps += 1
            np.testing.assert_allclose(o1, o2, rtol=0, atol=OBS_ATOL, err_msg=f"obs at step {steps}")
            assert r1 == pytest.approx(r2, rel=REWARD_RTOL, abs=1e-12), f"reward at step {steps}"
            for name, v in i2["reward_components"].items():
                assert i1["reward_components"][name] == pytest.approx(v, rel=REWARD_RTOL, abs=1e-12), name
            assert (te1, tr1) == (te2, tr2), f"flags at step {steps}"
            if tr1:
                break
    return steps


def seeds_for(scenario: str) -> tuple[int, ...]:
    # The Python reference walks a working week slowly: one seed there.
    return (0,) if scenario == "specialists_week" else (0, 1, 2)


# Every scenario under every policy, except holding every ticket for a week
# (a backlog at max_backlog for days: minutes in the reference; the
# hold-everything case runs in test_ticket_routing_hold.py and the Rust tests).
CASES = [
    (scenario, policy)
    for scenario in SCENARIOS
    for policy in ("random", "first", "last", "holdy")
    if (scenario, policy) != ("specialists_week", "last")
]


def test_reference_rng__matches_the_pinned_rust_stream() -> None:
    r = Rng(0)
    assert r.next_u64() == 0x53175D61490B23DF
    assert r.next_u64() == 0x61DA6F3DC380D507


@pytest.mark.parametrize(("scenario", "policy"), CASES)
def test_ticket_routing__matches_reference_in_every_scenario(scenario: str, policy: str) -> None:
    for seed in seeds_for(scenario):
        assert run_side_by_side(seed, policy, scenario=scenario) > 20


@pytest.mark.parametrize(
    "options",
    [
        {"episode_days": 7, "start_weekday": 4},
        {"shuffle_slots": True, "resample_skills": True},
        {"auto_assign_single": True, "scenario": "understaffed"},
        {"invalid_action": "fallback", "scenario": "specialists"},
        {"max_backlog": 10, "scenario": "understaffed", "arrivals_per_day": 150.0},
        {"shifts": [[0.0, 24.0]] * 3 + [[0.0, 6.0]] * 2 + [[18.0, 24.0]] * 3, "soft_cap": 1, "cap": 2},
        {"skills": [[1.0, 0.5, 0.25, 0.5, 0.1]] * 8, "work_sigma": [0.0] * 5},
        {"allow_hold": True, "cap": 1, "soft_cap": 1},
        {"allow_hold": True, "scenario": "understaffed", "episode_days": 3, "start_weekday": 4},
        {"allow_hold": True, "invalid_action": "fallback", "scenario": "specialists"},
        {"allow_hold": True, "max_backlog": 10, "scenario": "understaffed", "arrivals_per_day": 150.0},
        {"scenario": "specialists_pull", "allow_hold": False},
    ],
    ids=[
        "week",
        "shuffle-resample",
        "auto-assign",
        "fallback",
        "overflow",
        "odd-shifts",
        "explicit-skills",
        "hold-cap1",
        "hold-days",
        "hold-fallback",
        "hold-overflow",
        "pull-without-hold",
    ],
)
def test_ticket_routing__matches_reference_with_options(options: dict[str, Any]) -> None:
    policy = (
        "any" if options.get("invalid_action") == "fallback" else "holdy" if options.get("allow_hold") else "random"
    )
    assert run_side_by_side(3, policy, episodes=2, **options) > 2


@pytest.mark.parametrize(("scenario", "policy"), CASES)
@pytest.mark.parametrize("penalty", [0.0, 0.5])
def test_ticket_routing__processor_sharing_matches_reference_in_every_scenario(
    scenario: str, policy: str, penalty: float
) -> None:
    for seed in seeds_for(scenario):
        steps = run_side_by_side(
            seed, policy, scenario=scenario, service="processor_sharing", context_switch_penalty=penalty
        )
        assert steps > 20


@pytest.mark.parametrize(
    "options",
    [
        {"episode_days": 7, "start_weekday": 4},
        {"shifts": [[0.0, 24.0]] * 3 + [[0.0, 6.0]] * 2 + [[18.0, 24.0]] * 3, "soft_cap": 1, "cap": 2},
        {"max_backlog": 10, "scenario": "understaffed", "arrivals_per_day": 150.0},
        # Equal work and skills, and the night's backlog handed out at 7:00:
        # tickets that finish at exactly the same time.
        {
            "scenario": "understaffed",
            "skills": [[1.0] * 5] * 5,
            "work_median_minutes": [30.0] * 5,
            "work_sigma": [0.0] * 5,
            "context_switch_penalty": 0.0,
        },
        {"cap": 12, "soft_cap": 8, "scenario": "understaffed", "arrivals_per_day": 120.0},
        {"scenario": "specialists_pull"},
        {"scenario": "understaffed", "allow_hold": True, "cap": 2, "soft_cap": 1},
    ],
    ids=["week", "odd-shifts", "overflow", "ties", "deep-queues", "pull", "hold-cap2"],
)
def test_ticket_routing__processor_sharing_matches_reference_with_options(options: dict[str, Any]) -> None:
    kwargs = {"service": "processor_sharing", **options}
    policy = "holdy" if kwargs.get("allow_hold") or kwargs.get("scenario") == "specialists_pull" else "last"
    assert run_side_by_side(3, policy, episodes=2, **kwargs) > 2


def test_ticket_routing__gymnasium_env_match_with_reference() -> None:
    # Random actions from the action space need the fallback for invalid slots.
    kwargs = {"scenario": "specialists", "invalid_action": "fallback"}
    rust, ref = pair(**kwargs)
    # The reference reports reward components only, the Rust env more (superset).
    check_environments_match(ref, rust, num_steps=300, seed=7, info_comparison="superset")


def test_ticket_routing__overflow_truncates_and_is_reported() -> None:
    env = gym.make("ferrogym/TicketRouting-v0", scenario="understaffed", arrivals_per_day=400.0, max_backlog=5)
    env.reset(seed=0)
    truncated = False
    info: dict[str, Any] = {}
    while not truncated:
        _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
        assert not terminated
    assert info["sim"]["backlog_overflow"] == 1.0
    assert info["sim"]["minutes"] < 1440.0


def recorded_trace(n: int, days: int, seed: int) -> list[list[float]]:
    """``n`` tickets over ``days`` days, half of them with known work (-1: unknown), two at one minute."""
    rng = np.random.default_rng(seed)
    minutes = np.sort(rng.uniform(0.0, days * 1440.0, n))
    minutes[5] = minutes[4]
    return [
        [float(m), int(rng.integers(5)), int(rng.integers(4)), int(rng.integers(3)), float(rng.lognormal(3.5, 0.6))]
        if rng.random() < 0.5
        else [float(m), int(rng.integers(5)), int(rng.integers(4)), int(rng.integers(3)), -1.0]
        for m in minutes
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"scenario": "specialists"},
        {"scenario": "specialists_pull"},
        {"scenario": "understaffed", "episode_days": 2, "service": "processor_sharing"},
    ],
    ids=["fifo", "hold", "sharing-days"],
)
def test_ticket_routing__trace_replay_matches_reference(options: dict[str, Any]) -> None:
    days = int(options.get("episode_days", 1))
    trace = recorded_trace(70 * days, days, seed=days)
    policy = "holdy" if options["scenario"] == "specialists_pull" else "random"
    assert run_side_by_side(4, policy, episodes=2, arrival_trace=trace, **options) > 50
