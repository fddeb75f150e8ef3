"""The ``human`` backend: a pygame window, and a replay viewer on top of it.

Headless (CI, tests): set ``SDL_VIDEODRIVER=dummy`` before pygame is imported;
under Xvfb a real window opens.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.extras import require
from ferrogym.render import Frame, check_rgb


def require_pygame() -> Any:
    """Returns the ``pygame`` module, imported without its banner.

    Raises:
        MissingExtra: pygame is not installed (the ``viz`` extra).
    """
    # pygame prints a banner on import unless told not to.
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    return require("pygame", "viz", "render_mode='human'")


class WindowRenderer:
    """Draws RGB frames in a window, at most ``fps`` frames a second (0: no limit).

    ``closed`` turns True when the user closes the window; text frames are
    drawn as their first lines in a monospace font.
    """

    def __init__(self, title: str = "ferrogym", fps: float = 30.0) -> None:
        self.pygame = require_pygame()
        self.title = title
        self.fps = fps
        self.closed = False
        self._screen: Any = None
        self._last = 0.0

    def _surface(self, frame: Frame) -> Any:
        pg = self.pygame
        if isinstance(frame, str):
            pg.font.init()
            font = pg.font.SysFont("monospace", 14)
            lines = frame.splitlines() or [""]
            width = max(font.size(line)[0] for line in lines) + 8
            surface = pg.Surface((max(width, 8), 16 * len(lines) + 8))
            surface.fill((255, 255, 255))
            for i, line in enumerate(lines):
                surface.blit(font.render(line, True, (0, 0, 0)), (4, 4 + 16 * i))
            return surface
        return pg.surfarray.make_surface(check_rgb(frame).swapaxes(0, 1))

    def show(self, frame: Frame) -> None:
        """Shows a frame in the window (opened or resized to fit) and waits to keep ``fps``."""
        pg = self.pygame
        surface = self._surface(frame)
        if self._screen is None or self._screen.get_size() != surface.get_size():
            pg.display.init()
            self._screen = pg.display.set_mode(surface.get_size())
            pg.display.set_caption(self.title)
        self._screen.blit(surface, (0, 0))
        pg.display.flip()
        self.poll()
        if self.fps > 0:
            wait = self._last + 1.0 / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()

    def poll(self) -> list[Any]:
        """Pending window events (a close request sets ``closed``)."""
        if self._screen is None:
            return []
        events = list(self.pygame.event.get())
        if any(e.type == self.pygame.QUIT for e in events):
            self.closed = True
        return events

    def screen_pixels(self) -> NDArray[np.uint8]:
        """What the window shows now, (H, W, 3)."""
        return np.asarray(self.pygame.surfarray.array3d(self._screen).swapaxes(0, 1), dtype=np.uint8)

    def close(self) -> None:
        """Closes the window."""
        if self._screen is not None:
            self.pygame.display.quit()
            self._screen = None


class Viewer:
    """Plays frames in a window with controls:

    space pause/play, right/left one step forward/back (pauses), home/end first/last,
    up/down (or +/-) speed x2 / /2, digits then enter: jump to that step, escape/q quit.
    """

    def __init__(self, frames: Sequence[NDArray[np.uint8]], fps: float = 8.0, title: str = "ferrogym replay") -> None:
        if not frames:
            raise ValueError("nothing to view: no frames")
        self.frames = frames
        self.fps = fps
        self.index = 0
        self.playing = True
        self.running = True
        self._typed = ""
        self.window = WindowRenderer(title=title, fps=0)

    def handle(self, event: Any) -> None:
        """Applies one pygame event: quit, pause, step, jump or change speed."""
        pg = self.window.pygame
        if event.type == pg.QUIT:
            self.running = False
            return
        if event.type != pg.KEYDOWN:
            return
        key, last = event.key, len(self.frames) - 1
        if key in (pg.K_ESCAPE, pg.K_q):
            self.running = False
        elif key == pg.K_SPACE:
            self.playing = not self.playing
        elif key == pg.K_RIGHT:
            self.playing, self.index = False, min(self.index + 1, last)
        elif key == pg.K_LEFT:
            self.playing, self.index = False, max(self.index - 1, 0)
        elif key == pg.K_HOME:
            self.index = 0
        elif key == pg.K_END:
            self.index = last
        elif key in (pg.K_UP, pg.K_PLUS, pg.K_EQUALS, pg.K_KP_PLUS):
            self.fps = min(self.fps * 2, 240.0)
        elif key in (pg.K_DOWN, pg.K_MINUS, pg.K_KP_MINUS):
            self.fps = max(self.fps / 2, 0.25)
        elif pg.K_0 <= key <= pg.K_9:
            self._typed += str(key - pg.K_0)
        elif key in (pg.K_RETURN, pg.K_KP_ENTER) and self._typed:
            self.playing, self.index = False, min(int(self._typed), last)
            self._typed = ""

    def tick(self) -> None:
        """Handles pending events, shows the current frame, advances when playing."""
        for event in self.window.poll():
            self.handle(event)
        self.window.show(self.frames[self.index])
        self.window.pygame.display.set_caption(
            f"{self.window.title}  step {self.index}/{len(self.frames) - 1}  {self.fps:g} fps"
            + ("" if self.playing else "  (paused)")
        )
        if self.playing:
            if self.index < len(self.frames) - 1:
                self.index += 1
            else:
                self.playing = False

    def run(self, max_ticks: int | None = None) -> None:
        """Runs until quit (or ``max_ticks`` frames, for tests)."""
        ticks = 0
        while self.running and (max_ticks is None or ticks < max_ticks):
            self.tick()
            ticks += 1
            time.sleep(1.0 / self.fps if self.playing else 1.0 / 30)
        self.window.close()
