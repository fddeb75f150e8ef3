"""Renderers: one interface, four backends.

A frame is what an env's ``render()`` returns: a ``str`` (``ansi``) or a
``uint8`` array of shape (H, W, 3) (``rgb_array``; Rust envs draw it in Rust).
A :class:`Renderer` takes frames one at a time and shows or keeps them:

==================  =================================================  ==================
backend             what ``show(frame)`` does                          needs
==================  =================================================  ==================
``"ansi"``          prints text frames (RGB frames: their size)        -
``"rgb_array"``     keeps the frames (``.frames``), e.g. for a video   -
``"human"``         draws into a pygame window at ``fps``              ``ferrogym[viz]``
``"matplotlib"``    draws into a matplotlib figure (``.figure``)       ``ferrogym[viz]``
==================  =================================================  ==================

>>> import gymnasium as gym, ferrogym
>>> from ferrogym.render import make_renderer
>>> env = gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array")
>>> _ = env.reset(seed=0)
>>> r = make_renderer("rgb_array")
>>> r.show(env.render())
>>> r.frames[0].shape
(224, 224, 3)
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError

Frame = str | NDArray[np.uint8]
Backend = Literal["ansi", "rgb_array", "human", "matplotlib"]
BACKENDS: tuple[str, ...] = ("ansi", "rgb_array", "human", "matplotlib")


@runtime_checkable
class Renderer(Protocol):
    """Shows or keeps frames; ``close`` releases windows and figures."""

    def show(self, frame: Frame) -> None:
        """Shows one frame: an RGB array (H, W, 3) or ``ansi`` text."""

    def close(self) -> None:
        """Releases the window, figure or stream."""


def check_rgb(frame: Any, what: str = "frame") -> NDArray[np.uint8]:
    """``frame`` as an (H, W, 3) uint8 array, or a ValueError saying what it is."""
    if not (isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3):
        desc = f"array(shape={frame.shape}, dtype={frame.dtype})" if isinstance(frame, np.ndarray) else repr(frame)
        raise ValueError(f"invalid {what} {desc[:80]}; expected a uint8 array of shape (H, W, 3)")
    return frame


def make_renderer(backend: str, *, fps: float = 30.0, title: str = "ferrogym") -> Renderer:
    """A renderer for ``backend`` (one of :data:`BACKENDS`)."""
    if backend == "ansi":
        from ferrogym.render.text import TextRenderer

        return TextRenderer()
    if backend == "rgb_array":
        from ferrogym.render.array import ArrayRenderer

        return ArrayRenderer()
    if backend == "human":
        from ferrogym.render.window import WindowRenderer

        return WindowRenderer(title=title, fps=fps)
    if backend == "matplotlib":
        from ferrogym.render.figure import FigureRenderer

        return FigureRenderer(title=title)
    raise ConfigError(f"invalid renderer backend {backend!r}; expected one of {list(BACKENDS)}")


__all__ = ["BACKENDS", "Backend", "Frame", "Renderer", "check_rgb", "make_renderer"]
