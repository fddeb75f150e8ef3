"""Optional dependencies: the one place that imports a module from an extra
and, when it is missing, says which extra installs it.

>>> from ferrogym.extras import require
>>> require("json", "cli", "this example").__name__
'json'
"""

from __future__ import annotations

import importlib
from typing import Any

from ferrogym.errors import MissingExtra


def missing(module: str, extra: str, purpose: str, detail: str = "") -> MissingExtra:
    """The error for ``purpose`` needing ``module`` (one line, naming the extra)."""
    return MissingExtra(f"{purpose} needs {module.split('.')[0]}: pip install 'ferrogym[{extra}]'{detail}")


def require(module: str, extra: str, purpose: str) -> Any:
    """``module`` imported, or :class:`~ferrogym.errors.MissingExtra` naming ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing(module, extra, purpose) from None
