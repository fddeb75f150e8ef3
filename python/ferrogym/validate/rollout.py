"""Seeded random rollouts shared by the checks."""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils.env_checker import data_equivalence


class Fail(Exception):
    """A check found a problem (the message is the reason)."""


class Skip(Exception):
    """A check does not apply (the message says why)."""


@dataclass
class Trace:
    """Reset and step results in order: (kind, obs, reward, terminated, truncated)."""

    frames: list[tuple[str, Any, Any, Any, Any]] = field(default_factory=list)
    #: (length, terminated, truncated) of every finished episode.
    episodes: list[tuple[int, bool, bool]] = field(default_factory=list)


class ActionSampler:
    """Random valid actions from a private, seeded copy of the action space;
    respects ``action_masks()`` when the env offers it."""

    def __init__(self, env: gym.Env[Any, Any], seed: int) -> None:
        self.space = copy.deepcopy(env.action_space)
        self.space.seed(seed)
        masks = getattr(env.unwrapped, "action_masks", None)
        self.masks = masks if callable(masks) and isinstance(self.space, spaces.Discrete) else None

    def __call__(self) -> Any:
        if self.masks is not None:
            mask = np.asarray(self.masks(), dtype=np.int8)
            if mask.any():
                return self.space.sample(mask=mask)
        return self.space.sample()

    def fix(self, action: Any) -> Any:
        """``action`` if the mask allows it, else a valid one."""
        if self.masks is not None:
            mask = np.asarray(self.masks(), dtype=bool)
            if mask.any() and not mask[int(action) - int(self.space.start)]:  # type: ignore[attr-defined]
                return self()
        return action


def rollout(env: gym.Env[Any, Any], seed: int, steps: int) -> Trace:
    """``reset(seed=seed)``, then ``steps`` random steps, resetting (unseeded)
    when an episode ends."""
    trace = Trace()
    sample = ActionSampler(env, seed)
    obs, _ = env.reset(seed=seed)
    trace.frames.append(("reset", obs, None, None, None))
    length = 0
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(sample())
        length += 1
        trace.frames.append(("step", obs, reward, terminated, truncated))
        if terminated or truncated:
            trace.episodes.append((length, bool(terminated), bool(truncated)))
            obs, _ = env.reset()
            trace.frames.append(("reset", obs, None, None, None))
            length = 0
    return trace


def first_difference(a: Trace, b: Trace) -> str | None:
    """Where two traces first differ, in words (None when identical)."""
    names = ("kind", "observation", "reward", "terminated", "truncated")
    for i, (fa, fb) in enumerate(zip(a.frames, b.frames, strict=False)):
        for name, xa, xb in zip(names, fa, fb, strict=True):
            if not data_equivalence(xa, xb, exact=True):
                return f"frame {i} ({fa[0]}): {name} {short(xa)} vs {short(xb)}"
    if len(a.frames) != len(b.frames):
        return f"lengths differ: {len(a.frames)} vs {len(b.frames)} frames"
    return None


def short(value: Any) -> str:
    text = np.array2string(value, threshold=8) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def close_quietly(env: Any) -> None:
    with contextlib.suppress(Exception):  # a broken close() is reported by Gymnasium's check, not here
        env.close()
