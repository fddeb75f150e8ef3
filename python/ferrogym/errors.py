"""ferrogym's exceptions. The compiled core raises these (rust/python/src/error.rs
maps every core error to exactly one of them); they subclass Gymnasium's error
classes and the matching builtin, so ``except ValueError`` works too."""

from __future__ import annotations

import gymnasium


class FerrogymError(gymnasium.error.Error):
    """Base class of every ferrogym error."""


class InvalidAction(gymnasium.error.InvalidAction, FerrogymError, ValueError):
    """An action outside the action space."""


class InvalidActionType(InvalidAction, TypeError):
    """An action of the wrong type or shape (a float for a Discrete space...)."""


class ConfigError(FerrogymError, ValueError):
    """An environment argument that cannot build an environment."""


class StateError(FerrogymError, ValueError):
    """A state passed to ``set_state`` that does not fit the environment."""


class ResetNeeded(gymnasium.error.ResetNeeded, FerrogymError):
    """A step where a reset is required first."""


__all__ = [
    "ConfigError",
    "FerrogymError",
    "InvalidAction",
    "InvalidActionType",
    "ResetNeeded",
    "StateError",
]
