"""Training jobs: SB3 runs in worker processes (spawn), owned by the server.

Jobs live as long as the server, not the browser tab: a reload lists them
again and their WebSocket replays the kept history before live points. A
pump task on the event loop drains the workers' queues and publishes to the
:class:`~ferrogym.web.stream.Broadcaster`; :meth:`JobManager.shutdown` stops
every worker (asks, waits, then terminates) when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import queue
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferrogym.training.model_files import MODEL_FILE
from ferrogym.web import worker
from ferrogym.web.exceptions import CapReached, NotFound
from ferrogym.web.jsonable import jsonable
from ferrogym.web.stream import Broadcaster

_CTX = mp.get_context("spawn")
ACTIVE = ("starting", "running", "stopping")


def topic(job_id: str) -> str:
    """Returns the stream topic of job ``job_id``'s progress."""
    return f"job:{job_id}"


def curriculum_levels(spec: dict[str, Any]) -> list[str] | None:
    """Returns the level names of the job spec's curriculum, or None without one."""
    cur = spec.get("curriculum")
    return None if cur is None else [lv["name"] for lv in cur["levels"]]


@dataclass
class Job:
    """A training job: its spec, the worker process and the progress it reported."""

    id: str
    name: str
    spec: dict[str, Any]
    process: Any
    out: Any
    stop: Any
    history: deque[dict[str, Any]]
    status: str = "starting"
    timesteps: int = 0
    error: str | None = None
    model: str | None = None
    created: float = field(default_factory=time.time)

    def info(self) -> dict[str, Any]:
        """Returns the job's public view (the API's ``JobInfo``)."""
        return {
            "id": self.id,
            "name": self.name,
            "env_id": self.spec["env_id"],
            "algo": self.spec["algo"],
            "status": self.status,
            "timesteps": self.timesteps,
            "total_timesteps": self.spec["total_timesteps"],
            "error": self.error,
            "model": self.model,
            "created": self.created,
            "points": len(self.history),
            "curriculum_levels": curriculum_levels(self.spec),
        }


class JobManager:
    """Starts training jobs in worker processes (at most ``max_jobs`` at once) and relays their progress."""

    def __init__(self, models_dir: Path, max_jobs: int, history: int, broadcaster: Broadcaster) -> None:
        self.models_dir = models_dir
        self.max_jobs = max_jobs
        self.history = history
        self.broadcaster = broadcaster
        self.jobs: dict[str, Job] = {}

    def running(self) -> int:
        """Returns the number of jobs starting, running or stopping."""
        return sum(j.status in ACTIVE for j in self.jobs.values())

    def start(self, spec: dict[str, Any]) -> Job:
        """Starts a training job for ``spec`` in a worker process; its model is saved under ``models_dir``.

        Raises:
            CapReached: ``max_jobs`` jobs are running.
            ValueError: a model or live job has the requested name.
        """
        if self.running() >= self.max_jobs:
            raise CapReached(f"{self.max_jobs} training jobs are running (the cap); stop one first")
        job_id = uuid.uuid4().hex[:12]
        name = spec.pop("name", None) or f"{spec['algo'].lower()}-{job_id}"
        # A finished or stopped job's name is its saved model's; a failed job's name is free again.
        if (self.models_dir / name / MODEL_FILE).exists() or any(
            j.name == name and j.status in ACTIVE for j in self.jobs.values()
        ):
            raise ValueError(f"a model or job named {name!r} exists already; pick another name")
        spec["model_path"] = str(self.models_dir / name)  # the run directory (ferrogym.training.model_files)
        out, stop = _CTX.Queue(), _CTX.Event()
        process = _CTX.Process(target=worker.run, args=(spec, out, stop), name=f"ferrogym-job-{job_id}", daemon=True)
        job = Job(job_id, name, spec, process, out, stop, deque(maxlen=self.history))
        process.start()
        self.jobs[job_id] = job
        return job

    def get(self, job_id: str) -> Job:
        """Returns job ``job_id``.

        Raises:
            NotFound: no such job.
        """
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NotFound(f"no training job {job_id!r}") from None

    def stop(self, job_id: str) -> Job:
        """Asks job ``job_id`` to stop; it saves its model and ends as ``stopped``.

        Raises:
            NotFound: no such job.
        """
        job = self.get(job_id)
        if job.status in ("starting", "running") and job.stop is not None:
            job.stop.set()
            job.status = "stopping"
        return job

    def _handle(self, job: Job, msg: dict[str, Any]) -> None:
        msg = jsonable(msg)  # NaN KPIs (nothing to measure) become null: browsers reject NaN in JSON
        kind = msg["kind"]
        if kind == "status":
            job.status = "stopping" if job.stop.is_set() else msg["status"]
            job.spec["total_timesteps"] = msg.get("total_timesteps", job.spec["total_timesteps"])
        elif kind in ("metric", "progress"):
            job.timesteps = max(job.timesteps, msg["timesteps"])
            if kind == "metric":
                point = {k: v for k, v in msg.items() if k != "kind"}
                job.history.append(point)
        elif kind == "done":
            job.status = "stopped" if msg["stopped"] else "finished"
            job.model, job.timesteps = msg["model"], msg["timesteps"]
        elif kind == "error":
            job.status, job.error = "failed", msg["error"]
        self.broadcaster.publish(topic(job.id), {"type": kind, "job": job.info(), **msg})

    def pump(self) -> None:
        """Moves every pending worker message to the job and its clients, and
        releases the workers that exited."""
        for job in list(self.jobs.values()):
            if job.process is None:
                continue  # released
            while True:
                try:
                    msg = job.out.get_nowait()
                except queue.Empty:
                    break
                self._handle(job, msg)
            if job.process.is_alive():
                continue
            job.process.join()
            if job.status in ACTIVE:
                with contextlib.suppress(queue.Empty):  # a final message may still be in the pipe
                    self._handle(job, job.out.get(timeout=0.5))
            if job.status in ACTIVE:
                job.status = "failed"
                job.error = f"the worker process exited with code {job.process.exitcode}"
                self.broadcaster.publish(topic(job.id), {"type": "error", "job": job.info(), "error": job.error})
            _release(job)

    async def run_pump(self, period: float = 0.05) -> None:
        """Relays the workers' progress every ``period`` seconds, for as long as the server runs."""
        while True:
            self.pump()
            await asyncio.sleep(period)

    def shutdown(self, grace: float = 5.0) -> None:
        """Stops every worker: asks first, terminates those that do not exit in ``grace`` seconds."""
        alive = [job for job in self.jobs.values() if job.process is not None]
        for job in alive:
            job.stop.set()
        deadline = time.monotonic() + grace
        for job in alive:
            job.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if job.process.is_alive():
                job.process.terminate()
                job.process.join(timeout=2.0)
            if job.process.is_alive():  # pragma: no cover - terminate failed
                job.process.kill()
                job.process.join()
            job.out.cancel_join_thread()
            _release(job)


def _release(job: Job) -> None:
    """Frees what a worker that exited (and was joined: no zombie) still holds here:
    the process handle's sentinel pipe, and the queue's two pipe ends and semaphores."""
    job.process.close()
    job.out.close()
    # The parent never wrote, so it has no feeder thread; the writer end is closed with the object.
    job.out = job.stop = job.process = None
