"""CustomerSupport in Rust: pick a response strategy, turn by turn, in a conversation with a simulated customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym  # noqa: F401  (used in the doctest)

from ferrogym import _core
from ferrogym.rust_config import RustEnvConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv

# Named lists declared once, in Rust (`Env::names` of customer_support/mod.rs).
_NAMES = _core.CustomerSupportCore.names()
#: Action index -> strategy name (the Rust env's order).
STRATEGIES: tuple[str, ...] = tuple(_NAMES["strategies"])
INDUSTRIES: tuple[str, ...] = tuple(_NAMES["industries"])
INQUIRIES: tuple[str, ...] = tuple(_NAMES["inquiries"])
#: Named, seeded conversations (``scenario=``).
SCENARIOS: tuple[str, ...] = tuple(_NAMES["scenarios"])


@dataclass
class CustomerSupportConfig(RustEnvConfig):
    """CustomerSupport's arguments (``None``: the Rust default); see :class:`CustomerSupportEnv`.

    >>> cfg = CustomerSupportConfig(industries=["retail"], upset_share=0.0)
    >>> env = gym.make("ferrogym/CustomerSupport-v0", **cfg.kwargs())
    """

    _core_cls = _core.CustomerSupportCore

    industries: list[str] | None = None
    inquiries: list[str] | None = None
    upset_share: float | None = None
    patience: float | None = None
    sentiment_noise: float | None = None
    max_turns: int | None = None
    turn_cost: float | None = None
    abandon_penalty: float | None = None
    escalation_cost: float | None = None
    upsell_revenue: float | None = None
    upset_upsell_penalty: float | None = None
    escalation_capacity: int | None = None
    escalation_arrival: float | None = None
    escalation_service: float | None = None
    scenario: str | None = None
    invalid_action: str | None = None


class CustomerSupportEnv(RustEnv):
    """
    ## Description

    A support agent chooses a response strategy turn by turn in a conversation
    with a simulated customer from banking/financial services (BFSI), retail or
    tech. The customer has a hidden true sentiment, issue progress and
    patience. A strategy's effect depends on the industry, the inquiry group
    and the current sentiment: substantive help (technical, educational,
    quick resolution, product talk) barely progresses while the customer is
    upset, until empathy or an apology has calmed them; repeating a strategy
    wears it out. Good play is therefore sequential, not a lookup table.

    ## Action Space

    ``Discrete(8)``: 0 empathetic, 1 technical, 2 escalate, 3 product
    recommendation, 4 apologetic, 5 educational, 6 quick resolution, 7 upsell.
    ``escalate`` is masked (``env.action_masks()``) while the human-escalation
    queue is full; sending it then raises ``ferrogym.errors.InvalidAction``,
    or with ``invalid_action="fallback"`` (for PPO, A2C, DQN without masking)
    plays product recommendation instead.

    ## Observation Space

    ``Box(17,)`` float32, all normalised; ``env.unwrapped.obs_layout`` names
    the slices:

    | index | content | range |
    |-------|---------|-------|
    | 0-2 | industry one-hot (bfsi, retail, tech) | [0, 1] |
    | 3-6 | inquiry one-hot (transactional, complaint, sales, technical) | [0, 1] |
    | 7 | observed sentiment (true sentiment + noise) | [-1, 1] |
    | 8 | change of the observed sentiment last turn | [-1, 1] |
    | 9 | urgency | [0, 1] |
    | 10 | customer tier (0 standard, 0.5 premium, 1 VIP) | [0, 1] |
    | 11 | lifetime value, log(1 + LTV) / log(1 + 1e6) | [0, 1] |
    | 12 | turn / max_turns | [0, 1] |
    | 13 | estimated issue progress (noisy) | [0, 1] |
    | 14 | estimated patience left (noisy) | [0, 1] |
    | 15 | consecutive repeats of the last strategy / 4 | [0, 1] |
    | 16 | load of the human-escalation queue | [0, 1] |

    ## Rewards

    Mostly at the end, with every component in ``info["reward_components"]``:
    ``turn`` (``-turn_cost`` every turn, so stalling never pays),
    ``resolution`` (value x (0.5 + 0.5 x satisfaction) when resolved, value
    = 1 + tier weight + log-LTV), ``abandonment`` (``-abandon_penalty`` x
    value when the customer gives up), ``escalation`` (``-escalation_cost`` x
    (1 + queue load)), ``upsell`` (revenue, only when resolved and the pitch
    was made to a customer not upset who ends satisfied) and
    ``upset_upsell`` (``-upset_upsell_penalty`` for pitching to an upset
    customer). ``info["outcome"]`` has ``resolved``, ``abandoned``,
    ``escalated`` (0/1) and ``turns``.

    ## Starting State

    A customer drawn from the active ``industries`` and ``inquiries`` (each
    industry has its own inquiry mix, tier mix and lifetime values), upset
    with probability ``upset_share``; or, with ``scenario=``, a named
    conversation (``SCENARIOS``: fraud report, investment question, failed
    transfer, defective-product return, discount inquiry, API integration,
    outage complaint) with a fixed customer.

    ## Episode End

    Terminated when the issue is resolved (success), when the customer's
    patience runs out (failure) or on escalation (hand-off). Truncated after
    ``max_turns`` turns (the env truncates itself: no ``TimeLimit``).

    ## Arguments

    Every field of :class:`CustomerSupportConfig`. Difficulty knobs:
    ``upset_share`` (0.35), ``patience`` (1.0), ``sentiment_noise`` (0.15),
    ``industries`` and ``inquiries`` (all), ``max_turns`` (20). Reward knobs:
    ``turn_cost`` (0.02), ``abandon_penalty`` (1.0), ``escalation_cost``
    (0.4), ``upsell_revenue`` (0.3), ``upset_upsell_penalty`` (0.2). Queue:
    ``escalation_capacity`` (5), ``escalation_arrival`` (0.35),
    ``escalation_service`` (0.3). ``render_mode``: ``"human"`` (a pygame
    window), ``"ansi"`` or ``"rgb_array"``. ``env.unwrapped.set_config({...})`` changes knobs from
    the next reset on (curriculum learning, ``ferrogym.curriculum``).

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/CustomerSupport-v0", scenario="fraud_report")
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape
    (17,)
    >>> obs, reward, terminated, truncated, info = env.step(4)  # apologise first
    >>> sorted(info["outcome"])
    ['abandoned', 'escalated', 'resolved', 'turns']

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.CustomerSupportCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 2}


class CustomerSupportVectorEnv(RustVectorEnv):
    """CustomerSupport batched in Rust, with ``action_masks()`` and per-env
    ``set_config``; see :class:`CustomerSupportEnv`."""

    _batch_cls = _core.CustomerSupportBatch
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 2}
