"""Turn-by-turn transcripts of conversational envs (the Scenarios page).

A transcript row says what the agent did (the strategy's name), what it
could see afterwards (the observation's noisy estimates, read by name from
``obs_layout``), the reward with its components, and how the conversation
ended on its last turn. Envs without a transcript here get none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.envs.customer_support import STRATEGIES, CustomerSupportEnv

#: Observation slices a support transcript shows (all estimates the agent sees, not the hidden truth).
OBSERVED = ("sentiment", "progress", "patience")
#: ``info["outcome"]`` flags, in the order an ending is named.
ENDINGS = ("resolved", "abandoned", "escalated")


def has_transcript(env: gym.Env[Any, Any]) -> bool:
    """Returns whether ``env`` keeps a conversation transcript (CustomerSupport)."""
    return isinstance(env.unwrapped, CustomerSupportEnv)


def action_labels(env: gym.Env[Any, Any]) -> list[str] | None:
    """Names of the discrete actions, where the env has them."""
    return list(STRATEGIES) if isinstance(env.unwrapped, CustomerSupportEnv) else None


def ending(info: Mapping[str, Any], terminated: bool, truncated: bool) -> str | None:
    """How the episode ended, or None while it runs."""
    if not (terminated or truncated):
        return None
    outcome = info.get("outcome", {})
    for name in ENDINGS:
        if float(outcome.get(name, 0.0)) > 0:
            return name
    return "turn limit" if truncated else "ended"


def turn(
    env: gym.Env[Any, Any],
    step: int,
    action: Any,
    obs: Any,
    reward: float,
    components: Mapping[str, float],
    info: Mapping[str, Any],
    terminated: bool,
    truncated: bool,
) -> dict[str, Any]:
    """One transcript row for the step that just happened."""
    labels = action_labels(env) or []
    flat = np.asarray(obs, dtype=np.float64).ravel()
    observed = {
        s.name: float(s.of(flat).ravel()[0]) for s in getattr(env.unwrapped, "obs_layout", ()) if s.name in OBSERVED
    }
    a = int(action) if np.ndim(action) == 0 else None
    return {
        "turn": step,
        "action": a,
        "label": labels[a] if a is not None and 0 <= a < len(labels) else str(action),
        "observed": observed,
        "reward": float(reward),
        "reward_components": dict(components),
        "ending": ending(info, terminated, truncated),
    }
