"""Envs built from what a client sends: an env id from the allow-list (no
module is imported for an unknown one, whether the id came from a request or
a recording file), a config the env's own constructor validates before it
allocates anything sized by it, and actions the action space contains."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.envs.catalogue import env_ids
from ferrogym.errors import ConfigError, FerrogymError, InvalidAction
from ferrogym.web.exceptions import NotFound
from ferrogym.web.settings import Limits


def check_env_id(env_id: str) -> None:
    """Checks that ``env_id`` is a registered ferrogym env.

    Raises:
        NotFound: naming the unknown id and listing the known ones.
    """
    known = env_ids()
    if env_id not in known:
        raise NotFound(f"unknown env id {env_id!r}; expected one of {known}")


#: ``gym.make``'s own keywords: a config may not reach them (``max_episode_steps`` is checked apart).
MAKE_KEYWORDS = frozenset({"render_mode", "disable_env_checker", "autoreset", "apply_api_compatibility"})


def check_max_episode_steps(env_id: str, value: Any, cap: int) -> None:
    """``max_episode_steps`` in a config: gym.make reads -1 as "no time limit", so refuse it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
        raise ConfigError(
            f"{env_id}: invalid config `max_episode_steps` = {value!r}; expected an integer in [1, {cap}]"
        )


def make_env(
    env_id: str, config: dict[str, Any], render: bool = True, max_episode_steps: int = Limits.max_episode_steps
) -> gym.Env[Any, Any]:
    """The env ``env_id`` built from a client's ``config``: the id must be registered (no module
    is imported for an unknown one), and the env's own constructor validates the config before
    it allocates anything sized by it. ``max_episode_steps`` caps a time limit the config sets."""
    check_env_id(env_id)
    reserved = sorted(MAKE_KEYWORDS & set(config))
    if reserved:
        raise ConfigError(f"{env_id}: config may not set {reserved} (the server sets them)")
    if "max_episode_steps" in config:
        check_max_episode_steps(env_id, config["max_episode_steps"], max_episode_steps)
    try:
        return gym.make(env_id, render_mode="rgb_array" if render else None, disable_env_checker=True, **config)
    except FerrogymError:
        raise
    except (TypeError, OverflowError, gym.error.Error) as e:  # an unknown keyword, a value out of a native range
        raise ConfigError(f"{env_id}: invalid config: {e}") from None


def action_mask(env: gym.Env[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Returns the env's current action mask as booleans, or None when the env has no mask."""
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None:
        return None
    try:
        return np.asarray(masks(), dtype=bool)
    except NotImplementedError:
        return None


def has_mask(env: gym.Env[Any, Any]) -> bool:
    """Returns whether ``env`` has a mask that forbids something right now."""
    mask = action_mask(env)
    return mask is not None and mask.size > 0 and not bool(mask.all())


def checked_action(env_id: str, space: gym.spaces.Space[Any], action: Any) -> Any:
    """A client's action as the env takes it, refused (InvalidAction, 400) unless the space
    contains it, as Gymnasium's spaces judge: a Discrete action is an integer (not a bool, a
    string or a float) in range; an array action has the space's shape and finite entries."""
    if isinstance(space, gym.spaces.Discrete):
        lo = int(space.start)
        if isinstance(action, bool) or not isinstance(action, int):
            raise InvalidAction(f"{env_id}: action {action!r} is not an integer; expected one of {space}")
        if not lo <= action < lo + int(space.n):
            raise InvalidAction(f"{env_id}: action {action} is out of range; expected one of {space}")
        return action
    value = np.asarray(action, dtype=np.float64)  # the request schema admits only numbers and lists of them
    if value.shape != space.shape or not np.isfinite(value).all():
        raise InvalidAction(f"{env_id}: action {action!r} is not in {space}; expected shape {space.shape}, finite")
    if np.issubdtype(space.dtype, np.integer) and not (value == np.round(value)).all():
        raise InvalidAction(f"{env_id}: action {action!r} is not in {space}; expected integers")
    with np.errstate(over="ignore", invalid="ignore"):
        cast = value.astype(space.dtype)
    if not space.contains(cast):
        raise InvalidAction(f"{env_id}: action {action!r} is not in {space}")
    return cast
