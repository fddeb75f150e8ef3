"""Named scenarios the Scenarios page runs.

An env offers scenarios when its ``<env module>_config`` module has a
``SCENARIOS`` tuple and its config takes ``scenario=`` (TicketRouting's
presets on main). The customer-support simulator (branch support) appears
here once it follows the same convention; otherwise add its table to
:data:`EXTRA`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from ferrogym.envs import ENVS


@dataclass(frozen=True)
class Scenario:
    name: str
    env_id: str
    kind: str
    description: str
    config: dict[str, Any] = field(default_factory=dict)


#: Scenarios from sources that do not follow the ``SCENARIOS`` convention.
EXTRA: tuple[Scenario, ...] = ()

_SUMMARY_FIELDS = ("n_engineers", "arrivals_per_day", "episode_days", "specialist_share")


def _describe(module: Any, name: str) -> str:
    cfg_cls = next((v for k, v in vars(module).items() if k.endswith("Config") and isinstance(v, type)), None)
    if cfg_cls is None or not hasattr(cfg_cls, "resolved"):
        return name
    resolved = cfg_cls(scenario=name).resolved()
    parts = [f"{f.replace('_', ' ')} {getattr(resolved, f)}" for f in _SUMMARY_FIELDS if hasattr(resolved, f)]
    return ", ".join(parts)


def scenarios() -> list[Scenario]:
    out: list[Scenario] = []
    for entry in ENVS:
        try:
            module = importlib.import_module(f"{entry.module}_config")
        except ImportError:
            continue
        kind = entry.cls
        for name in getattr(module, "SCENARIOS", ()):
            out.append(Scenario(f"{kind}:{name}", entry.id, kind, _describe(module, name), {"scenario": name}))
    return out + list(EXTRA)


def get(name: str) -> Scenario | None:
    return next((s for s in scenarios() if s.name == name), None)
