"""The dispatch rules help desks use, as :class:`~ferrogym.policies.base.Policy`.

All read the engineer rows of the observation by column name: ``load`` (open
tickets / cap), ``busy`` (queued work, squashed), ``skill`` (for this ticket's
type), ``eta`` (expected completion if assigned, squashed), ``idle`` (time
since the last assignment, squashed). Squashing is monotone, so comparisons on
the observed values order engineers as the raw minutes would. Ties go to the
lowest slot.
"""

from __future__ import annotations

import numpy as np

from ferrogym.policies.base import BoolArray, FloatArray, IntArray, Policy, first_by_keys


class RandomPolicy(Policy):
    """A valid engineer uniformly at random: the status quo that a router must beat."""

    name = "random"
    summary = "a valid engineer uniformly at random (today's status quo)"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        u = self.rng.random(mask.shape)
        return first_by_keys(mask, u)


class RoundRobinPolicy(Policy):
    """The next valid engineer slot after the one chosen last, cyclically, per env."""

    name = "round-robin"
    summary = "the next valid slot after the last one chosen, cyclically (per env)"

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Forgets the last choice of every env; ``num_envs`` is the batch size to come."""
        super().reset(num_envs, seed)
        self.last = np.full(num_envs, -1, dtype=np.int64)

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        n, m = mask.shape
        if self.last.shape[0] != n:
            self.last = np.full(n, -1, dtype=np.int64)
        distance = (np.arange(m)[None, :] - self.last[:, None] - 1) % m
        chosen = first_by_keys(mask, distance)
        self.last = chosen.copy()
        return chosen


class LeastLoadedPolicy(Policy):
    """The engineer with the fewest open tickets, then the least queued work."""

    name = "least-loaded"
    summary = "fewest open tickets, then least queued work"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        c = self.cols
        return first_by_keys(mask, c.engineer(obs, "load"), c.engineer(obs, "busy"))


class ShortestExpectedDelayPolicy(Policy):
    """Shortest expected delay (sed): the engineer who would finish this ticket soonest."""

    name = "sed"
    summary = "shortest expected completion of this ticket (queue, skill and shift calendar)"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        return first_by_keys(mask, self.cols.engineer(obs, "eta"))


class SkillGreedyPolicy(Policy):
    """The engineer with the highest skill for the ticket's type; ties go to the shortest expected completion."""

    name = "skill-greedy"
    summary = "highest skill for the ticket's type, then shortest expected completion"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        c = self.cols
        return first_by_keys(mask, -c.engineer(obs, "skill"), c.engineer(obs, "eta"))


class SkillOverflowPolicy(Policy):
    """Skill-based routing with overflow: the ticket goes to an idle engineer
    whose skill is within ``skilled_share`` of the best valid skill for its
    type (the most skilled of them); if none is idle it overflows to the
    shortest expected delay over every valid engineer."""

    name = "skill-overflow"
    summary = "idle skilled engineer (skill >= 0.8 x best), else shortest expected delay"
    skilled_share = 0.8

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        c = self.cols
        skill = c.engineer(obs, "skill")
        idle = c.engineer(obs, "busy") <= 0.0
        best = np.where(mask, skill, -np.inf).max(axis=1, keepdims=True)
        skilled = mask & idle & (skill >= self.skilled_share * best)
        preferred = first_by_keys(skilled, -skill)
        overflow = first_by_keys(mask, c.engineer(obs, "eta"))
        return np.where(skilled.any(axis=1), preferred, overflow)


class LongestIdlePolicy(Policy):
    """The engineer with no work who has waited longest since an assignment;
    when nobody is free, the one whose last assignment is oldest."""

    name = "longest-idle"
    summary = "a free engineer, longest since their last assignment"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        c = self.cols
        busy = c.engineer(obs, "busy") > 0.0
        return first_by_keys(mask, busy, -c.engineer(obs, "idle"))


class GeneralizedCMuPolicy(Policy):
    """Generalized cµ (Mandelbaum & Stolyar 2004) for routing one ticket: its
    cost rate c is the same whichever engineer takes it, so the rule maximises
    the service rate µ = skill for the ticket's type, among idle engineers
    first; when nobody is idle, µ is discounted by the work queued ahead,
    ``skill * (1 - busy)`` = ``skill / (1 + queued / 240 min)``."""

    name = "gcmu"
    summary = "generalized c-mu: fastest idle engineer, else skill discounted by queued work"

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Returns one engineer slot per row of ``obs`` (N, obs_dim), among those ``mask`` (N, n_actions) allows."""
        c = self.cols
        skill = c.engineer(obs, "skill")
        busy = c.engineer(obs, "busy")
        return first_by_keys(mask, busy > 0.0, -skill * (1.0 - busy))


HEURISTICS: tuple[type[Policy], ...] = (
    RandomPolicy,
    RoundRobinPolicy,
    LeastLoadedPolicy,
    ShortestExpectedDelayPolicy,
    SkillGreedyPolicy,
    SkillOverflowPolicy,
    LongestIdlePolicy,
    GeneralizedCMuPolicy,
)
