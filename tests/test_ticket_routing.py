"""TicketRouting through Gymnasium: checkers, seeding, batching, masks, info,
configuration and bad input."""

from __future__ import annotations

import itertools
import pickle
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

import ferrogym  # noqa: F401
from ferrogym.envs.ticket_routing import TicketRoutingEnv, TicketRoutingVectorEnv
from ferrogym.envs.ticket_routing_config import SCENARIOS, TicketRoutingConfig
from ferrogym.errors import ConfigError, InvalidAction, InvalidActionType, StateError

ID = "ferrogym/TicketRouting-v0"


def first_valid(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def rollout(env: gym.Env[Any, Any], seed: int, steps: int = 200) -> list[tuple[Any, ...]]:
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    out: list[tuple[Any, ...]] = [(obs,)]
    for _ in range(steps):
        a = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))  # type: ignore[attr-defined]
        obs, r, te, tr, _ = env.step(a)
        out.append((obs, r, te, tr))
        if te or tr:
            obs, _ = env.reset()
            out.append((obs,))
    return out


# Both checkers step with unmasked `action_space.sample()`, which the default
# `invalid_action="raise"` rejects by design: they run with the fallback.


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ticket_routing__passes_gymnasium_check_env(scenario: str) -> None:
    check_env(gym.make(ID, scenario=scenario, invalid_action="fallback").unwrapped, skip_render_check=False)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ticket_routing__passes_sb3_check_env(scenario: str) -> None:
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    sb3_check_env(gym.make(ID, scenario=scenario, invalid_action="fallback").unwrapped, warn=True)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ticket_routing__processor_sharing_passes_both_env_checkers(scenario: str) -> None:
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    kwargs = {"scenario": scenario, "invalid_action": "fallback", "service": "processor_sharing"}
    check_env(gym.make(ID, **kwargs).unwrapped, skip_render_check=False)
    sb3_check_env(gym.make(ID, **kwargs).unwrapped, warn=True)


def test_ticket_routing__processor_sharing_changes_the_trajectory_from_fifo() -> None:
    # Same tickets, same actions: FIFO and sharing differ once an engineer holds two tickets.
    a = rollout(gym.make(ID, scenario="understaffed"), seed=1, steps=40)
    b = rollout(gym.make(ID, scenario="understaffed", service="processor_sharing"), seed=1, steps=40)
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a, b, strict=True))


def test_ticket_routing__same_seed_same_trajectory() -> None:
    a = rollout(gym.make(ID, scenario="specialists"), seed=3)
    b = rollout(gym.make(ID, scenario="specialists"), seed=3)
    c = rollout(gym.make(ID, scenario="specialists"), seed=4)
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x, y, strict=True):
            np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0][0], c[0][0])


@pytest.mark.parametrize("threads", [1, 2])
def test_ticket_routing__batched_equals_single_envs_seeded_seed_plus_i(threads: int) -> None:
    n, seed = 5, 10
    venv = gym.make_vec(ID, num_envs=n, scenario="understaffed", threads=threads)
    singles = [gym.make(ID, scenario="understaffed") for _ in range(n)]
    obs, _ = venv.reset(seed=seed)
    for i, env in enumerate(singles):
        o, _ = env.reset(seed=seed + i)
        np.testing.assert_array_equal(obs[i], o)
    rng = np.random.default_rng(0)
    ended = np.zeros(n, dtype=bool)
    for _ in range(150):
        masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
        actions = np.array([rng.choice(np.flatnonzero(m)) for m in masks], dtype=np.int64)
        obs, rew, term, trunc, infos = venv.step(actions)
        for i, env in enumerate(singles):
            if ended[i]:  # NEXT_STEP autoreset: this step resets sub-env i
                o, _ = env.reset()
                r, te, tr = 0.0, False, False
            else:
                o, r, te, tr, info = env.step(int(actions[i]))
                for name, v in info["reward_components"].items():
                    assert infos["reward_components"][name][i] == v
            np.testing.assert_array_equal(obs[i], o)
            assert (rew[i], term[i], trunc[i]) == (r, te, tr)
        ended = term | trunc


def test_ticket_routing__thread_count_does_not_change_results() -> None:
    def run(threads: int) -> np.ndarray:
        venv = TicketRoutingVectorEnv(64, threads=threads, scenario="specialists")
        venv._core = type(venv._core)(64, "NextStep", None, threads, 8, scenario="specialists")  # small grain
        venv.reset(seed=1)
        total = np.zeros(64)
        for _ in range(300):
            masks = venv.action_masks()
            _, r, _, _, _ = venv.step(masks.argmax(axis=1))
            total += r
        return total

    np.testing.assert_array_equal(run(1), run(2))


def test_ticket_routing__reward_components_sum_to_reward() -> None:
    env = gym.make(ID, scenario="understaffed")
    env.reset(seed=0)
    seen = set()
    rewards = []
    truncated = False
    while not truncated:
        _, r, _, truncated, info = env.step(first_valid(env.unwrapped.action_masks()))  # type: ignore[attr-defined]
        comps = info["reward_components"]
        assert sum(comps.values()) == pytest.approx(r, abs=1e-12)
        seen |= {k for k, v in comps.items() if v != 0.0}
        rewards.append(r)
    assert {"wait", "sla", "backlog_end"} <= seen
    assert max(rewards) <= 0.0
    assert -1.0 < float(np.median(rewards)) < 0.0


def test_ticket_routing__same_step_final_info_keeps_terminal_components() -> None:
    venv = gym.make_vec(ID, num_envs=2, autoreset_mode=AutoresetMode.SAME_STEP, episode_days=1)
    venv.reset(seed=0)
    for _ in range(500):
        masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
        _, r, _, trunc, infos = venv.step(masks.argmax(axis=1))
        if trunc.any():
            i = int(np.flatnonzero(trunc)[0])
            final = infos["final_info"]["reward_components"]
            assert final["_backlog_end"][i]
            assert sum(final[k][i] for k in ("wait", "sla", "burnout", "backlog_end", "invalid_action")) == (
                pytest.approx(r[i], abs=1e-12)
            )
            assert final["backlog_end"][i] < 0.0
            assert infos["reward_components"]["backlog_end"][i] == 0.0  # already reset
            return
    pytest.fail("no episode ended")


def test_ticket_routing__masks_single_and_batched() -> None:
    env = gym.make(ID, n_engineers=3, max_engineers=6)
    env.reset(seed=0)
    mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
    assert mask.shape == (6,)
    assert mask.dtype == np.bool_
    assert not mask[3:].any()
    venv = gym.make_vec(ID, num_envs=4, n_engineers=3, max_engineers=6)
    venv.reset(seed=0)
    masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
    assert masks.shape == (4, 6)
    assert masks.any(axis=1).all()
    assert not masks[:, 3:].any()


def test_ticket_routing__invalid_action_raises_and_env_stays_usable() -> None:
    env = gym.make(ID, n_engineers=3, max_engineers=6)
    env.reset(seed=0)
    with pytest.raises(InvalidAction, match=r"TicketRouting: invalid action 4 \(engineer slot 4 is an empty slot\)"):
        env.step(4)
    with pytest.raises(InvalidAction, match="Discrete"):
        env.step(6)
    with pytest.raises(InvalidActionType, match="float"):
        env.step(1.5)
    _, _, _, truncated, _ = env.step(first_valid(env.unwrapped.action_masks()))  # type: ignore[attr-defined]
    assert not truncated


def test_ticket_routing__batched_invalid_action_changes_nothing() -> None:
    venv = gym.make_vec(ID, num_envs=2, n_engineers=3, max_engineers=6)
    obs, _ = venv.reset(seed=0)
    with pytest.raises(InvalidAction, match="sub-env 1"):
        venv.step(np.array([0, 5]))
    masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
    obs2, *_ = venv.step(masks.argmax(axis=1))
    assert obs2.shape == obs.shape


def test_ticket_routing__fallback_maps_invalid_action_with_penalty() -> None:
    env = gym.make(ID, n_engineers=3, max_engineers=6, invalid_action="fallback", invalid_action_penalty=0.5)
    env.reset(seed=0)
    _, _, _, _, info = env.step(5)
    assert info["reward_components"]["invalid_action"] == -0.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"arrivals_per_day": -3.0}, "arrivals_per_day"),
        ({"arrivals_per_day": float("nan")}, "arrivals_per_day"),
        ({"type_probs": [0.5, 0.5, 0.5, 0.0, 0.0]}, "summing to 1"),
        ({"priority_probs": [[1.0, 0.0, 0.0, 0.0]] * 4}, "priority_probs"),
        ({"skills": [[0.5] * 4] * 8}, r"skills.*8 x 5"),
        ({"scenario": "chaos"}, "unknown variant"),
        ({"n_engineerz": 3}, "unknown field"),
        ({"cap": "five"}, "cap"),
        ({"shifts": [[18.0, 8.0]] * 8}, r"shifts\[0\]"),
        ({"max_engineers": 4}, "max_engineers"),
        ({"service": "round_robin"}, r"service.*`fifo` or `processor_sharing`"),
        ({"context_switch_penalty": -0.1}, r"context_switch_penalty.*in \[0, 10\]"),
        ({"context_switch_penalty": float("inf")}, r"context_switch_penalty.*finite"),
    ],
)
def test_ticket_routing__bad_config_raises_config_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        gym.make(ID, **kwargs)
    with pytest.raises(ConfigError, match=match):
        gym.make_vec(ID, num_envs=2, **kwargs)


def test_ticket_routing__obs_layout_covers_the_observation_space() -> None:
    env = TicketRoutingEnv(scenario="specialists")
    layout = env.obs_layout
    space = env.observation_space
    assert isinstance(space, gym.spaces.Box)
    assert layout[0].start == 0
    assert layout[-1].stop == space.shape[0]
    for a, b in itertools.pairwise(layout):
        assert a.stop == b.start
    for s in layout:
        assert (space.low[s.start : s.stop] == np.float32(s.low)).all()
        assert (space.high[s.start : s.stop] == np.float32(s.high)).all()
    obs, _ = env.reset(seed=0)
    by_name = {s.name: s for s in layout}
    assert by_name["engineers"].of(obs).shape == (12, 12)
    assert by_name["ticket_type"].labels == tuple(env.config.ticket_types or [])
    assert by_name["ticket_type"].of(obs).sum() == 1.0
    venv = TicketRoutingVectorEnv(2, scenario="specialists")
    assert venv.obs_layout == layout


def test_ticket_routing__observations_stay_in_space_over_a_week() -> None:
    env = gym.make(ID, scenario="understaffed", episode_days=7)
    space = env.observation_space
    for step in rollout(env, seed=5, steps=400):
        assert space.contains(step[0])


def test_ticket_routing__pickle_and_state_roundtrip() -> None:
    env = TicketRoutingEnv(scenario="specialists")
    env.reset(seed=2)
    for _ in range(10):
        env.step(first_valid(env.action_masks()))
    clone = pickle.loads(pickle.dumps(env))
    for _ in range(20):
        a = first_valid(env.action_masks())
        o1, r1, *_ = env.step(a)
        o2, r2, *_ = clone.step(a)
        np.testing.assert_array_equal(o1, o2)
        assert r1 == r2


def test_ticket_routing__state_with_a_queue_over_cap_is_refused() -> None:
    env = TicketRoutingEnv(service="processor_sharing")
    env.reset(seed=0)
    state = env.get_state()
    ticket = state["current"]
    state["engineers"][0]["queue"] = [dict(ticket, id=100 + j) for j in range(6)]
    with pytest.raises(StateError, match="holds 6 tickets; cap is 5"):
        env.set_state(state)
    env.step(first_valid(env.action_masks()))  # still usable


def test_ticket_routing__renders_text_and_rgb() -> None:
    env = gym.make(ID, render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    assert isinstance(text, str)
    assert "ticket #" in text
    env = gym.make(ID, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert isinstance(frame, np.ndarray)
    assert frame.dtype == np.uint8
    assert frame.ndim == 3


def test_ticket_routing__episode_log_lists_resolved_tickets() -> None:
    env = TicketRoutingEnv()
    env.reset(seed=0)
    truncated = False
    while not truncated:
        _, _, _, truncated, _ = env.step(first_valid(env.action_masks()))
    log = env.episode_log()
    t = log["tickets"]
    assert len(t["done"]) > 10
    assert (t["done"] >= t["pickup"]).all()
    assert (t["pickup"] >= t["arrival"]).all()
    assert log["summary"]["minutes"][0] == 1440.0


# -- the typed config -----------------------------------------------------------


def test_ticket_routing_config__fields_are_exactly_the_rust_fields() -> None:
    rust = TicketRoutingEnv().config  # built from the core's effective config
    from dataclasses import fields

    names = [f.name for f in fields(TicketRoutingConfig)]
    assert set(names) == set(rust.kwargs())
    defaults = TicketRoutingConfig()
    assert all(getattr(defaults, n) is None for n in names if n != "scenario")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ticket_routing_config__resolved_values_build_the_same_env(scenario: str) -> None:
    resolved = TicketRoutingConfig(scenario=scenario).resolved()
    a = rollout(gym.make(ID, scenario=scenario), seed=1, steps=30)
    b = rollout(gym.make(ID, config=resolved), seed=1, steps=30)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x[0], y[0])


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_ticket_routing_config__file_roundtrip(tmp_path: Path, suffix: str) -> None:
    cfg = TicketRoutingConfig(
        scenario="specialists",
        n_engineers=6,
        shifts=[[8.0, 16.0]] * 6,
        cap=4,
        service="processor_sharing",
        context_switch_penalty=0.25,
    )
    path = tmp_path / f"cfg{suffix}"
    cfg.save(path)
    assert TicketRoutingConfig.load(path) == cfg
    cfg.save(path, resolved=True)
    assert TicketRoutingConfig.load(path) == cfg.resolved()


def test_ticket_routing_config__invalid_files_and_fields_raise(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: balanced\nwait_weigth: 1.0\n")
    with pytest.raises(ConfigError, match="wait_weigth"):
        TicketRoutingConfig.load(path)
    path.write_text("tier_probs: [0.5, 0.6, 0.1]\n")
    with pytest.raises(ConfigError, match="tier_probs"):
        TicketRoutingConfig.load(path)
    with pytest.raises(ConfigError, match=r"\.toml"):
        TicketRoutingConfig.load(tmp_path / "x.toml")
