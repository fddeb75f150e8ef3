"""MultiTeamTicketRouting (PettingZoo): one clock, ticket handover, masks, seeding."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from ferrogym.errors import ConfigError, InvalidAction, InvalidActionType, StateError
from ferrogym.integrations.pettingzoo import NOOP, MultiTeamTicketRouting, parallel_env
from ferrogym.policies.handover import HandoverSED, evaluate

Obs = dict[str, dict[str, np.ndarray[Any, Any]]]


def first_valid(obs: Obs) -> dict[str, int]:
    return {a: int(np.flatnonzero(o["action_mask"])[0]) for a, o in obs.items()}


def random_valid(obs: Obs, rng: np.random.Generator) -> dict[str, int]:
    return {a: int(rng.choice(np.flatnonzero(o["action_mask"]))) for a, o in obs.items()}


def until_handover_possible(env: MultiTeamTicketRouting, obs: Obs) -> Obs:
    """Steps with the first valid engineer until dispatcher_0 may hand its
    ticket to team 1 while dispatcher_1 is idle with an empty backlog and a
    free engineer (so the ticket must be team 1's next decision)."""
    m = _max_engineers(env)
    for _ in range(5000):
        state = env.get_state()["teams"][1]
        cap = env.config["teams"][1]["cap"]
        free = any(e["present"] and e["on_shift"] and len(e["queue"]) < cap for e in state["engineers"])
        deciding = env.deciding()
        if deciding["dispatcher_0"] and not deciding["dispatcher_1"] and not state["pending"] and free:
            assert obs["dispatcher_0"]["action_mask"][m] == 1
            return obs
        obs, _, _, trunc, _ = env.step(first_valid(obs))
        assert not any(trunc.values())
    raise AssertionError("no moment to hand over found")


def _max_engineers(env: MultiTeamTicketRouting) -> int:
    return next(s for s in env.obs_layout if s.name == "engineers").shape[0]


@pytest.mark.parametrize(
    ("scenario", "service"),
    [("balanced", "fifo"), ("specialists", "fifo"), ("understaffed", "fifo"), ("understaffed", "processor_sharing")],
)
def test_multi_team__one_team_reproduces_ticket_routing(scenario: str, service: str) -> None:
    # The proof that the shared clock is TicketRouting's event loop: same
    # observations, rewards and flags as the single env for the same seed and actions.
    kw = {"scenario": scenario, "episode_days": 2, "service": service}
    single = gym.make("ferrogym/TicketRouting-v0", **kw)
    multi = MultiTeamTicketRouting(n_teams=1, scenario="mirrored", teams=[kw], invalid_action="raise")
    s_obs, _ = single.reset(seed=21)
    m_obs, _ = multi.reset(seed=21)
    rng = np.random.default_rng(0)
    steps = 0
    while multi.agents:
        np.testing.assert_array_equal(m_obs["dispatcher_0"]["observation"], s_obs)
        np.testing.assert_array_equal(m_obs["dispatcher_0"]["action_mask"], single.unwrapped.action_masks())  # type: ignore[attr-defined]
        actions = random_valid(m_obs, rng)
        m_obs, m_rew, _, m_trunc, m_info = multi.step(actions)
        s_obs, s_rew, _, s_trunc, s_info = single.step(actions["dispatcher_0"])
        assert m_rew["dispatcher_0"] == s_rew
        assert m_trunc["dispatcher_0"] == s_trunc
        for name, v in s_info["reward_components"].items():
            assert m_info["dispatcher_0"]["reward_components"][name] == v
        steps += 1
    np.testing.assert_array_equal(m_obs["dispatcher_0"]["observation"], s_obs)
    assert s_trunc and steps > 50


def test_multi_team__handover_makes_the_ticket_the_receiving_teams_next_decision_at_the_same_time() -> None:
    env = MultiTeamTicketRouting(n_teams=2, invalid_action="raise", handover_work_minutes=15.0)
    obs, _ = env.reset(seed=4)
    obs = until_handover_possible(env, obs)
    before = env.get_state()["teams"][0]
    ticket, now = before["current"], before["now"]
    m = _max_engineers(env)
    obs, rewards, _, _, infos = env.step({"dispatcher_0": m, "dispatcher_1": NOOP})
    after = env.get_state()["teams"][1]
    assert after["now"] == now
    got = after["current"]
    assert (got["kind"], got["priority"], got["arrival"]) == (ticket["kind"], ticket["priority"], ticket["arrival"])
    assert got["work"] == pytest.approx(ticket["work"] + 15.0)
    assert env.deciding() == {"dispatcher_0": False, "dispatcher_1": True}
    # The receiving dispatcher sees the ticket it was handed.
    np.testing.assert_array_equal(obs["dispatcher_1"]["observation"][:5], np.eye(5, dtype=np.float32)[ticket["kind"]])
    assert infos["dispatcher_0"]["handover"]["out"] == 1 and infos["dispatcher_1"]["handover"]["in"] == 1
    assert infos["dispatcher_0"]["reward_components"]["handover"] == -env.config["handover_penalty"]
    assert rewards["dispatcher_0"] == pytest.approx(sum(infos["dispatcher_0"]["reward_components"].values()))


@pytest.mark.parametrize("max_handovers", [1, 2])
def test_multi_team__masks_forbid_over_limit_handovers_and_ping_pong(max_handovers: int) -> None:
    env = MultiTeamTicketRouting(n_teams=3, max_handovers=max_handovers, invalid_action="raise")
    obs, _ = env.reset(seed=4)
    obs = until_handover_possible(env, obs)
    m = _max_engineers(env)
    obs, *_ = env.step({"dispatcher_0": m, "dispatcher_1": NOOP, "dispatcher_2": NOOP})
    mask = obs["dispatcher_1"]["action_mask"]
    # dispatcher_1's handover actions: m -> team 0 (where it came from), m + 1 -> team 2.
    assert mask[m] == 0
    assert mask[m + 1] == (max_handovers == 2)
    with pytest.raises(InvalidAction, match=r"dispatcher_1.*no ping-pong"):
        env.step({"dispatcher_0": NOOP, "dispatcher_1": m, "dispatcher_2": NOOP})
    if max_handovers == 1:
        with pytest.raises(InvalidAction, match="max_handovers = 1"):
            env.step({"dispatcher_0": NOOP, "dispatcher_1": m + 1, "dispatcher_2": NOOP})
    # The env is still usable after a refused action.
    env.step(first_valid(obs))


def test_multi_team__idle_agents_get_a_noop_only_mask_and_other_actions_are_refused() -> None:
    env = MultiTeamTicketRouting(n_teams=2, invalid_action="raise")
    obs, _ = env.reset(seed=4)
    obs = until_handover_possible(env, obs)
    np.testing.assert_array_equal(np.flatnonzero(obs["dispatcher_1"]["action_mask"]), [NOOP])
    with pytest.raises(InvalidAction, match=r"dispatcher_1.*no ticket to route"):
        env.step({"dispatcher_0": 0, "dispatcher_1": 1})
    with pytest.raises(InvalidAction, match=r"dispatcher_0.*out of range"):
        env.step({"dispatcher_0": 99, "dispatcher_1": 0})
    with pytest.raises(InvalidActionType, match="one per dispatcher"):
        env.step({"dispatcher_0": 0.5, "dispatcher_1": 0})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="dispatcher_1"):
        env.step({"dispatcher_0": 0})
    env.step(first_valid(obs))


def test_multi_team__same_seed_same_trajectory_and_seeds_differ() -> None:
    def run(seed: int) -> list[Any]:
        env = MultiTeamTicketRouting(scenario="two_desks")
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(1)
        trace = []
        while env.agents:
            obs, rew, _, _, _ = env.step(random_valid(obs, rng))
            trace.append(
                (obs["dispatcher_0"]["observation"].tobytes(), obs["dispatcher_1"]["observation"].tobytes(), rew)
            )
        return trace

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_multi_team__teams_have_their_own_arrival_streams() -> None:
    env = MultiTeamTicketRouting(n_teams=2)
    env.reset(seed=5)
    a, b = env.get_state()["teams"]
    assert a["arrivals"] != b["arrivals"]


def test_multi_team__state_round_trips_and_bad_state_raises_state_error() -> None:
    env = MultiTeamTicketRouting(n_teams=2, invalid_action="raise")
    obs, _ = env.reset(seed=8)
    obs = until_handover_possible(env, obs)
    obs, *_ = env.step({"dispatcher_0": _max_engineers(env), "dispatcher_1": NOOP})
    saved, saved_obs = env.get_state(), obs

    def roll(obs: Obs) -> list[Any]:
        out = []
        for _ in range(20):
            obs, rew, *_ = env.step(first_valid(obs))
            out.append((obs["dispatcher_1"]["observation"].tobytes(), rew))
        return out

    first = roll(obs)
    env.set_state(saved)
    assert roll(saved_obs) == first
    with pytest.raises(StateError, match="transfers"):
        env.set_state({**saved, "transfers": []})
    with pytest.raises(StateError):
        env.set_state({"teams": []})


def test_multi_team__bad_config_is_a_config_error_naming_the_field() -> None:
    with pytest.raises(ConfigError, match="n_teams"):
        MultiTeamTicketRouting(n_teams=0)
    with pytest.raises(ConfigError, match=r"teams\[1\]\.episode_days"):
        MultiTeamTicketRouting(teams=[{}, {"episode_days": 2}])
    with pytest.raises(ConfigError, match=r"teams\[0\]\.cap"):
        MultiTeamTicketRouting(cap=0)
    with pytest.raises(ConfigError, match="handover_penalty"):
        MultiTeamTicketRouting(handover_penalty=-1.0)
    with pytest.raises(ConfigError, match="scenario"):
        MultiTeamTicketRouting(scenario="nope")
    with pytest.raises(ConfigError, match="render_mode"):
        MultiTeamTicketRouting(render_mode="human")


def test_multi_team__common_kwargs_apply_to_every_team_and_team_configs_override() -> None:
    env = MultiTeamTicketRouting(teams=[{"cap": 3}, {}], cap=4, n_engineers=5)
    teams = env.config["teams"]
    assert [t["cap"] for t in teams] == [3, 4]
    assert [t["n_engineers"] for t in teams] == [5, 5]
    desks = MultiTeamTicketRouting(scenario="two_desks").config["teams"]
    assert desks[0]["skills"][0][1] == 1.0 and desks[1]["skills"][0][0] == 1.0


def test_multi_team__render_ansi_shows_every_team() -> None:
    env = MultiTeamTicketRouting(n_teams=2, render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    assert text is not None and "dispatcher_0" in text and "dispatcher_1" in text
    quiet = parallel_env(n_teams=2)
    quiet.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert quiet.render() is None


def test_multi_team__handover_heuristic_beats_no_handover_on_two_desks() -> None:
    env = MultiTeamTicketRouting(scenario="two_desks", invalid_action="raise")
    seeds = range(500, 510)
    base = evaluate(env, HandoverSED(env.obs_layout, handover=False), seeds)
    ho = evaluate(env, HandoverSED(env.obs_layout, margin_minutes=30.0), seeds)
    assert sum(r["handovers"] for r in base) == 0
    assert all(r["handovers"] > 0 for r in ho)
    diff = [h["weighted_resolution"] - b["weighted_resolution"] for h, b in zip(ho, base, strict=True)]
    assert np.mean(diff) < 0
