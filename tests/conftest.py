"""Shared fixtures: every registered ferrogym env id, with its config variants."""

from __future__ import annotations

import os
from typing import Any

# Windows (render_mode="human", the replay viewer) open on SDL's dummy driver:
# set before anything imports pygame.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

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
    "ferrogym/InventoryControl-v0": [
        {"demand_model": "negative_binomial", "seasonality": 0.5, "lead_time_jitter": 2},
        {"shortage": "lost_sales", "lead_time": 1, "horizon": 30, "initial_stock": 0},
    ],
    "ferrogym/CustomerSupport-v0": [
        {"scenario": "fraud_report"},
        # A queue that is often full: escalate masked, or falling back.
        {"industries": ["tech"], "escalation_capacity": 1, "escalation_arrival": 0.9, "upset_share": 0.9},
        {"escalation_capacity": 1, "escalation_arrival": 0.9, "invalid_action": "fallback", "sentiment_noise": 0.0},
    ],
    "ferrogym/ConnectFour-v0": [
        {"opponent": "greedy", "first": "random"},
        {"opponent": "minimax", "depth": 2, "first": "opponent"},
        {"opponent": "none"},  # two-player mode
        {"invalid_action": "fallback"},
    ],
}

CASES: list[tuple[str, dict[str, Any]]] = [(e.id, kw) for e in ferrogym.ENVS for kw in [{}, *VARIANTS.get(e.id, [])]]
CASE_IDS = [f"{i}{'-' + '-'.join(f'{k}={v}' for k, v in kw.items()) if kw else ''}"[:80] for i, kw in CASES]
ENV_IDS = [e.id for e in ferrogym.ENVS]
#: Ids with a Discrete action space (batteries of integer actions); Box-action
#: envs have their own bad-input tests (tests/test_pendulum.py, test_point_mass.py).
DISCRETE_IDS = [i for i in ENV_IDS if isinstance(gym.make(i).action_space, gym.spaces.Discrete)]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param  # type: ignore[no-any-return]


def valid_action(env: gym.Env[Any, Any], action: int) -> Any:
    """An action the env accepts, chosen by the integer ``action``: for a
    Discrete space ``action`` itself (modulo n), or the first valid one where
    the env's mask forbids it (masked envs reject masked actions by design);
    for a Box space the low end, middle or high end (``action % 3``) of every
    finite range."""
    space = env.action_space
    if isinstance(space, gym.spaces.Box):
        low = np.where(np.isfinite(space.low), space.low, -1.0)
        high = np.where(np.isfinite(space.high), space.high, 1.0)
        return (low + (high - low) * (action % 3) / 2).astype(space.dtype)
    assert isinstance(space, gym.spaces.Discrete)
    action = int(space.start + (action - space.start) % space.n)
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None:
        return action
    allowed = np.asarray(masks(), dtype=bool)
    return action if allowed[action] else int(allowed.argmax())


def sample_action(env: gym.Env[Any, Any]) -> Any:
    """A random action the env accepts now (respecting a Discrete space's mask)."""
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None or not isinstance(env.action_space, gym.spaces.Discrete):
        return env.action_space.sample()
    return env.action_space.sample(mask=np.asarray(masks(), dtype=np.int8))


def plain(obs: Any) -> Any:
    """An observation as plain comparable data (arrays to lists, tuples kept)."""
    if isinstance(obs, tuple):
        return tuple(plain(part) for part in obs)
    return obs.tolist() if isinstance(obs, np.ndarray) else obs


def rollout(env: gym.Env[Any, Any], seed: int, steps: int) -> list[tuple[Any, ...]]:
    """Observations, rewards and flags of `steps` seeded random steps, resetting on episode end."""
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    out: list[tuple[Any, ...]] = [(plain(obs),)]
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(sample_action(env))
        out.append((plain(obs), reward, terminated, truncated))
        if terminated or truncated:
            obs, _ = env.reset()
            out.append((plain(obs),))
    return out
