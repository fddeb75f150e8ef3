"""How a Gymnasium seed becomes the seed of a Rust environment's generator.

The Rust generator of an env is seeded with one 64-bit draw from the env's
``np_random``, so Gymnasium's seeding checks (which inspect ``np_random``)
hold, and so that vector sub-env ``i`` reset with ``seed + i`` gets exactly the
generator a single env reset with ``seed + i`` gets.
"""

from __future__ import annotations

import numpy as np
from gymnasium.utils import seeding


def draw_core_seed(np_random: np.random.Generator) -> int:
    """One 64-bit draw from ``np_random``: the seed of the Rust generator."""
    return int(np_random.integers(0, 2**64, dtype=np.uint64))


def core_seed_for(seed: int) -> int:
    """The core seed a single env reset with ``seed`` uses."""
    rng, _ = seeding.np_random(seed)
    return draw_core_seed(rng)
