"""The ``ansi`` backend: text frames to a stream."""

from __future__ import annotations

import sys
from typing import TextIO

from ferrogym.render import Frame


class TextRenderer:
    """Prints each text frame (an RGB frame prints as its size)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout

    def show(self, frame: Frame) -> None:
        """Writes a text frame to the stream (an RGB frame as a one-line placeholder)."""
        text = frame if isinstance(frame, str) else f"<rgb frame {frame.shape[1]}x{frame.shape[0]}>"
        self.stream.write(text if text.endswith("\n") else text + "\n")

    def close(self) -> None:
        """Flushes the stream; the stream itself stays open."""
        self.stream.flush()
