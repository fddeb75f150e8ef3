"""Server settings: where it binds, who may talk to it, and the caps that keep
one browser (or one script) from exhausting the machine."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

#: Environment variable read when ``--token`` is not given.
TOKEN_ENV = "FERROGYM_TOKEN"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Limits:
    """Caps; requests past them are refused with a 4xx naming the cap."""

    max_envs: int = 16
    max_jobs: int = 2
    max_ws_clients: int = 128
    #: Largest HTTP body or WebSocket message accepted from a client.
    max_message_bytes: int = 64 * 1024
    #: Messages buffered per WebSocket client before the oldest is dropped.
    ws_queue: int = 64
    max_run_steps: int = 5_000
    max_timesteps: int = 2_000_000
    max_eval_episodes: int = 30
    #: Metric points a job keeps for clients that connect later.
    job_history: int = 2_000


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    models_dir: Path = field(default_factory=lambda: Path("ferrogym-runs") / "models")
    recordings_dir: Path = field(default_factory=lambda: Path("ferrogym-runs") / "recordings")
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if not is_loopback(self.host) and not self.token:
            raise ValueError(
                f"binding {self.host} exposes the server beyond this machine: pass --token or set {TOKEN_ENV}"
            )

    @property
    def origins(self) -> list[str]:
        """The origins the served page has; CORS and the WebSocket Origin check allow only these."""
        hosts = {self.host, "127.0.0.1", "localhost"} if is_loopback(self.host) else {self.host}
        return sorted(f"http://{h}:{self.port}" for h in hosts)

    @classmethod
    def from_env(cls, **kwargs: object) -> Settings:
        if kwargs.get("token") is None and os.environ.get(TOKEN_ENV):
            kwargs["token"] = os.environ[TOKEN_ENV]
        return cls(**kwargs)  # type: ignore[arg-type]
