"""The algorithm registry: the one vocabulary of ``ferrogym train --algo``,
the dashboard's training form and the ``algo`` field of a saved model.

Every algorithm saves an SB3-format ``model.zip`` (``batch-ppo`` trains a
MaskablePPO network with its own loop, :mod:`ferrogym.training.batch_ppo`;
``rollout-pi`` fits the engineer scorer of one to planner labels,
:mod:`ferrogym.training.rollout_pi`), so one loader serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from ferrogym.errors import ConfigError


@dataclass(frozen=True)
class Algorithm:
    """A training algorithm ferrogym offers: its SB3 class, whether it takes action masks, the spaces it takes."""

    name: str
    #: The SB3 class that saves and loads the model: (module, class).
    sb3_class: tuple[str, str]
    #: Takes the env's action masks (a masked env's invalid actions are never chosen).
    masked: bool
    #: Action spaces it takes.
    spaces: tuple[type[gym.Space[Any]], ...]
    summary: str
    #: Env ids it trains on (empty: any env with a fitting action space).
    envs: tuple[str, ...] = ()
    #: Policy architectures it trains (empty: any of :data:`ARCHS`).
    archs: tuple[str, ...] = ()

    def model_class(self) -> Any:
        """The SB3 class; a clear message when the ``sb3`` extra is missing."""
        from ferrogym.extras import require

        module, cls = self.sb3_class
        return getattr(require(module, "sb3", self.name), cls)


_DISCRETE = (gym.spaces.Discrete,)
_ANY = (gym.spaces.Discrete, gym.spaces.Box, gym.spaces.MultiDiscrete, gym.spaces.MultiBinary)
_MASKABLE = ("sb3_contrib", "MaskablePPO")

#: Algorithms by name, in listing order.
ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "batch-ppo",
            _MASKABLE,
            True,
            _DISCRETE,
            "masked PPO over hundreds of Rust sub-envs, large minibatches (ferrogym's own loop)",
        ),
        Algorithm("maskable-ppo", _MASKABLE, True, _DISCRETE, "sb3-contrib MaskablePPO"),
        Algorithm("ppo", ("stable_baselines3", "PPO"), False, _ANY, "Stable-Baselines3 PPO"),
        Algorithm("a2c", ("stable_baselines3", "A2C"), False, _ANY, "Stable-Baselines3 A2C"),
        Algorithm("dqn", ("stable_baselines3", "DQN"), False, _DISCRETE, "Stable-Baselines3 DQN"),
        Algorithm(
            "rollout-pi",
            _MASKABLE,
            True,
            _DISCRETE,
            "rollout policy iteration: the engineer scorer fitted to planner labels under common random numbers",
            envs=("ferrogym/TicketRouting-v0",),
            archs=("scorer",),
        ),
    )
}
MASKED_ALGOS = frozenset(a.name for a in ALGORITHMS.values() if a.masked)
#: Policy networks: a flat MLP over the observation, or one shared network per
#: engineer row (:mod:`ferrogym.policies.engineer_scorer`, masked algorithms only).
ARCHS = ("mlp", "scorer")


def algorithm(name: str) -> Algorithm:
    """The algorithm called ``name``; a ConfigError listing the choices otherwise."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise ConfigError(f"unknown algorithm {name!r}; expected one of {', '.join(ALGORITHMS)}") from None


def check_fits(
    name: str, action_space: gym.Space[Any], masked_env: bool, env_id: str, arch: str = "mlp", fallback: bool = False
) -> Algorithm:
    """The algorithm, after checking it can train on ``env_id``: its action
    space, whether the env masks actions (``masked_env``; a masked algorithm
    needs a mask, an unmasked one needs the env's ``invalid_action='fallback'``,
    ``fallback``) and the architecture. A ConfigError naming the algorithms
    that fit otherwise. Runs before any training."""
    algo = algorithm(name)
    if arch not in ARCHS:
        raise ConfigError(f"unknown policy architecture {arch!r}; expected one of {', '.join(ARCHS)}")

    def why_not(a: Algorithm) -> str | None:
        if a.envs and env_id not in a.envs:
            return f"{a.name} trains only {', '.join(a.envs)}, not {env_id}"
        if a.archs and arch not in a.archs:
            return f"{a.name} trains the {' or '.join(a.archs)} architecture (--policy-arch), not {arch}"
        if not isinstance(action_space, a.spaces):
            return f"{a.name} takes no {type(action_space).__name__} action space"
        if a.masked and not masked_env:
            return f"{a.name} needs an env that masks actions; {env_id} does not"
        if masked_env and not a.masked and not fallback:
            return f"{env_id} masks actions and {a.name} takes no masks (unless invalid_action='fallback')"
        if arch != "mlp" and not a.masked:
            return f"the {arch} architecture needs a masked algorithm, not {a.name}"
        return None

    reason = why_not(algo)
    if reason is not None:
        fits = [a.name for a in ALGORITHMS.values() if why_not(a) is None]
        raise ConfigError(f"{reason}; algorithms that fit {env_id}: {', '.join(fits) or 'none'}")
    return algo
