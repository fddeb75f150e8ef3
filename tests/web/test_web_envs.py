from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ferrogym.web import Limits
from ferrogym.web.png import encode_png
from tests.web.conftest import TR, MakeClient, create_env


def decode_png(url: str) -> np.ndarray:
    data = base64.b64decode(url.removeprefix("data:image/png;base64,"))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_len])
    rows = np.frombuffer(raw, np.uint8).reshape(h, 1 + 3 * w)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, 3)


def test_png__round_trips_a_frame() -> None:
    frame = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    url = "data:image/png;base64," + base64.b64encode(encode_png(frame)).decode()
    np.testing.assert_array_equal(decode_png(url), frame)


def test_png__refuses_a_frame_without_three_channels() -> None:
    with pytest.raises(ValueError, match="H, W, 3"):
        encode_png(np.zeros((4, 4), np.uint8))


def test_registry__lists_every_env_and_marks_masked_ones(client: TestClient) -> None:
    rows = {r["id"]: r for r in client.get("/api/envs/registry").json()}
    assert set(rows) >= {"ferrogym/CartPole-v1", "ferrogym/GridWorld-v0", TR}
    assert rows[TR]["masked"] and not rows["ferrogym/CartPole-v1"]["masked"]
    assert rows[TR]["scenarios"] == ["balanced", "specialists", "understaffed", "specialists_pull", "specialists_week"]


def test_env__create_step_and_the_frame_changes(client: TestClient) -> None:
    s = create_env(client, scenario="specialists")
    assert s["step"] == 0 and s["frame"].startswith("data:image/png;base64,")
    first = decode_png(s["frame"])
    mask = s["action_mask"]
    action = mask.index(True)
    r = client.post(f"/api/envs/{s['session']}/step", json={"action": action})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["step"] == 1
    assert set(after["reward_components"]) == {"wait", "sla", "burnout", "backlog_end", "invalid_action"}
    assert after["reward"] == pytest.approx(sum(after["reward_components"].values()))
    assert not np.array_equal(first, decode_png(after["frame"]))
    assert "sim" in after["info"]


def test_env__same_seed_same_trajectory_through_the_api(client: TestClient) -> None:
    returns = []
    for _ in range(2):
        s = create_env(client, seed=7)
        r = client.post(f"/api/envs/{s['session']}/run", json={"policy": "least-loaded", "max_steps": 30})
        returns.append(r.json()["episode_return"])
    assert returns[0] == returns[1]


def test_env__policy_steps_run_to_the_end_and_reset(client: TestClient) -> None:
    s = create_env(client, scenario="understaffed")
    sid = s["session"]
    r = client.post(f"/api/envs/{sid}/run", json={"policy": "skill-greedy", "max_steps": 5000}).json()
    assert r["truncated"] and r["step"] > 10
    assert sum(r["episode_components"].values()) == pytest.approx(r["episode_return"])
    refused = client.post(f"/api/envs/{sid}/step", json={"policy": "random"})
    assert refused.status_code == 400 and "reset" in refused.json()["detail"]
    again = client.post(f"/api/envs/{sid}/reset", json={"seed": 1}).json()
    assert again["step"] == 0 and not again["truncated"]
    assert client.get(f"/api/envs/{sid}").json()["seed"] == 1
    assert [e["session"] for e in client.get("/api/envs").json()] == [sid]
    assert client.delete(f"/api/envs/{sid}").status_code == 204
    assert client.get(f"/api/envs/{sid}").status_code == 404


def test_env__cartpole_with_explicit_actions(client: TestClient) -> None:
    s = create_env(client, "ferrogym/CartPole-v1")
    assert s["action_mask"] is None or all(s["action_mask"])
    assert s["policies"] == ["random"]
    r = client.post(f"/api/envs/{s['session']}/step", json={"action": 1})
    assert r.status_code == 200 and r.json()["reward"] == 1.0


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"env_id": "nope/Nothing-v0"}, 404, "unknown env id"),
        ({"env_id": TR, "config": {"n_engineers": 0}}, 400, "n_engineers"),
        ({"env_id": TR, "config": {"no_such_field": 1}}, 400, "no_such_field"),
        ({"env_id": TR, "seed": -1}, 422, "seed"),
        ({"env_id": TR, "extra": 1}, 422, "extra"),
        ({"config": {}}, 422, "env_id"),
    ],
)
def test_env__bad_create_is_a_clear_4xx(client: TestClient, body: dict, status: int, fragment: str) -> None:
    r = client.post("/api/envs", json=body)
    assert r.status_code == status, r.text
    assert fragment in str(r.json()["detail"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"action": 11}, "invalid action 11"),
        ({"action": 1.5}, "not an integer"),
        ({"action": 0, "policy": "random"}, "exactly one"),
        ({}, "exactly one"),
        ({"policy": "psychic"}, "unknown policy 'psychic'"),
    ],
)
def test_env__bad_step_is_400_and_the_env_stays_usable(client: TestClient, body: dict, fragment: str) -> None:
    s = create_env(client)
    r = client.post(f"/api/envs/{s['session']}/step", json=body)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["detail"]
    ok = client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
    assert ok.status_code == 200 and ok.json()["step"] == 1


def test_env__unknown_session_is_404(client: TestClient) -> None:
    for method, path, body in [
        ("GET", "/api/envs/xyz", None),
        ("POST", "/api/envs/xyz/step", {"policy": "random"}),
        ("POST", "/api/envs/xyz/reset", {}),
        ("DELETE", "/api/envs/xyz", None),
    ]:
        r = client.request(method, path, json=body)
        assert r.status_code == 404 and "no env session 'xyz'" in r.json()["detail"]


def test_env__cap_on_open_envs_refuses_with_429(make_client: MakeClient) -> None:
    client = make_client(Limits(max_envs=2, max_run_steps=10))
    create_env(client, "ferrogym/CartPole-v1")
    s = create_env(client, "ferrogym/CartPole-v1")
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1"})
    assert r.status_code == 429 and "cap" in r.json()["detail"]
    r = client.post(f"/api/envs/{s['session']}/run", json={"policy": "random", "max_steps": 11})
    assert r.status_code == 400 and "cap of 10" in r.json()["detail"]


@pytest.mark.parametrize(
    ("action", "status", "fragment"),
    [
        ([1e30, 1e30], 400, "not an integer"),
        (1e30, 400, "not an integer"),
        (2**70, 400, "out of range"),
        (-1, 400, "out of range"),
        ("0", 422, "integer"),
        (True, 422, "integer"),
        ([True], 422, "integer"),
    ],
    ids=repr,
)
def test_env__discrete_actions_are_strict_like_gymnasium_spaces(
    client: TestClient, action: object, status: int, fragment: str
) -> None:
    s = create_env(client, "ferrogym/CartPole-v1")
    r = client.post(f"/api/envs/{s['session']}/step", json={"action": action})
    assert r.status_code == status, r.text
    assert fragment in str(r.json()["detail"])
    assert client.post(f"/api/envs/{s['session']}/step", json={"action": 1}).json()["step"] == 1


@pytest.mark.parametrize("token", ["Infinity", "-Infinity", "NaN"])
def test_env__non_finite_actions_are_422_not_500(client: TestClient, token: str) -> None:
    s = create_env(client, "ferrogym/Pendulum-v1")
    for action in (f"[{token}]", f"[{token}, -{token}]", token):
        r = client.post(
            f"/api/envs/{s['session']}/step",
            content=f'{{"action": {action}}}'.replace("--", ""),
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422, r.text


@pytest.mark.parametrize(("action", "fragment"), [([0.5, 0.5], "shape"), ([1e300], "not in Box"), ([], "shape")])
def test_env__box_actions_need_the_space_shape_and_bounds(client: TestClient, action: object, fragment: str) -> None:
    s = create_env(client, "ferrogym/Pendulum-v1")
    r = client.post(f"/api/envs/{s['session']}/step", json={"action": action})
    assert r.status_code == 400 and fragment in r.json()["detail"], r.text
    assert client.post(f"/api/envs/{s['session']}/step", json={"action": [0.5]}).json()["step"] == 1


@pytest.mark.parametrize("seed", [True, "1", 1.0])
def test_env__a_seed_must_be_an_integer(client: TestClient, seed: object) -> None:
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1", "seed": seed})
    assert r.status_code == 422 and "seed" in str(r.json()["detail"])
    s = create_env(client, "ferrogym/CartPole-v1")
    assert client.post(f"/api/envs/{s['session']}/reset", json={"seed": seed}).status_code == 422


@pytest.mark.parametrize("steps", [-1, 0, 10**6, 2**62, True, 1.5])
def test_env__max_episode_steps_must_be_positive_and_capped(client: TestClient, steps: object) -> None:
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1", "config": {"max_episode_steps": steps}})
    assert r.status_code == 400, r.text
    assert "max_episode_steps" in r.json()["detail"] and "[1, 100000]" in r.json()["detail"]
    assert client.get("/api/overview").json()["envs"] == 0


def test_env__max_episode_steps_within_the_cap_sets_the_time_limit(client: TestClient) -> None:
    s = create_env(client, "ferrogym/CartPole-v1", max_episode_steps=3)
    r = client.post(f"/api/envs/{s['session']}/run", json={"policy": "random", "max_steps": 10})
    assert r.json()["step"] <= 3 and (r.json()["truncated"] or r.json()["terminated"])


@pytest.mark.parametrize("key", ["render_mode", "disable_env_checker", "autoreset"])
def test_env__config_cannot_set_gym_make_keywords(client: TestClient, key: str) -> None:
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1", "config": {key: "human"}})
    assert r.status_code == 400 and key in r.json()["detail"]


def test_env__an_episode_without_a_time_limit_stops_at_the_cap(make_client: MakeClient) -> None:
    client = make_client(Limits(max_episode_steps=5))
    s = create_env(client, "ferrogym/ConnectFour-v0")
    for _ in range(5):
        r = client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
        if r.json()["terminated"]:
            return  # the game ended first: nothing to cap
    r = client.post(f"/api/envs/{s['session']}/step", json={"policy": "random"})
    assert r.status_code == 429 and "5 steps" in r.json()["detail"]


def test_env__one_client_cannot_take_every_slot(make_client: MakeClient) -> None:
    client = make_client(Limits(max_envs=4, max_envs_per_client=2))
    create_env(client, "ferrogym/CartPole-v1")
    create_env(client, "ferrogym/CartPole-v1")
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1"})
    assert r.status_code == 429 and "cap per client" in r.json()["detail"]
    r = client.post("/api/scenarios/TicketRouting:understaffed/run", json={})
    assert r.status_code == 429


def test_env__an_idle_session_is_closed_and_frees_its_slot(make_client: MakeClient) -> None:
    client = make_client(Limits(max_envs=1, env_idle_seconds=60))
    sessions = client.app.state.ctx.sessions  # type: ignore[attr-defined]
    now = [1000.0]
    sessions.clock = lambda: now[0]
    s = create_env(client, "ferrogym/CartPole-v1")
    now[0] += 59
    assert client.post(f"/api/envs/{s['session']}/step", json={"action": 0}).status_code == 200  # touched
    now[0] += 59
    assert sessions.expire() == []
    now[0] += 2
    other = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1"})  # expires the idle one first
    assert other.status_code == 201, other.text
    r = client.get(f"/api/envs/{s['session']}")
    assert r.status_code == 404 and "idle" in r.json()["detail"]


def test_env__an_unknown_config_keyword_is_a_config_error(client: TestClient) -> None:
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1", "config": {"gravity_of_jupiter": 1}})
    assert (
        r.status_code == 400 and "invalid config" in r.json()["detail"] and "gravity_of_jupiter" in r.json()["detail"]
    )
