"""Predict in the Models page: a saved model's action, its per-action
probabilities (or DQN's Q-values), for an observation or a live session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ferrogym.envs.customer_support import STRATEGIES
from ferrogym.web import Settings, create_app
from tests.web.conftest import BASE_URL, TR, create_env
from tests.web.test_web_jobs import follow

pytest.importorskip("sb3_contrib")

CS = "ferrogym/CustomerSupport-v0"
JOBS = {
    "cs-ppo": {"env_id": CS, "algo": "ppo", "config": {"invalid_action": "fallback"}, "n_steps": 32},
    "cp-dqn": {"env_id": "ferrogym/CartPole-v1", "algo": "dqn"},
    "tr-mppo": {"env_id": TR, "algo": "maskable-ppo", "config": {"scenario": "understaffed"}, "n_steps": 32},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("predict")
    with TestClient(
        create_app(Settings(models_dir=root / "models", recordings_dir=root / "rec")), base_url=BASE_URL
    ) as c:
        for name, job in JOBS.items():
            r = c.post("/api/jobs", json={"total_timesteps": 128, "n_envs": 2, "seed": 0, "name": name, **job})
            assert r.status_code == 201, r.text
            assert follow(c, r.json()["id"])[-1]["type"] == "done"
        yield c


def predict(client: TestClient, model: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/models/{model}/predict", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_predict__a_session_gives_probabilities_over_named_strategies(client: TestClient) -> None:
    s = create_env(client, CS, seed=0, scenario="fraud_report")
    p = predict(client, "cs-ppo", session=s["session"])
    assert p["action_labels"] == list(STRATEGIES)
    probs = np.asarray(p["probabilities"])
    assert probs.shape == (8,) and probs.sum() == pytest.approx(1.0, abs=1e-5) and (probs >= 0).all()
    assert p["action"] == int(np.argmax(probs))  # deterministic: the most probable strategy
    assert p["observation"] == pytest.approx(s["observation"])
    assert p["q_values"] is None
    # The scenario starts with a full escalation queue: escalate is masked.
    assert p["action_mask"][STRATEGIES.index("escalate")] is False and probs[STRATEGIES.index("escalate")] == 0
    # The same observation and mask sent by value give the same answer.
    same = predict(client, "cs-ppo", observation=s["observation"], action_mask=s["action_mask"])
    assert same["probabilities"] == pytest.approx(p["probabilities"]) and same["action"] == p["action"]


def test_predict__masked_actions_get_no_probability_and_are_never_chosen(client: TestClient) -> None:
    s = create_env(client, TR, seed=0, scenario="understaffed")
    p = predict(client, "tr-mppo", session=s["session"])
    mask = np.asarray(s["action_mask"])
    assert p["action_mask"] == s["action_mask"]
    probs = np.asarray(p["probabilities"])
    assert (probs[~mask] == 0).all() and probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert mask[p["action"]] and not p["masked_choice"]
    assert p["action_labels"] is None


def test_predict__dqn_gives_q_values(client: TestClient) -> None:
    p = predict(client, "cp-dqn", observation=[0.01, 0.0, -0.02, 0.0])
    assert p["probabilities"] is None and len(p["q_values"]) == 2
    assert p["action"] == int(np.argmax(p["q_values"]))


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 400, "exactly one"),
        ({"observation": [0.0] * 17, "session": "x"}, 400, "exactly one"),
        ({"session": "nope"}, 404, "no env session"),
        ({"observation": [0.0] * 3}, 400, "expects (17,)"),
        ({"observation": [0.0] * 17, "action_mask": [True] * 3}, 400, "has 8 actions"),
        ({"observation": "abc"}, 422, "observation"),
    ],
)
def test_predict__bad_input_is_4xx(client: TestClient, body: dict[str, Any], status: int, fragment: str) -> None:
    r = client.post("/api/models/cs-ppo/predict", json=body)
    assert r.status_code == status, r.text
    assert fragment in r.json()["detail"] if status != 422 else fragment in r.text


def test_predict__a_session_of_another_env_or_with_a_mask_is_refused(client: TestClient) -> None:
    tr = create_env(client, TR, seed=0)
    r = client.post("/api/models/cs-ppo/predict", json={"session": tr["session"]})
    assert r.status_code == 400 and "TicketRouting" in r.json()["detail"] and "expects (17,)" in r.json()["detail"]
    cs = create_env(client, CS, seed=0)
    r = client.post("/api/models/cs-ppo/predict", json={"session": cs["session"], "action_mask": [True] * 8})
    assert r.status_code == 400 and "comes from the session" in r.json()["detail"]
