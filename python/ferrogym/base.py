"""``ferrogym.BaseEnvironment``: write the hooks, get a correct Gymnasium env.

``reset`` and ``step`` are template methods (final: a subclass that defines
them is rejected when the class is created). ``step`` always runs, in order:

    validate action -> _update_state -> _compute_reward
      -> _check_termination / _check_truncation / max_episode_steps
      -> _get_observation (+ _get_info)

and ``reset`` seeds ``self.np_random`` (Gymnasium's contract), then runs
``_reset_state`` and builds the first observation. Authors write hooks only:

=======================  ==========================================================
hook                     what it does
=======================  ==========================================================
``_setup()``             optional: build ``observation_space``/``action_space`` from ``self.config``
``_reset_state(opts)``   required: return the initial state (a dataclass or a dict of arrays),
                         drawing randomness from ``self.np_random``
``_update_state(a)``     required: apply a valid action to ``self.state``
``_compute_reward(a)``   the reward; default: the class's ``reward_fn`` (``ferrogym.rewards.Sum``)
``_check_termination()`` required: True when the state is terminal
``_check_truncation()``  optional: True when the env's own horizon ends (time limits are built in)
``_get_observation()``   required: the observation of ``self.state``, a fresh array
``_get_info()``          optional: the info dict
``_render_frame(mode)``  optional: a ``str`` (ansi/human) or an ``uint8`` (H, W, 3) array
=======================  ==========================================================

Hook results are checked: a reward that is not a finite real number, a flag
that is not a bool, an info that is not a dict raise :class:`~ferrogym.errors.HookError`
naming the hook; with ``debug`` on (the default unless Python runs with -O)
every observation is checked against the observation space too (type, dtype,
shape, bounds, NaN). Actions are always checked against the action space.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import sys
from collections.abc import Mapping
from numbers import Real
from typing import Any, ClassVar, Generic, TypeVar, final

import gymnasium as gym
import numpy as np
from gymnasium import logger, spaces

from ferrogym.config import EnvConfig
from ferrogym.errors import ConfigError, HookError, InvalidAction, InvalidActionType, ResetNeeded, StateError
from ferrogym.events import Event, EventHub, env_id_of
from ferrogym.rewards import Sum
from ferrogym.seeding import check_reset_args

ConfigT = TypeVar("ConfigT", bound="EnvConfig | None")
StateT = TypeVar("StateT")

_FINAL = ("reset", "step", "render")
_REQUIRED = ("_reset_state", "_update_state", "_check_termination", "_get_observation")


def describe(value: Any) -> str:
    """A short description of a value for error messages."""
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{text} of type {type(value).__name__}"


def observation_problem(space: spaces.Space[Any], obs: Any) -> str | None:
    """Why ``obs`` is not a valid observation of ``space`` (None when it is)."""
    if isinstance(space, spaces.Box):
        if not isinstance(obs, np.ndarray):
            return f"not a numpy array (Box observations are arrays of dtype {space.dtype}, shape {space.shape})"
        if obs.dtype != space.dtype:
            return f"dtype {obs.dtype}; the space's dtype is {space.dtype}"
        if obs.shape != space.shape:
            return f"shape {obs.shape}; the space's shape is {space.shape}"
        if np.issubdtype(obs.dtype, np.floating) and np.isnan(obs).any():
            return f"NaN at index {tuple(int(i) for i in np.argwhere(np.isnan(obs))[0])}"
        outside = (obs < space.low) | (obs > space.high)
        if outside.any():
            i = tuple(int(k) for k in np.argwhere(outside)[0])
            return f"value {obs[i]} at index {i} outside the bounds [{space.low[i]}, {space.high[i]}]"
        return None
    if isinstance(space, spaces.Discrete):
        if isinstance(obs, bool) or not isinstance(obs, (int, np.integer)):
            return "not an integer (Discrete observations are ints)"
        if not space.start <= int(obs) < space.start + space.n:
            return f"outside [{space.start}, {space.start + space.n - 1}]"
        return None
    return None if space.contains(obs) else f"not contained in {space}"


def action_error(env_id: str, space: spaces.Space[Any], action: Any) -> InvalidAction:
    """The exception for an action ``space`` does not contain: a type/shape
    problem is an InvalidActionType, a value problem an InvalidAction."""
    what = f"{env_id}: invalid action {describe(action)}; expected an element of {space}"
    if isinstance(space, spaces.Discrete):
        integer = isinstance(action, (int, np.integer)) or (
            isinstance(action, np.ndarray) and action.shape == () and np.issubdtype(action.dtype, np.integer)
        )
        if isinstance(action, bool) or not integer:
            return InvalidActionType(what + " (an int or numpy integer)")
        return InvalidAction(f"{what} (an integer in [{space.start}, {space.start + space.n - 1}])")
    if isinstance(space, spaces.Box):
        arr = np.asarray(action) if isinstance(action, (np.ndarray, list, tuple, int, float, np.generic)) else None
        if arr is None or arr.shape != space.shape or arr.dtype.kind not in "biuf":
            return InvalidActionType(what + f" (an array of shape {space.shape}, dtype {space.dtype})")
        return InvalidAction(what + " (within the bounds, no NaN)")
    return InvalidAction(what)


class BaseEnvironment(gym.Env[Any, Any], Generic[ConfigT, StateT]):
    """Base class of Python envs; see the module docstring for the hooks."""

    #: The config dataclass (a subclass of :class:`ferrogym.config.EnvConfig`), or None.
    config_cls: ClassVar[type[EnvConfig] | None] = None
    #: Reward terms used by the default ``_compute_reward``.
    reward_fn: ClassVar[Sum | None] = None
    metadata: dict[str, Any] = {"render_modes": [], "render_fps": 30}

    config: ConfigT
    state: StateT

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _FINAL if name in vars(cls)]
        if overridden:
            raise TypeError(
                f"{cls.__name__} defines {', '.join(overridden)}, which BaseEnvironment keeps final; "
                "write the hooks instead (_reset_state, _update_state, _compute_reward, _check_termination, "
                "_get_observation, _get_info, _render_frame)"
            )

    def __init__(
        self,
        config: ConfigT | Mapping[str, Any] | None = None,
        *,
        render_mode: str | None = None,
        max_episode_steps: int | None = None,
        debug: bool | None = None,
        **overrides: Any,
    ) -> None:
        name = type(self).__name__
        missing = [h for h in _REQUIRED if getattr(type(self), h) is getattr(BaseEnvironment, h)]
        if missing:
            raise TypeError(f"{name} must define the hook(s) {', '.join(missing)}")
        self._init_kwargs: dict[str, Any] = {
            "config": config,
            "render_mode": render_mode,
            "max_episode_steps": max_episode_steps,
            "debug": debug,
            **overrides,
        }
        self.config = self._build_config(config, overrides)
        modes = self.metadata.get("render_modes", [])
        if render_mode is not None and render_mode not in modes:
            raise ConfigError(f"{name}: invalid render_mode {render_mode!r}; expected None or one of {modes}")
        if max_episode_steps is not None and (
            isinstance(max_episode_steps, bool)
            or not isinstance(max_episode_steps, (int, np.integer))
            or max_episode_steps < 1
        ):
            raise ConfigError(
                f"{name}: invalid max_episode_steps {max_episode_steps!r}; expected a positive integer or None"
            )
        self.render_mode = render_mode
        self.max_episode_steps = None if max_episode_steps is None else int(max_episode_steps)
        self.debug = (sys.flags.optimize == 0) if debug is None else bool(debug)
        self.events = EventHub()
        self._elapsed = 0
        self._episode_over = False
        self._has_state = False
        self._reward_components: dict[str, float] | None = None
        self._window: Any = None
        self._setup()
        for attr in ("observation_space", "action_space"):
            if not isinstance(getattr(self, attr, None), spaces.Space):
                raise ConfigError(
                    f"{name}: {attr} is not set; assign a gymnasium.spaces.Space to self.{attr} "
                    "in _setup() (or as a class attribute)"
                )

    def _build_config(self, config: Any, overrides: dict[str, Any]) -> Any:
        cls = self.config_cls
        name = type(self).__name__
        if cls is None:
            if config is not None or overrides:
                given = sorted(overrides) if overrides else [type(config).__name__]
                raise ConfigError(f"{name}: takes no config (config_cls is None) but got {given}")
            return None
        if config is None:
            return cls.from_dict(overrides)
        if isinstance(config, cls):
            return config.replace(**overrides) if overrides else config
        if isinstance(config, Mapping):
            return cls.from_dict({**config, **overrides})
        raise ConfigError(f"{name}: invalid config {describe(config)}; expected a {cls.__name__} or a mapping")

    # -- hooks ------------------------------------------------------------------

    def _setup(self) -> None:
        """Builds the spaces (``self.config`` is set); optional."""

    def _reset_state(self, options: dict[str, Any]) -> StateT:
        raise NotImplementedError

    def _update_state(self, action: Any) -> None:
        raise NotImplementedError

    def _compute_reward(self, action: Any) -> float:
        if self.reward_fn is None:
            raise NotImplementedError(
                f"{type(self).__name__}: define _compute_reward(action) or set reward_fn = ferrogym.rewards.Sum(...)"
            )
        reward, self._reward_components = self.reward_fn.evaluate(self, action)
        return reward

    def _check_termination(self) -> bool:
        raise NotImplementedError

    def _check_truncation(self) -> bool:
        return False

    def _get_observation(self) -> Any:
        raise NotImplementedError

    def _get_info(self) -> dict[str, Any]:
        return {}

    def _render_frame(self, mode: str) -> Any:
        raise NotImplementedError(f"{type(self).__name__} declares render modes but does not define _render_frame")

    # -- the template methods ------------------------------------------------------

    @property
    def env_id(self) -> str:
        """The registered id of this env (its class name when it is not registered)."""
        return env_id_of(self)

    @final
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Starts an episode: seeds the RNG when ``seed`` is given, then calls ``_reset_state(options)``.

        Returns:
            The first observation and the info dict.

        Raises:
            TypeError: ``__init__`` of the subclass did not call ``super().__init__``.
            ConfigError: ``seed`` or ``options`` is of the wrong type.
        """
        if not hasattr(self, "events"):
            raise TypeError(f"{type(self).__name__}.__init__ must call super().__init__(...)")
        check_reset_args(type(self).__name__, seed, options)
        super().reset(seed=seed)
        self.state = self._reset_state(dict(options or {}))
        self._has_state = True
        self._elapsed = 0
        self._episode_over = False
        self._reward_components = None
        obs = self._observation()
        info = self._info()
        if self.events:
            self.events.emit(Event("reset", self.env_id, 0, observation=obs, info=info))
        if self.render_mode == "human":
            self.render()
        return obs, info

    @final
    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Applies ``action`` through the hooks and returns Gymnasium's five-tuple.

        The action is checked against the action space before any state changes;
        truncation comes from ``_check_truncation`` or ``max_episode_steps``.

        Returns:
            ``(observation, reward, terminated, truncated, info)``; ``info`` carries
            ``reward_components`` when the reward is a ``rewards.Sum``.

        Raises:
            ResetNeeded: no episode is running (before ``reset`` or after it ended).
            InvalidAction: ``action`` is outside the action space.
            HookError: a hook returned a value of the wrong type.
        """
        if not self._has_state:
            raise ResetNeeded(f"{self.env_id}: call reset() before step()")
        if self._episode_over:
            raise ResetNeeded(f"{self.env_id}: the episode has ended (terminated or truncated); call reset()")
        if not self.action_space.contains(action):
            raise action_error(self.env_id, self.action_space, action)
        self._reward_components = None
        self._update_state(action)
        reward = self._reward(action)
        terminated = self._flag(self._check_termination(), "_check_termination")
        self._elapsed += 1
        truncated = self._flag(self._check_truncation(), "_check_truncation") or (
            self.max_episode_steps is not None and self._elapsed >= self.max_episode_steps
        )
        self._episode_over = terminated or truncated
        obs = self._observation()
        info = self._info()
        if self._reward_components is not None:
            info["reward_components"] = self._reward_components
        if self.events:
            self.events.emit(
                Event("step", self.env_id, self._elapsed, obs, action, reward, terminated, truncated, info)
            )
        if self.render_mode == "human":
            self.render()
        return obs, reward, terminated, truncated, info

    def _reward(self, action: Any) -> float:
        reward = self._compute_reward(action)
        if isinstance(reward, bool) or not isinstance(reward, Real) or not math.isfinite(float(reward)):
            raise HookError(
                f"{self.env_id}: _compute_reward returned {describe(reward)}; expected a finite real number"
            )
        return float(reward)

    def _flag(self, value: Any, hook: str) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise HookError(f"{self.env_id}: {hook} returned {describe(value)}; expected a bool")
        return bool(value)

    def _observation(self) -> Any:
        obs = self._get_observation()
        if self.debug:
            problem = observation_problem(self.observation_space, obs)
            if problem is not None:
                raise HookError(
                    f"{self.env_id}: _get_observation returned {describe(obs)}: {problem}; "
                    f"expected an element of {self.observation_space}"
                )
        return obs

    def _info(self) -> dict[str, Any]:
        info = self._get_info()
        if not isinstance(info, dict):
            raise HookError(f"{self.env_id}: _get_info returned {describe(info)}; expected a dict")
        return info

    # -- rendering ----------------------------------------------------------------

    @final
    def render(self) -> Any:
        """Renders the current state in the env's ``render_mode``.

        Returns:
            An RGB uint8 array (H, W, 3) for ``rgb_array``, a string for ``ansi``,
            None for ``human`` (drawn in a pygame window) or when no mode is set.

        Raises:
            ResetNeeded: called before ``reset``.
            HookError: ``_render_frame`` returned something other than the mode's frame type.
        """
        mode = self.render_mode
        if mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                f"Pass render_mode= one of {self.metadata.get('render_modes', [])} when making the env."
            )
            return None
        if not self._has_state:
            raise ResetNeeded(f"{self.env_id}: call reset() before render()")
        frame = self._render_frame(mode)
        if mode == "ansi" or (mode == "human" and isinstance(frame, str)):
            if not isinstance(frame, str):
                raise HookError(f"{self.env_id}: _render_frame('ansi') returned {describe(frame)}; expected a str")
            if mode == "human":
                print(frame)
                return None
            return frame
        if not (isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3):
            raise HookError(
                f"{self.env_id}: _render_frame({mode!r}) returned {describe(frame)}; expected a uint8 array (H, W, 3)"
            )
        if mode == "human":
            self._show(frame)
            return None
        return frame

    def _show(self, frame: np.ndarray[Any, Any]) -> None:
        """Shows an RGB frame in a pygame window (``human`` mode)."""
        from ferrogym.render.window import require_pygame

        pygame = require_pygame()
        if self._window is None:
            pygame.init()
            self._window = pygame.display.set_mode((frame.shape[1], frame.shape[0]))
        surface = pygame.surfarray.make_surface(frame.swapaxes(0, 1))
        self._window.blit(surface, (0, 0))
        pygame.display.flip()

    def close(self) -> None:
        """Emits the ``close`` event and closes the pygame window if one is open; safe to call twice."""
        if self.events:
            self.events.emit(Event("close", self.env_id, self._elapsed))
        if self._window is not None:
            import pygame

            pygame.display.quit()
            self._window = None
        super().close()

    # -- state ----------------------------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        """A deep copy of everything that decides the future: ``self.state``,
        the step count and the generator. Hooks that keep state elsewhere
        break this; ``ferrogym check`` tests the round trip."""
        if not self._has_state:
            raise ResetNeeded(f"{self.env_id}: call reset() before get_state()")
        return {
            "state": copy.deepcopy(self.state),
            "elapsed": self._elapsed,
            "episode_over": self._episode_over,
            "np_random": copy.deepcopy(self.np_random.bit_generator.state),
        }

    def set_state(self, snapshot: Mapping[str, Any]) -> None:
        """Restores a :meth:`get_state` snapshot; the future is then identical."""
        keys = {"state", "elapsed", "episode_over", "np_random"}
        if not isinstance(snapshot, Mapping):
            raise StateError(f"{self.env_id}: invalid state {describe(snapshot)}; expected a dict from get_state()")
        if set(snapshot) != keys:
            unknown, missing = sorted(map(str, set(snapshot) - keys)), sorted(keys - set(snapshot))
            raise StateError(
                f"{self.env_id}: invalid state with unknown key(s) {unknown} and missing key(s) {missing}; "
                "expected a dict from get_state()"
            )
        state = snapshot["state"]
        if self._has_state and isinstance(state, Mapping) and dataclasses.is_dataclass(self.state):
            # A recording stores the state as JSON (a dataclass becomes a dict, arrays lists):
            # rebuilt on the shape of the current state.
            state = _like(self.state, state, self.env_id, "state")
        if self._has_state and type(state) is not type(self.state):
            raise StateError(
                f"{self.env_id}: invalid state of type {type(state).__name__}; "
                f"this env's state is a {type(self.state).__name__}"
            )
        elapsed, over = snapshot["elapsed"], snapshot["episode_over"]
        if isinstance(elapsed, bool) or not isinstance(elapsed, (int, np.integer)) or elapsed < 0:
            raise StateError(f"{self.env_id}: invalid state key `elapsed` = {elapsed!r}; expected an integer >= 0")
        if not isinstance(over, (bool, np.bool_)):
            raise StateError(f"{self.env_id}: invalid state key `episode_over` = {over!r}; expected a bool")
        self.state = copy.deepcopy(state)
        self._elapsed = int(snapshot["elapsed"])
        self._episode_over = bool(snapshot["episode_over"])
        self.np_random.bit_generator.state = copy.deepcopy(snapshot["np_random"])
        self._has_state = True


def _like(template: Any, value: Any, env_id: str, where: str) -> Any:
    """``value`` (JSON data: dicts, lists, numbers) rebuilt with the types of
    ``template``: dataclasses field by field, numpy arrays and scalars with their
    dtype, tuples item by item; anything else as it is.

    Raises:
        StateError: a dataclass's fields do not match the keys (named with their path).
    """
    if dataclasses.is_dataclass(template) and not isinstance(template, type) and isinstance(value, Mapping):
        names = [f.name for f in dataclasses.fields(template)]
        if set(value) != set(names):
            raise StateError(
                f"{env_id}: invalid state: {where} has keys {sorted(map(str, value))}; "
                f"expected the fields of {type(template).__name__}: {names}"
            )
        out = copy.copy(template)
        for name in names:
            object.__setattr__(out, name, _like(getattr(template, name), value[name], env_id, f"{where}.{name}"))
        return out
    if isinstance(template, np.ndarray) and isinstance(value, list):
        try:
            return np.asarray(value, dtype=template.dtype)
        except (TypeError, ValueError) as e:
            raise StateError(f"{env_id}: invalid state: {where} is not an array of {template.dtype} ({e})") from None
    if isinstance(template, np.generic) and isinstance(value, (int, float, bool)):
        return type(template)(value)
    if isinstance(template, tuple) and isinstance(value, list) and len(template) == len(value):
        return tuple(_like(t, v, env_id, f"{where}[{i}]") for i, (t, v) in enumerate(zip(template, value, strict=True)))
    return value
