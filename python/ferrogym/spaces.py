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
    raise ValueError(f"unknown space kind {kind!r} in {spec!r}")


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
