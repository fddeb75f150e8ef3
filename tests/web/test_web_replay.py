from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ferrogym.web import Limits
from tests.web.conftest import TR, MakeClient, create_env


def record(client: TestClient, name: str, env_id: str = TR, steps: int = 12, **config: object) -> dict:
    s = create_env(client, env_id, seed=3, **config)
    r = client.post(f"/api/envs/{s['session']}/run", json={"policy": "random", "max_steps": steps})
    assert r.status_code == 200
    saved = client.post("/api/recordings", json={"session": s["session"], "name": name})
    assert saved.status_code == 201, saved.text
    return r.json()


def test_recording__replays_the_episode_exactly_and_scrubs_both_ways(client: TestClient) -> None:
    live = record(client, "ep", steps=120, episode_days=4)
    (info,) = client.get("/api/recordings").json()
    assert info["name"] == "ep" and info["steps"] == 120 and info["policy"] == "random"
    assert info["episode_return"] == pytest.approx(live["episode_return"])
    end = client.get("/api/recordings/ep/frames/120").json()
    assert end["cumulative_return"] == pytest.approx(live["episode_return"])
    assert end["frame"] == live["frame"]
    forward = client.get("/api/recordings/ep/frames/60").json()
    back = client.get("/api/recordings/ep/frames/7").json()
    again = client.get("/api/recordings/ep/frames/60").json()
    assert forward == again
    assert back["step"] == 7 and back["reward"] is not None
    assert client.get("/api/recordings/ep/frames/0").json()["action"] is None


def test_recording__cartpole_time_limit_is_restored_when_scrubbing_back(client: TestClient) -> None:
    record(client, "cp", "ferrogym/CartPole-v1", steps=80)
    steps = client.get("/api/recordings").json()[0]["steps"]
    last = client.get(f"/api/recordings/cp/frames/{steps}").json()
    client.get("/api/recordings/cp/frames/3")
    assert client.get(f"/api/recordings/cp/frames/{steps}").json() == last


def test_recording__a_changed_env_is_reported_not_shown(client: TestClient, tmp_path: Path) -> None:
    record(client, "ep")
    path = next((tmp_path / "recordings").glob("ep*"))
    data = json.loads(path.read_text())
    data["rewards"][4] += 1.0
    path.write_text(json.dumps(data))
    r = client.get("/api/recordings/ep/frames/10")
    assert r.status_code == 409 and "diverges at step 4" in r.json()["detail"]


HEAD = '"format": "ferrogym-web-recording/1"'
CP = "ferrogym/CartPole-v1"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "cannot read"),
        (b"\xff\xfe not utf-8", "cannot read"),
        ('{"format": "other"}', "is not a"),
        ('{"format": "ferrogym-web-recording/1", "x": 1}', "unexpected"),
        ('{"format": "ferrogym-web-recording/1", "env_id": "ferrogym/CartPole-v1", "config": [], "seed": 0}', "config"),
        ('{"format": "ferrogym-web-recording/1", "env_id": "ferrogym/CartPole-v1", "config": {}, "seed": "0"}', "seed"),
        (
            '{"format": "ferrogym-web-recording/1", "env_id": "this:Nope-v0", "config": {}, "seed": 0}',
            "not a registered",
        ),
    ],
)
def test_recording__an_unreadable_file_is_listed_with_its_error_beside_the_rest_and_409_when_opened(
    client: TestClient, tmp_path: Path, content: str | bytes, fragment: str
) -> None:
    record(client, "good", steps=3)
    path = tmp_path / "recordings" / "bad.fgrec.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    r = client.get("/api/recordings")
    assert r.status_code == 200, r.text
    rows = {row["name"]: row for row in r.json()}
    assert rows["good"]["error"] is None and rows["good"]["steps"] == 3
    assert fragment in rows["bad"]["error"] and rows["bad"]["steps"] == 0
    r = client.get("/api/recordings/bad/frames/0")
    assert r.status_code == 409 and fragment in r.json()["detail"]
    assert str(tmp_path) not in r.json()["detail"] and str(tmp_path) not in rows["bad"]["error"]


def test_recording__a_foreign_env_id_imports_nothing(client: TestClient, tmp_path: Path) -> None:
    import sys

    (tmp_path / "recordings").mkdir()
    rec = {"format": "ferrogym-web-recording/1", "env_id": "antigravity:Nope-v0", "config": {}, "seed": 0}
    (tmp_path / "recordings" / "sneaky.fgrec.json").write_text(json.dumps(rec))
    sys.modules.pop("antigravity", None)
    assert client.get("/api/recordings/sneaky/frames/0").status_code == 409
    assert client.get("/api/recordings").json()[0]["error"] is not None
    assert "antigravity" not in sys.modules


def test_recording__a_link_out_of_the_folder_is_refused(client: TestClient, tmp_path: Path) -> None:
    record(client, "good", steps=3)
    outside = tmp_path / "elsewhere.fgrec.json"
    outside.write_text((tmp_path / "recordings" / "good.fgrec.json").read_text())
    (tmp_path / "recordings" / "link.fgrec.json").symlink_to(outside)
    (tmp_path / "recordings" / "inner.fgrec.json").symlink_to(tmp_path / "recordings" / "good.fgrec.json")
    rows = {row["name"]: row for row in client.get("/api/recordings").json()}
    assert "link out of the recordings folder" in rows["link"]["error"]
    assert rows["inner"]["error"] is None
    r = client.get("/api/recordings/link/frames/1")
    assert r.status_code == 409 and "link out of the recordings folder" in r.json()["detail"]
    assert client.get("/api/recordings/inner/frames/1").status_code == 200


def test_recording__saving_never_writes_through_a_dangling_link(client: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "trap.fgrec.json").symlink_to(target)
    s = create_env(client)
    client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
    r = client.post("/api/recordings", json={"session": s["session"], "name": "trap"})
    assert r.status_code == 400 and "exists already" in r.json()["detail"]
    assert not target.exists()


def test_recording__caps_on_the_number_and_size_of_saved_recordings(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(Limits(max_recordings=2, max_recording_bytes=800))
    record(client, "one", steps=3)
    s = create_env(client)
    ran = client.post(f"/api/envs/{s['session']}/run", json={"policy": "random", "max_steps": 300}).json()
    assert ran["step"] >= 50
    big = client.post("/api/recordings", json={"session": s["session"], "name": "big"})
    assert big.status_code == 429 and "cap of 800" in big.json()["detail"]
    assert not (tmp_path / "recordings" / "big.fgrec.json").exists()
    record(client, "two", steps=3)
    s = create_env(client)
    client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
    r = client.post("/api/recordings", json={"session": s["session"], "name": "three"})
    assert r.status_code == 429 and "2 files" in r.json()["detail"]


def test_recording__bad_requests_are_4xx(client: TestClient) -> None:
    record(client, "ep", steps=5)
    assert client.get("/api/recordings/ep/frames/6").status_code == 400
    assert client.get("/api/recordings/missing/frames/0").status_code == 404
    assert client.get("/api/recordings/bad name/frames/0").status_code == 422
    s = create_env(client)
    empty = client.post("/api/recordings", json={"session": s["session"], "name": "empty"})
    assert empty.status_code == 400 and "no step" in empty.json()["detail"]
    client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
    dup = client.post("/api/recordings", json={"session": s["session"], "name": "ep"})
    assert dup.status_code == 400 and "exists already" in dup.json()["detail"]
    assert client.post("/api/recordings", json={"session": "nope", "name": "x"}).status_code == 404
    assert client.post("/api/recordings", json={"session": s["session"], "name": "../x"}).status_code == 422


def test_scenarios__lists_the_ticket_routing_presets(client: TestClient) -> None:
    rows = {s["name"]: s for s in client.get("/api/scenarios").json()}
    assert set(rows) >= {"TicketRouting:balanced", "TicketRouting:specialists", "TicketRouting:understaffed"}
    assert rows["TicketRouting:understaffed"]["config"] == {"scenario": "understaffed"}
    assert "n engineers 5" in rows["TicketRouting:understaffed"]["description"]


def test_scenarios__run_step_by_step_or_to_the_end(client: TestClient) -> None:
    one = client.post("/api/scenarios/TicketRouting:specialists/run", json={"policy": "least-loaded"}).json()
    assert one["step"] == 1 and one["config"] == {"scenario": "specialists"}
    nxt = client.post(f"/api/envs/{one['session']}/step", json={"policy": "least-loaded"}).json()
    assert nxt["step"] == 2
    end = client.post(
        "/api/scenarios/TicketRouting:balanced/run", json={"policy": "skill-greedy", "to_end": True}
    ).json()
    assert end["truncated"]


def test_scenarios__unknown_scenario_or_policy_is_4xx_and_leaves_no_env(client: TestClient) -> None:
    assert client.post("/api/scenarios/Nope:x/run", json={}).status_code == 404
    r = client.post("/api/scenarios/TicketRouting:balanced/run", json={"policy": "oracle"})
    assert r.status_code == 400 and "unknown policy" in r.json()["detail"]
    assert client.get("/api/envs").json() == []
