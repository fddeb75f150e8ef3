"""Typed config dataclasses for Rust envs.

The Rust config struct stays the one source of defaults and validation: a
field left at ``None`` takes the Rust default, :meth:`RustEnvConfig.validate`
builds the compiled env to let Rust judge the values, and tests check that a
dataclass names exactly the Rust struct's fields (``default_config()``).
Being :class:`ferrogym.config.EnvConfig` dataclasses, they load and save YAML
and JSON and Hydra can instantiate them.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ferrogym.config import EnvConfig, write_file

R = TypeVar("R", bound="RustEnvConfig")


@dataclass
class RustEnvConfig(EnvConfig):
    """Base of the config dataclasses of Rust envs."""

    #: The compiled env class (``ferrogym._core.*Core``). Typed ``Any``
    #: because EnvConfig resolves annotations at run time and the core's
    #: base type exists only in the stub.
    _core_cls: ClassVar[Any]

    def kwargs(self) -> dict[str, Any]:
        """The fields that are set, as keyword arguments for ``gym.make``."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def validate(self) -> None:
        """Checks the fields by building the Rust config from them.

        Raises:
            ConfigError: from Rust, naming the env, the field and what it expects.
        """
        # Rust raises ConfigError naming the env, the field and what it expects.
        self._core_cls(**self.kwargs())

    def resolved(self: R) -> R:
        """The same config with every field filled with the value in effect
        (presets such as a scenario expanded), as the compiled env reports it."""
        values = self._core_cls(**self.kwargs()).effective_config()
        assert values is not None, f"{self._core_cls.__name__} reports its effective config"
        return type(self)(**values)

    def save(self, path: str | os.PathLike[str], *, resolved: bool = False) -> None:
        """Writes the fields that are set (every field with ``resolved=True``)
        as YAML or JSON according to the suffix; :meth:`load` reads it back."""
        write_file(path, (self.resolved() if resolved else self).kwargs())

    @classmethod
    def rust_defaults(cls) -> dict[str, Any]:
        """Every field's default, as the Rust struct declares it."""
        return dict(cls._core_cls.default_config())
