"""The dispatch-policy interface: ``policy(obs, mask) -> action``.

A policy reads the observation only through the env's ``obs_layout`` (column
names, never offsets) and only picks slots the mask allows. One call serves a
single observation (returns an ``int``) or a batch ``obs[N], mask[N]`` (returns
``actions[N]``); every rule is written once, vectorised over the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ferrogym.spaces import ObsSlice

FloatArray = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


class MissingColumnError(KeyError):
    """The observation lacks a slice or column a policy needs."""


@dataclass(frozen=True)
class Columns:
    """Named views into TicketRouting observations, built from ``obs_layout``."""

    layout: tuple[ObsSlice, ...]

    def slice(self, name: str) -> ObsSlice:
        """Returns the observation slice called ``name``.

        Raises:
            MissingColumnError: the layout has no such slice (the message lists the ones it has).
        """
        for s in self.layout:
            if s.name == name:
                return s
        raise MissingColumnError(f"the observation has no slice {name!r}; it has {[s.name for s in self.layout]}")

    def engineer(self, obs: FloatArray, feature: str) -> FloatArray:
        """Column ``feature`` of every engineer row: shape (N, max_engineers)."""
        s = self.slice("engineers")
        if feature not in s.labels:
            raise MissingColumnError(f"engineer rows have no column {feature!r}; they have {list(s.labels)}")
        return s.of(obs)[..., s.labels.index(feature)]

    def field(self, obs: FloatArray, name: str) -> FloatArray:
        """Slice ``name`` of every observation: shape (N, *shape)."""
        return self.slice(name).of(obs)


def first_by_keys(mask: BoolArray, *keys: NDArray[Any]) -> IntArray:
    """Per row, the valid slot that sorts first by ``keys`` (most significant
    first, ascending), ties broken by the lowest slot."""
    slot = np.broadcast_to(np.arange(mask.shape[-1]), mask.shape)
    # np.lexsort's last key is the primary one; invalid slots sort last.
    order = np.lexsort((slot, *reversed(keys), ~mask), axis=-1)
    return order[:, 0].astype(np.int64)


class Policy:
    """Base of the dispatch policies. Subclasses implement :meth:`act`."""

    #: Registry name (``ferrogym evaluate --policy NAME``).
    name: ClassVar[str] = ""
    #: One line for listings and reports.
    summary: ClassVar[str] = ""
    #: Whether :meth:`act` decides about hold itself. Rules that do not
    #: never hold while an engineer is valid (they see only the engineer
    #: columns of the mask), and hold when nobody is (TicketRouting's
    #: ``allow_hold`` puts hold last, after the engineer slots).
    holds: ClassVar[bool] = False

    def __init__(self, layout: Sequence[ObsSlice], seed: int | None = None) -> None:
        self.cols = Columns(tuple(layout))
        self.seed = seed
        self.reset()

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Starts new episodes for ``num_envs`` envs (stateful rules clear their state)."""
        self.num_envs = num_envs
        self.rng = np.random.default_rng(self.seed if seed is None else seed)

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """Actions for a batch: ``obs`` (N, obs_dim), ``mask`` (N, n_actions)."""
        raise NotImplementedError

    def __call__(self, obs: FloatArray, mask: BoolArray) -> int | IntArray:
        """One action (``int``) for one observation, or ``actions[N]`` for a batch."""
        obs = np.asarray(obs)
        mask = np.asarray(mask, dtype=np.bool_)
        if obs.ndim == 1:
            return int(self._act(obs[None, :], mask[None, :])[0])
        if obs.shape[0] != mask.shape[0]:
            raise ValueError(f"{self.name}: {obs.shape[0]} observations but {mask.shape[0]} masks")
        return self._act(obs, mask)

    def _act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        routing = any(s.name == "engineers" for s in self.cols.layout)
        slots = self.cols.slice("engineers").shape[0] if routing and not self.holds else mask.shape[-1]
        if mask.shape[-1] <= slots:
            return self.act(obs, mask)
        engineers = mask[:, :slots]
        chosen = self.act(obs, engineers)
        return np.where(engineers.any(axis=1), chosen, slots).astype(np.int64)
