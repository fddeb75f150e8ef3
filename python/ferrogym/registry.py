"""``@ferrogym.register``: Gymnasium's registry, with clear errors.

    @ferrogym.register("mylab/Inventory-v0", max_episode_steps=100)
    class InventoryEnv(ferrogym.BaseEnvironment[...]): ...

    env = gym.make("mylab/Inventory-v0", capacity=30)

Ids follow Gymnasium's rules (``[namespace/]Name[-vN]``, checked by
Gymnasium's own parser). Registering an id that is already taken by another
class is a :class:`~ferrogym.errors.RegistrationError` naming both (Gymnasium
would only warn and override); registering the same class again (a module
imported twice) is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import gymnasium as gym
from gymnasium.envs.registration import parse_env_id

from ferrogym.errors import RegistrationError

E = TypeVar("E", bound=type[gym.Env[Any, Any]])

#: Ids registered through :func:`register` (the ENVS table has the Rust ones).
REGISTERED: dict[str, str] = {}


def entry_point_of(cls: type[Any]) -> str:
    """Returns the ``module:QualName`` entry point of ``cls``, as ``gym.register`` takes it."""
    return f"{cls.__module__}:{cls.__qualname__}"


def register(
    env_id: str,
    *,
    max_episode_steps: int | None = None,
    reward_threshold: float | None = None,
    nondeterministic: bool = False,
    vector_entry_point: str | None = None,
    **kwargs: Any,
) -> Callable[[E], E]:
    """Registers the decorated env class under ``env_id``; ``kwargs`` become the
    spec's default constructor arguments."""
    if not isinstance(env_id, str):
        raise RegistrationError(f"invalid env id {env_id!r}; expected a string like 'mylab/MyEnv-v0'")
    try:
        parse_env_id(env_id)
    except gym.error.Error as e:
        raise RegistrationError(f"invalid env id {env_id!r}: {e}") from None
    if max_episode_steps is not None and (
        isinstance(max_episode_steps, bool) or not isinstance(max_episode_steps, int) or max_episode_steps < 1
    ):
        raise RegistrationError(
            f"{env_id}: invalid max_episode_steps {max_episode_steps!r}; expected a positive integer or None"
        )

    def decorator(cls: E) -> E:
        if not (isinstance(cls, type) and issubclass(cls, gym.Env)):
            raise RegistrationError(f"{env_id}: can only register gymnasium.Env subclasses, got {cls!r}")
        entry_point = entry_point_of(cls)
        existing = gym.registry.get(env_id)
        if existing is not None:
            if existing.entry_point == entry_point:
                return cls
            raise RegistrationError(
                f"{env_id} is already registered (entry point {existing.entry_point!r}); cannot register "
                f"{entry_point!r} under the same id. Pick another name, or bump the version (e.g. -v1) "
                "if this is a new version of the same env"
            )
        try:
            gym.register(
                id=env_id,
                entry_point=entry_point,
                vector_entry_point=vector_entry_point,
                max_episode_steps=max_episode_steps,
                reward_threshold=reward_threshold,
                nondeterministic=nondeterministic,
                kwargs=kwargs,
            )
        except gym.error.RegistrationError as e:  # versioned vs unversioned clash
            raise RegistrationError(f"{env_id}: {e}") from None
        REGISTERED[env_id] = entry_point
        return cls

    return decorator
