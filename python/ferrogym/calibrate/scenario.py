"""The scenario file (``scenario.yaml``): a calibrated TicketRouting config,
the engineers' names in slot order and the calendar start it counts from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ferrogym.errors import ConfigError

#: The ``ferrogym_scenario`` format version this module reads.
FORMAT = 1


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario file.

    Attributes:
        config: TicketRouting keyword arguments.
        start: the (naive, desk-local) time that minute 0 of an episode is.
        engineers: the export's assignee names, in slot order.
        env: the env id the config is for.
        provenance: where the calibration came from.
    """

    config: dict[str, Any]
    start: datetime
    engineers: list[str] = field(default_factory=list)
    env: str = "ferrogym/TicketRouting-v0"
    provenance: dict[str, Any] = field(default_factory=dict)


def load_scenario(path: str | Path) -> Scenario:
    """Reads a scenario file.

    Raises:
        ConfigError: the file is missing or not YAML, has another format
            version, or lacks a ``config`` mapping or an ISO ``start``.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: cannot be read as a scenario file ({e})") from None
    if not isinstance(data, dict) or data.get("ferrogym_scenario") != FORMAT:
        raise ConfigError(f"{path}: not a scenario file; expected a mapping with ferrogym_scenario: {FORMAT}")
    config = data.get("config")
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: `config` = {config!r}; expected a mapping of TicketRouting fields")
    try:
        start = datetime.fromisoformat(str(data.get("start")))
    except ValueError:
        raise ConfigError(f"{path}: `start` = {data.get('start')!r}; expected an ISO 8601 time") from None
    return Scenario(
        config=config,
        start=start.replace(tzinfo=None),
        engineers=[str(e) for e in data.get("engineers") or []],
        env=str(data.get("env", "ferrogym/TicketRouting-v0")),
        provenance=dict(data.get("provenance") or {}),
    )
