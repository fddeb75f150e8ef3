"""Policies the dashboard can step an env with: ``policy(obs, mask) -> action``.

The TicketRouting dispatch heuristics are ``ferrogym.policies``; ``random``
(uniform over valid actions) exists for every env.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym import policies as project_policies

PolicyFn = Callable[[NDArray[Any], NDArray[np.bool_] | None], Any]


def _random(space: gym.Space[Any], seed: int | None) -> PolicyFn:
    rng = np.random.default_rng(seed)

    def act(obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> Any:
        if mask is not None:
            return int(rng.choice(np.flatnonzero(mask)))
        if isinstance(space, gym.spaces.Discrete):
            return int(space.start + rng.integers(space.n))
        sample = space.sample()
        return sample.tolist() if isinstance(sample, np.ndarray) else sample

    return act


def source() -> str:
    return "ferrogym.policies"


def _dispatch(env: gym.Env[Any, Any]) -> bool:
    """Envs with an engineers table take the dispatch heuristics."""
    return any(s.name == "engineers" for s in getattr(env.unwrapped, "obs_layout", ()))


def policy_names(env: gym.Env[Any, Any]) -> list[str]:
    if not _dispatch(env):
        return ["random"]
    return ["random", *(n for n in project_policies.POLICIES if n != "random")]


def heuristic_names(env: gym.Env[Any, Any]) -> list[str]:
    """Baselines an evaluation compares a model with."""
    return policy_names(env)


def make_policy(name: str, env: gym.Env[Any, Any], seed: int | None = None) -> PolicyFn:
    names = policy_names(env)
    if name not in names:
        raise ValueError(f"unknown policy {name!r} for {env.spec.id if env.spec else env}; expected one of {names}")
    if not _dispatch(env):
        return _random(env.action_space, seed)
    policy = project_policies.make_policy(name, tuple(env.unwrapped.obs_layout), seed=seed)  # type: ignore[attr-defined]
    all_valid = np.ones(int(env.action_space.n), dtype=np.bool_)  # type: ignore[attr-defined]
    # No mask (an env between episodes) means every action is allowed.
    return lambda obs, mask: int(policy(obs, all_valid if mask is None else mask))
