"""A typed view of TicketRouting's configuration, with YAML/JSON load/save.

The Rust struct ``TicketRoutingConfig`` (rust/core/src/envs/ticket_routing/
config.rs) is the source of truth: it holds the defaults (scenario presets)
and the validation. This dataclass only names the fields for type checkers
and editors: every field but ``scenario`` defaults to ``None`` ("take the
scenario's value"), :meth:`validate` and :meth:`resolved` ask the compiled
core, and a test checks that the fields here are exactly the Rust ones.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ferrogym import _core
from ferrogym.errors import ConfigError

SCENARIOS: tuple[str, ...] = ("balanced", "specialists", "understaffed")


@dataclass
class TicketRoutingConfig:
    """TicketRouting arguments; ``None`` means "the scenario's value".

    See ``TicketRoutingConfig.describe()`` or the Rust doc comments for the
    meaning of each field; ``resolved()`` shows the values in effect.
    """

    scenario: str = "balanced"
    episode_days: int | None = None
    start_weekday: int | None = None
    arrivals_per_day: float | None = None
    hour_profile: list[float] | None = None
    weekday_factor: list[float] | None = None
    ticket_types: list[str] | None = None
    type_probs: list[float] | None = None
    priority_probs: list[list[float]] | None = None
    tier_probs: list[float] | None = None
    work_median_minutes: list[float] | None = None
    work_sigma: list[float] | None = None
    n_engineers: int | None = None
    max_engineers: int | None = None
    shifts: list[list[float]] | None = None
    skills: list[list[float]] | None = None
    specialist_share: float | None = None
    specialist_off_skill: list[float] | None = None
    generalist_skill: list[float] | None = None
    team_seed: int | None = None
    resample_skills: bool | None = None
    shuffle_slots: bool | None = None
    cap: int | None = None
    soft_cap: int | None = None
    fatigue_rise_minutes: float | None = None
    fatigue_recovery_minutes: float | None = None
    sla_minutes: list[float] | None = None
    priority_weights: list[float] | None = None
    tier_weights: list[float] | None = None
    wait_weight: float | None = None
    sla_penalty: list[float] | None = None
    burnout_weight: float | None = None
    backlog_end_minutes: float | None = None
    max_backlog: int | None = None
    auto_assign_single: bool | None = None
    invalid_action: str | None = None
    invalid_action_penalty: float | None = None

    # -- conversion ------------------------------------------------------------

    def to_kwargs(self) -> dict[str, Any]:
        """The fields that are set, as ``gym.make`` keyword arguments."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketRoutingConfig:
        """Builds and validates a config; unknown or invalid fields raise
        :class:`~ferrogym.errors.ConfigError` naming the field."""
        if not isinstance(data, dict):
            raise ConfigError(f"TicketRouting: invalid config {data!r}; expected a mapping of field names to values")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"TicketRouting: invalid config: unknown field(s) {unknown}; expected some of {sorted(known)}"
            )
        cfg = cls(**data)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Asks the Rust core to build an env from this config (it raises
        :class:`~ferrogym.errors.ConfigError` with the field and the reason)."""
        _core.TicketRoutingCore(**self.to_kwargs())

    def resolved(self) -> TicketRoutingConfig:
        """The same config with every field filled with the value in effect."""
        values = _core.TicketRoutingCore(**self.to_kwargs()).effective_config()
        assert values is not None, "TicketRoutingCore reports its effective config"
        return type(self)(**values)

    # -- files -----------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> TicketRoutingConfig:
        """Reads a ``.json``, ``.yaml`` or ``.yml`` file (a mapping of fields)."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            raise ConfigError(f"TicketRouting: cannot load config {str(p)!r}; expected a .json, .yaml or .yml file")
        text = p.read_text(encoding="utf-8")
        data = json.loads(text) if suffix == ".json" else _yaml().safe_load(text)
        return cls.from_dict(data if data is not None else {})

    def save(self, path: str | Path, *, resolved: bool = False) -> None:
        """Writes the set fields (all fields with ``resolved=True``) as JSON or
        YAML according to the suffix."""
        p = Path(path)
        data = (self.resolved() if resolved else self).to_kwargs()
        if p.suffix.lower() in (".yaml", ".yml"):
            p.write_text(_yaml().safe_dump(data, sort_keys=False), encoding="utf-8")
        elif p.suffix.lower() == ".json":
            p.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        else:
            raise ConfigError(f"TicketRouting: cannot save config to {str(p)!r}; expected a .json, .yaml or .yml file")


def _yaml() -> Any:
    try:
        return importlib.import_module("yaml")
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError("YAML configs need PyYAML: pip install 'ferrogym[yaml]'") from e
