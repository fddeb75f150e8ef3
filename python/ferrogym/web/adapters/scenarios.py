"""Named scenarios the Scenarios page runs.

An env offers scenarios when its ``<env module>_config`` module, or else its
env module, has a ``SCENARIOS`` tuple and its config takes ``scenario=``:
TicketRouting's staffing presets and CustomerSupport's named conversations.
Sources that follow another convention add their table to :data:`EXTRA`.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from ferrogym.envs import ENVS


@dataclass(frozen=True)
class Scenario:
    """A named, ready-made situation the dashboard can open: an env id, its config and what it shows."""

    name: str
    env_id: str
    kind: str
    description: str
    config: dict[str, Any] = field(default_factory=dict)


#: Scenarios from sources that do not follow the ``SCENARIOS`` convention.
EXTRA: tuple[Scenario, ...] = ()

_SUMMARY_FIELDS = ("n_engineers", "arrivals_per_day", "episode_days", "specialist_share")


TIERS = ("standard", "premium", "VIP")


def _describe_conversation(env_id: str, name: str) -> str:
    """The customer a named conversation starts with (its reset state)."""
    from ferrogym.envs.customer_support import INDUSTRIES, INQUIRIES

    env = gym.make(env_id, scenario=name, disable_env_checker=True)
    try:
        env.reset(seed=0)
        st = env.unwrapped.get_state()  # type: ignore[attr-defined]
    finally:
        env.close()
    mood = "upset" if st["sentiment"] < -0.2 else "calm"
    return (
        f"{INDUSTRIES[st['industry']]} {INQUIRIES[st['inquiry']]}, {TIERS[st['tier']]} customer, {mood} "
        f"(sentiment {st['sentiment']:+.2f}), urgency {st['urgency']:.2f}"
    )


def _describe(module: Any, name: str, env_id: str) -> str:
    cfg_cls = next(
        (
            v
            for k, v in vars(module).items()
            if k.endswith("Config") and isinstance(v, type) and v.__module__ == module.__name__
        ),
        None,
    )
    if cfg_cls is not None and cfg_cls.__name__ == "CustomerSupportConfig":
        return _describe_conversation(env_id, name)
    if cfg_cls is None or not hasattr(cfg_cls, "resolved"):
        return name
    resolved = cfg_cls(scenario=name).resolved()
    parts = [f"{f.replace('_', ' ')} {getattr(resolved, f)}" for f in _SUMMARY_FIELDS if hasattr(resolved, f)]
    return ", ".join(parts)


def _scenario_module(module_name: str) -> Any:
    for name in (f"{module_name}_config", module_name):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "SCENARIOS", None):
            return module
    return None


@functools.cache
def scenarios() -> tuple[Scenario, ...]:
    """Every scenario (built once: descriptions make and reset envs)."""
    out: list[Scenario] = []
    for entry in ENVS:
        module = _scenario_module(entry.module)
        if module is None:
            continue
        kind = entry.cls
        for name in module.SCENARIOS:
            out.append(
                Scenario(f"{kind}:{name}", entry.id, kind, _describe(module, name, entry.id), {"scenario": name})
            )
    return (*out, *EXTRA)


def get(name: str) -> Scenario | None:
    """Returns the scenario called ``name``, or None."""
    return next((s for s in scenarios() if s.name == name), None)
