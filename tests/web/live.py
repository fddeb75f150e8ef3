"""A real ``uvicorn`` server in a child process, for what TestClient cannot
show: raw sockets (chunked bodies, Host headers), and requests that could
abort or bloat the process. The child runs under an address-space limit, so
a request that allocates without bound fails the test instead of the machine.

``python -m tests.web.live SETTINGS_JSON`` is the child's entry point.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Address space the server may map (torch, numpy and the envs fit well within).
MEMORY_LIMIT = 3 * 1024**3


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    port: int
    #: Holds its models/ and recordings/ folders.
    root: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One request on its own connection: the status and the JSON answer (None without a body,
        the text when it is not JSON).
        ``body`` is sent as JSON, with NaN and Infinity as Python's json writes them."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            content = None if body is None else json.dumps(body)
            sent = {"content-type": "application/json", **(headers or {})}
            conn.request(method, path, body=content, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
            try:
                return answer.status, json.loads(data) if data else None
            except json.JSONDecodeError:  # uvicorn's own plain-text 500
                return answer.status, data.decode(errors="replace")
        finally:
            conn.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def peak_rss_mib(self) -> float:
        """The server's peak resident memory so far (VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        return kib / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def live_server(root: Path, **settings: Any) -> Iterator[LiveServer]:
    port = free_port()
    spec = {
        "port": port,
        "models_dir": str(root / "models"),
        "recordings_dir": str(root / "recordings"),
        **settings,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.web.live", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = LiveServer(process, port, root)
    try:
        deadline = time.monotonic() + 120
        while True:
            if not server.alive():
                raise RuntimeError(f"the server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError):
                if server.request("GET", "/api/overview")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 120 s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()  # type: ignore[union-attr]


class Servers(contextlib.ExitStack):
    """One server shared by a test module, started again when a request killed it
    (the test whose request did fails on its own; the next ones get a fresh server)."""

    def __init__(self, root: Path, **settings: Any) -> None:
        super().__init__()
        self.root, self.settings = root, settings
        self.current: LiveServer | None = None

    def get(self) -> LiveServer:
        if self.current is None or not self.current.alive():
            self.current = self.enter_context(live_server(self.root, **self.settings))
        return self.current


def _serve(spec: dict[str, Any]) -> None:
    # Set here, not with preexec_fn: forking a multi-threaded test runner to run Python is unsafe.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import uvicorn

    from ferrogym.web import Limits, Settings, create_app

    limits = Limits(**spec.pop("limits", {}))
    settings = Settings(
        models_dir=Path(spec.pop("models_dir")), recordings_dir=Path(spec.pop("recordings_dir")), limits=limits, **spec
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]))
