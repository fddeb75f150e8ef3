"""RGB frames as PNG data URLs (zlib only: the web extra needs no imaging library)."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import numpy as np
from numpy.typing import NDArray


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgb: NDArray[Any]) -> bytes:
    """PNG bytes of an (H, W, 3) uint8 array."""
    frame = np.ascontiguousarray(rgb, dtype=np.uint8)
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) frame, got shape {frame.shape}")
    h, w, _ = frame.shape
    # Filter type 0 (none) before every row.
    raw = np.concatenate([np.zeros((h, 1), np.uint8), frame.reshape(h, w * 3)], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")
    )


def data_url(rgb: NDArray[Any]) -> str:
    """Returns an RGB frame (H, W, 3) as a PNG data URL."""
    return "data:image/png;base64," + base64.b64encode(encode_png(rgb)).decode("ascii")
