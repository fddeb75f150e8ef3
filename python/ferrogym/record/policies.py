"""Policies for ``ferrogym record --policy``: built-in names or ``module:attr``.

A policy is called as ``policy(obs, env) -> action``; an object with SB3's
``predict(obs, deterministic=True)`` also works (and gets ``action_masks`` when
the env has them, as sb3-contrib's MaskablePPO expects).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.errors import ConfigError

Policy = Callable[[Any, gym.Env[Any, Any]], Any]


def _masks(env: gym.Env[Any, Any]) -> np.ndarray[Any, Any] | None:
    get = getattr(env.unwrapped, "action_masks", None)
    return None if get is None else np.asarray(get())


def random_policy(seed: int | None = None) -> Policy:
    """Uniform over the valid actions (the action mask, when the env has one)."""
    rng = np.random.default_rng(seed)

    def act(obs: Any, env: gym.Env[Any, Any]) -> Any:
        mask = _masks(env)
        if mask is not None and isinstance(env.action_space, gym.spaces.Discrete):
            return int(rng.choice(np.flatnonzero(mask)))
        env.action_space.seed(int(rng.integers(2**31)))
        return env.action_space.sample()

    return act


def first_valid(obs: Any, env: gym.Env[Any, Any]) -> Any:
    """The lowest valid action (a fixed rule, handy as a baseline)."""
    mask = _masks(env)
    return 0 if mask is None else int(np.flatnonzero(mask)[0])


def least_loaded(obs: Any, env: gym.Env[Any, Any]) -> Any:
    """TicketRouting dispatch rule: the valid engineer with the lowest load,
    ties to the most skilled for the ticket's type."""
    layout = {s.name: s for s in getattr(env.unwrapped, "obs_layout", ())}
    if "engineers" not in layout:
        raise ConfigError("policy least_loaded: needs TicketRouting's 'engineers' observation slice")
    e = layout["engineers"]
    m, f = e.shape
    rows = np.asarray(obs)[e.start : e.start + m * f].reshape(m, f)
    mask = _masks(env)
    valid = np.ones(m, dtype=bool) if mask is None else mask.astype(bool)
    score = rows[:, e.labels.index("load")] - 1e-3 * rows[:, e.labels.index("skill")]
    return int(np.flatnonzero(valid)[np.argmin(score[valid])])


BUILTIN = {"first_valid": first_valid, "least_loaded": least_loaded}


def load_policy(spec: str, seed: int | None = None) -> Policy:
    """``random``, a name in :data:`BUILTIN`, or ``package.module:attr``."""
    if spec == "random":
        return random_policy(seed)
    if spec in BUILTIN:
        return BUILTIN[spec]
    if ":" not in spec:
        raise ConfigError(f"invalid policy {spec!r}; expected 'random', one of {sorted(BUILTIN)} or 'module:attr'")
    module, attr = spec.split(":", 1)
    try:
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise ConfigError(f"invalid policy {spec!r}: {e}") from None
    if hasattr(obj, "predict"):
        model = obj

        def act(obs: Any, env: gym.Env[Any, Any]) -> Any:
            kw = {} if _masks(env) is None else {"action_masks": _masks(env)}
            action, _ = model.predict(obs, deterministic=True, **kw)
            return int(action) if isinstance(env.action_space, gym.spaces.Discrete) else action

        return act
    if not callable(obj):
        raise ConfigError(f"invalid policy {spec!r}: {attr} is neither callable nor has predict()")
    return obj  # type: ignore[no-any-return]
