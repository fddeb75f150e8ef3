"""The ``rgb_array`` backend: keeps NumPy frames (for videos, tests, notebooks)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ferrogym.render import Frame, check_rgb


class ArrayRenderer:
    """Collects RGB frames in ``frames``, keeping at most ``max_frames`` (the latest)."""

    def __init__(self, max_frames: int | None = None) -> None:
        self.frames: list[NDArray[np.uint8]] = []
        self.max_frames = max_frames

    def show(self, frame: Frame) -> None:
        """Keeps a copy of an RGB frame (the oldest is dropped past ``max_frames``).

        Raises:
            ValueError: ``frame`` is text.
        """
        if isinstance(frame, str):
            raise ValueError("the rgb_array renderer takes RGB frames; make the env with render_mode='rgb_array'")
        self.frames.append(check_rgb(frame).copy())
        if self.max_frames is not None and len(self.frames) > self.max_frames:
            del self.frames[0]

    def close(self) -> None:
        """Nothing to release; the frames stay available."""
        pass
