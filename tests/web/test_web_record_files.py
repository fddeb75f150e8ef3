"""Replay of ferrogym.record files (Parquet) from the recordings folder:
listing, episodes, the log at any step, frames from recorded states or
re-simulated, and clear refusals for files that cannot be replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from fastapi.testclient import TestClient

from ferrogym.envs.customer_support import STRATEGIES
from ferrogym.policies import customer_support as support
from ferrogym.web.png import data_url
from tests.web.conftest import TR

pytest.importorskip("pyarrow")

from ferrogym.record import Recorder

CS = "ferrogym/CustomerSupport-v0"


def record(path: Path, env_id: str, seeds: list[int], states: str = "reset", max_steps: int = 1000, **kw: Any) -> None:
    env_kwargs = kw.pop("env_kwargs", None)
    env = gym.make(env_id, disable_env_checker=True, **kw)
    rng = np.random.default_rng(0)
    with Recorder(env, path, states=states, env_kwargs=env_kwargs) as rec:  # type: ignore[arg-type]
        for seed in seeds:
            rec.reset(seed=seed)
            for _ in range(max_steps):
                masks = getattr(env.unwrapped, "action_masks", None)
                mask = np.asarray(masks()) if masks else np.ones(env.action_space.n, bool)  # type: ignore[attr-defined]
                _, _, term, trunc, _ = rec.step(int(rng.choice(np.flatnonzero(mask))))
                if term or trunc:
                    break


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "recordings"
    d.mkdir()
    record(d / "support.parquet", CS, seeds=[5, 6, 7])
    record(d / "routing.parquet", TR, seeds=[1], states="all", max_steps=30)
    record(d / "cartpole.parquet", "ferrogym/CartPole-v1", seeds=[3], states="none")
    return d


def live_episode(env_id: str, seed: int, actions: list[int], **kw: Any) -> tuple[list[float], Any]:
    env = gym.make(env_id, render_mode="rgb_array", disable_env_checker=True, **kw)
    env.reset(seed=seed)
    rewards = [float(env.step(a)[1]) for a in actions]
    frame = env.render()
    env.close()
    return rewards, frame


def test_record_files__listed_beside_dashboard_recordings_with_their_episodes(client: TestClient, folder: Path) -> None:
    rows = {r["name"]: r for r in client.get("/api/recordings").json()}
    assert set(rows) == {"support.parquet", "routing.parquet", "cartpole.parquet"}
    sup = rows["support.parquet"]
    assert sup["kind"] == "record" and sup["env_id"] == CS and sup["episodes"] == 3
    eps = client.get("/api/recordings/support.parquet/episodes").json()
    assert [e["seed"] for e in eps] == [5, 6, 7] and [e["episode"] for e in eps] == [0, 1, 2]
    assert sup["steps"] == sum(e["steps"] for e in eps)
    assert sup["episode_return"] == pytest.approx(np.mean([e["episode_return"] for e in eps]))


def test_record_files__the_log_and_the_frame_at_any_step_match_a_live_run(client: TestClient, folder: Path) -> None:
    ep = client.get("/api/recordings/support.parquet/episodes").json()[1]
    n = ep["steps"]
    frames = [client.get(f"/api/recordings/support.parquet/frames/{t}?episode=1").json() for t in range(n + 1)]
    actions = [f["action"] for f in frames[1:]]
    rewards, last_frame = live_episode(CS, 6, actions)
    assert [f["reward"] for f in frames[1:]] == pytest.approx(rewards)
    assert frames[-1]["cumulative_return"] == pytest.approx(ep["episode_return"])
    assert frames[-1]["frame"] == data_url(last_frame)
    assert frames[-1]["terminated"] or frames[-1]["truncated"]
    assert sum(frames[-1]["reward_components"].values()) == pytest.approx(rewards[-1])
    assert "outcome" in frames[-1]["info"]
    assert frames[0]["frame_source"] == "recorded state" and frames[1]["frame_source"] == "re-simulated"
    assert frames[0]["action"] is None and frames[0]["reward"] is None
    assert [f["action_label"] for f in frames[1:]] == [STRATEGIES[a] for a in actions]
    # Scrubbing back and forth gives the same answers.
    assert client.get(f"/api/recordings/support.parquet/frames/{n}?episode=1").json() == frames[-1]
    assert client.get("/api/recordings/support.parquet/frames/1?episode=1").json() == frames[1]


def test_record_files__frames_come_from_states_when_every_row_has_one(client: TestClient, folder: Path) -> None:
    f = client.get("/api/recordings/routing.parquet/frames/17").json()
    assert f["frame_source"] == "recorded state" and f["frame"].startswith("data:image/png")
    assert f["steps"] == 30 and f["step"] == 17


def test_record_files__without_states_the_episode_is_re_simulated_from_its_seed(
    client: TestClient, folder: Path
) -> None:
    n = client.get("/api/recordings/cartpole.parquet/episodes").json()[0]["steps"]
    last = client.get(f"/api/recordings/cartpole.parquet/frames/{n}").json()
    assert last["frame_source"] == "re-simulated" and (last["terminated"] or last["truncated"])
    client.get("/api/recordings/cartpole.parquet/frames/2")
    assert client.get(f"/api/recordings/cartpole.parquet/frames/{n}").json() == last


def test_record_files__a_recording_of_another_config_is_reported_not_shown(client: TestClient, folder: Path) -> None:
    # Played at upset_share 0 but labelled 1.0: the re-simulation cannot match the log.
    record(folder / "lies.parquet", CS, seeds=[9], states="none", upset_share=0.0, env_kwargs={"upset_share": 1.0})
    r = client.get("/api/recordings/lies.parquet/frames/3")
    assert r.status_code == 409 and "diverges" in r.json()["detail"]


def test_record_files__unreadable_files_are_listed_with_their_error_and_409_when_opened(
    client: TestClient, folder: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (folder / "junk.parquet").write_bytes(b"not parquet at all")
    pq.write_table(pa.table({"x": [1, 2]}), folder / "other.parquet")
    rows = {r["name"]: r for r in client.get("/api/recordings").json()}
    assert "corrupt" in rows["junk.parquet"]["error"] and "not a ferrogym" in rows["other.parquet"]["error"]
    assert rows["support.parquet"]["error"] is None and rows["support.parquet"]["episodes"] == 3
    junk = client.get("/api/recordings/junk.parquet/frames/0")
    assert junk.status_code == 409 and "corrupt" in junk.json()["detail"]
    assert str(folder) not in junk.json()["detail"] and str(folder) not in rows["junk.parquet"]["error"]
    other = client.get("/api/recordings/other.parquet/episodes")
    assert other.status_code == 409 and "not a ferrogym recording" in other.json()["detail"]


def test_record_files__bad_requests_are_4xx(client: TestClient, folder: Path) -> None:
    assert client.get("/api/recordings/support.parquet/frames/0?episode=9").status_code == 404
    assert client.get("/api/recordings/support.parquet/frames/0?episode=-1").status_code == 422
    assert client.get("/api/recordings/support.parquet/frames/999").status_code == 400
    assert client.get("/api/recordings/missing.parquet/episodes").status_code == 404
    assert client.get("/api/recordings/missing.parquet/frames/0").status_code == 404
    s = client.post("/api/envs", json={"env_id": CS, "seed": 0}).json()
    client.post(f"/api/envs/{s['session']}/step", json={"policy": "rule"})
    r = client.post("/api/recordings", json={"session": s["session"], "name": "mine.parquet"})
    assert r.status_code == 400 and "suffix" in r.json()["detail"]
    assert client.post("/api/recordings", json={"session": s["session"], "name": "mine"}).status_code == 201
    assert client.get("/api/recordings/mine/frames/1").json()["action_label"] in STRATEGIES
    assert client.get("/api/recordings/mine/frames/1?episode=1").status_code == 400
    (ep,) = client.get("/api/recordings/mine/episodes").json()
    assert ep["episode"] == 0 and ep["steps"] == 1


def test_record_files__the_support_rule_replays_too(client: TestClient, folder: Path) -> None:
    """A recording of a baseline conversation scrubs to the same ending."""
    env = gym.make(CS, scenario="fraud_report", disable_env_checker=True)
    policy = support.RulePolicy()
    with Recorder(env, folder / "rule.parquet") as rec:
        obs, _ = rec.reset(seed=0)
        policy.reset()
        done = False
        while not done:
            obs, _, term, trunc, _ = rec.step(policy(obs, env.unwrapped.action_masks(), env.unwrapped))  # type: ignore[attr-defined]
            done = term or trunc
    expected = support.run_scenario("fraud_report", support.RulePolicy(), seed=0)
    last = client.get(f"/api/recordings/rule.parquet/frames/{len(expected.turns)}").json()
    assert last["cumulative_return"] == pytest.approx(expected.total_reward)
    assert last["info"]["outcome"]["resolved"] == 1.0


def test_record_files__an_env_that_cannot_be_rebuilt_still_shows_its_log(client: TestClient, folder: Path) -> None:
    env = gym.make("ferrogym/CartPole-v1", disable_env_checker=True)
    with Recorder(env, folder / "elsewhere.parquet", env_id="someone/Unregistered-v0") as rec:
        rec.reset(seed=0)
        for _ in range(3):
            rec.step(0)
    f = client.get("/api/recordings/elsewhere.parquet/frames/2").json()
    assert f["frame"] is None and f["frame_source"] is None
    assert "cannot be rebuilt" in f["note"] and "Unregistered" in f["note"]
    assert f["reward"] == 1.0 and f["cumulative_return"] == 2.0 and f["action"] == 0


def test_record_files__a_foreign_env_id_imports_nothing_and_shows_the_log(client: TestClient, folder: Path) -> None:
    import sys

    env = gym.make("ferrogym/CartPole-v1", disable_env_checker=True)
    with Recorder(env, folder / "sneaky.parquet", env_id="antigravity:Nope-v0") as rec:
        rec.reset(seed=0)
        rec.step(0)
    sys.modules.pop("antigravity", None)
    f = client.get("/api/recordings/sneaky.parquet/frames/1").json()
    assert f["frame"] is None and "unknown env id" in f["note"]
    assert "antigravity" not in sys.modules


def test_record_files__a_link_out_of_the_folder_is_refused(client: TestClient, folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.parquet"
    (folder / "cartpole.parquet").rename(outside)
    (folder / "cartpole.parquet").symlink_to(outside)
    rows = {r["name"]: r for r in client.get("/api/recordings").json()}
    assert "link out of the recordings folder" in rows["cartpole.parquet"]["error"]
    r = client.get("/api/recordings/cartpole.parquet/episodes")
    assert r.status_code == 409 and "link out" in r.json()["detail"]
