"""Typed env configs: dataclasses that check their fields on construction,
load from and save to YAML or JSON, and env files that ``ferrogym.make``
turns into envs.

    @dataclass
    class InventoryConfig(EnvConfig):
        capacity: int = 20
        price: float = 1.0

        def validate(self) -> None:
            if self.capacity < 1:
                raise self.invalid("capacity", "an integer >= 1")

Construction checks every field against its annotation, so
``InventoryConfig(capacity="big")``, ``InventoryConfig.from_dict({"capcity": 3})``
and Hydra's ``instantiate`` all fail with the field, the value and what was
expected. An env file (YAML or JSON) names an env id and its config::

    id: ferrogym/GridWorld-v0
    max_episode_steps: 50
    config: {layout: four_rooms, slip: 0.1}
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import reprlib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

import gymnasium as gym

from ferrogym.errors import ConfigError

C = TypeVar("C", bound="EnvConfig")

_MISSING = object()
#: Values in error messages: a long list (a ticket trace) shown by its first items.
_SHORT = reprlib.Repr()
_SHORT.maxlist, _SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 6, 3, 120, 120


def _describe(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _coerce(owner: str, name: str, value: Any, tp: Any) -> Any:
    """``value`` converted to annotation ``tp``, or a ConfigError naming the field."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)

    def bad() -> ConfigError:
        return ConfigError(f"{owner}: invalid config `{name}` = {_SHORT.repr(value)}; expected {_describe(tp)}")

    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(owner, name, value, arg)
            except ConfigError:
                continue
        raise bad()
    if origin is Literal:
        if value in args and not (isinstance(value, bool) and not any(isinstance(a, bool) for a in args)):
            return value
        raise ConfigError(f"{owner}: invalid config `{name}` = {_SHORT.repr(value)}; expected one of {list(args)}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad()
    if tp is int:
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, int):
            return value
        # A float only where it is an exact integer (not 1e300, not inf).
        if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
            return int(value)
        if hasattr(value, "__index__"):  # numpy integers
            return int(value.__index__())
        raise bad()
    if tp is float:
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, (int, float)) or hasattr(value, "__float__"):
            try:
                out = float(value)
            except (TypeError, ValueError):
                raise bad() from None
            if math.isnan(out):
                raise ConfigError(f"{owner}: invalid config `{name}` = nan; expected a number, not NaN")
            if math.isinf(out):
                raise ConfigError(f"{owner}: invalid config `{name}` = {out}; expected a finite number")
            return out
        raise bad()
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad()
    if origin in (list, tuple) and isinstance(value, (list, tuple)):
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise bad()
            return tuple(_coerce(owner, f"{name}[{i}]", v, a) for i, (v, a) in enumerate(zip(value, args, strict=True)))
        inner = args[0] if args else Any
        if inner is float and all(type(v) is float and math.isfinite(v) for v in value):
            # Already what the checks below would return (a long trace's rows), without a check per item.
            return tuple(value) if origin is tuple else list(value)
        items = [_coerce(owner, f"{name}[{i}]", v, inner) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict and isinstance(value, Mapping):
        kt, vt = args if args else (Any, Any)
        return {_coerce(owner, f"{name} key", k, kt): _coerce(owner, f"{name}[{k!r}]", v, vt) for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, EnvConfig):
        if isinstance(value, tp):
            return value
        if isinstance(value, Mapping):
            return tp.from_dict(value)
        raise bad()
    if isinstance(tp, type):
        if isinstance(value, tp):
            return value
        raise bad()
    return value  # an annotation this checker does not know: trust it


@dataclass
class EnvConfig:
    """Base of env config dataclasses: typed fields checked on construction,
    :meth:`validate` for value rules, YAML/JSON load and save."""

    def __post_init__(self) -> None:
        owner = type(self).__name__
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            coerced = _coerce(owner, f.name, value, hints.get(f.name, Any))
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)
        self.validate()

    def validate(self) -> None:
        """Value rules beyond types; raise ``self.invalid(field, expected)``."""

    def invalid(self, name: str, expected: str) -> ConfigError:
        """The error for field ``name`` whose value is not ``expected``."""
        return ConfigError(
            f"{type(self).__name__}: invalid config `{name}` = {getattr(self, name)!r}; expected {expected}"
        )

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
        """Builds the config from a mapping of field names to values.

        Raises:
            ConfigError: ``data`` is not a mapping, names an unknown field, or a value fails its check.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{cls.__name__}: a config must be a mapping of field names to values, got {data!r}")
        names = [f.name for f in dataclasses.fields(cls) if f.init]
        unknown = [k for k in data if k not in names]
        if unknown:
            raise ConfigError(f"{cls.__name__}: unknown config field(s) {unknown}; valid fields are {names}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Returns the fields as a plain dict (nested dataclasses become dicts)."""
        return dataclasses.asdict(self)

    def replace(self: C, **changes: Any) -> C:
        """Returns a copy with ``changes`` applied, checked as a new config.

        Raises:
            ConfigError: a change names an unknown field or has an invalid value.
        """
        return self.from_dict({**self.to_dict(), **changes})

    @classmethod
    def load(cls: type[C], path: str | os.PathLike[str]) -> C:
        """Reads a config from a ``.yaml``, ``.yml`` or ``.json`` file.

        Raises:
            ConfigError: the file's format is unknown, it does not parse, or its fields are invalid.
        """
        return cls.from_dict(read_file(path))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the config to a ``.yaml``, ``.yml`` or ``.json`` file, chosen by suffix.

        Raises:
            ConfigError: the suffix is not one of those.
        """
        write_file(path, self.to_dict())


def read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A mapping from a ``.yaml``/``.yml`` or ``.json`` file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ConfigError(f"config file {str(p)!r}: unknown format {suffix!r}; expected .yaml, .yml or .json")
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"config file {str(p)!r}: cannot read it ({e.strerror})") from None
    if suffix == ".json":
        parse, errors = json.loads, (ValueError,)
    else:
        yaml = _yaml()
        parse, errors = yaml.safe_load, (yaml.YAMLError,)
    try:
        data = parse(text)
    except errors as e:
        raise ConfigError(f"config file {str(p)!r}: not valid {suffix[1:].upper()} ({e})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(p)!r}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def write_file(path: str | os.PathLike[str], data: Mapping[str, Any]) -> None:
    """Writes ``data`` to ``path`` as JSON or YAML, chosen by the file's suffix.

    Raises:
        ConfigError: the suffix is not ``.json``, ``.yaml`` or ``.yml``.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        p.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    elif suffix in (".yaml", ".yml"):
        p.write_text(_yaml().safe_dump(_plain(data), sort_keys=False), encoding="utf-8")
    else:
        raise ConfigError(f"config file {str(p)!r}: unknown format {suffix!r}; expected .yaml, .yml or .json")


def _plain(data: Any) -> Any:
    """Tuples become lists so that ``safe_dump`` writes plain YAML."""
    if isinstance(data, Mapping):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    return data


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml ships in the dev environment
        raise ConfigError("reading YAML needs pyyaml: pip install 'ferrogym[cli]' (or use a .json file)") from None
    return yaml


@dataclass
class EnvFile(EnvConfig):
    """What an env file says: which env, with which config."""

    id: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    max_episode_steps: int | None = None
    render_mode: str | None = None

    def validate(self) -> None:
        """Checks that the file names an env id and a positive ``max_episode_steps``.

        Raises:
            ConfigError: naming the invalid field.
        """
        if not self.id:
            raise self.invalid("id", "a registered env id such as 'ferrogym/CartPole-v1'")
        if self.max_episode_steps is not None and self.max_episode_steps < 1:
            raise self.invalid("max_episode_steps", "a positive integer or null")

    def make_kwargs(self) -> dict[str, Any]:
        """Returns the keyword arguments for ``gym.make``: the config plus the step limit and render mode when set."""
        kwargs = dict(self.config)
        if self.max_episode_steps is not None:
            kwargs["max_episode_steps"] = self.max_episode_steps
        if self.render_mode is not None:
            kwargs["render_mode"] = self.render_mode
        return kwargs


def is_env_file(target: Any) -> bool:
    """Returns whether ``target`` is a path to an env file (``.yaml``, ``.yml`` or ``.json``) rather than an env id."""
    return isinstance(target, (str, os.PathLike)) and Path(target).suffix.lower() in (".yaml", ".yml", ".json")


def make(target: str | os.PathLike[str], **kwargs: Any) -> gym.Env[Any, Any]:
    """``gym.make`` that also takes an env file (YAML/JSON); ``kwargs`` override the file."""
    if is_env_file(target):
        spec = EnvFile.load(target)
        return gym.make(spec.id, **{**spec.make_kwargs(), **kwargs})
    return gym.make(str(target), **kwargs)
