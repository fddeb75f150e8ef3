"""Dashboard errors that map to HTTP statuses (see :mod:`ferrogym.web.errors`)."""

from __future__ import annotations

import os
from pathlib import Path


class NotFound(LookupError):
    """An id (session, job, model, recording, scenario) that does not exist: 404."""


class CapReached(RuntimeError):
    """A cap in :class:`~ferrogym.web.settings.Limits` is reached: 429."""


def without_folders(text: str, *folders: Path) -> str:
    """``text`` with the server's own folders taken out: a client sees file names, never server paths."""
    for folder in folders:
        for form in sorted({str(folder.resolve()), str(folder.absolute()), str(folder)}, key=len, reverse=True):
            text = text.replace(form + os.sep, "").replace(form, "<folder>")
    return text
