"""The one place where the core's space declarations become gymnasium spaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces
from numpy.typing import NDArray


def from_spec(spec: dict[str, Any]) -> spaces.Space[Any]:
    """Builds a ``gymnasium.spaces`` object from a core declaration."""
    kind = spec["kind"]
    if kind == "discrete":
        return spaces.Discrete(int(spec["n"]), start=int(spec["start"]))
    if kind == "box":
        dtype = np.dtype(spec["dtype"])
        shape = tuple(int(s) for s in spec["shape"])
        low = np.asarray(spec["low"], dtype=np.float64).reshape(shape).astype(dtype)
        high = np.asarray(spec["high"], dtype=np.float64).reshape(shape).astype(dtype)
        return spaces.Box(low=low, high=high, shape=shape, dtype=dtype)
    if kind == "tuple":
        return spaces.Tuple(tuple(from_spec(part) for part in spec["spaces"]))
    raise ValueError(f"unknown space kind {kind!r} in {spec!r}")


def flat_size(space: spaces.Space[Any]) -> int:
    """Elements one sample takes in the core's flat buffer."""
    if isinstance(space, spaces.Tuple):
        return sum(flat_size(part) for part in space.spaces)
    if isinstance(space, spaces.Discrete):
        return 1
    assert space.shape is not None, f"no flat layout for {space}"
    return int(np.prod(space.shape))


def unflatten(space: spaces.Space[Any], flat: NDArray[Any]) -> Any:
    """One observation from the core's flat buffer: a Tuple space becomes a
    tuple (Discrete parts as Python ints, as Gymnasium's own envs return
    them; Box parts as fresh arrays); other spaces pass through."""
    if not isinstance(space, spaces.Tuple):
        return flat
    out: list[Any] = []
    start = 0
    for part in space.spaces:
        size = flat_size(part)
        if isinstance(part, spaces.Discrete):
            out.append(int(flat[start]))
        else:
            out.append(flat[start : start + size].reshape(part.shape).copy())
        start += size
    return tuple(out)


def unflatten_batch(space: spaces.Space[Any], flat: NDArray[Any]) -> Any:
    """A batch of observations (rows of ``flat``) laid out as
    ``gymnasium.vector.utils.batch_space(space, n)`` expects: a tuple of
    per-part arrays for a Tuple space; other spaces pass through."""
    if not isinstance(space, spaces.Tuple):
        return flat
    out: list[Any] = []
    start = 0
    for part in space.spaces:
        size = flat_size(part)
        if isinstance(part, spaces.Discrete):
            out.append(flat[:, start].copy())
        else:
            shape = part.shape or ()
            out.append(flat[:, start : start + size].reshape(len(flat), *shape).copy())
        start += size
    return tuple(out)


@dataclass(frozen=True)
class ObsSlice:
    """One named slice of a flat observation: ``obs[start:stop]`` reshaped to
    ``shape``; ``labels`` name the entries along the last axis."""

    name: str
    start: int
    shape: tuple[int, ...]
    low: float
    high: float
    labels: tuple[str, ...]
    doc: str

    @property
    def stop(self) -> int:
        """The index one past the slice's last number in the flat observation."""
        return self.start + int(np.prod(self.shape))

    def of(self, obs: NDArray[Any]) -> NDArray[Any]:
        """This slice of ``obs`` (one observation, or a batch along axis 0)."""
        part = obs[..., self.start : self.stop]
        return part.reshape(*obs.shape[:-1], *self.shape)


def layout_from_spec(spec: list[dict[str, Any]]) -> tuple[ObsSlice, ...]:
    """Builds the observation layout from the core's declaration."""
    return tuple(
        ObsSlice(
            name=str(f["name"]),
            start=int(f["start"]),
            shape=tuple(int(s) for s in f["shape"]),
            low=float(f["low"]),
            high=float(f["high"]),
            labels=tuple(str(x) for x in f["labels"]),
            doc=str(f["doc"]),
        )
        for f in spec
    )
