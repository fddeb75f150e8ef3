from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from ferrogym.web import Limits, Settings
from ferrogym.web.settings import is_loopback
from tests.web.conftest import BASE_URL, WS_URL, MakeClient

TOKEN = "s3cret-token"


@pytest.fixture
def secured(make_client: MakeClient) -> TestClient:
    return make_client(token=TOKEN)


def test_settings__non_loopback_bind_needs_a_token() -> None:
    with pytest.raises(ValueError, match="--token"):
        Settings(host="0.0.0.0")
    assert Settings(host="0.0.0.0", token="x").token == "x"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.org")


def test_settings__token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERROGYM_TOKEN", "from-env")
    assert Settings.from_env(host="0.0.0.0").token == "from-env"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_token__missing_or_wrong_is_401(secured: TestClient, headers: dict[str, str]) -> None:
    r = secured.get("/api/overview", headers=headers)
    assert r.status_code == 401 and "token" in r.json()["detail"]
    assert secured.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1"}, headers=headers).status_code == 401


def test_token__bearer_header_or_query_parameter_passes(secured: TestClient) -> None:
    assert secured.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"}).json()["auth"] is True
    assert secured.get(f"/api/overview?token={TOKEN}").status_code == 200


def test_token__the_page_itself_loads_without_it(secured: TestClient) -> None:
    # The page holds no data; it reads ?token= and sends it with every call.
    r = secured.get("/training")
    assert r.status_code == 200 and '<div id="root">' in r.text


def test_token__websocket_without_it_is_refused(secured: TestClient) -> None:
    with secured.websocket_connect(f"{WS_URL}/api/jobs/any/ws") as ws:
        assert ws.receive_json() == {"type": "refused", "error": "missing or wrong token"}
        with pytest.raises(WebSocketDisconnect) as e:
            ws.receive_json()
    assert e.value.code == 4401
    with secured.websocket_connect(f"{WS_URL}/api/jobs/any/ws?token={TOKEN}") as ws:
        assert "no training job 'any'" in ws.receive_json()["error"]


def test_websocket__foreign_origin_is_refused(client: TestClient) -> None:
    with client.websocket_connect(f"{WS_URL}/api/jobs/any/ws", headers={"origin": "http://evil.example"}) as ws:
        assert "origin" in ws.receive_json()["error"]
        with pytest.raises(WebSocketDisconnect) as e:
            ws.receive_json()
    assert e.value.code == 4403


def test_cors__only_the_served_origin_is_allowed(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = client.options("/api/envs", headers={"Origin": "http://127.0.0.1:8765", **preflight})
    assert ok.headers.get("access-control-allow-origin") == "http://127.0.0.1:8765"
    evil = client.options("/api/envs", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in evil.headers


def test_limits__oversized_body_is_413(make_client: MakeClient) -> None:
    client = make_client(Limits(max_message_bytes=100))
    r = client.post("/api/envs", json={"env_id": "ferrogym/CartPole-v1", "config": {"x": "y" * 200}})
    assert r.status_code == 413 and "cap of 100" in r.json()["detail"]


def test_api__unknown_endpoint_is_a_json_404(client: TestClient) -> None:
    r = client.get("/api/nothing/here")
    assert r.status_code == 404 and r.json() == {"detail": "no API endpoint /api/nothing/here"}


def test_api__invalid_json_is_422_not_500(client: TestClient) -> None:
    r = client.post("/api/envs", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_openapi__documents_every_endpoint(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    routes = {
        "/api/overview": {"get"},
        "/api/envs/registry": {"get"},
        "/api/envs": {"get", "post"},
        "/api/envs/{session}": {"get", "delete"},
        "/api/envs/{session}/reset": {"post"},
        "/api/envs/{session}/step": {"post"},
        "/api/envs/{session}/run": {"post"},
        "/api/jobs": {"get", "post"},
        "/api/jobs/{job_id}": {"get"},
        "/api/jobs/{job_id}/stop": {"post"},
        "/api/models": {"get"},
        "/api/models/{name}/evaluate": {"post"},
        "/api/models/{name}/predict": {"post"},
        "/api/scenarios": {"get"},
        "/api/scenarios/{name}/run": {"post"},
        "/api/recordings": {"get", "post"},
        "/api/recordings/{name}/episodes": {"get"},
        "/api/recordings/{name}/frames/{step}": {"get"},
        "/api/calibrations/presets": {"get"},
        "/api/calibrations": {"get", "post"},
        "/api/calibrations/{cal_id}": {"get", "delete"},
        "/api/calibrations/{cal_id}/files/{name}": {"get"},
        "/api/calibrations/{cal_id}/compare": {"post"},
    }
    assert {p: set(v) for p, v in paths.items()} == routes


def test_errors__an_unexpected_exception_is_500_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ferrogym.web.routers import scenarios

    def boom() -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(scenarios.scenario_table, "scenarios", boom)
    quiet = TestClient(client.app, base_url=BASE_URL, raise_server_exceptions=False)
    r = quiet.get("/api/scenarios")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error: RuntimeError: kaput"}


def test_host__the_websocket_refuses_a_foreign_host(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as e, client.websocket_connect("ws://evil.example:8765/api/jobs/any/ws"):
        pass
    assert e.value.code == 4400


def test_host__settings_name_the_hosts_a_request_may_give(make_client: MakeClient) -> None:
    assert Settings().host_names == {"127.0.0.1", "localhost", "::1"}
    assert "http://[::1]:8765" in Settings().origins
    named = Settings(host="10.0.0.5", token=TOKEN, hostnames=("Box.LAN",))
    assert named.host_names == {"10.0.0.5", "box.lan"}
    assert named.origins == ["http://10.0.0.5:8765", "http://box.lan:8765"]
    wildcard = make_client(token=TOKEN, host="0.0.0.0")
    auth = {"Authorization": f"Bearer {TOKEN}", "Host": "whatever.example:8765"}
    assert wildcard.get("/api/overview", headers=auth).status_code == 200  # the token guards a wildcard bind


def test_host__the_page_itself_needs_a_known_host_too(client: TestClient) -> None:
    assert client.get("/training", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/training").status_code == 200


def test_origin__the_served_origin_and_the_request_s_own_host_may_change_state(client: TestClient) -> None:
    body = {"env_id": "ferrogym/CartPole-v1"}
    assert client.post("/api/envs", json=body, headers={"Origin": "http://127.0.0.1:8765"}).status_code == 201
    same = {"Origin": "http://localhost:9999", "Host": "localhost:9999"}  # behind a port forward
    assert client.post("/api/envs", json=body, headers=same).status_code == 201
    r = client.post("/api/envs", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "Origin" in r.json()["detail"]


def test_limits__a_body_without_content_length_is_counted(make_client: MakeClient) -> None:
    client = make_client(Limits(max_message_bytes=100))

    def chunks() -> Iterator[bytes]:
        yield b'{"env_id": "ferrogym/CartPole-v1", "config": {"x": "'
        for _ in range(10):
            yield b"y" * 50
        yield b'"}}'

    r = client.post("/api/envs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "cap of 100" in r.json()["detail"]
