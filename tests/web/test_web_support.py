"""Customer-support conversations on the Scenarios page and API, and the
policies' episode-start hook."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from fastapi.testclient import TestClient

from ferrogym.envs.customer_support import SCENARIOS
from ferrogym.policies import customer_support as support
from ferrogym.web.adapters import policies
from ferrogym.web.evaluation import run_episode

CS = "ferrogym/CustomerSupport-v0"


def run(client: TestClient, scenario: str, policy: str, to_end: bool = True, seed: int = 0) -> dict[str, Any]:
    r = client.post(
        f"/api/scenarios/CustomerSupport:{scenario}/run", json={"policy": policy, "to_end": to_end, "seed": seed}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_support_scenarios__every_named_conversation_is_listed_with_its_customer_and_baselines(
    client: TestClient,
) -> None:
    rows = {s["name"]: s for s in client.get("/api/scenarios").json()}
    for name in SCENARIOS:
        row = rows[f"CustomerSupport:{name}"]
        assert row["env_id"] == CS and row["config"] == {"scenario": name}
        assert row["policies"] == ["random", "quick_resolution", "rule", "greedy_oracle"]
    assert rows["CustomerSupport:fraud_report"]["description"].startswith("bfsi complaint, premium customer, upset")
    assert rows["TicketRouting:balanced"]["policies"][0] == "random"
    registry = {e["id"]: e for e in client.get("/api/envs/registry").json()}
    assert registry[CS]["scenarios"] == list(SCENARIOS)


@pytest.mark.parametrize("policy", ["rule", "greedy_oracle", "quick_resolution"])
def test_support_scenarios__the_dashboard_plays_the_same_conversation_as_run_scenario(
    client: TestClient, policy: str
) -> None:
    body = run(client, "fraud_report", policy)
    expected = support.run_scenario("fraud_report", support.BASELINES[policy](), seed=0)
    transcript = body["transcript"]
    assert [t["label"] for t in transcript] == [t.strategy for t in expected.turns]
    assert [t["observed"]["sentiment"] for t in transcript] == pytest.approx(
        [t.observed_sentiment for t in expected.turns]
    )
    assert body["episode_return"] == pytest.approx(expected.total_reward)
    assert transcript[-1]["ending"] == expected.outcome
    assert all(t["ending"] is None for t in transcript[:-1])
    assert [t["turn"] for t in transcript] == list(range(1, len(transcript) + 1))
    assert sum(sum(t["reward_components"].values()) for t in transcript) == pytest.approx(expected.total_reward)


def test_support_scenarios__step_by_step_keeps_the_rule_state_between_steps(client: TestClient) -> None:
    """The rule alternates apology and empathy while the customer is upset: it
    must remember its last strategy from one HTTP step to the next."""
    first = run(client, "fraud_report", "rule", to_end=False)
    sid = first["session"]
    for _ in range(3):
        r = client.post(f"/api/envs/{sid}/step", json={"policy": "rule"})
        assert r.status_code == 200
    labels = [t["label"] for t in r.json()["transcript"]]
    expected = support.run_scenario("fraud_report", support.RulePolicy(), seed=0)
    assert labels == [t.strategy for t in expected.turns[:4]]
    assert labels[:2] == ["apologetic", "empathetic"]


def test_support_scenarios__reset_starts_the_policies_episode_again(client: TestClient) -> None:
    body = run(client, "outage_complaint", "rule")
    sid = body["session"]
    reset = client.post(f"/api/envs/{sid}/reset", json={"seed": 0}).json()
    assert reset["transcript"] == [] and reset["step"] == 0
    again = client.post(f"/api/envs/{sid}/run", json={"policy": "rule", "max_steps": 100}).json()
    assert [t["label"] for t in again["transcript"]] == [t["label"] for t in body["transcript"]]


def test_support_scenarios__manual_steps_are_transcribed_and_bad_input_is_4xx(client: TestClient) -> None:
    body = run(client, "discount_inquiry", "rule", to_end=False)
    sid = body["session"]
    r = client.post(f"/api/envs/{sid}/step", json={"action": 3})
    assert r.status_code == 200 and r.json()["transcript"][-1]["label"] == "product_recommendation"
    assert client.post(f"/api/envs/{sid}/step", json={"action": 8}).status_code == 400
    bad = client.post("/api/scenarios/CustomerSupport:fraud_report/run", json={"policy": "least-loaded"})
    assert bad.status_code == 400 and "greedy_oracle" in bad.json()["detail"]
    assert client.post("/api/scenarios/CustomerSupport:nope/run", json={}).status_code == 404
    assert client.post("/api/scenarios/CustomerSupport:fraud_report/run", json={"seed": -1}).status_code == 422
    # A TicketRouting session has no transcript.
    tr = client.post("/api/scenarios/TicketRouting:balanced/run", json={}).json()
    assert tr["transcript"] == []


class Spy:
    """A policy with the episode-start hook that counts its calls."""

    def __init__(self) -> None:
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1

    def __call__(self, obs: Any, mask: Any) -> int:
        return int(np.flatnonzero(mask)[0]) if mask is not None else 0


def test_episode_start_hook__called_at_every_evaluation_episode_and_absent_hooks_are_fine() -> None:
    env = gym.make(CS, disable_env_checker=True)
    spy = Spy()
    for seed in range(3):
        run_episode(env, spy, seed)
    assert spy.resets == 3
    policies.start_episode(lambda obs, mask: 0)  # a plain function has no hook: nothing to call
    env.close()


def test_episode_start_hook__support_baselines_get_reset_through_the_adapter() -> None:
    env = gym.make(CS, scenario="fraud_report", disable_env_checker=True)
    obs, _ = env.reset(seed=0)
    rule = policies.make_policy("rule", env)
    first = rule(obs, env.unwrapped.action_masks())  # type: ignore[attr-defined]
    assert rule(obs, None) != first  # it alternates: the state carries over within an episode
    policies.start_episode(rule)
    assert rule(obs, None) == first
    env.close()
