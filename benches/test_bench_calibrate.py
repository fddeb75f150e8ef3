"""Calibration speed, in tickets per second: `ferrogym.calibrate` reading a Zendesk-layout CSV export
and fitting every part of the scenario (read, arrivals, mix, shifts, work, skills; no validation or
report) beside pandas reading the same file, in the same run. A generated export of ROWS tickets
(a year, 60 engineers, 8 types) keeps the run short; docs/calibrate.md gives the 1,000,000-ticket
figure of the whole command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .conftest import gate, measure

pytest.importorskip("polars")
pytest.importorskip("pandas")

import pandas as pd
import polars as pl

from ferrogym.calibrate.fit import calibrate
from ferrogym.calibrate.inputs import column_map, read_export

ROWS = 200_000
TYPES = ("incident", "question", "problem", "task", "billing", "access", "bug", "feature")


def generated_export(path: Path, n: int, seed: int = 0) -> Path:
    """A Zendesk-layout export of ``n`` tickets over a year: daytime arrivals, 60 agents, lognormal work."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-11-03T00:00:00", "s")
    seconds = rng.integers(0, 364, n) * 86400 + np.clip(rng.normal(12, 3, n), 0, 23.99) * 3600
    created = np.sort(start + seconds.astype("timedelta64[s]"))
    assigned = created + rng.exponential(1800, n).astype("timedelta64[s]")
    resolved = assigned + (rng.lognormal(3.5, 0.7, n) * 60).astype("timedelta64[s]")
    fmt = "%Y-%m-%d %H:%M:%S"
    frame = pl.DataFrame(
        {
            "Id": np.arange(n).astype(str),
            "Created at": created.astype("datetime64[us]"),
            "Initially assigned at": assigned.astype("datetime64[us]"),
            "Solved at": resolved.astype("datetime64[us]"),
            "Assignee": np.char.add("agent", rng.integers(0, 60, n).astype(str)),
            "Ticket type": np.asarray(TYPES)[rng.integers(0, len(TYPES), n)],
            "Priority": np.asarray(["Urgent", "High", "Normal", "Low"])[rng.choice(4, n, p=[0.05, 0.2, 0.5, 0.25])],
        }
    ).with_columns(pl.col(c).dt.strftime(fmt) for c in ("Created at", "Initially assigned at", "Solved at"))
    frame.write_csv(path)
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_export(tmp_path_factory.mktemp("calibrate") / "export.csv", ROWS)


def test_bench_calibrate_read_and_fit(benchmark: Any, export: Path) -> None:
    cmap = column_map("zendesk")

    def run() -> None:
        table, notes = read_export(export, cmap)
        calibrate(table, str(export), notes=notes)

    measure(benchmark, "calibrate/read+fit", run, ROWS)


def test_bench_calibrate_pandas_read(benchmark: Any, export: Path) -> None:
    measure(benchmark, "calibrate/pandas-read", lambda: pd.read_csv(export), ROWS)


def test_gate_calibrate_ratio() -> None:
    # The peer only reads; calibration also parses timestamps and fits. The floor guards against
    # a fit that stops scaling with the rows (a Python loop per ticket), not against that work.
    gate("calibrate read+fit vs pandas read_csv (tickets/s)", "calibrate/read+fit", "calibrate/pandas-read", 0.3)
