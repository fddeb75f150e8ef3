"""The ``matplotlib`` backend: frames drawn into one figure (inline in notebooks)."""

from __future__ import annotations

from typing import Any

from ferrogym.extras import require
from ferrogym.render import Frame, check_rgb


def require_matplotlib() -> Any:
    """Returns ``matplotlib.pyplot``.

    Raises:
        MissingExtra: matplotlib is not installed (the ``viz`` extra).
    """
    return require("matplotlib.pyplot", "viz", "plotting")


class FigureRenderer:
    """Shows each frame in ``figure`` (RGB with ``imshow``, text as monospace)."""

    def __init__(self, title: str = "ferrogym") -> None:
        plt = require_matplotlib()
        self.figure, self.ax = plt.subplots()
        self.ax.set_axis_off()
        self.ax.set_title(title)
        self._image: Any = None
        self._text: Any = None

    def show(self, frame: Frame) -> None:
        """Draws an RGB frame or a text frame in the figure."""
        if isinstance(frame, str):
            if self._text is None:
                self._text = self.ax.text(0, 1, "", family="monospace", va="top", transform=self.ax.transAxes)
            self._text.set_text(frame)
        else:
            rgb = check_rgb(frame)
            if self._image is None or self._image.get_array().shape != rgb.shape:
                self._image = self.ax.imshow(rgb)
            else:
                self._image.set_data(rgb)
        self.figure.canvas.draw_idle()

    def close(self) -> None:
        """Closes the figure."""
        require_matplotlib().close(self.figure)
