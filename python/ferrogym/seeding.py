"""How a Gymnasium seed becomes the seed of a Rust environment's generator.

The Rust generator of an env is seeded with one 64-bit draw from the env's
``np_random``, so Gymnasium's seeding checks (which inspect ``np_random``)
hold, and so that vector sub-env ``i`` reset with ``seed + i`` gets exactly the
generator a single env reset with ``seed + i`` gets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.utils import seeding

from ferrogym.errors import InvalidResetArgument


def draw_core_seed(np_random: np.random.Generator) -> int:
    """One 64-bit draw from ``np_random``: the seed of the Rust generator."""
    return int(np_random.integers(0, 2**64, dtype=np.uint64))


def core_seed_for(seed: int) -> int:
    """The core seed a single env reset with ``seed`` uses."""
    rng, _ = seeding.np_random(seed)
    return draw_core_seed(rng)


def check_reset_args(env: str, seed: Any = None, options: Any = None) -> None:
    """Refuses, before anything changes, reset arguments Gymnasium's
    ``reset(*, seed: int | None, options: dict | None)`` does not take:
    options that are not a dict, a seed that is not an integer >= 0 (a bool
    is not a seed, though Python counts it as an int)."""
    if options is not None and not isinstance(options, dict):
        raise InvalidResetArgument(
            f"{env}: invalid reset options {options!r} of type {type(options).__name__}; expected a dict or None"
        )
    if seed is None:
        return
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidResetArgument(f"{env}: invalid seed {seed!r}; expected None or an integer >= 0")
