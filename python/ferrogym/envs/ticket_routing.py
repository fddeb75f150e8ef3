"""TicketRouting in Rust: route support tickets to engineers (discrete-event help desk)."""

from __future__ import annotations

import os
from typing import Any

from ferrogym import _core
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig
from ferrogym.rust_env import RustEnv
from ferrogym.vector import RustVectorEnv


def _merge(config: TicketRoutingConfig | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**(config.kwargs() if config is not None else {}), **kwargs}


class TicketRoutingEnv(RustEnv):
    """
    ## Description

    A B2B SaaS help desk as a continuous-time discrete-event simulation.
    Tickets arrive as a non-homogeneous Poisson process (hour-of-day profile
    times weekday factor, about 60 a day), each with a type, a priority
    (critical, high, medium, low; its distribution depends on the type) and a
    customer tier. Each step routes one ticket to one engineer; between
    decisions the simulator runs arrivals, work completions and shift changes.
    Engineers work their queue first-in first-out at a speed given by their
    skill for the ticket's type, only while on shift, and take at most ``cap``
    open tickets (``service="processor_sharing"`` instead serves all of them at
    once, each at a share of the speed that ``context_switch_penalty`` shrinks
    further per extra ticket). When nobody eligible has capacity, tickets wait in a backlog
    ordered by priority, then age. Arrivals and work content come from random
    streams of their own, so every policy sees the same tickets for a given
    seed (paired comparisons).

    ## Action Space

    ``Discrete(max_engineers)``: the engineer slot to give the ticket to. Valid
    slots (engineer present, on shift, below ``cap``) are given by
    ``env.action_masks()`` (sb3-contrib MaskablePPO's convention). Another slot
    raises ``ferrogym.errors.InvalidAction`` unless ``invalid_action="fallback"``,
    which routes to the next valid slot and subtracts ``invalid_action_penalty``.

    With ``allow_hold=True`` the space is ``Discrete(max_engineers + 1)``: the
    last action, *hold*, leaves the ticket in the shared backlog. The next
    unheld backlog ticket is offered at the same instant; held tickets are
    offered again after the next event (an arrival, a completion, a shift start
    or end). Each ticket is offered at most once per instant, so the clock
    always advances, even under a policy that holds everything. The mask allows
    hold whenever a ticket awaits a decision: the held ticket comes back only
    after a real event, so no hold can stall the simulation, and whether waiting
    pays (a faster engineer coming free or on shift) depends on the future, which
    is the policy's to judge. Hold on an env without ``allow_hold`` raises
    ``InvalidAction``. A small ``cap`` (1 or 2) with hold binds tickets late:
    they wait in the backlog rather than in engineers' queues.

    ## Observation Space

    A flat float32 ``Box``; ``env.unwrapped.obs_layout`` names every slice
    (from the Rust declaration), with its bounds:

    | slice | size | content |
    |-------|------|---------|
    | ticket_type | types | one-hot type of the ticket to route |
    | ticket_priority | 4 | one-hot priority |
    | ticket_tier | 3 | one-hot customer tier |
    | ticket_age | 1 | age / SLA target, clipped at 2 |
    | time | 4 | sin/cos of time of day and of week |
    | backlog | 4 | waiting tickets per priority, n/(n+5) |
    | context | 3 | arrival rate / peak, share at capacity, episode progress |
    | backlog_type | types | waiting tickets per type, n/(n+5) |
    | clock | 2 | time of day / 24 h and of week / 7 days |
    | engineers | max_engineers x 12 | present, on shift, load, queued work, skill for |
    |  |  | this type, expected completion if assigned (every present engineer, |
    |  |  | also off shift or at cap), idle time, fatigue, eligible now, minutes |
    |  |  | until the next shift start and until the shift end, queued weight |

    ## Rewards

    The sum of components, each also in ``info["reward_components"]``:
    ``wait`` (minus ``wait_weight`` per weighted hour that tickets are open, so
    an episode's return is minus the total priority-weighted resolution
    time), ``sla`` (minus ``sla_penalty[p]`` per SLA breach), ``burnout``
    (minus ``burnout_weight`` per ticket-hour above ``soft_cap``),
    ``backlog_end`` (at truncation, the waiting cost of the work left open) and
    ``invalid_action``. With ``allow_hold``, a ticket still in the backlog at
    truncation pays ``weight * max(backlog_end_minutes + mean work of its type,
    F)``, where ``F`` is the on-shift minutes until it would be finished if
    routed now to the engineer who would finish it soonest, behind that
    engineer's open work (backlog tickets placed one after the other, in
    backlog order): holding to the end never costs less than routing now. Typical step rewards lie in about [-1, 0].

    ## Starting State

    Time 0 is midnight of ``start_weekday``; the first step routes the first
    ticket that can be routed.

    ## Episode End

    Never terminated. Truncated at the horizon (``episode_days``, 1 to 28; the
    backlog and the queues carry over from one day to the next) or when the
    backlog exceeds ``max_backlog`` (``info["sim"]["backlog_overflow"]`` = 1).

    ## Arguments

    ``scenario`` (``"balanced"``, ``"specialists"``, ``"understaffed"``,
    ``"specialists_pull"``: specialists with ``cap=2`` and hold,
    ``"specialists_week"``: the same over five working days) picks a preset
    (another name raises ``ConfigError``); every other field of :class:`TicketRoutingConfig` overrides it
    (``TicketRoutingConfig(...).resolved()`` shows the values in effect;
    ``allow_hold`` adds the hold action, see Action Space;
    ``arrival_trace`` replays recorded tickets, rows ``[minute, type, priority,
    tier, work_minutes]``, instead of sampling arrivals, work < 0 meaning
    "draw it by the seed and the row", see :mod:`ferrogym.calibrate.trace`). A
    ``config=TicketRoutingConfig(...)`` object may be passed instead of, or
    together with, keyword arguments. ``render_mode``: ``"human"`` (a pygame
    window), ``"ansi"`` or ``"rgb_array"``.

    >>> import gymnasium as gym, ferrogym
    >>> env = gym.make("ferrogym/TicketRouting-v0", scenario="specialists")
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape
    (175,)
    >>> obs, reward, terminated, truncated, info = env.step(int(env.unwrapped.action_masks().argmax()))
    >>> sorted(info["reward_components"])
    ['backlog_end', 'burnout', 'invalid_action', 'sla', 'wait']

    ## Version History

    - v0: first version.
    """

    _core_cls = _core.TicketRoutingCore
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self, render_mode: str | None = None, config: TicketRoutingConfig | None = None, **kwargs: Any
    ) -> None:
        super().__init__(render_mode=render_mode, **_merge(config, kwargs))

    @property
    def config(self) -> TicketRoutingConfig:
        """The configuration in effect (scenario preset and overrides resolved)."""
        values = self._core.effective_config()
        assert values is not None
        return TicketRoutingConfig(**values)


class TicketRoutingVectorEnv(RustVectorEnv):
    """TicketRouting batched in Rust, with ``action_masks()``; see :class:`TicketRoutingEnv`."""

    _batch_cls = _core.TicketRoutingBatch
    # A batch of 256 or more decisions takes long enough to pay for handing
    # pieces to other threads, so it is split over the machine's cores
    # (measured: ~0.6 µs a decision on one thread, docs/howto/performance.md, "Threads").
    _grain = 128
    _default_threads = os.cpu_count() or 1
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, num_envs: int = 1, *, config: TicketRoutingConfig | None = None, **kwargs: Any) -> None:
        super().__init__(num_envs, **_merge(config, kwargs))

    @property
    def config(self) -> TicketRoutingConfig:
        """The config the batch runs with, Rust defaults filled in."""
        values = self._core.effective_config()
        assert values is not None
        return TicketRoutingConfig(**values)
