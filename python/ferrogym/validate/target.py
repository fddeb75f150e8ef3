"""What ``ferrogym check`` checks: an env id, ``module:Class``,
``path/to/file.py:Class``, an env file (YAML/JSON), a class or an env
instance, all turned into one :class:`gymnasium.envs.registration.EnvSpec`
from which fresh envs are made."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import EnvSpec
from gymnasium.vector import VectorEnv

from ferrogym.config import EnvFile, is_env_file
from ferrogym.errors import ConfigError

Env = gym.Env[Any, Any]


class TargetError(ConfigError):
    """A check target that cannot be found or loaded."""


@dataclass
class Target:
    """What the checker checks: an env spec (registered or made for a class) and the label shown in the report."""

    label: str
    spec: EnvSpec

    @property
    def env_id(self) -> str:
        """The spec's env id."""
        return self.spec.id

    @property
    def batched(self) -> bool:
        """Whether the env registers a native vector env."""
        return self.spec.vector_entry_point is not None

    def make(self, **kwargs: Any) -> Env:
        """A fresh env as ``gym.make`` builds it (order enforcing, time limit),
        without Gymnasium's passive checker (the checker runs it on purpose)."""
        return gym.make(self.spec, disable_env_checker=True, **kwargs)

    def make_raw(self, **kwargs: Any) -> Env:
        """The unwrapped env (what ``gymnasium.utils.env_checker.check_env`` wants)."""
        return self.make(**kwargs).unwrapped

    def make_vec(self, num_envs: int, **kwargs: Any) -> VectorEnv[Any, Any, Any]:
        """Returns the native vector env of ``num_envs`` sub-envs."""
        return gym.make_vec(self.spec, num_envs=num_envs, vectorization_mode="vector_entry_point", **kwargs)

    def make_sync_vec(self, num_envs: int, **kwargs: Any) -> VectorEnv[Any, Any, Any]:
        """Returns Gymnasium's ``SyncVectorEnv`` of ``num_envs`` single envs (the reference for the native one)."""
        return gym.make_vec(self.spec, num_envs=num_envs, vectorization_mode="sync", **kwargs)


def _spec_for_class(cls: Any, kwargs: dict[str, Any] | None = None) -> EnvSpec:
    name = getattr(cls, "__name__", "Env")
    if not name.replace("_", "").isalnum():
        name = "Env"
    return EnvSpec(id=f"ferrogym-check/{name}", entry_point=cls, kwargs=kwargs or {})


def _load_file_module(path: Path) -> Any:
    if not path.is_file():
        raise TargetError(f"no such file {str(path)!r}")
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() == path.resolve():
        return loaded
    if loaded is not None:
        name = f"ferrogym_check_{abs(hash(str(path.resolve())))}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise TargetError(f"cannot import {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # so that "name:Class" entry points resolve
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_attr(target: str) -> Any:
    module_name, _, attr = target.rpartition(":")
    if module_name.endswith(".py"):
        module = _load_file_module(Path(module_name))
    else:
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # like `python -m`: modules of the working directory
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            raise TargetError(f"cannot import module {module_name!r} ({e})") from None
    if not hasattr(module, attr):
        raise TargetError(f"module {module_name!r} has no attribute {attr!r}")
    return getattr(module, attr)


def from_object(obj: Any, label: str) -> Target:
    """Returns the target for an env instance, an env class, an ``EnvSpec`` or a factory function.

    Raises:
        TargetError: ``obj`` is none of those.
    """
    if isinstance(obj, gym.Env):
        env = obj.unwrapped
        if env.spec is not None:
            return Target(label, env.spec)
        init_kwargs = getattr(env, "_init_kwargs", None)
        kwargs = {k: v for k, v in (init_kwargs or {}).items() if k != "render_mode" and v is not None}
        return Target(label, _spec_for_class(type(env), kwargs))
    if isinstance(obj, EnvSpec):
        return Target(label, obj)
    if isinstance(obj, type) and issubclass(obj, gym.Env):
        entry_point = f"{obj.__module__}:{obj.__qualname__}"
        registered = [s for s in gym.registry.values() if s.entry_point in (entry_point, obj)]
        return Target(label, registered[0] if len(registered) == 1 else _spec_for_class(obj))
    if callable(obj):  # a factory function
        return Target(label, _spec_for_class(obj))
    raise TargetError(f"{label!r} is {obj!r}, not a gymnasium.Env class, instance or factory")


def resolve(target: Any) -> Target:
    """A :class:`Target` from whatever the user named."""
    if not isinstance(target, (str, os.PathLike)):
        return from_object(target, repr(target))
    label = str(target)
    if is_env_file(label):
        env_file = EnvFile.load(label)
        spec = gym.spec(env_file.id)
        kwargs = {**spec.kwargs, **env_file.config}
        if env_file.render_mode is not None:
            kwargs["render_mode"] = env_file.render_mode
        max_steps = env_file.max_episode_steps or spec.max_episode_steps
        return Target(label, dataclasses.replace(spec, kwargs=kwargs, max_episode_steps=max_steps))
    module, _, attr = label.rpartition(":")
    if module and attr.isidentifier():
        return from_object(_load_attr(label), label)
    try:
        spec = gym.spec(label)  # also imports "module:" prefixes
    except gym.error.Error as e:
        raise TargetError(
            f"{label!r} is not a registered env id ({e}); give an id such as 'ferrogym/CartPole-v1', "
            "'module:Class', 'path/to/file.py:Class' or an env file (.yaml/.json)"
        ) from None
    return Target(label, spec)
