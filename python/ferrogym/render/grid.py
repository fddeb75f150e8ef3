"""GridWorld's visited-cell heat, laid over the Rust frame with array operations."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: The floor colour of GridWorld's Rust frame: only floor pixels take heat.
FLOOR = np.array([235, 235, 235], dtype=np.uint8)
#: Heat colours from one visit (pale yellow) to the most visited cell (red).
COOL = np.array([250, 225, 140], dtype=np.float64)
HOT = np.array([215, 45, 30], dtype=np.float64)


def heat_overlay(frame: NDArray[np.uint8], visits: NDArray[np.integer]) -> NDArray[np.uint8]:
    """``frame`` (H*px, W*px, 3) with its visited floor pixels tinted by
    ``visits`` (H, W): cells never visited keep the floor colour."""
    h, w = visits.shape
    px = frame.shape[0] // h
    top = visits.max(initial=0)
    if top == 0:
        return frame
    level = visits / top
    colors = COOL + (HOT - COOL) * level[..., None]
    cells = np.where((visits > 0)[..., None], colors, FLOOR).astype(np.uint8)
    painted = np.repeat(np.repeat(cells, px, axis=0), px, axis=1)
    out = frame.copy()
    region = out[: h * px, : w * px]
    floor = (region == FLOOR).all(axis=-1)
    region[floor] = painted[floor]
    return out
