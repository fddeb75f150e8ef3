"""What the routers share: settings, env sessions, jobs, live streams, models."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request, WebSocket

from ferrogym.web.adapters.record_files import LogReplayer
from ferrogym.web.adapters.recordings import Replayer
from ferrogym.web.exceptions import NotFound
from ferrogym.web.jobs import JobManager
from ferrogym.web.sessions import SessionStore
from ferrogym.web.settings import Settings
from ferrogym.web.stream import Broadcaster

MODEL_NAME = r"^[A-Za-z0-9_.-]{1,64}$"


@dataclass
class Context:
    settings: Settings
    sessions: SessionStore
    jobs: JobManager
    broadcaster: Broadcaster
    replayers: OrderedDict[str, Replayer | LogReplayer] = field(default_factory=OrderedDict)
    models: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings) -> Context:
        limits = settings.limits
        broadcaster = Broadcaster(limits.ws_queue, limits.max_ws_clients)
        return cls(
            settings,
            SessionStore(limits),
            JobManager(settings.models_dir, limits.max_jobs, limits.job_history, broadcaster),
            broadcaster,
        )

    # -- saved models --------------------------------------------------------

    def model_meta(self, name: str) -> dict[str, Any]:
        path = self.settings.models_dir / f"{name}.json"
        if not (self.settings.models_dir / f"{name}.zip").is_file() or not path.is_file():
            raise NotFound(f"no saved model {name!r}")
        meta: dict[str, Any] = json.loads(path.read_text())
        return {"name": name, **meta}

    def list_models(self) -> list[dict[str, Any]]:
        return [
            self.model_meta(p.stem)
            for p in sorted(self.settings.models_dir.glob("*.zip"))
            if p.with_suffix(".json").is_file()
        ]

    def load_model(self, name: str) -> Any:
        """The SB3 model (kept for the next call; a few at most)."""
        meta = self.model_meta(name)
        with self.lock:
            if name in self.models:
                self.models.move_to_end(name)
                return self.models[name]
        from ferrogym.web.worker import _algo

        model = _algo(meta["algo"]).load(str(self.settings.models_dir / f"{name}.zip"), device="cpu")
        with self.lock:
            self.models[name] = model
            while len(self.models) > 4:
                self.models.popitem(last=False)
        return model

    def close(self) -> None:
        self.jobs.shutdown()
        self.sessions.close_all()
        for r in self.replayers.values():
            r.close()


def ctx(request: Request) -> Context:
    context: Context = request.app.state.ctx
    return context


def client_of(request: Request) -> str:
    """The client's address: what the per-client caps count by."""
    return request.client.host if request.client else ""


def ws_ctx(websocket: WebSocket) -> Context:
    context: Context = websocket.app.state.ctx
    return context


def recordings_dir(context: Context) -> Path:
    return context.settings.recordings_dir
