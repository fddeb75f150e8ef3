"""The env ids every compat test runs over."""

from __future__ import annotations

import ferrogym

ENV_IDS = [e.id for e in ferrogym.ENVS]
MASKED = {e.id for e in ferrogym.ENVS if e.masked}
