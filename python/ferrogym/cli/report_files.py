"""``--json`` / ``--csv`` outputs of the evaluation commands (one writer for every report)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Protocol


class Tabular(Protocol):
    """A report that can be written as JSON and as CSV rows."""

    def to_json(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data."""

    def rows(self) -> list[dict[str, Any]]:
        """Returns the report as flat rows with the same keys, for CSV."""


def write_outputs(report: Tabular, json_path: Path | None, csv_path: Path | None) -> None:
    """The whole report as JSON; one CSV row per (policy, seed[, scenario])."""
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_json(), indent=1, allow_nan=True))
    if csv_path is not None:
        rows = report.rows()
        with csv_path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
