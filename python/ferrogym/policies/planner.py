"""The rollout planner and the information oracle as dispatch policies.

Both run in Rust (``ferrogym._core.TicketRoutingPlanner``; the algorithm is
described in ``rust/core/src/envs/ticket_routing/planner.rs``): at each
decision every candidate engineer (the base rule's choice and the next best
by expected completion) is tried on copies of the desk whose future is
re-sampled, K samples per candidate with common random numbers, each played
forward under the base rule (``sed``, or a tuned ``lp-sed``,
``weighted-sed`` or ``sed-hold``; holding is a candidate where allowed);
the planner leaves the base rule's choice only when a candidate's paired
saving in weighted waiting exceeds ``z`` standard errors.
The planner re-draws the work of every unassigned ticket (the router cannot
see it); the oracle keeps the true work, an upper reference nobody can deploy.

Unlike the rules, a planner needs the env itself, not only the observation:
:meth:`RolloutPlanner.bind` gives it the env (``run_policy`` binds policies
that have ``bind``) before the first decision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ferrogym import _core
from ferrogym.errors import ConfigError
from ferrogym.policies.base import BoolArray, FloatArray, IntArray, Policy
from ferrogym.policies.heuristics import ShortestExpectedDelayPolicy
from ferrogym.policies.stronger import LpSedPolicy, SedHoldPolicy, WeightedSedPolicy
from ferrogym.spaces import ObsSlice


def rollout_rule(base: Policy | None) -> dict[str, Any]:
    """The Rust base rule (``plan``, ``slack``, ``c``, ``hold_minutes``) that
    plays ``base``: ``sed`` (None), ``lp-sed``, ``weighted-sed`` or ``sed-hold``."""
    if base is None or isinstance(base, ShortestExpectedDelayPolicy):
        return {}
    if isinstance(base, LpSedPolicy):
        return {"plan": base.plan.ravel().tolist(), "slack": base.params["slack"]}
    if isinstance(base, WeightedSedPolicy):
        return {"c": base.params["c"]}
    if isinstance(base, SedHoldPolicy):
        return {"hold_minutes": base.params["threshold"]}
    raise ConfigError(
        f"planner: no rollout rule for base policy {base.name!r}; expected sed, lp-sed, weighted-sed or sed-hold"
    )


class RolloutPlanner(Policy):
    """Rollout planner: keeps the base rule's choice unless another engineer is clearly better on simulated futures.

    The ``candidates`` are the base choice and the next engineers by expected completion. Each is tried
    on ``samples`` futures re-sampled from what the router knows (the same futures for every candidate),
    played forward under ``base`` (sed by default) for ``horizon_minutes`` (a rollout cut before the
    episode's end pays what the end would charge for the work it leaves open); the planner departs from the
    base choice only when a candidate's mean paired saving exceeds ``z`` standard errors. Bind the env
    with ``bind(env)`` before the first decision.

    Raises:
        ConfigError: ``samples`` or ``candidates`` is not an integer >= 1.
    """

    name = "planner"
    summary = "rollouts of sed on re-sampled futures per candidate engineer (CRN), switch when clearly better"
    reveal_work: ClassVar[bool] = False
    holds = True

    def __init__(
        self,
        layout: Sequence[ObsSlice],
        seed: int | None = None,
        samples: int = 16,
        horizon_minutes: float = math.inf,
        candidates: int = 5,
        z: float = 1.0,
        base: Policy | None = None,
    ) -> None:
        for field, value in (("samples", samples), ("candidates", candidates)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ConfigError(f"{self.name}: invalid {field} {value!r}; expected an integer >= 1")
        self.knobs: dict[str, float] = {
            "samples": int(samples),
            "horizon_minutes": float(horizon_minutes),
            "candidates": int(candidates),
            "z": float(z),
        }
        self.base = "sed" if base is None else base.name
        self._planner = _core.TicketRoutingPlanner(
            int(samples), float(horizon_minutes), int(candidates), float(z), self.reveal_work, **rollout_rule(base)
        )
        self._env: Any = None
        super().__init__(layout, seed=seed)

    def bind(self, env: Any) -> None:
        """Plans on ``env``: a TicketRouting env (``gym.make``) or vector env."""
        core = getattr(getattr(env, "unwrapped", env), "_core", None)
        if not isinstance(core, (_core.TicketRoutingBatch, _core.TicketRoutingCore)):
            raise TypeError(f"{self.name} plans on a TicketRouting env or vector env, got {type(env).__name__}")
        self._env = core

    def _seeds(self, n: int) -> list[int]:
        base = 0 if self.seed is None else int(self.seed)
        return [(base + i) % 2**64 for i in range(n)]

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns the planned engineer for each observation of the bound env.

        Raises:
            RuntimeError: no env is bound.
            ValueError: the number of observations does not match the bound env or batch.
        """
        if self._env is None:
            raise RuntimeError(f"{self.name}: call bind(env) before the first decision")
        if isinstance(self._env, _core.TicketRoutingBatch):
            if self._env.num_envs != obs.shape[0]:
                raise ValueError(
                    f"{self.name}: {obs.shape[0]} observations but the bound batch has {self._env.num_envs}"
                )
            return np.asarray(self._env_decide_batch(), dtype=np.int64)
        if obs.shape[0] != 1:
            raise ValueError(f"{self.name}: a single env is bound but {obs.shape[0]} observations were given")
        return np.array([self._planner.decide(self._env, self._seeds(1)[0])], dtype=np.int64)

    def _env_decide_batch(self) -> Any:
        return self._planner.decide_batch(self._env, self._seeds(self._env.num_envs))


class InformationOracle(RolloutPlanner):
    """The planner given every unassigned ticket's true work: an upper reference, not deployable."""

    name = "oracle"
    summary = "the planner knowing every unassigned ticket's true work (an upper reference, not deployable)"
    reveal_work = True


PLANNERS: dict[str, type[RolloutPlanner]] = {p.name: p for p in (RolloutPlanner, InformationOracle)}
