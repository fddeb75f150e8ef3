"""Shared data of the calibration tests: a ticket history simulated from a known scenario."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from ferrogym.calibrate.fit import Calibration, calibrate
from ferrogym.calibrate.simulate import logs_to_tickets, policy_factory, simulate_weeks

#: Explicit skills (one engineer at 1 per type, so relative skills equal these) over `specialists`.
SKILLS = [
    [1.0, 0.5, 0.4, 0.3, 0.5],
    [0.5, 1.0, 0.5, 0.4, 0.3],
    [0.4, 0.5, 1.0, 0.5, 0.4],
    [0.3, 0.4, 0.5, 1.0, 0.5],
    [0.5, 0.3, 0.4, 0.5, 1.0],
    [0.8, 0.8, 0.8, 0.8, 0.8],
    [0.7, 0.7, 0.9, 0.7, 0.7],
    [0.6, 0.9, 0.6, 0.9, 0.6],
]
KNOWN: dict[str, Any] = {"scenario": "specialists", "skills": SKILLS}
WEEKS = 8


@pytest.fixture(scope="session")
def known_tickets() -> pl.DataFrame:
    """Eight one-week episodes of the known scenario under `sed`, as a ticket table."""
    from ferrogym.envs.ticket_routing_config import TicketRoutingConfig

    types = TicketRoutingConfig(scenario="specialists").resolved().ticket_types
    assert types is not None
    logs = simulate_weeks(KNOWN, WEEKS, policy_factory("sed"), seed=100)
    return logs_to_tickets(logs, types)


@pytest.fixture(scope="session")
def known_calibration(known_tickets: pl.DataFrame) -> Calibration:
    """The calibration of :func:`known_tickets`."""
    return calibrate(known_tickets, "known")
