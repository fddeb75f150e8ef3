"""Training jobs in real spawned workers, the metrics WebSocket, and the saved
model's evaluation and prediction (one short MaskablePPO run shared by the module)."""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from fastapi.testclient import TestClient

from ferrogym.web import Limits, Settings, create_app, worker
from ferrogym.web.jobs import ACTIVE
from tests.web.conftest import BASE_URL, TR, WS_URL, MakeClient

pytest.importorskip("sb3_contrib")

# The env's observation size, from its own space (it grows with the obs layout).
OBS = int(gym.make(TR).observation_space.shape[0])  # type: ignore[index]
SHORT = {"env_id": TR, "algo": "maskable-ppo", "total_timesteps": 256, "n_envs": 2, "n_steps": 64, "seed": 0}


def follow(client: TestClient, job_id: str) -> list[dict[str, Any]]:
    """Every WebSocket message of a job until the server closes the stream."""
    msgs: list[dict[str, Any]] = []
    with client.websocket_connect(f"{WS_URL}/api/jobs/{job_id}/ws") as ws:
        while True:
            msg = ws.receive()
            if msg["type"] == "websocket.close":
                return msgs
            import json

            msgs.append(json.loads(msg["text"]))


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, Any], list[dict[str, Any]]]]:
    root = tmp_path_factory.mktemp("jobs")
    app = create_app(Settings(models_dir=root / "models", recordings_dir=root / "rec"))
    with TestClient(app, base_url=BASE_URL) as client:
        r = client.post("/api/jobs", json={**SHORT, "config": {"scenario": "understaffed"}, "name": "tiny"})
        assert r.status_code == 201, r.text
        job = r.json()
        msgs = follow(client, job["id"])
        yield client, job, msgs


def test_job__streams_history_then_metrics_then_done(trained: Any) -> None:
    client, job, msgs = trained
    assert msgs[0]["type"] == "history"
    kinds = [m["type"] for m in msgs]
    assert "metric" in kinds and kinds[-1] == "done", kinds
    metric = next(m for m in msgs if m["type"] == "metric" and "episode_return" in m)
    assert metric["episode_length"] > 0
    assert sum(metric["components"].values()) == pytest.approx(metric["episode_return"], rel=1e-4, abs=1e-4)
    assert all(m["dropped"] == 0 for m in msgs)
    evals = [m for m in msgs if m["type"] == "metric" and "kpis" in m]
    assert 1 <= len(evals) <= 10
    assert {"reward", "resolution_mean", "reward_wait"} <= set(evals[-1]["kpis"])
    info = client.get(f"/api/jobs/{job['id']}").json()
    assert info["job"]["status"] == "finished" and info["job"]["model"] == "tiny"
    assert len(info["history"]) == kinds.count("metric")


def test_job__a_late_client_gets_the_kept_history(trained: Any) -> None:
    client, job, msgs = trained
    again = follow(client, job["id"])
    assert again[0]["type"] == "history"
    assert len(again[0]["history"]) == sum(m["type"] == "metric" for m in msgs)


def test_models__lists_the_saved_model(trained: Any) -> None:
    client, _, _ = trained
    (model,) = client.get("/api/models").json()
    assert model["name"] == "tiny" and model["algo"] == "maskable-ppo" and model["timesteps"] >= 256
    assert model["config"] == {"scenario": "understaffed"}


def test_models__evaluate_against_the_heuristics_on_the_same_seeds(trained: Any) -> None:
    client, _, _ = trained
    r = client.post("/api/models/tiny/evaluate", json={"episodes": 2, "seed": 3})
    assert r.status_code == 200, r.text
    ev = r.json()
    policies = [(x["policy"], x["kind"]) for x in ev["results"]]
    assert policies[0] == ("tiny", "model")
    assert {"least-loaded", "skill-greedy", "random"} <= {p for p, k in policies if k == "heuristic"}
    for result in ev["results"]:
        reward = result["kpis"]["reward"]
        assert reward["n"] == 2 and reward["low"] <= reward["mean"] <= reward["high"]
        assert "resolution_mean" in result["kpis"]
    one = client.post(
        "/api/models/tiny/evaluate", json={"episodes": 2, "seed": 3, "heuristics": ["least-loaded"]}
    ).json()
    assert (
        one["results"][1]["kpis"]["reward"]
        == ev["results"][[p for p, _ in policies].index("least-loaded")]["kpis"]["reward"]
    )


def test_models__evaluate_reports_undefined_kpis_as_null(trained: Any) -> None:
    # No critical tickets at all: their resolution KPIs have no value.
    client, _, _ = trained
    no_critical = {"scenario": "understaffed", "priority_probs": [[0.0, 0.3, 0.4, 0.3]] * 5}
    r = client.post("/api/models/tiny/evaluate", json={"episodes": 2, "heuristics": ["sed"], "config": no_critical})
    assert r.status_code == 200, r.text
    for result in r.json()["results"]:
        assert result["kpis"]["resolution_critical_mean"] == {"mean": None, "low": None, "high": None, "n": 0}
        assert result["kpis"]["reward"]["n"] == 2


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"episodes": 1}, 422, "episodes"),
        ({"episodes": 31}, 400, "cap of 30"),
        ({"episodes": 2, "heuristics": ["oracle"]}, 400, "unknown heuristics ['oracle']"),
        ({"episodes": 2, "config": {"max_episode_steps": -1}}, 400, "max_episode_steps"),
        ({"episodes": 2, "config": {"n_engineers": 0}}, 400, "n_engineers"),
    ],
)
def test_models__bad_evaluation_is_4xx(trained: Any, body: dict, status: int, fragment: str) -> None:
    client, _, _ = trained
    r = client.post("/api/models/tiny/evaluate", json=body)
    assert r.status_code == status and fragment in str(r.json()["detail"])


def test_models__predict_respects_the_mask(trained: Any) -> None:
    client, _, _ = trained
    env = client.post("/api/envs", json={"env_id": TR, "config": {"scenario": "understaffed"}, "seed": 0}).json()
    r = client.post(
        "/api/models/tiny/predict", json={"observation": env["observation"], "action_mask": env["action_mask"]}
    )
    assert r.status_code == 200, r.text
    assert env["action_mask"][r.json()["action"]]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"observation": [0.0] * 3}, f"expects ({OBS},)"),
        ({"observation": [0.0] * OBS, "action_mask": [True] * 3}, "has 12 actions"),
        ({"observation": [0.0] * OBS, "action_mask": [False] * 12}, "allows no action"),
    ],
)
def test_models__bad_predict_is_4xx(trained: Any, body: dict, fragment: str | None) -> None:
    client, _, _ = trained
    r = client.post("/api/models/tiny/predict", json=body)
    assert r.status_code in (400, 422), r.text
    if fragment:
        assert fragment in r.json()["detail"]


def test_models__predict_refuses_nan(trained: Any) -> None:
    client, _, _ = trained
    body = '{"observation": [' + ", ".join(["NaN"] * OBS) + "]}"
    r = client.post("/api/models/tiny/predict", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422) and r.status_code != 500


def test_models__unknown_or_malformed_name_is_4xx(trained: Any) -> None:
    client, _, _ = trained
    assert client.post("/api/models/ghost/evaluate", json={}).status_code == 404
    assert client.post("/api/models/..%2Fetc/predict", json={"observation": []}).status_code in (404, 422)


def test_job__stop_saves_the_model_and_the_cap_refuses_a_second_job(make_client: MakeClient) -> None:
    client = make_client(Limits(max_jobs=1))
    job = client.post("/api/jobs", json={**SHORT, "total_timesteps": 1_000_000, "name": "long"}).json()
    refused = client.post("/api/jobs", json=SHORT)
    assert refused.status_code == 429 and "cap" in refused.json()["detail"]
    stream = client.websocket_connect(f"{WS_URL}/api/jobs/{job['id']}/ws")
    with stream as ws:
        assert ws.receive_json()["type"] == "history"
        while ws.receive_json()["type"] != "metric":
            pass
        assert client.post(f"/api/jobs/{job['id']}/stop").json()["status"] == "stopping"
        while (m := ws.receive_json())["type"] != "done":
            pass
    assert m["stopped"] and m["job"]["status"] == "stopped"
    assert m["job"]["timesteps"] < 1_000_000
    assert [x["name"] for x in client.get("/api/models").json()] == ["long"]
    dup = client.post("/api/jobs", json={**SHORT, "name": "long"})
    assert dup.status_code == 400 and "exists already" in dup.json()["detail"]


def test_job__workers_are_stopped_when_the_server_stops(tmp_path: Path) -> None:
    app = create_app(Settings(models_dir=tmp_path / "m", recordings_dir=tmp_path / "r"))
    with TestClient(app, base_url=BASE_URL) as client:
        job = client.post("/api/jobs", json={**SHORT, "total_timesteps": 1_000_000}).json()
        process = app.state.ctx.jobs.get(job["id"]).process
        assert process.is_alive()
        pid = process.pid
    assert all(j.process is None for j in app.state.ctx.jobs.jobs.values())  # joined and released
    assert not Path(f"/proc/{pid}").exists()  # reaped: not even a zombie


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({**SHORT, "algo": "ppo"}, 400, "algorithms that fit ferrogym/TicketRouting-v0: batch-ppo, maskable-ppo"),
        ({**SHORT, "algo": "MaskablePPO"}, 422, "algo"),
        ({**SHORT, "env_id": "ferrogym/CartPole-v1", "algo": "maskable-ppo"}, 400, "needs an env that masks actions"),
        ({**SHORT, "total_timesteps": 3_000_000}, 400, "cap"),
        ({**SHORT, "env_id": "nope/X-v0"}, 404, "unknown env id"),
        ({**SHORT, "config": {"cap": -1}}, 400, "cap"),
        ({**SHORT, "config": {"max_episode_steps": -1}}, 400, "max_episode_steps"),
        ({**SHORT, "seed": True}, 422, "seed"),
        ({**SHORT, "name": "../evil"}, 422, "name"),
        ({**SHORT, "env_id": "ferrogym/Corridor-v0", "algo": "dqn", "n_envs": 0}, 422, "n_envs"),
    ],
)
def test_job__bad_start_is_4xx_before_any_process_starts(
    client: TestClient, body: dict, status: int, fragment: str
) -> None:
    r = client.post("/api/jobs", json=body)
    assert r.status_code == status, r.text
    assert fragment in str(r.json()["detail"])
    assert client.get("/api/jobs").json() == []


def test_job__max_episode_steps_follows_the_configured_cap(make_client: MakeClient) -> None:
    client = make_client(Limits(max_episode_steps=10))
    r = client.post("/api/jobs", json={**SHORT, "config": {"max_episode_steps": 11}})
    assert r.status_code == 400 and "[1, 10]" in r.json()["detail"]
    assert client.get("/api/jobs").json() == []


def test_job__unknown_id_is_404(client: TestClient) -> None:
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.post("/api/jobs/nope/stop").status_code == 404


def test_worker__trains_in_process_and_reports_a_failure(tmp_path: Path) -> None:
    # The same code the spawned worker runs, here so coverage sees it.
    out: queue.Queue[dict[str, Any]] = queue.Queue()
    spec = {
        **SHORT,
        "algo": "ppo",
        "env_id": "ferrogym/CartPole-v1",
        "config": {},
        "model_path": str(tmp_path / "m"),
        "total_timesteps": 200,  # not a whole number of 2 x 64-step rollouts: SB3 runs 256
    }
    worker.run(spec, out, threading.Event())
    msgs = [out.get_nowait() for _ in range(out.qsize())]
    assert msgs[0] == {"kind": "status", "status": "running", "total_timesteps": 256}
    assert msgs[-1]["kind"] == "done" and msgs[-1]["timesteps"] == 256 and (tmp_path / "m" / "meta.json").is_file()
    # KPIs every round(256 / 10) steps, as the dashboard labels them.
    assert [m["timesteps"] for m in msgs if "kpis" in m][:2] == [26, 52]
    assert any(m["kind"] == "metric" and m.get("components") == {} for m in msgs)
    assert any(m["kind"] == "metric" and m.get("kpis", {}).get("length", 0) > 0 for m in msgs)
    worker.run({**spec, "env_id": "ferrogym/CartPole-v1", "algo": "NoSuchAlgo"}, out, threading.Event())
    error = out.get_nowait()
    assert error["kind"] == "error"
    assert error["error"].startswith("ConfigError: unknown algorithm 'NoSuchAlgo'; expected one of batch-ppo")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _zombie_children() -> list[int]:
    zombies = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            zombies.append(int(stat.parent.name))
    return zombies


def _run_to_the_end(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    """Starts a job, waits until it ended, and gives the pump a moment to reap its worker."""
    r = client.post("/api/jobs", json=body)
    assert r.status_code == 201, r.text
    job_id = r.json()["id"]
    deadline = time.monotonic() + 180
    while (info := client.get(f"/api/jobs/{job_id}").json()["job"])["status"] in ACTIVE:
        assert time.monotonic() < deadline, f"job {job_id} did not end: {info}"
        time.sleep(0.1)
    job = client.app.state.ctx.jobs.get(job_id)  # type: ignore[attr-defined]
    settle = time.monotonic() + 10
    while job.process is not None and time.monotonic() < settle:
        time.sleep(0.1)
    result: dict[str, Any] = info
    return result


TINY = {"env_id": "ferrogym/CartPole-v1", "algo": "ppo", "total_timesteps": 64, "n_envs": 1, "n_steps": 32}


def test_job__a_finished_job_leaves_no_open_pipe_and_no_zombie(trained: Any) -> None:
    # After the module's first job, which started multiprocessing's resource tracker (one pipe, kept).
    client, job, _ = trained
    first = client.app.state.ctx.jobs.get(job["id"])  # type: ignore[attr-defined]
    settle = time.monotonic() + 10
    while first.process is not None and time.monotonic() < settle:
        time.sleep(0.1)
    before = _open_fds()
    assert _run_to_the_end(client, TINY)["status"] == "finished"
    assert _open_fds() == before
    assert _zombie_children() == []


def test_job__a_failed_job_frees_its_name(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.write_text("a file where the models folder should be: saving fails")
    app = create_app(Settings(models_dir=models, recordings_dir=tmp_path / "rec"))
    with TestClient(app, base_url=BASE_URL) as client:
        failed = _run_to_the_end(client, {**TINY, "name": "again"})
        assert failed["status"] == "failed" and failed["error"], failed
        retry = client.post("/api/jobs", json={**TINY, "name": "again"})
        assert retry.status_code == 201, retry.text


def test_models__a_dashboard_model_is_a_policy_for_the_cli_and_the_library(trained: Any) -> None:
    from typer.testing import CliRunner

    from ferrogym.cli import app
    from ferrogym.training import load_policy

    client, _, _ = trained
    run = client.app.state.ctx.settings.models_dir / "tiny"
    policy = load_policy(run)
    assert policy.algo == "maskable-ppo" and policy.name == "maskable-ppo:tiny"
    report = run.parent.parent / "tiny-eval.json"
    args = ["evaluate", "--policy", str(run), "--policy", "sed", "--scenario", "understaffed", "--seeds", "2"]
    result = CliRunner().invoke(app, [*args, "--json", str(report)])
    assert result.exit_code == 0, result.output
    assert set(json.loads(report.read_text())["summary"]) == {"maskable-ppo:tiny", "sed"}
