"""CustomerSupport: dynamics that reward sequential play, masks, reward components, scenarios, per-env config."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.envs.customer_support import (
    INDUSTRIES,
    INQUIRIES,
    SCENARIOS,
    STRATEGIES,
    CustomerSupportConfig,
    CustomerSupportEnv,
)
from ferrogym.errors import ConfigError, InvalidAction

ENV_ID = "ferrogym/CustomerSupport-v0"
ESCALATE = STRATEGIES.index("escalate")


def test_customer_support__python_names_match_the_rust_declaration() -> None:
    env = gym.make(ENV_ID).unwrapped
    layout = {s.name: s for s in env.obs_layout}  # type: ignore[attr-defined]
    assert tuple(layout["industry"].labels) == INDUSTRIES
    assert tuple(layout["inquiry"].labels) == INQUIRIES
    assert env.observation_space.shape == (17,)
    assert env.action_space.n == len(STRATEGIES)  # type: ignore[attr-defined]
    with pytest.raises(ConfigError) as info:
        gym.make(ENV_ID, scenario="no_such_scenario")
    assert tuple(re.findall(r"`(\w+)`", str(info.value).split("expected one of")[1])) == SCENARIOS


def test_customer_support__name_lists_have_one_home_in_rust() -> None:
    from ferrogym import _core

    names = _core.CustomerSupportCore.names()
    assert names == {
        "strategies": list(STRATEGIES),
        "industries": list(INDUSTRIES),
        "inquiries": list(INQUIRIES),
        "scenarios": list(SCENARIOS),
    }
    assert _core.CartPoleCore.names() == {}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_customer_support__scenario_fixes_the_customer_and_replays_with_its_seed(scenario: str) -> None:
    env = gym.make(ENV_ID, scenario=scenario)
    first, _ = env.reset(seed=1)
    other, _ = env.reset(seed=2)
    # Industry, inquiry, urgency, tier and lifetime value are the scenario's.
    np.testing.assert_array_equal(first[[0, 1, 2, 3, 4, 5, 6, 9, 10, 11]], other[[0, 1, 2, 3, 4, 5, 6, 9, 10, 11]])
    again, _ = env.reset(seed=1)
    np.testing.assert_array_equal(first, again)


def test_customer_support__escalate_is_masked_when_the_queue_is_full() -> None:
    env = gym.make(ENV_ID, escalation_capacity=1, escalation_arrival=1.0, escalation_service=0.0)
    env.reset(seed=0)
    obs, *_ = env.step(0)
    mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
    assert not mask[ESCALATE] and mask.sum() == 7
    assert obs[16] == 1.0
    with pytest.raises(InvalidAction, match="escalation queue is full"):
        env.step(ESCALATE)
    env.step(1)  # still usable


def test_customer_support__reward_is_the_sum_of_its_components() -> None:
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    ends = 0
    for _ in range(500):
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        a = int(rng.choice(np.flatnonzero(mask)))
        _, reward, terminated, truncated, info = env.step(a)
        assert reward == pytest.approx(sum(info["reward_components"].values()))
        if terminated or truncated:
            outcome = info["outcome"]
            assert outcome["resolved"] + outcome["abandoned"] + outcome["escalated"] == float(terminated)
            ends += 1
            env.reset()
    assert ends > 10


def test_customer_support__calming_first_beats_lecturing_an_angry_customer() -> None:
    def mean_return(actions: list[int]) -> float:
        total = 0.0
        for seed in range(30):
            env = gym.make(ENV_ID, scenario="outage_complaint")
            env.reset(seed=seed)
            for a in actions:
                _, r, terminated, truncated, _ = env.step(a)
                total += r
                if terminated or truncated:
                    break
        return total / 30

    lecture = mean_return([1] * 20)
    calm_then_fix = mean_return([4, 0, 4] + [1, 6] * 9)
    assert calm_then_fix > lecture + 0.5


def test_customer_support__upsell_to_an_upset_customer_is_penalised() -> None:
    env = gym.make(ENV_ID, scenario="fraud_report")
    env.reset(seed=0)
    _, reward, *_, info = env.step(STRATEGIES.index("upsell"))
    assert info["reward_components"]["upset_upsell"] < 0 and reward < -0.02


def test_customer_support__set_config_applies_from_the_next_reset() -> None:
    env = gym.make(ENV_ID).unwrapped
    assert isinstance(env, CustomerSupportEnv)
    env.reset(seed=0)
    env.set_config({"max_turns": 2, "patience": 10.0, "inquiries": ["sales"]})
    env.reset()
    for t in (1, 2):
        _, _, terminated, truncated, _ = env.step(0)  # empathy alone never resolves a sale in 2 turns
        assert truncated == (t == 2) and not terminated
    with pytest.raises(ConfigError, match="upset_share"):
        env.set_config({"upset_share": 1.5})
    with pytest.raises(ConfigError, match="does not support"):
        gym.make("ferrogym/CartPole-v1").unwrapped.set_config({})  # type: ignore[attr-defined]


def test_customer_support__vector_set_config_changes_one_sub_env_only() -> None:
    envs = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="vector_entry_point")
    envs.reset(seed=0)
    envs.set_config(1, {"industries": ["retail"], "inquiries": ["sales"]})  # type: ignore[attr-defined]
    obs, _ = envs.reset()
    assert obs[1, 1] == 1.0 and obs[1, 5] == 1.0
    with pytest.raises(IndexError):
        envs.set_config(3, {})  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="industries"):
        envs.set_config(0, {"industries": []})  # type: ignore[attr-defined]


def test_customer_support__config_dataclass_round_trips_knobs() -> None:
    cfg = CustomerSupportConfig(industries=["tech"], upset_share=0.0, max_turns=8)
    env = gym.make(ENV_ID, **cfg.kwargs())
    obs, _ = env.reset(seed=0)
    assert obs[2] == 1.0
    with pytest.raises(ConfigError, match="max_turns"):
        CustomerSupportConfig(max_turns=0)


def test_customer_support__sb3_vec_env_passes_the_final_info_groups_through() -> None:
    pytest.importorskip("stable_baselines3")
    from ferrogym.integrations.sb3 import make_vec_env

    venv = make_vec_env(ENV_ID, n_envs=2, seed=0, monitor=False)
    venv.reset()
    for _ in range(20):
        _, rewards, dones, infos = venv.step(np.full(2, ESCALATE + 1))
        for i in np.flatnonzero(dones):
            comps = infos[i]["reward_components"]
            assert sum(comps.values()) == pytest.approx(float(rewards[i]), abs=1e-6)
            assert set(infos[i]["outcome"]) == {"resolved", "abandoned", "escalated", "turns"}
            return
    pytest.fail("no episode ended")
