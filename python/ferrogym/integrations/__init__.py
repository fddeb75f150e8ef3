"""Adapters that hand ferrogym envs to RL libraries, one module per library.

Each module needs its library, installed with the extra of the same name
(``pip install 'ferrogym[torchrl]'``). Importing a module checks the library
is there and within the range the compat suite (tests/compat) runs with, and
otherwise raises :class:`~ferrogym.errors.MissingExtra` or
:class:`~ferrogym.errors.UnsupportedLibrary` naming the extra or the range,
instead of a traceback from deep inside the library.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import os
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from ferrogym.errors import UnsupportedLibrary, UnsupportedSpace
from ferrogym.extras import missing

#: Set to 1 to use a library version outside the tested range anyway.
ALLOW_UNTESTED_ENV = "FERROGYM_ALLOW_UNTESTED"


@dataclass(frozen=True)
class Library:
    """An RL library ferrogym integrates with: where it comes from and the versions tested with it."""

    #: Distribution name on PyPI.
    dist: str
    #: Module to import.
    module: str
    #: The ferrogym extra that installs it.
    extra: str
    #: Versions tests/compat ran with, [low, high) (pyproject.toml's extras say the same).
    low: tuple[int, ...]
    high: tuple[int, ...]

    @property
    def tested(self) -> str:
        """The tested version range as a requirement specifier, e.g. ``>=2.4,<3``."""
        return f">={'.'.join(map(str, self.low))},<{'.'.join(map(str, self.high))}"

    def is_tested(self, version: str) -> bool:
        """Returns whether ``version`` lies in the tested range (pre-release suffixes are ignored)."""
        parts: list[int] = []
        for p in version.split("."):
            digits = "".join(itertools.takewhile(str.isdigit, p))
            if not digits:
                break
            parts.append(int(digits))
        return self.low <= tuple(parts) < self.high


LIBRARIES: dict[str, Library] = {
    lib.extra: lib
    for lib in (
        Library("stable-baselines3", "stable_baselines3", "sb3", (2, 4), (3,)),
        Library("ray", "ray.rllib", "rllib", (2, 60), (2, 61)),
        Library("torchrl", "torchrl", "torchrl", (0, 14), (0, 15)),
        Library("tianshou", "tianshou", "tianshou", (2, 0), (2, 1)),
        Library("skrl", "skrl", "skrl", (2, 1), (2, 2)),
        Library("pettingzoo", "pettingzoo", "pettingzoo", (1, 25), (2,)),
    )
}


def library_version(extra: str) -> str | None:
    """The installed version of the library behind ``extra``, or None."""
    try:
        return importlib.metadata.version(LIBRARIES[extra].dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def require(extra: str) -> None:
    """Checks that the library behind ``extra`` is importable and tested."""
    lib = LIBRARIES[extra]
    version = library_version(extra)
    top = lib.module.split(".")[0]
    if version is None or importlib.util.find_spec(top) is None:
        raise missing(lib.dist, extra, f"ferrogym.integrations.{extra}", f" (tested: {lib.tested})")
    if not lib.is_tested(version) and os.environ.get(ALLOW_UNTESTED_ENV) != "1":
        raise UnsupportedLibrary(
            f"ferrogym.integrations.{extra}: {lib.dist} {version} is outside the tested range {lib.tested}; "
            f"pip install 'ferrogym[{extra}]' for a tested version, or set {ALLOW_UNTESTED_ENV}=1 to try it anyway"
        )


def masked(env_id: str) -> bool:
    """Whether the env rejects actions its ``action_masks()`` forbids."""
    from ferrogym.envs import ENVS

    return any(e.id == env_id and e.masked for e in ENVS)


def blind_kwargs(env_id: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Env kwargs for a library whose policies sample without action masks:
    masked envs route a forbidden action to a valid one, with a penalty
    (``invalid_action="fallback"``), unless the caller chose otherwise."""
    if masked(env_id) and "invalid_action" not in kwargs:
        return {"invalid_action": "fallback", **kwargs}
    return dict(kwargs)


def vector_class(env_id: str) -> Any:
    """The Rust batch class registered for ``env_id`` (its vector entry point)."""
    from gymnasium.envs.registration import load_env_creator

    from ferrogym.vector import RustVectorEnv

    entry = gym.spec(env_id).vector_entry_point
    creator = load_env_creator(entry) if isinstance(entry, str) else entry
    if not (isinstance(creator, type) and issubclass(creator, RustVectorEnv)):
        raise TypeError(f"{env_id} has no ferrogym Rust batch (its vector entry point is {entry!r})")
    return creator


def check_action_space(
    library: str,
    algorithm: str,
    allowed: tuple[type[gym.Space[Any]], ...],
    action_space: gym.Space[Any],
    env_id: str,
    instead: str,
) -> None:
    """Raises :class:`~ferrogym.errors.UnsupportedSpace` naming the library, the
    algorithm, the space and what to use instead, unless ``action_space`` is an
    instance of one of ``allowed`` (libraries that only check this deep inside
    training, or never)."""
    if isinstance(action_space, allowed):
        return
    raise UnsupportedSpace(
        f"{env_id}: {library} {algorithm} takes {' or '.join(c.__name__ for c in allowed)} actions, "
        f"not {action_space}; use {instead} for this env"
    )
