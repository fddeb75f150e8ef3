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


class InvalidResetArgument(FerrogymError, TypeError, ValueError):
    """A ``reset`` seed or options Gymnasium's ``reset`` does not take
    (options that are not a dict, a seed that is not a non-negative int)."""


class ResetNeeded(gymnasium.error.ResetNeeded, FerrogymError):
    """A step where a reset is required first."""


class HookError(FerrogymError, TypeError):
    """An author's hook (``_get_observation``, ``_compute_reward``, a reward
    term...) returned a value of the wrong type, shape, dtype or range."""


class RecordingError(FerrogymError, ValueError):
    """A recording that cannot be read (corrupt, truncated, another env's, an
    episode it does not hold) or written (the file exists, appending would mix envs)."""


class DatasetError(FerrogymError, ValueError):
    """A Minari dataset that cannot be read or used (missing, corrupt, another
    env's, without the action masks a masked env needs); the message names
    the dataset's files and the problem."""


class NondeterminismError(FerrogymError, RuntimeError):
    """A replay whose re-simulation does not reproduce the recorded episode."""


class RegistrationError(gymnasium.error.RegistrationError, FerrogymError, ValueError):
    """An env id registered twice, or an id Gymnasium's naming rules reject."""


class MissingExtra(gymnasium.error.DependencyNotInstalled, FerrogymError, ImportError):
    """An optional library that is not installed (the message names the extra that installs it)."""


class UnsupportedLibrary(FerrogymError, ImportError):
    """A library version outside the range ferrogym's compat suite runs with."""


class UnsupportedSpace(FerrogymError, TypeError):
    """An env whose spaces a library cannot take (e.g. a Dict action for SB3)."""


class ModelFileError(FerrogymError, ValueError):
    """A saved model that cannot be read: missing, corrupt, or not a ferrogym model (the message names the file)."""


__all__ = [
    "ConfigError",
    "DatasetError",
    "FerrogymError",
    "HookError",
    "InvalidAction",
    "InvalidActionType",
    "InvalidResetArgument",
    "MissingExtra",
    "ModelFileError",
    "NondeterminismError",
    "RecordingError",
    "RegistrationError",
    "ResetNeeded",
    "StateError",
    "UnsupportedLibrary",
    "UnsupportedSpace",
]
