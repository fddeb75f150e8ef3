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
    """Returns whether ``host`` is ``localhost`` or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """An address that binds every interface: the names it is reached by are unknown."""
    return host in ("", "0.0.0.0", "::")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


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
    #: Longest episode an env session may run (``max_episode_steps`` in its config is capped too).
    max_episode_steps: int = 100_000
    #: Env sessions one client address may hold (on loopback every local client is one address).
    max_envs_per_client: int = 8
    #: An env session nobody touched for this many seconds is closed.
    env_idle_seconds: int = 900
    #: Files in the recordings folder past which saving is refused, and the largest recording saved.
    max_recordings: int = 1_000
    max_recording_bytes: int = 8 * 1024 * 1024
    #: Metric points a job keeps for clients that connect later.
    job_history: int = 2_000
    #: Largest ticket export or event log the Calibrate page may upload (bytes received are counted).
    max_upload_bytes: int = 32 * 1024 * 1024
    #: Calibration folders kept on disk past which a new upload is refused.
    max_calibrations: int = 100
    #: Weeks the validation of an uploaded calibration simulates by default, and at most.
    calibration_weeks: int = 1
    max_calibration_weeks: int = 8
    #: Seeds one policy comparison on a replayed history may run.
    max_compare_seeds: int = 10


@dataclass(frozen=True)
class Settings:
    """Where the server listens, its token, its folders and its limits.

    Raises:
        ValueError: the server binds beyond loopback without a token.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    models_dir: Path = field(default_factory=lambda: Path("ferrogym-runs") / "models")
    recordings_dir: Path = field(default_factory=lambda: Path("ferrogym-runs") / "recordings")
    calibrations_dir: Path = field(default_factory=lambda: Path("ferrogym-runs") / "calibrations")
    limits: Limits = field(default_factory=Limits)
    #: Further names the server is reached by (a DNS name of a token-protected bind); see security.py.
    hostnames: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not is_loopback(self.host) and not self.token:
            raise ValueError(
                f"binding {self.host} exposes the server beyond this machine: pass --token or set {TOKEN_ENV}"
            )

    @property
    def host_names(self) -> frozenset[str]:
        """The names a request's Host header may give (without the port)."""
        names = {self.host, *self.hostnames}
        if is_loopback(self.host):
            names |= {"127.0.0.1", "localhost", "::1"}
        return frozenset(n.lower() for n in names)

    @property
    def origins(self) -> list[str]:
        """The origins the served page has; CORS and the Origin checks allow these."""
        return sorted(f"http://{_url_host(h)}:{self.port}" for h in self.host_names)

    @classmethod
    def from_env(cls, **kwargs: object) -> Settings:
        """Returns settings from ``kwargs``, the token taken from the environment variable when not given."""
        if kwargs.get("token") is None and os.environ.get(TOKEN_ENV):
            kwargs["token"] = os.environ[TOKEN_ENV]
        return cls(**kwargs)  # type: ignore[arg-type]
