"""The one place where the core's space declarations become gymnasium spaces."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces


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
