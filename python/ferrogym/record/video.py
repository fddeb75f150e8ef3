"""Video export: mp4 through imageio's ffmpeg plugin (imageio-ffmpeg ships
the ffmpeg binary in its wheel), gif through Pillow."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError, RecordingError
from ferrogym.record.formats import require
from ferrogym.render import check_rgb

VIDEO_SUFFIXES = (".mp4", ".gif")


def _even(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """H.264 with yuv420p needs even sizes: pad with the edge pixels."""
    h, w = frame.shape[:2]
    return np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge") if (h % 2 or w % 2) else frame


def write_video(
    frames: Sequence[Any], path: str | os.PathLike[str], *, fps: float = 30.0, overwrite: bool = False
) -> Path:
    """Writes RGB ``frames`` to ``path`` (``.mp4`` or ``.gif``); refuses an existing file unless ``overwrite``."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise ConfigError(f"invalid video path {str(out)!r}; expected a name ending in .mp4 or .gif")
    if not frames:
        raise ConfigError(f"{out}: no frames to write (render with render_mode='rgb_array')")
    if fps <= 0:
        raise ConfigError(f"invalid fps {fps!r}; expected a positive number")
    if out.exists() and not overwrite:
        raise RecordingError(f"{out}: the file exists; choose another name (nothing was overwritten)")
    rgb = [check_rgb(f, "video frame") for f in frames]
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gif":
        image = require("PIL.Image")
        images = [image.fromarray(f) for f in rgb]
        images[0].save(out, save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0)
    else:
        iio = require("imageio.v2")
        with iio.get_writer(out, fps=fps, codec="libx264", macro_block_size=1, pixelformat="yuv420p") as w:
            for f in rgb:
                w.append_data(_even(f))
    return out
