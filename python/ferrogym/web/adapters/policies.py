"""Policies the dashboard can step an env with: ``policy(obs, mask) -> action``.

The TicketRouting dispatch heuristics are ``ferrogym.policies``; the
CustomerSupport baselines are ``ferrogym.policies.customer_support``;
``random`` (uniform over valid actions) exists for every env.

A policy may keep state within an episode (the support ``rule`` remembers
its last strategy). Such a policy has a ``reset()`` method, the episode-start
hook: whoever runs episodes with a policy calls :func:`start_episode` after
every ``env.reset``, which calls ``reset()`` on the policies that have one.
"""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym import policies as project_policies
from ferrogym.envs.customer_support import CustomerSupportEnv
from ferrogym.policies import customer_support as support


class PolicyFn(Protocol):
    """A policy as the dashboard calls it: ``policy(obs, mask) -> action``; ``mask`` is None for unmasked envs."""

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None, /) -> Any:
        """Returns the action for ``obs``, one that ``mask`` allows when a mask is given."""


def start_episode(policy: PolicyFn) -> None:
    """The episode-start hook: clears a stateful policy's per-episode state."""
    reset = getattr(policy, "reset", None)
    if callable(reset):
        reset()


class _Random:
    """Uniform over the valid actions (a seeded stream across episodes)."""

    def __init__(self, space: gym.Space[Any], seed: int | None) -> None:
        self.space = space
        self.rng = np.random.default_rng(seed)
        if seed is not None:
            space.seed(seed)

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> Any:
        if mask is not None:
            return int(self.rng.choice(np.flatnonzero(mask)))
        if isinstance(self.space, gym.spaces.Discrete):
            return int(self.space.start + self.rng.integers(self.space.n))
        sample = self.space.sample()
        return sample.tolist() if isinstance(sample, np.ndarray) else sample


class _Dispatch:
    """A TicketRouting heuristic; no mask (an env between episodes) means every slot is valid."""

    def __init__(self, policy: project_policies.Policy, n: int) -> None:
        self.policy = policy
        self.all_valid = np.ones(n, dtype=np.bool_)

    def reset(self) -> None:
        self.policy.reset()

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> int:
        return int(self.policy(obs, self.all_valid if mask is None else mask))


class _Support:
    """A CustomerSupport baseline; these also see the env (the greedy oracle reads its hidden state)."""

    def __init__(self, policy: support.Policy, env: CustomerSupportEnv) -> None:
        self.policy = policy
        self.env = env
        self.all_valid = np.ones(int(env.action_space.n), dtype=np.bool_)  # type: ignore[attr-defined]

    def reset(self) -> None:
        self.policy.reset()

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> int:
        return int(self.policy(np.asarray(obs, dtype=np.float32), self.all_valid if mask is None else mask, self.env))


def source() -> str:
    """Returns the module the dashboard's heuristics come from."""
    return "ferrogym.policies"


def _dispatch(env: gym.Env[Any, Any]) -> bool:
    """Envs with an engineers table take the dispatch heuristics."""
    return any(s.name == "engineers" for s in getattr(env.unwrapped, "obs_layout", ()))


def _support(env: gym.Env[Any, Any]) -> bool:
    return isinstance(env.unwrapped, CustomerSupportEnv)


def policy_names(env: gym.Env[Any, Any]) -> list[str]:
    """Returns the policies the dashboard can run on ``env``: ``random`` first, then the env's baselines."""
    if _support(env):
        return ["random", *(n for n in support.BASELINES if n != "random")]
    if _dispatch(env):
        return ["random", *(n for n in project_policies.POLICIES if n != "random")]
    return ["random"]


def heuristic_names(env: gym.Env[Any, Any]) -> list[str]:
    """Baselines an evaluation compares a model with."""
    return policy_names(env)


def make_policy(name: str, env: gym.Env[Any, Any], seed: int | None = None) -> PolicyFn:
    """Returns the policy ``name`` for ``env``, seeded with ``seed`` where it draws at random.

    Raises:
        ValueError: ``name`` is not one of :func:`policy_names` for this env.
    """
    names = policy_names(env)
    if name not in names:
        raise ValueError(f"unknown policy {name!r} for {env.spec.id if env.spec else env}; expected one of {names}")
    if name == "random":
        return _Random(env.action_space, seed)
    if _support(env):
        assert isinstance(env.unwrapped, CustomerSupportEnv)
        return _Support(support.BASELINES[name](), env.unwrapped)
    layout = tuple(env.unwrapped.obs_layout)  # type: ignore[attr-defined]
    return _Dispatch(project_policies.make_policy(name, layout, seed=seed), int(env.action_space.n))  # type: ignore[attr-defined]
