"""Training jobs with a curriculum: the level in the metrics stream, and the
checks that refuse a curriculum before a worker starts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import TR
from tests.web.test_web_jobs import follow

pytest.importorskip("sb3_contrib")

CS = "ferrogym/CustomerSupport-v0"
LEVELS = [
    {"name": "calm", "knobs": {"upset_share": 0.0, "patience": 1.5, "sentiment_noise": 0.05}},
    {"name": "full", "knobs": {"upset_share": 0.7, "patience": 0.7}},
]
#: A low bar so that even an untrained policy is promoted within a short job.
EASY = {"levels": LEVELS, "promote_at": 0.05, "demote_below": 0.0, "window": 8, "min_episodes": 4}
JOB = {"env_id": CS, "algo": "maskable-ppo", "total_timesteps": 512, "n_envs": 2, "n_steps": 64, "seed": 0}


def test_curriculum_job__every_episode_point_carries_the_level_and_it_moves(client: TestClient) -> None:
    r = client.post("/api/jobs", json={**JOB, "curriculum": EASY, "name": "cs-cur"})
    assert r.status_code == 201, r.text
    assert r.json()["curriculum_levels"] == ["calm", "full"]
    msgs = follow(client, r.json()["id"])
    assert msgs[-1]["type"] == "done", msgs[-1]
    episodes = [m for m in msgs if m["type"] == "metric" and "episode_return" in m]
    assert episodes and all(m["curriculum_level"] in (0, 1) for m in episodes)
    levels = [m["curriculum_level"] for m in episodes]
    assert levels[0] == 0 and 1 in levels, levels
    rates = [m["curriculum_success"] for m in episodes if m["curriculum_success"] is not None]
    assert rates and all(0.0 <= x <= 1.0 for x in rates)


def test_curriculum_job__a_job_without_one_has_no_level(client: TestClient) -> None:
    r = client.post("/api/jobs", json={**JOB, "total_timesteps": 128})
    assert r.status_code == 201 and r.json()["curriculum_levels"] is None
    msgs = follow(client, r.json()["id"])
    episodes = [m for m in msgs if m["type"] == "metric" and "episode_return" in m]
    assert all(m.get("curriculum_level") is None for m in episodes)


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"env_id": TR}, 400, "TicketRouting"),
        ({"curriculum": {**EASY, "levels": [{"name": "x", "knobs": {"upset_share": 3}}]}}, 400, "upset_share"),
        ({"curriculum": {**EASY, "levels": [{"name": "x", "knobs": {"bogus": 1}}]}}, 400, "bogus"),
        ({"curriculum": {**EASY, "promote_at": 1.5}}, 400, "promote_at"),
        ({"curriculum": {**EASY, "min_episodes": 50}}, 400, "min_episodes"),
        ({"curriculum": {**EASY, "levels": [LEVELS[0], LEVELS[0]]}}, 400, "unique"),
        ({"curriculum": {**EASY, "success": ["outcome", "happy"]}}, 400, "success flag"),
        ({"curriculum": {**EASY, "levels": []}}, 422, "levels"),
        ({"curriculum": {**EASY, "levels": [{"name": "../x"}]}}, 422, "name"),
        ({"curriculum": {**EASY, "extra": 1}}, 422, "extra"),
    ],
)
def test_curriculum_job__bad_curricula_are_refused_before_a_worker_starts(
    client: TestClient, change: dict[str, Any], status: int, fragment: str
) -> None:
    body = {**JOB, "curriculum": EASY, **change}
    if body["env_id"] == TR:
        body["config"] = {}
    r = client.post("/api/jobs", json=body)
    assert r.status_code == status, r.text
    assert fragment in r.text
    assert client.get("/api/jobs").json() == []
