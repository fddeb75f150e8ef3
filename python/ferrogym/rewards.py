"""Rewards as strategies: named, weighted terms summed into one reward, each
term reported in ``info["reward_components"]``, and potential-based shaping
(Ng, Harada & Russell, 1999) as a wrapper for any env.

    reward_fn = Sum(
        Term("sales", lambda env, action: env.state.sold * env.config.price),
        Term("holding", lambda env, action: env.state.stock, weight=-0.1),
    )

A term is ``fn(env, action) -> float``; it reads the env's state after the
transition. Components are reported weighted, so they add up to the reward.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any

import gymnasium as gym

from ferrogym.errors import ConfigError, HookError

TermFn = Callable[[Any, Any], float]


@dataclass(frozen=True)
class Term:
    """One named, weighted reward term: ``weight * fn(env, action)``."""

    name: str
    fn: TermFn
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"reward Term: invalid name {self.name!r}; expected a non-empty string")
        if not callable(self.fn):
            raise ConfigError(f"reward Term {self.name!r}: fn {self.fn!r} is not callable; expected fn(env, action)")
        if isinstance(self.weight, bool) or not isinstance(self.weight, Real) or not math.isfinite(self.weight):
            raise ConfigError(f"reward Term {self.name!r}: invalid weight {self.weight!r}; expected a finite number")

    def __call__(self, env: Any, action: Any) -> float:
        """Returns ``weight * fn(env, action)``.

        Raises:
            HookError: ``fn`` returned something other than a finite real number.
        """
        value = self.fn(env, action)
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
            raise HookError(
                f"{type(env).__name__}: reward term {self.name!r} returned {value!r} of type "
                f"{type(value).__name__}; expected a finite real number"
            )
        return float(self.weight) * float(value)


class Sum:
    """The reward is the sum of its terms; names must be unique."""

    def __init__(self, *terms: Term) -> None:
        if not terms:
            raise ConfigError("reward Sum: needs at least one Term")
        names: set[str] = set()
        for t in terms:
            if not isinstance(t, Term):
                raise ConfigError(f"reward Sum: {t!r} is not a ferrogym.rewards.Term")
            if t.name in names:
                raise ConfigError(f"reward Sum: two terms are named {t.name!r}; names must be unique")
            names.add(t.name)
        self.terms: tuple[Term, ...] = terms

    def evaluate(self, env: Any, action: Any) -> tuple[float, dict[str, float]]:
        """Returns ``(reward, {term name: weighted value})``."""
        components = {t.name: t(env, action) for t in self.terms}
        return math.fsum(components.values()), components

    def __call__(self, env: Any, action: Any) -> float:
        """Returns the total reward of the terms for ``action``."""
        return self.evaluate(env, action)[0]

    def __repr__(self) -> str:
        return "Sum(" + ", ".join(f"{t.name}*{t.weight:g}" for t in self.terms) + ")"


Potential = Callable[[Any], float]


class PotentialShaping(gym.Wrapper[Any, Any, Any, Any]):
    """Adds ``F = gamma * phi(s') - phi(s)`` to every reward.

    Ng et al. (1999) prove that shaping of this form, and only this form,
    keeps the optimal policies of every MDP: along any episode the shaping
    telescopes, so the discounted shaped return is the original one minus
    ``phi(s0)``, a constant for the policy. ``gamma`` must be the discount the
    agent uses. ``phi`` of a terminal state is taken as 0 (a truncated episode
    is not terminal, so its last state keeps its potential).

    ``phi`` sees observations, so this works on any env, Rust ones included.
    The reward components are reported in ``info["reward_components"]`` as
    ``env`` (or the env's own components) plus ``shaping``.
    """

    gamma: float
    potential: Potential

    def __init__(self, env: gym.Env[Any, Any], potential: Potential, gamma: float = 0.99) -> None:
        super().__init__(env)
        if not callable(potential):
            raise ConfigError(f"PotentialShaping: potential {potential!r} is not callable; expected phi(obs) -> float")
        if isinstance(gamma, bool) or not isinstance(gamma, Real) or not 0.0 < float(gamma) <= 1.0:
            raise ConfigError(f"PotentialShaping: invalid gamma {gamma!r}; expected a number in (0, 1]")
        self.potential = potential
        self.gamma = float(gamma)
        self._last_phi: float | None = None

    def _phi(self, obs: Any) -> float:
        value = self.potential(obs)
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
            raise HookError(f"PotentialShaping: potential returned {value!r}; expected a finite real number")
        return float(value)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets the env and remembers the potential of the first observation."""
        obs, info = self.env.reset(seed=seed, options=options)
        self._last_phi = self._phi(obs)
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Steps the env and adds ``gamma * phi(next) - phi(current)`` to the reward.

        The potential of a terminal state counts as 0; the shaping term appears in
        ``info["reward_components"]["shaping"]``.

        Raises:
            ResetNeeded: called before ``reset``.
        """
        if self._last_phi is None:
            raise gym.error.ResetNeeded("PotentialShaping: call reset() before step()")
        obs, reward, terminated, truncated, info = self.env.step(action)
        phi_next = 0.0 if terminated else self._phi(obs)
        shaping = self.gamma * phi_next - self._last_phi
        self._last_phi = phi_next
        components = dict(info.get("reward_components", {"env": float(reward)}))
        components["shaping"] = shaping
        info = {**info, "reward_components": components}
        return obs, float(reward) + shaping, terminated, truncated, info
