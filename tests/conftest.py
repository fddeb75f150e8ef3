"""Shared fixtures: every registered ferrogym env id, with its config variants."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym

#: (env id, keyword arguments) pairs the battery runs over: every registered id
#: with its default config, plus variants that change spaces or dynamics.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "ferrogym/GridWorld-v0": [
        {"observation": "image"},
        {"layout": "four_rooms", "slip": 0.2},
        {"layout": "maze", "maze_size": 9, "random_start": True},
        {"map": "######\n#S..L#\n#.L.G#\n######", "slip": 0.1},
    ],
    "ferrogym/CustomerSupport-v0": [
        {"scenario": "fraud_report"},
        # A queue that is often full: escalate masked, or falling back.
        {"industries": ["tech"], "escalation_capacity": 1, "escalation_arrival": 0.9, "upset_share": 0.9},
        {"escalation_capacity": 1, "escalation_arrival": 0.9, "invalid_action": "fallback", "sentiment_noise": 0.0},
    ],
}

CASES: list[tuple[str, dict[str, Any]]] = [(e.id, kw) for e in ferrogym.ENVS for kw in [{}, *VARIANTS.get(e.id, [])]]
CASE_IDS = [f"{i}{'-' + '-'.join(f'{k}={v}' for k, v in kw.items()) if kw else ''}"[:80] for i, kw in CASES]
ENV_IDS = [e.id for e in ferrogym.ENVS]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param  # type: ignore[no-any-return]


def valid_action(env: gym.Env[Any, Any], action: int) -> int:
    """`action`, or the first valid one where the env's mask forbids it (envs
    with action masks reject masked actions by design)."""
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None:
        return action
    allowed = np.asarray(masks(), dtype=bool)
    return action if allowed[action] else int(allowed.argmax())


def sample_action(env: gym.Env[Any, Any]) -> Any:
    """A random action the env accepts now (respecting its mask)."""
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None:
        return env.action_space.sample()
    return env.action_space.sample(mask=np.asarray(masks(), dtype=np.int8))


def rollout(env: gym.Env[Any, Any], seed: int, steps: int) -> list[tuple[Any, ...]]:
    """Observations, rewards and flags of `steps` seeded random steps, resetting on episode end."""
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    out: list[tuple[Any, ...]] = [(obs.tolist(),)]
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(sample_action(env))
        out.append((obs.tolist(), reward, terminated, truncated))
        if terminated or truncated:
            obs, _ = env.reset()
            out.append((obs.tolist(),))
    return out
