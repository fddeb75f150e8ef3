"""An app per test on temporary model and recording folders; TestClient runs
its lifespan (job pump on start, workers stopped on exit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from ferrogym.web import Limits, Settings, create_app

TR = "ferrogym/TicketRouting-v0"
#: The served address: the server refuses requests whose Host header names another.
BASE_URL = "http://127.0.0.1:8765"
#: TestClient's websocket_connect joins a path to ws://testserver: give it the served address.
WS_URL = "ws://127.0.0.1:8765"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(limits: Limits | None = None, **settings: Any) -> TestClient:
        s = Settings(
            models_dir=tmp_path / "models",
            recordings_dir=tmp_path / "recordings",
            calibrations_dir=tmp_path / "calibrations",
            limits=limits or Limits(),
            **settings,
        )
        client = TestClient(create_app(s), base_url=BASE_URL)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def create_env(client: TestClient, env_id: str = TR, seed: int | None = 0, **config: Any) -> dict[str, Any]:
    r = client.post("/api/envs", json={"env_id": env_id, "config": config, "seed": seed})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
