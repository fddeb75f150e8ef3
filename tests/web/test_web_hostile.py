"""Hostile HTTP against a real server on 127.0.0.1 (a child process under a
memory limit): bodies without Content-Length, foreign Host and Origin headers,
and configs that would make the library allocate without bound. The server
must answer each with a 4xx and stay up."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import TR
from tests.web.live import LiveServer, Servers

pytest.importorskip("uvicorn")

CARTPOLE = "ferrogym/CartPole-v1"
CHUNK = 64 * 1024
#: What a hostile client offers to send.
OFFERED = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with Servers(tmp_path_factory.mktemp("live")) as pool:
        yield pool


@pytest.fixture
def server(servers: Servers) -> LiveServer:
    return servers.get()


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    sock.settimeout(10)
    try:
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def chunked_post(port: int, path: str, total: int) -> tuple[int, bytes]:
    """Sends up to ``total`` bytes of JSON whitespace as a chunked body; stops
    when the server answers or closes. Returns the bytes sent and the answer."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    chunk = f"{CHUNK:x}\r\n".encode() + b" " * CHUNK + b"\r\n"
    sent = 0
    sock.settimeout(10)
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(chunk)
            sent += CHUNK
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    answer = _read_response(sock)
    sock.close()
    return sent, answer


def test_chunked_body__is_cut_off_at_the_cap_without_reading_it_whole(server: LiveServer) -> None:
    before = server.peak_rss_mib()
    sent, answer = chunked_post(server.port, "/api/envs", OFFERED)
    assert sent < OFFERED // 10, f"the server read {sent} bytes of a chunked body past its 64 KiB cap"
    if answer:  # the answer may be lost when the server resets the half-sent connection
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert server.peak_rss_mib() - before < 50
    assert server.alive()
    assert server.request("GET", "/api/overview")[0] == 200


def test_chunked_body__below_the_cap_is_read(server: LiveServer) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port))
    body = json.dumps({"env_id": "ferrogym/CartPole-v1", "seed": 1}).encode()
    sock.sendall(
        f"POST /api/envs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        + f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n"
    )
    answer = _read_response(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io", ""])
def test_dns_rebinding__a_foreign_host_header_is_refused(server: LiveServer, host: str) -> None:
    envs = server.request("GET", "/api/overview")[1]["envs"]
    status, answer = server.request("POST", "/api/envs", {"env_id": CARTPOLE}, {"Host": host})
    assert status == 400 and "Host" in answer["detail"]
    assert server.request("GET", "/api/overview", headers={"Host": host})[0] == 400
    assert server.request("GET", "/api/overview")[1]["envs"] == envs


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_dns_rebinding__loopback_names_pass(server: LiveServer, host: str) -> None:
    assert server.request("GET", "/api/overview", headers={"Host": f"{host}:{server.port}"})[0] == 200


def test_origin__a_foreign_page_cannot_change_state(server: LiveServer) -> None:
    for origin in ("http://evil.example", "null", f"http://localhost:{server.port + 1}"):
        status, answer = server.request("POST", "/api/envs", {"env_id": CARTPOLE}, {"Origin": origin})
        assert status == 403 and "Origin" in answer["detail"]
    assert server.request("GET", "/api/overview", headers={"Origin": "http://evil.example"})[0] == 200
    served = {"Origin": f"http://localhost:{server.port}", "Host": f"localhost:{server.port}"}
    status, env = server.request("POST", "/api/envs", {"env_id": CARTPOLE}, served)
    assert status == 201
    path = f"/api/envs/{env['session']}"
    assert server.request("DELETE", path, headers={"Origin": "http://evil.example"})[0] == 403
    assert server.request("DELETE", path, headers=served)[0] == 204


# -- configs that would allocate without bound ----------------------------------

HOSTILE_VALUES: list[Any] = [0, -1, 1e12, 2**62, 1e300, float("nan"), float("inf")]


def _post(server: LiveServer, path: str, body: dict[str, Any]) -> tuple[int, str]:
    status, answer = server.request("POST", path, body)
    return status, json.dumps(answer)


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
@pytest.mark.parametrize("field", ["n_engineers", "arrivals_per_day", "episode_days", "max_engineers"])
def test_env_config__hostile_values_are_4xx_and_the_server_lives(server: LiveServer, field: str, value: Any) -> None:
    status, text = _post(server, "/api/envs", {"env_id": TR, "config": {field: value}})
    assert server.alive(), f"{field}={value!r} killed the server"
    assert 400 <= status < 500, f"{field}={value!r}: {status} {text[:300]}"
    assert field in text


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
@pytest.mark.parametrize("field", ["n_engineers", "arrivals_per_day"])
def test_job_config__hostile_values_are_4xx_before_a_worker_starts(server: LiveServer, field: str, value: Any) -> None:
    status, text = _post(server, "/api/jobs", {"env_id": TR, "algo": "MaskablePPO", "config": {field: value}})
    assert server.alive(), f"{field}={value!r} killed the server"
    assert 400 <= status < 500, f"{field}={value!r}: {status} {text[:300]}"
    assert server.request("GET", "/api/jobs")[1] == []


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
@pytest.mark.parametrize("knob", ["max_turns", "patience", "escalation_capacity"])
def test_curriculum_knobs__hostile_values_are_4xx(server: LiveServer, knob: str, value: Any) -> None:
    curriculum = {"levels": [{"name": "easy", "knobs": {}}, {"name": "hostile", "knobs": {knob: value}}]}
    body = {"env_id": "ferrogym/CustomerSupport-v0", "algo": "MaskablePPO", "curriculum": curriculum}
    status, text = _post(server, "/api/jobs", body)
    assert server.alive(), f"{knob}={value!r} killed the server"
    assert 400 <= status < 500, f"{knob}={value!r}: {status} {text[:300]}"
    assert server.request("GET", "/api/jobs")[1] == []


def _save_untrained_model(models_dir: Path, name: str) -> None:
    from sb3_contrib import MaskablePPO

    from ferrogym.integrations.sb3 import make_vec_env

    venv = make_vec_env(TR, n_envs=1, seed=0)
    try:
        MaskablePPO("MlpPolicy", venv, n_steps=8, batch_size=8, device="cpu").save(str(models_dir / f"{name}.zip"))
    finally:
        venv.close()
    meta = {"env_id": TR, "algo": "MaskablePPO", "config": {}, "timesteps": 0, "created": 0.0}
    (models_dir / f"{name}.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
@pytest.mark.parametrize("field", ["n_engineers", "arrivals_per_day"])
def test_evaluation_config__hostile_values_are_4xx(
    tmp_path_factory: pytest.TempPathFactory, server: LiveServer, field: str, value: Any
) -> None:
    pytest.importorskip("sb3_contrib")
    models = server.root / "models"
    models.mkdir(parents=True, exist_ok=True)
    if not (models / "untrained.zip").exists():
        _save_untrained_model(models, "untrained")
    status, text = _post(server, "/api/models/untrained/evaluate", {"episodes": 2, "config": {field: value}})
    assert server.alive(), f"{field}={value!r} killed the server"
    assert 400 <= status < 500, f"{field}={value!r}: {status} {text[:300]}"
