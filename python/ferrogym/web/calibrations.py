"""Calibrations run from the dashboard: one folder per upload under the
server's calibrations folder, filled by :func:`ferrogym.calibrate.pipeline.run`
(the same sequence as ``ferrogym calibrate``), and policy comparisons on the
replayed history through :func:`ferrogym.calibrate.trace.replay` (the same
path as ``ferrogym evaluate --trace``).

A folder holds the uploaded input (``input.csv``, ``input.parquet`` or
``input.xes``), the pipeline's outputs and ``summary.json``: what the page
shows (the report's key tables, the validation verdict and the notes).
Clients name a calibration by its id and a file by one of :data:`SERVED`:
never by a path.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ferrogym.calibrate import report
from ferrogym.calibrate.pipeline import SCENARIO_FILE, TICKETS_FILE, Result
from ferrogym.web.exceptions import CapReached, NotFound
from ferrogym.web.jsonable import jsonable
from ferrogym.web.settings import Limits

#: A calibration id: 12 lower-case hex digits (random, so ids cannot be guessed from each other).
CAL_ID = r"^[0-9a-f]{12}$"
#: An uploaded file's name as the client gives it: no folder part, a known suffix.
UPLOAD_NAME = r"^[^/\\]{1,128}\.(csv|CSV|parquet|PARQUET|xes|XES)$"
SUMMARY_FILE = "summary.json"
#: The files a client may fetch from a calibration folder.
SERVED = frozenset({"report.md", "report.html", SCENARIO_FILE, *report.FIGURES})


@dataclass(frozen=True)
class Reading:
    """How to read an upload: a ticket export through a preset and ``--map``
    items, or an event log through its columns and activities (the
    ``ferrogym calibrate`` options of the same names)."""

    filename: str
    preset: str | None = None
    maps: tuple[str, ...] = ()
    event_log: bool = False
    case: str = "case"
    activity: str = "activity"
    timestamp: str = "timestamp"
    resource: str | None = None
    created: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    tz: str = "UTC"
    weeks: int = 1

    @property
    def suffix(self) -> str:
        """The uploaded file's suffix in lower case (``.csv``, ``.parquet`` or ``.xes``)."""
        return Path(self.filename).suffix.lower()

    @property
    def is_log(self) -> bool:
        """Whether the upload is read as an event log (asked for, or an XES file)."""
        return self.event_log or self.suffix == ".xes"

    def mappings(self) -> dict[str, Any]:
        """The ``columns`` or ``activities`` argument of :func:`~ferrogym.calibrate.pipeline.run`.

        Raises:
            ConfigError: an unknown preset or column, a malformed ``--map`` item, or no id/created column.
        """
        from ferrogym.calibrate.eventlog import ActivityMap
        from ferrogym.calibrate.inputs import column_map

        if self.is_log:
            acts = ActivityMap(
                case=self.case,
                activity=self.activity,
                timestamp=self.timestamp,
                resource=self.resource,
                created=self.created,
                assigned=self.assigned,
                resolved=self.resolved,
            )
            return {"activities": acts}
        return {"columns": column_map(self.preset, self.maps)}


class CalibrationStore:
    """The calibrations folder: creates, finds, runs and removes calibrations.

    One calibration or comparison runs at a time (each takes a core for
    seconds, and the report's figures share matplotlib); another is refused
    with :class:`CapReached` rather than queued.
    """

    def __init__(self, root: Path, limits: Limits) -> None:
        """Keeps calibrations under ``root`` (created on the first upload), capped by ``limits``."""
        self.root = root
        self.limits = limits
        self._busy = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Holds the one running slot for a calibration or a comparison.

        Raises:
            CapReached: another one is running.
        """
        if not self._busy.acquire(blocking=False):
            raise CapReached("a calibration or comparison is already running; try again when it ends")
        try:
            yield
        finally:
            self._busy.release()

    def ids(self) -> list[str]:
        """The ids of the calibrations on disk, newest first."""
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.iterdir() if re.match(CAL_ID, p.name) and (p / SUMMARY_FILE).is_file()]
        return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)]

    def create(self) -> tuple[str, Path]:
        """A new empty calibration folder and its id.

        Raises:
            CapReached: the folder already holds ``max_calibrations`` calibrations.
        """
        cap = self.limits.max_calibrations
        if self.root.is_dir() and sum(1 for p in self.root.iterdir() if p.is_dir()) >= cap:
            raise CapReached(f"{cap} calibrations are kept (max_calibrations); delete one first")
        self.root.mkdir(parents=True, exist_ok=True)
        cal_id = secrets.token_hex(6)
        folder = self.root / cal_id
        folder.mkdir()
        return cal_id, folder

    def folder(self, cal_id: str) -> Path:
        """The folder of calibration ``cal_id``.

        Raises:
            NotFound: ``cal_id`` is not an id, or no finished calibration has it.
        """
        if not re.match(CAL_ID, cal_id) or not (self.root / cal_id / SUMMARY_FILE).is_file():
            raise NotFound(f"no calibration {cal_id!r}")
        return self.root / cal_id

    def file(self, cal_id: str, name: str) -> Path:
        """One served file (:data:`SERVED`) of a calibration.

        Raises:
            NotFound: an unknown calibration, a name outside :data:`SERVED`, or a file the run did not write.
        """
        folder = self.folder(cal_id)
        if name not in SERVED or not (folder / name).is_file():
            raise NotFound(f"calibration {cal_id} has no file {name!r}; expected one of {sorted(SERVED)}")
        return folder / name

    def summary(self, cal_id: str) -> dict[str, Any]:
        """What the page shows of a calibration (written by :meth:`calibrate`).

        Raises:
            NotFound: no such calibration.
        """
        data: dict[str, Any] = json.loads((self.folder(cal_id) / SUMMARY_FILE).read_text())
        return data

    def remove(self, cal_id: str) -> None:
        """Deletes a calibration's folder, finished or not (nothing when there is none)."""
        if re.match(CAL_ID, cal_id):
            shutil.rmtree(self.root / cal_id, ignore_errors=True)

    def calibrate(self, cal_id: str, source: Path, reading: Reading) -> dict[str, Any]:
        """Runs the calibration pipeline on ``source`` into the calibration's folder; returns its summary.

        Raises:
            ConfigError: anything wrong with the input, naming the uploaded file (never the server's path).
        """
        from ferrogym.calibrate.pipeline import run
        from ferrogym.errors import ConfigError

        folder = source.parent
        try:
            result = run(
                source,
                folder,
                **reading.mappings(),
                tz=reading.tz,
                validation_weeks=reading.weeks,
                command=f"uploaded to the dashboard as {reading.filename}",
                name=reading.filename,
            )
        except ConfigError as e:
            raise ConfigError(str(e).replace(str(source), reading.filename)) from None
        data = summarize(cal_id, reading.filename, result)
        (folder / SUMMARY_FILE).write_text(json.dumps(data))
        return data

    def compare(self, cal_id: str, names: list[str], seeds: list[int]) -> dict[str, Any]:
        """Every policy in ``names`` on the calibration's recorded tickets, replayed on its fitted desk.

        Returns:
            The replay's description and summary, the primary KPI, the best
            heuristic and the KPI report rows (``ferrogym evaluate --trace --csv``).

        Raises:
            NotFound: no such calibration.
            ConfigError: the tickets do not fit the scenario.
        """
        from ferrogym.calibrate.trace import load_trace, replay, replay_kwargs
        from ferrogym.cli.evaluate_trace import build_trace_policies

        folder = self.folder(cal_id)
        scenario, trace = load_trace(folder / TICKETS_FILE, folder / SCENARIO_FILE)
        policies = build_trace_policies(names, seeds[0], replay_kwargs(scenario, trace))
        result = replay(policies, seeds, scenario, trace)
        out = result.to_json()
        data: dict[str, Any] = jsonable(
            {
                "id": cal_id,
                "description": trace.describe(),
                "trace": out["trace"],
                "seeds": seeds,
                "policies": list(policies),
                "primary_kpi": out["primary_kpi"],
                "best_heuristic": out["best_heuristic"],
                "rows": result.rows(),
            }
        )
        return data


def _table(table: report.Table) -> dict[str, Any]:
    head, rows = table
    return {"head": head, "rows": rows}


def summarize(cal_id: str, source: str, result: Result) -> dict[str, Any]:
    """A calibration as the page shows it: period, notes, the report's key tables, the verdict and the figures."""
    cal, v = result.calibration, result.validation
    tables = {
        "counted": report.counted_table(cal),
        "arrivals": report.arrivals_table(cal),
        "work": report.work_table(cal),
        "skills": report.skills_table(cal),
    }
    if v is not None:
        tables["validation"] = report.validation_table(v)
    validation = None
    if v is not None:
        validation = {
            "policy": v.policy,
            "weeks": v.weeks,
            "ks": v.ks,
            "ks_pvalue": v.ks_pvalue,
            "agrees": v.agrees(),
            "verdict": v.verdict,
        }
    data: dict[str, Any] = jsonable(
        {
            "id": cal_id,
            "source": source,
            "tickets": cal.tickets.height,
            "days": cal.days,
            "first_day": str(cal.first_day)[:10],
            "arrivals_per_day": cal.arrivals.arrivals_per_day,
            "handling_source": cal.work.handling_source,
            "engineers": cal.n_engineers,
            "notes": {"counts": cal.notes.counts, "not_fitted": cal.notes.not_fitted},
            "tables": {k: _table(t) for k, t in tables.items()},
            "validation": validation,
            "figures": [f for f in report.FIGURES if (result.out / f).is_file()],
        }
    )
    return data
