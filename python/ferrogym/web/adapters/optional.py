"""Import a module that may not be installed (it lands from another branch)."""

from __future__ import annotations

import importlib
from typing import Any


def optional_module(name: str) -> Any:
    """The module, or None when it is not importable."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
