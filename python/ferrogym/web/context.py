"""What the routers share: settings, env sessions, jobs, live streams, models."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request, WebSocket

from ferrogym.web.adapters.record_files import LogReplayer
from ferrogym.web.adapters.recordings import Replayer
from ferrogym.web.calibrations import CalibrationStore
from ferrogym.web.exceptions import NotFound
from ferrogym.web.jobs import JobManager
from ferrogym.web.sessions import SessionStore
from ferrogym.web.settings import Settings
from ferrogym.web.stream import Broadcaster

MODEL_NAME = r"^[A-Za-z0-9_.-]{1,64}$"


@dataclass
class Context:
    """The server's state shared by all routes: settings, env sessions, training jobs, streams and caches."""

    settings: Settings
    sessions: SessionStore
    jobs: JobManager
    broadcaster: Broadcaster
    calibrations: CalibrationStore
    replayers: OrderedDict[str, Replayer | LogReplayer] = field(default_factory=OrderedDict)
    models: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings) -> Context:
        """Returns a fresh context with stores sized by ``settings.limits``."""
        limits = settings.limits
        broadcaster = Broadcaster(limits.ws_queue, limits.max_ws_clients)
        return cls(
            settings,
            SessionStore(limits),
            JobManager(settings.models_dir, limits.max_jobs, limits.job_history, broadcaster),
            broadcaster,
            CalibrationStore(settings.calibrations_dir, limits),
        )

    # -- saved models --------------------------------------------------------

    def model_meta(self, name: str) -> dict[str, Any]:
        """A saved model's metadata, as the Models page shows it (``config``: its env arguments)."""
        from ferrogym.errors import ModelFileError
        from ferrogym.training import read_meta

        directory = self.settings.models_dir / name
        if not directory.is_dir():
            raise NotFound(f"no saved model {name!r}")
        try:
            _, meta = read_meta(directory)
        except ModelFileError as e:
            raise NotFound(f"no saved model {name!r}: {e}") from None
        return _shown(name, meta)

    def list_models(self) -> list[dict[str, Any]]:
        """Returns the saved models' metadata, as the models list shows it."""
        from ferrogym.training import list_models

        return [_shown(m.pop("name"), m) for m in list_models(self.settings.models_dir)]

    def load_policy(self, name: str) -> Any:
        """The saved model as a :class:`ferrogym.training.ModelPolicy` (kept for the next call; a few at most)."""
        from ferrogym.training import load_policy

        self.model_meta(name)  # 404 for an unknown name
        with self.lock:
            if name in self.models:
                self.models.move_to_end(name)
                return self.models[name]
        policy = load_policy(self.settings.models_dir / name, name=name)
        with self.lock:
            self.models[name] = policy
            while len(self.models) > 4:
                self.models.popitem(last=False)
        return policy

    def close(self) -> None:
        """Stops every job and closes every session and replayer."""
        self.jobs.shutdown()
        self.sessions.close_all()
        for r in self.replayers.values():
            r.close()


def _shown(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "env_id": meta["env_id"],
        "algo": meta["algo"],
        "timesteps": meta["timesteps"],
        "config": meta["env_kwargs"],
        "created": meta.get("created", 0.0),
    }


def ctx(request: Request) -> Context:
    """Returns the app's :class:`Context` (a FastAPI dependency)."""
    context: Context = request.app.state.ctx
    return context


def client_of(request: Request) -> str:
    """The client's address: what the per-client caps count by."""
    return request.client.host if request.client else ""


def ws_ctx(websocket: WebSocket) -> Context:
    """Returns the app's :class:`Context` for a WebSocket route."""
    context: Context = websocket.app.state.ctx
    return context


def recordings_dir(context: Context) -> Path:
    """Returns the folder the dashboard's recordings live in."""
    return context.settings.recordings_dir
