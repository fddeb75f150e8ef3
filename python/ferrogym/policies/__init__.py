"""Dispatch policies for TicketRouting: the heuristics an RL router must beat,
behind the ``policy(obs, mask) -> action`` call that trained models also
answer (:func:`ferrogym.training.load_policy`).
CustomerSupport's baselines are in :mod:`ferrogym.policies.customer_support`.

>>> import gymnasium as gym, ferrogym
>>> from ferrogym.policies import make_policy
>>> env = gym.make("ferrogym/TicketRouting-v0")
>>> obs, _ = env.reset(seed=0)
>>> policy = make_policy("sed", env.unwrapped.obs_layout)
>>> action = policy(obs, env.unwrapped.action_masks())
"""

from __future__ import annotations

from collections.abc import Sequence

from ferrogym.policies.base import Columns, MissingColumnError, Policy, first_by_keys
from ferrogym.policies.heuristics import HEURISTICS
from ferrogym.spaces import ObsSlice

#: Heuristic policies by registry name, in report order.
POLICIES: dict[str, type[Policy]] = {p.name: p for p in HEURISTICS}


def make_policy(name: str, layout: Sequence[ObsSlice], seed: int | None = None) -> Policy:
    """The heuristic called ``name`` for observations described by ``layout``."""
    try:
        cls = POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; expected one of {list(POLICIES)} or a model path") from None
    return cls(layout, seed=seed)


__all__ = ["POLICIES", "Columns", "MissingColumnError", "Policy", "first_by_keys", "make_policy"]
