"""Writes examples/data/zendesk_sample.csv: a small help-desk export in Zendesk's CSV layout.

The tickets come from the TicketRouting simulator itself (two one-week
episodes of the scenario below, routed by `sed`), so the parameters that
`ferrogym calibrate` should recover are known: they are the `CONFIG` here.
Run from the repository root: `python examples/data/make_sample_export.py`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ferrogym.calibrate.simulate import logs_to_tickets, policy_factory, simulate_weeks

ENGINEERS = ["Ana Lima", "Ben Okafor", "Chloe Martin", "Dev Patel", "Eva Novak"]
CONFIG = {
    "scenario": "balanced",
    "arrivals_per_day": 24.0,
    "ticket_types": ["incident", "question", "problem"],
    "type_probs": [0.5, 0.35, 0.15],
    "priority_probs": [[0.1, 0.3, 0.45, 0.15], [0.02, 0.13, 0.6, 0.25], [0.2, 0.4, 0.3, 0.1]],
    "work_median_minutes": [45.0, 15.0, 90.0],
    "work_sigma": [0.6, 0.5, 0.7],
    "n_engineers": 5,
    "max_engineers": 5,
    "shifts": [[8.0, 16.0], [8.0, 16.0], [9.0, 17.0], [10.0, 18.0], [10.0, 18.0]],
    "skills": [[1.0, 0.8, 0.5], [0.6, 1.0, 0.4], [0.8, 0.9, 1.0], [0.5, 0.7, 0.6], [0.9, 0.6, 0.8]],
}
WEEKS = 2
#: Zendesk's priority names for TicketRouting's critical, high, medium, low.
ZENDESK_PRIORITY = {"critical": "Urgent", "high": "High", "medium": "Normal", "low": "Low"}
OUT = Path(__file__).with_name("zendesk_sample.csv")


def sample_export(weeks: int = WEEKS, seed: int = 7) -> pl.DataFrame:
    """The simulated tickets in Zendesk's column names and value names."""
    logs = simulate_weeks(CONFIG, weeks, policy_factory("sed"), seed=seed)
    t = logs_to_tickets(logs, CONFIG["ticket_types"], start="2026-11-02", engineers=ENGINEERS)
    fmt = "%Y-%m-%d %H:%M:%S"
    return t.select(
        pl.int_range(1001, 1001 + t.height).cast(pl.Utf8).alias("Id"),
        pl.when(pl.col("resolved").is_null()).then(pl.lit("Open")).otherwise(pl.lit("Solved")).alias("Status"),
        pl.col("created").dt.strftime(fmt).alias("Created at"),
        pl.col("assigned").dt.strftime(fmt).alias("Initially assigned at"),
        pl.col("resolved").dt.strftime(fmt).alias("Solved at"),
        pl.col("assignee").alias("Assignee"),
        pl.col("type").alias("Ticket type"),
        pl.col("priority").replace_strict(ZENDESK_PRIORITY).alias("Priority"),
    )


if __name__ == "__main__":
    df = sample_export()
    df.write_csv(OUT)
    print(f"wrote {OUT} ({df.height} tickets)")
