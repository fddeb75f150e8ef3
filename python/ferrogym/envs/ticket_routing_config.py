"""A typed view of TicketRouting's configuration, with YAML/JSON load/save.

The Rust struct ``TicketRoutingConfig`` (rust/core/src/envs/ticket_routing/
config.rs) is the source of truth: it holds the defaults (scenario presets)
and the validation. This dataclass names the fields for type checkers and
editors: every field but ``scenario`` defaults to ``None`` ("take the
scenario's value"); validation, ``resolved()`` and file load/save come from
:class:`~ferrogym.rust_config.RustEnvConfig`, and a test checks that the
fields here are exactly the Rust ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig

#: The scenario presets, as the Rust core names them (config.rs).
SCENARIOS: tuple[str, ...] = tuple(_core.TicketRoutingCore.names()["scenarios"])


@dataclass
class TicketRoutingConfig(RustEnvConfig):
    """TicketRouting arguments; ``None`` means "the scenario's value".

    The Rust doc comments (config.rs) give the meaning of each field;
    ``resolved()`` shows the values in effect.
    """

    _core_cls = _core.TicketRoutingCore

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
    service: str | None = None
    context_switch_penalty: float | None = None
    allow_hold: bool | None = None
    arrival_trace: list[list[float]] | None = None
