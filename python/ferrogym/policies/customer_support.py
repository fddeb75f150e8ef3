"""CustomerSupport baselines, evaluation on held-out seeds, and named scenario runs.

Policies see ``(obs, mask, env)`` each turn and return a strategy index;
``reset()`` is called at the start of every conversation. The greedy oracle
reads the hidden state through ``env.get_state()`` (it is a reference point,
not a fair competitor). ``ferrogym evaluate`` can call :func:`evaluate` and
:func:`run_scenario` directly.

>>> from ferrogym.policies.customer_support import evaluate, RulePolicy
>>> evaluate(RulePolicy(), seeds=range(100, 110)).success_rate > 0.5
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.envs.customer_support import INQUIRIES, STRATEGIES, CustomerSupportEnv

ENV_ID = "ferrogym/CustomerSupport-v0"
S = {name: i for i, name in enumerate(STRATEGIES)}
#: Held-out evaluation seeds (training uses other seeds).
EVAL_SEEDS = range(10_000, 10_500)

# Observation indices (see CustomerSupportEnv's table).
INQUIRY, SENTIMENT, PROGRESS, PATIENCE, REPEATS = slice(3, 7), 7, 13, 14, 15
TIER_VALUE = (0.0, 0.5, 1.0)
LTV_MAX = 1_000_000.0


class Policy(Protocol):
    """A CustomerSupport strategy chooser: ``policy(obs, mask, env) -> strategy index``.

    ``reset`` is called at the start of each conversation.
    """

    name: str

    def reset(self) -> None:
        """Forgets the previous conversation."""

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Returns the strategy for this turn, one that ``mask`` allows (``env``: for policies that look ahead)."""


class RandomPolicy:
    """Uniform over the allowed strategies."""

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self._rng = np.random.default_rng(seed)

    def reset(self) -> None:
        """Nothing to forget: each turn is drawn independently."""
        pass

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Returns an allowed strategy drawn uniformly."""
        return int(self._rng.choice(np.flatnonzero(mask)))


class QuickResolutionPolicy:
    """Always quick resolution."""

    name = "quick_resolution"

    def reset(self) -> None:
        """Nothing to forget."""
        pass

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Returns the quick-resolution strategy."""
        return S["quick_resolution"]


#: Best and second-best strategy per inquiry for a calm customer.
BEST: dict[str, tuple[str, str]] = {
    "transactional": ("quick_resolution", "educational"),
    "complaint": ("quick_resolution", "apologetic"),
    "sales": ("product_recommendation", "educational"),
    "technical": ("technical", "educational"),
}


class RulePolicy:
    """Calm the customer first (apology, then empathy, alternating), then the
    best strategy for the inquiry, switching to the second best when it wears
    out; escalate when patience is nearly gone and the issue is far from done."""

    name = "rule"

    def __init__(self, upset_below: float = -0.2) -> None:
        self.upset_below = upset_below
        self._last = -1

    def reset(self) -> None:
        """Forgets the last strategy used."""
        self._last = -1

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Escalates near the end of the customer's patience, calms an upset customer, else answers the inquiry."""
        if obs[PATIENCE] < 0.15 and obs[PROGRESS] < 0.5 and mask[S["escalate"]]:
            a = S["escalate"]
        elif obs[SENTIMENT] < self.upset_below:
            a = S["empathetic"] if self._last == S["apologetic"] else S["apologetic"]
        else:
            best, second = BEST[INQUIRIES[int(np.argmax(obs[INQUIRY]))]]
            a = S[second] if self._last == S[best] and obs[REPEATS] >= 0.5 else S[best]
        self._last = a
        return a


def potential(state: dict[str, Any]) -> float:
    """How promising a hidden state is: progress (worth more with a happier
    customer), mood and patience, scaled by the customer's value."""
    ltv = min(1.0, math.log1p(state["ltv"]) / math.log1p(LTV_MAX))
    value = 1.0 + TIER_VALUE[state["tier"]] + ltv
    s, p = state["sentiment"], state["progress"]
    patience = state["patience"] / state["patience_start"]
    return float(value * (p * (0.75 + 0.25 * s) + 0.3 * (s + 1.0) / 2.0 + 0.2 * patience))


class GreedyOracle:
    """One-step lookahead on the true hidden state: tries every allowed
    strategy from ``get_state()`` (with the real random draws) and keeps the
    one with the best reward + potential of the next hidden state."""

    name = "greedy_oracle"

    def reset(self) -> None:
        """Nothing to forget: each turn is a fresh lookahead."""
        pass

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Tries every allowed strategy on a copy of the hidden state and returns the best.

        The score is the step's reward plus the :func:`potential` of the state it leads to; ``env`` is
        restored to the state it had on entry.
        """
        start = env.get_state()
        best, best_score = -1, -math.inf
        for a in np.flatnonzero(mask):
            env.set_state(start)
            _, reward, terminated, truncated, _ = env.step(int(a))
            after = env.get_state()
            score = reward + (0.0 if terminated or truncated else potential(after))
            if score > best_score:
                best, best_score = int(a), score
        env.set_state(start)
        return best


class ModelPolicy:
    """A trained Stable-Baselines3 model (deterministic); a masked choice
    falls back to the allowed strategy with the next index."""

    def __init__(self, model: Any, name: str, masked: bool = False) -> None:
        self.model, self.name, self.masked = model, name, masked

    def reset(self) -> None:
        """Nothing to forget: the model is stateless between turns."""
        pass

    def __call__(self, obs: NDArray[np.float32], mask: NDArray[np.bool_], env: CustomerSupportEnv) -> int:
        """Returns the model's deterministic strategy, moved to the next allowed one if ``mask`` forbids it."""
        kwargs = {"action_masks": mask} if self.masked else {}
        action, _ = self.model.predict(obs, deterministic=True, **kwargs)
        a = int(action)
        while not mask[a]:
            a = (a + 1) % len(mask)
        return a


BASELINES: dict[str, Callable[[], Policy]] = {
    "random": RandomPolicy,
    "quick_resolution": QuickResolutionPolicy,
    "rule": RulePolicy,
    "greedy_oracle": GreedyOracle,
}


@dataclass
class Turn:
    """One turn of a transcript: the strategy used, its reward and the customer's state after it."""

    turn: int
    strategy: str
    reward: float
    observed_sentiment: float
    true_sentiment: float
    progress: float
    patience: float


@dataclass
class Episode:
    """One conversation: its seed, total reward, outcome (``resolved``, ``abandoned``, ...) and its turns."""

    seed: int
    total_reward: float
    outcome: str
    turns: list[Turn] = field(default_factory=list)


def run_episode(env: CustomerSupportEnv, policy: Policy, seed: int) -> Episode:
    """One conversation from ``reset(seed=seed)``, with a per-turn transcript."""
    obs, _ = env.reset(seed=seed)
    policy.reset()
    episode = Episode(seed=seed, total_reward=0.0, outcome="turn_limit")
    while True:
        a = policy(obs, env.action_masks(), env)
        obs, reward, terminated, truncated, _ = env.step(a)
        state = env.get_state()
        episode.total_reward += reward
        episode.turns.append(
            Turn(
                turn=state["turn"],
                strategy=STRATEGIES[a],
                reward=reward,
                observed_sentiment=float(obs[SENTIMENT]),
                true_sentiment=state["sentiment"],
                progress=state["progress"],
                patience=state["patience"] / state["patience_start"],
            )
        )
        if terminated or truncated:
            episode.outcome = str(state["ended"])
            return episode


@dataclass
class Summary:
    """A policy's results over many conversations: mean and spread of the return and the outcome rates."""

    policy: str
    episodes: int
    mean_return: float
    std_return: float
    success_rate: float
    abandon_rate: float
    escalation_rate: float
    mean_turns: float

    def as_dict(self) -> dict[str, Any]:
        """Returns the summary as a plain dict (one table row)."""
        return asdict(self)


def summarize(name: str, episodes: list[Episode]) -> Summary:
    """Returns the :class:`Summary` of ``episodes`` under the policy name ``name``; ``episodes`` must not be empty."""
    returns = np.array([e.total_reward for e in episodes])
    outcomes = [e.outcome for e in episodes]
    n = len(episodes)
    return Summary(
        policy=name,
        episodes=n,
        mean_return=float(returns.mean()),
        std_return=float(returns.std()),
        success_rate=outcomes.count("resolved") / n,
        abandon_rate=outcomes.count("abandoned") / n,
        escalation_rate=outcomes.count("escalated") / n,
        mean_turns=float(np.mean([len(e.turns) for e in episodes])),
    )


def make_env(**config: Any) -> CustomerSupportEnv:
    """Returns an unwrapped CustomerSupport env built with ``config`` (its ``get_state``/``set_state`` are needed)."""
    env = gym.make(ENV_ID, **config).unwrapped
    assert isinstance(env, CustomerSupportEnv)
    return env


def evaluate(policy: Policy, seeds: Iterable[int] = EVAL_SEEDS, **config: Any) -> Summary:
    """Runs ``policy`` for one conversation per seed (the same customers for
    every policy) and summarises returns and outcomes."""
    env = make_env(**config)
    return summarize(policy.name, [run_episode(env, policy, s) for s in seeds])


def evaluate_baselines(seeds: Iterable[int] = EVAL_SEEDS, **config: Any) -> list[Summary]:
    """Evaluates every policy of ``BASELINES`` on ``seeds`` with ``config``; returns one :class:`Summary` each."""
    seeds = list(seeds)
    return [evaluate(factory(), seeds, **config) for factory in BASELINES.values()]


def run_scenario(scenario: str, policy: Policy, seed: int = 0, **config: Any) -> Episode:
    """A named conversation (``SCENARIOS``), replayed exactly for a given seed."""
    return run_episode(make_env(scenario=scenario, **config), policy, seed)
