"""``gymnasium.Env`` over one compiled (Rust) environment.

Concrete envs subclass :class:`RustEnv` and set ``_core_cls``; everything else
(spaces, seeding, rendering, state, pickling) is shared here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import logger
from numpy.typing import NDArray

from ferrogym.errors import ConfigError
from ferrogym.seeding import check_reset_args, draw_core_seed
from ferrogym.spaces import ObsSlice, from_spec, layout_from_spec, unflatten

if TYPE_CHECKING:
    from ferrogym._core import _Core
    from ferrogym.render.window import WindowRenderer

ObsArray = NDArray[Any]


def clean_config(env: str, config: dict[str, Any]) -> dict[str, Any]:
    """Numpy scalars become Python scalars so the core's config parser sees
    plain ints, floats and bools."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out


def check_render_mode(env: str, render_mode: str | None, modes: list[str]) -> None:
    """Checks ``render_mode`` against the env's ``modes``.

    Raises:
        ConfigError: naming the env, the mode and the modes it has.
    """
    if render_mode is not None and render_mode not in modes:
        raise ConfigError(f"{env}: invalid render_mode {render_mode!r}; expected None or one of {modes}")


class RustEnv(gym.Env[ObsArray, Any]):
    """A Gymnasium env whose dynamics run in the compiled core."""

    _core_cls: ClassVar[type[_Core]]
    metadata: dict[str, Any] = {"render_modes": ["human", "ansi", "rgb_array"], "render_fps": 30}

    def __init__(self, render_mode: str | None = None, **config: Any) -> None:
        name = type(self).__name__
        check_render_mode(name, render_mode, self.metadata["render_modes"])
        self.render_mode = render_mode
        self._config = clean_config(name, config)
        self._core: _Core = self._core_cls(**self._config)
        self.observation_space = from_spec(self._core.observation_space())
        self.action_space = from_spec(self._core.action_space())
        # Non-array observations (a Tuple) arrive flat from the core.
        self._flat_obs = not isinstance(self.observation_space, gym.spaces.Tuple)
        self._core_seeded = False
        self._window: WindowRenderer | None = None
        if render_mode is not None or not self._flat_obs:
            # Only an env that renders or rebuilds its observations takes the
            # full step: the instance's `step` becomes it, so that the class's
            # plain `step` (array observations, no rendering: the training
            # path) does no work beyond the call into Rust.
            self.step = self._step_full  # type: ignore[method-assign]

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[ObsArray, dict[str, Any]]:
        """Starts an episode; the Rust generator is seeded from ``np_random`` on a seed and on the first reset.

        Returns:
            A fresh observation array and the info dict.

        Raises:
            ConfigError: ``seed`` or ``options`` is of the wrong type.
        """
        check_reset_args(type(self).__name__, seed, options)
        super().reset(seed=seed)
        # The Rust generator is (re)seeded from np_random when a seed is given
        # and on the first reset; later resets continue its stream.
        if seed is not None or not self._core_seeded:
            self._core.seed(draw_core_seed(self.np_random))
            self._core_seeded = True
        obs = self._core.reset()
        if self.render_mode is not None:
            self._after_transition(obs, True)
        return (obs if self._flat_obs else unflatten(self.observation_space, obs)), {}

    def step(self, action: Any) -> tuple[ObsArray, float, bool, bool, dict[str, Any]]:
        """Steps the Rust env with ``action``.

        Returns:
            ``(observation, reward, terminated, truncated, info)`` with Python scalars and a fresh array.

        Raises:
            ResetNeeded: no episode is running.
            InvalidAction: ``action`` is outside the action space; the env is unchanged.
        """
        return self._core.step(action)

    def _step_full(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self._core.step(action)
        if self.render_mode is not None:
            self._after_transition(obs, False)
        if not self._flat_obs:
            return unflatten(self.observation_space, obs), reward, terminated, truncated, info
        return obs, reward, terminated, truncated, info

    def _after_transition(self, obs: ObsArray, reset: bool) -> None:
        """Runs after each reset/step while a render mode is set: ``human``
        draws every frame (Gymnasium's contract); subclasses also keep what
        their pictures need (GridWorld's visit counts)."""
        if self.render_mode == "human":
            self.render()

    def _frame(self) -> NDArray[np.uint8]:
        """The RGB frame; subclasses may draw over the core's picture."""
        return self._core.render_rgb()

    def render(self) -> Any:
        """Returns the frame in the env's ``render_mode``: RGB array, text, or None (``human`` draws a window)."""
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                f"Pass render_mode= one of {self.metadata['render_modes']} when making the env."
            )
            return None
        if self.render_mode == "ansi":
            return self._core.render_ansi()
        if self.render_mode == "human":
            if self._window is None:
                from ferrogym.render.window import WindowRenderer

                self._window = WindowRenderer(title=type(self).__name__, fps=self.metadata["render_fps"])
            self._window.show(self._frame())
            return None
        return self._frame()

    def close(self) -> None:
        """Closes the window if one is open; safe to call twice."""
        if self._window is not None:
            self._window.close()
            self._window = None
        super().close()

    def action_masks(self) -> NDArray[np.bool_]:
        """Valid actions now (sb3-contrib MaskablePPO's convention)."""
        return self._core.action_mask()

    @property
    def obs_layout(self) -> tuple[ObsSlice, ...]:
        """The observation slice by slice, as the core declares it (empty
        when the env does not describe its observation)."""
        return layout_from_spec(self._core.obs_layout())

    def episode_log(self) -> dict[str, dict[str, NDArray[np.float64]]]:
        """Tables the core keeps about the episode so far (e.g. for KPIs)."""
        return self._core.episode_log()

    def set_config(self, knobs: dict[str, Any]) -> None:
        """Overrides some config fields (e.g. a curriculum's difficulty knobs)
        from the next reset on; the other fields keep their construction
        values. Envs that cannot change their config raise ``ConfigError``."""
        merged = {**self._config, **clean_config(type(self).__name__, knobs)}
        self._core.reconfigure(**merged)
        self._config = merged

    def get_state(self) -> dict[str, Any]:
        """The env's full dynamic state, generator included, as plain data
        (dicts, lists, numbers): readable, comparable, picklable."""
        return self._core.get_state()

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores a state from :meth:`get_state`; the future is then identical."""
        self._core.set_state(state)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "config": self._config,
            "render_mode": self.render_mode,
            "core_state": self._core.get_state(),
            "core_seeded": self._core_seeded,
            "np_random": self._np_random,
        }

    def __setstate__(self, d: dict[str, Any]) -> None:
        self.__init__(render_mode=d["render_mode"], **d["config"])  # type: ignore[misc]
        self._core.set_state(d["core_state"])
        self._core_seeded = d["core_seeded"]
        self._np_random = d["np_random"]
