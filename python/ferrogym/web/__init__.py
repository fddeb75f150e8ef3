"""ferrogym's web dashboard (``pip install 'ferrogym[web]'``; ``ferrogym serve``).

>>> from ferrogym.web import create_app, Settings      # doctest: +SKIP
>>> app = create_app(Settings(port=8765))               # an ASGI app for uvicorn

Importing this package needs nothing beyond ferrogym's core (the CLI reads
:mod:`ferrogym.web.settings` without the extra); ``create_app`` needs FastAPI.
"""

from __future__ import annotations

from typing import Any

from ferrogym.web.settings import Limits, Settings


def __getattr__(name: str) -> Any:
    if name == "create_app":
        try:
            from ferrogym.web.app import create_app
        except ImportError as e:  # pragma: no cover - exercised only without the extra
            raise ImportError(f"ferrogym.web needs the web extra: pip install 'ferrogym[web]' ({e})") from e
        return create_app
    raise AttributeError(f"module 'ferrogym.web' has no attribute {name!r}")


__all__ = ["Limits", "Settings", "create_app"]
