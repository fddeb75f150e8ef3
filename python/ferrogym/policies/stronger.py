"""Stronger dispatch rules for TicketRouting: the baselines a learned router
or a planner must beat before anyone claims headroom over "the rules".

Unlike the 8 heuristics, these read facts about the team that a help-desk
manager knows but the observation does not spell out: the resolved config
(arrival rates, work content, priority weights) and the skill matrix
(:class:`Team`). Their knobs are tuned on training seeds by
``ferrogym tune`` and read from :data:`TUNED_PATH` (one home: the policies
read the tuned values from the file the tuning command writes).

- ``weighted-sed``: shortest expected delay plus a charge for the capacity a
  ticket uses, larger for light tickets: ``eta + c * service / weight``
  (``service`` = mean work of the ticket's type / the engineer's skill,
  ``weight`` = priority x tier weight). Heavy tickets go to the earliest
  finish; light ones to engineers they cost little time.
- ``lp-sed``: ``sed`` over the engineer-type pairs the static planning LP
  uses (Harrison & Lopez 1999: the steady split of each type's work over
  engineers that minimises the busiest engineer's utilisation), solved with
  SciPy's HiGHS. An engineer outside the plan is taken only when their
  expected completion is ``slack`` minutes sooner than the best planned one,
  or when no planned engineer is valid.
- ``sed-hold``: ``sed``, but where hold is allowed the ticket waits in the
  backlog when a present engineer who cannot take it now would finish it
  ``threshold`` minutes sooner.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from ferrogym.policies.base import BoolArray, FloatArray, IntArray, Policy, first_by_keys
from ferrogym.spaces import ObsSlice

#: Scale of the squashed minutes in the observation (``x / (x + 240)``).
SQUASH_MINUTES = 240.0
#: Where ``ferrogym tune`` writes the tuned knobs and the policies read them.
TUNED_PATH = Path(__file__).with_name("tuned.json")


def unsquash(x: FloatArray) -> FloatArray:
    """Minutes from an observed ``m / (m + 240)`` (1 maps to infinity)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        return np.where(x < 1.0, SQUASH_MINUTES * x / np.maximum(1.0 - x, 1e-300), np.inf)


@dataclass(frozen=True)
class Team:
    """What a manager knows about the desk: the resolved config and the
    skill of every engineer slot on every ticket type (absent slots 0)."""

    config: Mapping[str, Any]
    skills: NDArray[np.float64]

    @classmethod
    def of(cls, env: Any) -> Team:
        """From a TicketRouting env or vector env after a reset (its
        ``config`` and ``get_state``); the team must not change between
        episodes, since a plan is made for one team."""
        env = getattr(env, "unwrapped", env)
        config = dict(env.config.kwargs())
        for knob in ("resample_skills", "shuffle_slots"):
            if config.get(knob):
                raise ValueError(f"a team plan needs a fixed team, but {knob}=True")
        state = env.get_state(0) if hasattr(env, "num_envs") else env.get_state()
        skills = np.asarray([e["skill"] for e in state["engineers"]], dtype=np.float64)
        return cls(config, skills)

    @property
    def mean_work(self) -> NDArray[np.float64]:
        """Mean work content per type in minutes (lognormal: median * exp(sigma^2 / 2))."""
        median = np.asarray(self.config["work_median_minutes"], dtype=np.float64)
        sigma = np.asarray(self.config["work_sigma"], dtype=np.float64)
        return median * np.exp(sigma**2 / 2)

    @property
    def shift_minutes(self) -> NDArray[np.float64]:
        """Minutes on shift per day of every slot (absent slots 0)."""
        out = np.zeros(self.skills.shape[0])
        for i, (start, end) in enumerate(self.config["shifts"][: int(self.config["n_engineers"])]):
            out[i] = 60.0 * (end - start)
        return out


def static_plan(team: Team) -> tuple[NDArray[np.bool_], float]:
    """The engineer-type pairs the static planning LP uses, and its utilisation.

    Variables ``x[i, j]``: minutes per day engineer ``i`` spends on type ``j``.
    Each type's daily arrivals are served (``sum_i x[i, j] * skill[i, j] /
    mean_work[j] = rate[j]``); every engineer works at most ``rho`` of their
    shift (``sum_j x[i, j] <= rho * shift[i]``); minimise ``rho``.
    """
    skills, shift, mean_work = team.skills, team.shift_minutes, team.mean_work
    rate = float(team.config["arrivals_per_day"]) * np.asarray(team.config["type_probs"], dtype=np.float64)
    present = np.flatnonzero(shift > 0)
    n, k = present.size, rate.size
    # x flattened engineer-major, then rho last.
    cost = np.zeros(n * k + 1)
    cost[-1] = 1.0
    a_eq = np.zeros((k, n * k + 1))
    for col, i in enumerate(present):
        a_eq[:, col * k : (col + 1) * k] = np.diag(skills[i] / mean_work)
    a_ub = np.zeros((n, n * k + 1))
    for col, i in enumerate(present):
        a_ub[col, col * k : (col + 1) * k] = 1.0
        a_ub[col, -1] = -shift[i]
    result = linprog(cost, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=rate, method="highs")
    if not result.success:
        raise ValueError(f"the static planning LP has no solution: {result.message}")
    x = result.x[:-1].reshape(n, k)
    used = np.zeros_like(skills, dtype=np.bool_)
    used[present] = x > 1e-6 * max(float(x.max()), 1.0)
    return used, float(result.x[-1])


def tuned(name: str, scenario: str, path: Path = TUNED_PATH) -> dict[str, float]:
    """The tuned knobs of policy ``name`` on ``scenario`` (``{}`` when not tuned)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return dict(data.get("scenarios", {}).get(scenario, {}).get(name, {}))


class TeamPolicy(Policy):
    """A rule that also reads the :class:`Team`. ``params`` overrides the
    tuned knobs (class attributes are the untuned defaults)."""

    #: Knob names and the grid ``ferrogym tune`` searches.
    grid: ClassVar[dict[str, tuple[float, ...]]] = {}

    def __init__(self, layout: Sequence[ObsSlice], team: Team, seed: int | None = None, **params: float) -> None:
        unknown = set(params) - set(self.grid)
        if unknown:
            raise ValueError(f"{self.name}: unknown knobs {sorted(unknown)}; expected {sorted(self.grid)}")
        self.team = team
        self.params = {k: float(getattr(type(self), k)) for k in self.grid}
        self.params.update(tuned(self.name, str(team.config.get("scenario", ""))))
        self.params.update({k: float(v) for k, v in params.items()})
        for k, v in self.params.items():
            if math.isnan(v) or v < 0:
                raise ValueError(f"{self.name}: invalid {k}={v!r}; expected a number >= 0 (inf allowed)")
        super().__init__(layout, seed=seed)

    def _kind(self, obs: FloatArray) -> IntArray:
        kind: IntArray = np.argmax(self.cols.field(obs, "ticket_type"), axis=-1).astype(np.int64)
        return kind


class WeightedSedPolicy(TeamPolicy):
    """sed plus ``c`` times the engineer's mean service time for the ticket's type over the ticket's weight."""

    name = "weighted-sed"
    summary = "sed plus c x (mean service at the engineer) / ticket weight"
    grid = {"c": (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)}
    c = 4.0

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        cfg = self.team.config
        weight = (
            np.asarray(cfg["priority_weights"])[np.argmax(self.cols.field(obs, "ticket_priority"), axis=-1)]
            * np.asarray(cfg["tier_weights"])[np.argmax(self.cols.field(obs, "ticket_tier"), axis=-1)]
        )
        skill = self.cols.engineer(obs, "skill")
        mean_work = self.team.mean_work[self._kind(obs)]
        with np.errstate(divide="ignore"):
            service = np.where(skill > 0, mean_work[:, None] / np.maximum(skill, 1e-300), np.inf)
        cost = unsquash(self.cols.engineer(obs, "eta"))
        if self.params["c"] > 0:
            cost = cost + self.params["c"] * service / weight[:, None]
        return first_by_keys(mask, cost)


class LpSedPolicy(TeamPolicy):
    """sed restricted to the engineer-type pairs that the static planning LP uses.

    Another engineer is taken only when expected to finish more than ``slack`` minutes sooner.
    """

    name = "lp-sed"
    summary = "sed over the static planning LP's engineer-type pairs (others only when much sooner)"
    grid = {"slack": (0.0, 15.0, 30.0, 60.0, 120.0, math.inf)}
    slack = math.inf

    def __init__(self, layout: Sequence[ObsSlice], team: Team, seed: int | None = None, **params: float) -> None:
        super().__init__(layout, team, seed=seed, **params)
        self.plan, self.utilisation = static_plan(team)

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        eta = unsquash(self.cols.engineer(obs, "eta"))
        rows = self.plan.T[self._kind(obs)]
        planned = mask.copy()
        planned[:, : rows.shape[1]] &= rows
        planned[:, rows.shape[1] :] = False
        best_planned = np.where(planned, eta, np.inf).min(axis=1, keepdims=True)
        allowed = planned | (mask & (eta + self.params["slack"] < best_planned))
        return first_by_keys(np.where(allowed.any(axis=1, keepdims=True), allowed, mask), eta)


class SedHoldPolicy(TeamPolicy):
    """``sed``, but where hold is allowed the ticket stays in the backlog
    when a present engineer who cannot take it now (off shift, at cap)
    would finish it at least ``threshold`` minutes sooner than ``sed``'s
    choice (a threshold policy: Bell & Williams 2001). Without hold, ``sed``."""

    name = "sed-hold"
    summary = "sed; hold when an engineer not eligible now would finish >= threshold minutes sooner"
    holds = True
    grid = {"threshold": (10.0, 20.0, 30.0, 45.0, 60.0, 120.0, math.inf)}
    threshold = 30.0

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows.

        The action past the engineer slots, where the env has it, holds the ticket.
        """
        slots = self.cols.slice("engineers").shape[0]
        eta = unsquash(self.cols.engineer(obs, "eta"))
        engineers = mask[:, :slots]
        choice = first_by_keys(engineers, eta)
        if mask.shape[1] <= slots:
            return choice
        present = self.cols.engineer(obs, "present") > 0
        soonest = np.where(present, eta, np.inf).min(axis=1)
        chosen = eta[np.arange(len(choice)), choice]
        wait = ~engineers.any(axis=1) | (soonest + self.params["threshold"] <= chosen)
        return np.where(mask[:, slots] & wait, slots, choice).astype(np.int64)


#: Stronger baselines by registry name, in report order.
STRONGER: dict[str, type[TeamPolicy]] = {p.name: p for p in (WeightedSedPolicy, LpSedPolicy, SedHoldPolicy)}


def make_stronger(
    name: str, layout: Sequence[ObsSlice], team: Team, seed: int | None = None, **params: float
) -> TeamPolicy:
    """The stronger baseline called ``name`` with its tuned knobs (``params`` override them)."""
    try:
        cls = STRONGER[name]
    except KeyError:
        raise ValueError(f"unknown stronger baseline {name!r}; expected one of {list(STRONGER)}") from None
    return cls(layout, team, seed=seed, **params)
