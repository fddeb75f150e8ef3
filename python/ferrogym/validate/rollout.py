"""Seeded random rollouts shared by the checks."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
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
        """Returns a random action, drawn among the allowed ones when the env has an action mask."""
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


class _MaskedDiscrete(spaces.Discrete):
    """A Discrete space whose ``sample()`` draws only what the env's current
    mask allows, for third-party checkers that sample blindly."""

    def __init__(self, space: spaces.Discrete, masks: Callable[[], Any]) -> None:
        super().__init__(int(space.n), start=int(space.start))
        self._np_random = space.np_random
        self._masks = masks

    def sample(self, mask: Any = None, probability: Any = None) -> np.int64:
        if mask is None and probability is None:
            allowed = np.asarray(self._masks(), dtype=np.int8)
            if allowed.any():
                return super().sample(mask=allowed)
        return super().sample(mask=mask, probability=probability)

    def __deepcopy__(self, memo: dict[int, Any]) -> spaces.Discrete:
        # A copy must not drag the env along through the bound mask method.
        plain = spaces.Discrete(int(self.n), start=int(self.start))
        plain._np_random = copy.deepcopy(self._np_random, memo)
        return plain


@contextlib.contextmanager
def masked_sampling(env: gym.Env[Any, Any]) -> Iterator[gym.Env[Any, Any]]:
    """While inside, ``env.action_space.sample()`` respects ``action_masks()``
    (for envs that offer masks over a Discrete space). The env itself still
    rejects invalid actions: only the sampling changes."""
    base = env.unwrapped
    masks = getattr(base, "action_masks", None)
    original = base.action_space
    if not (callable(masks) and isinstance(original, spaces.Discrete)):
        yield env
        return
    base.action_space = _MaskedDiscrete(original, masks)
    try:
        yield env
    finally:
        base.action_space = original


def batch_masks(envs: Any) -> Any:
    """The ``(num_envs, n)`` action masks of a batch, or None when it has none:
    a native batch offers ``action_masks()``; Gymnasium's vector envs (the
    SyncVectorEnv peer) ask each sub-env."""
    masks = getattr(envs, "action_masks", None)
    if callable(masks):
        return np.asarray(masks(), dtype=bool)
    if isinstance(envs, gym.vector.SyncVectorEnv) and all(
        callable(getattr(e.unwrapped, "action_masks", None)) for e in envs.envs
    ):
        return np.asarray(envs.call("action_masks"), dtype=bool)
    return None


def valid_batch_actions(envs: Any, actions: Any) -> Any:
    """``actions`` for a batched env, each replaced by the sub-env's first
    valid action where its mask forbids it (batches without masks: unchanged)."""
    allowed = batch_masks(envs)
    if allowed is None or allowed.ndim != 2 or allowed.shape[1] == 0:  # no Discrete actions (Box): nothing to mask
        return actions
    proposed = np.asarray(actions, dtype=np.int64)
    ok = allowed[np.arange(len(proposed)), proposed]
    return np.where(ok, proposed, allowed.argmax(axis=1))


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
    """Returns ``value`` as text of at most 60 characters, for messages."""
    text = np.array2string(value, threshold=8) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def close_quietly(env: Any) -> None:
    """Closes ``env``, ignoring any error (Gymnasium's check reports a broken ``close``)."""
    with contextlib.suppress(Exception):  # a broken close() is reported by Gymnasium's check, not here
        env.close()
