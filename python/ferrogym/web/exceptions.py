"""Dashboard errors that map to HTTP statuses (see :mod:`ferrogym.web.errors`)."""

from __future__ import annotations


class NotFound(LookupError):
    """An id (session, job, model, recording, scenario) that does not exist: 404."""


class CapReached(RuntimeError):
    """A cap in :class:`~ferrogym.web.settings.Limits` is reached: 429."""
