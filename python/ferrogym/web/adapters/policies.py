"""Policies the dashboard can step an env with: ``policy(obs, mask) -> action``.

Uses ``ferrogym.policies`` (the TicketRouting heuristics) when it is installed;
otherwise a minimal built-in set that reads engineers by ``obs_layout`` column
name, to be replaced by ``ferrogym.policies`` when that package is merged.
``random`` (uniform over valid actions) exists for every env.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.spaces import ObsSlice
from ferrogym.web.adapters.optional import optional_module

PolicyFn = Callable[[NDArray[Any], NDArray[np.bool_] | None], Any]

#: The project module when installed (it lands from another branch), else None.
_project_policies: Any = optional_module("ferrogym.policies")


def _engineer_column(layout: tuple[ObsSlice, ...], obs: NDArray[Any], column: str) -> NDArray[Any] | None:
    for s in layout:
        if s.name == "engineers" and column in s.labels:
            return np.asarray(s.of(obs))[..., s.labels.index(column)]
    return None


def _argbest(values: NDArray[Any], mask: NDArray[np.bool_], lowest: bool) -> int:
    """The valid slot with the lowest (or highest) value; ties to the lowest slot."""
    scored = np.where(mask, values if lowest else -values, np.inf)
    return int(np.argmin(scored))


def _builtin(name: str, layout: tuple[ObsSlice, ...]) -> PolicyFn:
    column, lowest = {"least_loaded": ("load", True), "skill_greedy": ("skill", False)}[name]

    def act(obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> Any:
        values = _engineer_column(layout, obs, column)
        assert values is not None and mask is not None
        return _argbest(values, mask, lowest)

    return act


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
    return "ferrogym.policies" if _project_policies is not None else "ferrogym.web (built-in)"


def policy_names(env: gym.Env[Any, Any]) -> list[str]:
    """``random`` for every env; dispatch heuristics for envs with an engineers table."""
    layout = tuple(getattr(env.unwrapped, "obs_layout", ()))
    if not any(s.name == "engineers" for s in layout):
        return ["random"]
    if _project_policies is not None:
        return ["random", *(n for n in _project_policies.POLICIES if n != "random")]
    return ["random", "least_loaded", "skill_greedy"]


def heuristic_names(env: gym.Env[Any, Any]) -> list[str]:
    """Baselines an evaluation compares a model with."""
    return policy_names(env)


def make_policy(name: str, env: gym.Env[Any, Any], seed: int | None = None) -> PolicyFn:
    names = policy_names(env)
    if name not in names:
        raise ValueError(f"unknown policy {name!r} for {env.spec.id if env.spec else env}; expected one of {names}")
    layout = tuple(env.unwrapped.obs_layout)  # type: ignore[attr-defined]
    if _project_policies is not None and name in _project_policies.POLICIES:
        policy = _project_policies.make_policy(name, layout, seed=seed)
        return lambda obs, mask: int(policy(obs, mask))
    if name == "random":
        return _random(env.action_space, seed)
    return _builtin(name, layout)
