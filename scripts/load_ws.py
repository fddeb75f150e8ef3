"""Load test of the dashboard's live stream, on loopback only.

Starts ``ferrogym serve`` on a free 127.0.0.1 port (its own temporary runs
folder), starts one training job, connects N WebSocket clients to the job's
stream for a fixed time (a share of them read slowly on purpose), and probes
``/api/overview`` once a second meanwhile. Prints messages/s, dropped frames
(as counted by the server for each client), server memory and probe latency,
then stops the server. Bounded in clients and time; sends nothing off-machine.

    python scripts/load_ws.py --clients 100 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websockets

HOST = "127.0.0.1"


@dataclass
class ClientStats:
    received: int = 0
    dropped: int = 0
    refused: bool = False
    error: str | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def http(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


async def client(url: str, until: float, slow: bool, stats: ClientStats) -> None:
    sock = None
    if slow:
        # A tiny receive window, so the kernel cannot absorb what this client
        # does not read: the server's send to it stalls and its queue fills.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (HOST, int(url.split(":")[2].split("/")[0])))
    try:
        async with websockets.connect(url, sock=sock, max_queue=1 if slow else None, close_timeout=1) as ws:
            while time.monotonic() < until:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=max(0.01, until - time.monotonic()))
                except TimeoutError:
                    break
                msg = json.loads(raw)
                if msg.get("type") == "refused":
                    stats.refused = True
                    return
                stats.received += 1
                stats.dropped = int(msg.get("dropped", 0))
                if slow:
                    await asyncio.sleep(0.5)
    except (OSError, websockets.ConnectionClosed) as e:
        stats.error = f"{type(e).__name__}: {e}"


async def probe(base: str, until: float, latencies: list[float]) -> None:
    while time.monotonic() < until:
        t0 = time.monotonic()
        await asyncio.to_thread(http, base, "GET", "/api/overview")
        latencies.append(time.monotonic() - t0)
        await asyncio.sleep(1.0)


async def main_async(args: argparse.Namespace, base: str, pid: int) -> dict[str, Any]:
    job = http(base, "POST", "/api/jobs", json.loads(args.job))
    # Wait until the job reports (its worker has imported torch and started learning).
    while http(base, "GET", f"/api/jobs/{job['id']}")["job"]["status"] == "starting":
        await asyncio.sleep(0.5)
    url = f"ws://{HOST}:{base.rsplit(':', 1)[1]}/api/jobs/{job['id']}/ws"
    rss_before = rss_mib(pid)
    start = time.monotonic()
    until = start + args.seconds
    stats = [ClientStats() for _ in range(args.clients)]
    n_slow = int(args.clients * args.slow_share)
    latencies: list[float] = []
    rss_peak = rss_before

    async def sample_rss() -> None:
        nonlocal rss_peak
        while time.monotonic() < until:
            rss_peak = max(rss_peak, rss_mib(pid))
            await asyncio.sleep(0.5)

    await asyncio.gather(
        *(client(url, until, i < n_slow, s) for i, s in enumerate(stats)),
        probe(base, until, latencies),
        sample_rss(),
    )
    elapsed = until - start  # clients count only what arrives before `until`
    final = http(base, "GET", f"/api/jobs/{job['id']}")["job"]
    overview_after = http(base, "GET", "/api/overview")
    fast, slow = stats[n_slow:], stats[:n_slow]
    return {
        "clients": args.clients,
        "slow_clients": n_slow,
        "seconds": round(elapsed, 1),
        "job": {k: final[k] for k in ("env_id", "algo", "status", "timesteps")},
        "messages_received_total": sum(s.received for s in stats),
        "messages_per_s_all_clients": round(sum(s.received for s in stats) / elapsed, 1),
        "messages_per_s_per_fast_client": round(statistics.mean(s.received for s in fast) / elapsed, 2)
        if fast
        else None,
        "dropped_fast_clients": sum(s.dropped for s in fast),
        "dropped_slow_clients": sum(s.dropped for s in slow),
        "refused": sum(s.refused for s in stats),
        "errors": sorted({s.error for s in stats if s.error}),
        "server_rss_mib": {"before": round(rss_before, 1), "peak": round(rss_peak, 1)},
        "overview_latency_ms": {
            "median": round(1000 * statistics.median(latencies), 1),
            "max": round(1000 * max(latencies), 1),
            "probes": len(latencies),
        },
        "ws_clients_after": overview_after["ws_clients"],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--slow-share", type=float, default=0.1, help="share of clients that read one message per 0.5 s")
    p.add_argument(
        "--job",
        default=json.dumps(
            {"env_id": "ferrogym/CartPole-v1", "algo": "PPO", "total_timesteps": 2_000_000, "n_envs": 8, "n_steps": 64}
        ),
        help="JSON body of the training job to stream",
    )
    args = p.parse_args()
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 600:
        p.error("clients must be 1..1000 and seconds 0..600")
    runs = tempfile.mkdtemp(prefix="ferrogym-load-")
    port = free_port()
    exe = shutil.which("ferrogym") or sys.exit("ferrogym is not on PATH: pip install -e '.[web,sb3]'")
    cmd = [exe, "serve", "--host", HOST, "--port", str(port), "--runs", runs, "--max-ws-clients", str(args.clients + 8)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(240):
            try:
                http(base, "GET", "/api/overview")
                break
            except OSError:
                time.sleep(0.25)
        result = asyncio.run(main_async(args, base, server.pid))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            result_exit = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            result_exit = server.wait()
        shutil.rmtree(runs, ignore_errors=True)
    result["server_exit_code"] = result_exit
    print(json.dumps(result, indent=2))
    return 0 if not result["errors"] and result_exit == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
