"""``gymnasium.vector.VectorEnv`` over the compiled batched executor.

All sub-envs step in Rust in one call (GIL released, split across threads for
large batches); this class only seeds, converts and assembles infos.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space
from numpy.typing import NDArray

from ferrogym.errors import ConfigError, InvalidActionType, ResetNeeded
from ferrogym.rust_env import ObsArray, check_render_mode, clean_config
from ferrogym.seeding import check_reset_args, core_seed_for, draw_core_seed
from ferrogym.spaces import ObsSlice, from_spec, layout_from_spec, unflatten, unflatten_batch

if TYPE_CHECKING:
    from ferrogym._core import _Batch

#: A batch splits across threads from twice this many sub-envs; smaller ones
#: stay on the calling thread because a thread hand-off costs more than it saves.
DEFAULT_GRAIN = 1024
#: Stepping in the calling thread (GIL released) measured fastest on a 2-core
#: machine where the learner uses the other core (docs/howto/performance.md, "Threads"); pass
#: threads=k on a machine with idle cores.
DEFAULT_THREADS = 1


def parse_autoreset_mode(env: str, mode: AutoresetMode | str) -> AutoresetMode:
    """Returns the autoreset mode that ``mode`` names.

    Raises:
        ConfigError: naming the env, the value and the modes there are.
    """
    try:
        return AutoresetMode(mode)
    except ValueError:
        options = [m.value for m in AutoresetMode]
        raise ConfigError(f"{env}: invalid autoreset_mode {mode!r}; expected one of {options}") from None


class RustVectorEnv(VectorEnv[ObsArray, NDArray[Any], NDArray[Any]]):
    """A batch of one Rust env type, stepped together in Rust."""

    _batch_cls: ClassVar[type[_Batch]]
    #: Sub-envs per unit of parallel work, and the threads used when the
    #: caller does not say: envs whose step costs a microsecond or more (a
    #: batch step of milliseconds) override both, since a thread hand-off is
    #: then cheap next to the work it takes over.
    _grain: ClassVar[int] = DEFAULT_GRAIN
    _default_threads: ClassVar[int] = DEFAULT_THREADS
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 30}

    def __init__(
        self,
        num_envs: int = 1,
        *,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        max_episode_steps: int | None = None,
        render_mode: str | None = None,
        threads: int | None = None,
        **config: Any,
    ) -> None:
        name = type(self).__name__
        check_render_mode(name, render_mode, self.metadata["render_modes"])
        if not isinstance(num_envs, (int, np.integer)) or isinstance(num_envs, bool) or num_envs < 1:
            raise ConfigError(f"{name}: invalid num_envs {num_envs!r}; expected an integer >= 1")
        if max_episode_steps is not None and (
            not isinstance(max_episode_steps, (int, np.integer)) or max_episode_steps < 1
        ):
            raise ConfigError(
                f"{name}: invalid max_episode_steps {max_episode_steps!r}; expected a positive integer or None"
            )
        mode = parse_autoreset_mode(name, autoreset_mode)
        self.autoreset_mode = mode
        self.metadata = {**type(self).metadata, "autoreset_mode": mode}
        self.render_mode = render_mode
        self.num_envs = int(num_envs)
        self._config = clean_config(name, config)
        self._core: _Batch = self._batch_cls(
            self.num_envs,
            mode.value,
            None if max_episode_steps is None else int(max_episode_steps),
            self._default_threads if threads is None else threads,
            self._grain,
            **self._config,
        )
        self.single_observation_space = from_spec(self._core.observation_space())
        self.single_action_space = from_spec(self._core.action_space())
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        # Non-array observations (a Tuple) arrive flat from the core.
        self._flat_obs = not isinstance(self.single_observation_space, spaces.Tuple)
        # Envs that report named info values (reward components...) pay for
        # assembling them; the others skip it.
        self._has_infos = bool(self._core.has_infos)
        self._seeded = np.zeros(self.num_envs, dtype=np.bool_)
        #: Sub-envs that ended on the last step (NEXT_STEP resets them next);
        #: kept only for envs with info groups, the one place it is read.
        self._autoreset = np.zeros(self.num_envs, dtype=np.bool_)
        self._last_obs: ObsArray | None = None
        #: Sub-envs never reset (nor given a state): stepping them is an error, as
        #: with SyncVectorEnv over envs made by gym.make (OrderEnforcing).
        self._never_reset = np.ones(self.num_envs, dtype=np.bool_)

    # -- seeding and reset ---------------------------------------------------

    def _seed_subenvs(self, seed: int | Sequence[int | None] | None) -> None:
        n = self.num_envs
        if seed is None:
            seeds: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(n)]
        else:
            seeds = list(seed)
            if len(seeds) != n:
                raise ValueError(
                    f"If seeds are passed as a list the length must match num_envs={n} but got length={len(seeds)}."
                )
        indices: list[int] = []
        core_seeds: list[int] = []
        for i, s in enumerate(seeds):
            if s is not None:
                core_seeds.append(core_seed_for(int(s)))
            elif not self._seeded[i]:
                core_seeds.append(draw_core_seed(self.np_random))
            else:
                continue
            indices.append(i)
            self._seeded[i] = True
        if indices:
            self._core.seed(indices, core_seeds)

    def reset(
        self,
        *,
        seed: int | list[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[ObsArray, dict[str, Any]]:
        """Resets every sub-env (or those of ``options["reset_mask"]``); sub-env i gets ``seed + i``.

        ``seed`` may also be a list with one seed (or None) per sub-env.

        Returns:
            The batched observations and infos.

        Raises:
            ValueError: the seed list's length is not ``num_envs``, or the reset mask has the wrong shape.
            TypeError: the reset mask is not a boolean numpy array.
        """
        # A list of seeds (one per sub-env) is checked by _seed_subenvs.
        check_reset_args(type(self).__name__, None if isinstance(seed, list) else seed, options)
        if isinstance(seed, (int, np.integer)):
            super().reset(seed=int(seed))
        mask = None
        if options is not None and "reset_mask" in options:
            mask = self._check_reset_mask(options["reset_mask"])
        if mask is None:
            self._seed_subenvs(seed)
            obs = self._core.reset()
            self._autoreset[:] = False
            self._never_reset[:] = False
        else:
            self._seed_subenvs(self._masked_seeds(seed, mask))
            obs = self._core.reset(mask, self._last_obs)
            self._autoreset[mask] = False
            self._never_reset[mask] = False
        self._last_obs = obs if self.autoreset_mode == AutoresetMode.DISABLED else None
        return self._obs(obs), {}

    def _obs(self, flat: ObsArray) -> Any:
        return flat if self._flat_obs else unflatten_batch(self.single_observation_space, flat)

    def _masked_seeds(self, seed: int | Sequence[int | None] | None, mask: NDArray[np.bool_]) -> list[int | None]:
        n = self.num_envs
        if seed is None:
            full: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)):
            full = [int(seed) + i for i in range(n)]
        else:
            full = list(seed)
        # Only the envs being reset take a seed; the others keep their stream.
        return [s if m else None for s, m in zip(full, mask, strict=False)]

    def _check_reset_mask(self, mask: Any) -> NDArray[np.bool_]:
        n = self.num_envs
        if not isinstance(mask, np.ndarray):
            raise TypeError(f"`options['reset_mask']` must be a numpy array, got {type(mask)}")
        if mask.shape != (n,):
            raise ValueError(f"`options['reset_mask']` must have shape `({n},)`, got {mask.shape}")
        if mask.dtype != np.bool_:
            raise TypeError(f"`options['reset_mask']` must have `dtype=np.bool_`, got {mask.dtype}")
        if not mask.any():
            raise ValueError(
                "`options['reset_mask']` must contain a boolean array with at least one True value, "
                f"got reset_mask={mask}"
            )
        return mask

    # -- stepping --------------------------------------------------------------

    def _coerce_actions(self, actions: Any) -> NDArray[Any]:
        name = type(self).__name__
        arr = np.asarray(actions)
        space = self.single_action_space
        if isinstance(space, spaces.Box):
            # Box actions: one float32 row per sub-env (range and NaN are checked in Rust).
            shape = (self.num_envs, *space.shape)
            if arr.dtype.kind not in "iuf" or arr.shape != shape:
                raise InvalidActionType(
                    f"{name}: invalid actions of dtype {arr.dtype} and shape {arr.shape}; "
                    f"expected a float32 array of shape {shape}, one row per sub-env"
                )
            return np.ascontiguousarray(arr, dtype=np.float32)
        if arr.dtype.kind not in "iu":
            raise InvalidActionType(
                f"{name}: invalid actions of dtype {arr.dtype}; expected integers, an array of shape ({self.num_envs},)"
            )
        if arr.shape != (self.num_envs,):
            raise InvalidActionType(
                f"{name}: invalid actions of shape {arr.shape}; expected shape ({self.num_envs},), "
                "one action per sub-env"
            )
        return np.ascontiguousarray(arr, dtype=np.int64)

    def step(
        self, actions: Any
    ) -> tuple[ObsArray, NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_], dict[str, Any]]:
        """Steps every sub-env with its action, autoresetting as ``autoreset_mode`` says.

        Returns:
            Batched observations, rewards, terminated and truncated flags, and infos (arrays with ``_key`` masks).

        Raises:
            ResetNeeded: a sub-env was never reset (nor given a state with ``set_state``).
            InvalidAction: the actions have the wrong shape or a value outside the single action space.
        """
        if self._never_reset.any():
            raise ResetNeeded(
                f"{type(self).__name__}: cannot call step() before reset(); sub-envs "
                f"{np.flatnonzero(self._never_reset).tolist()[:8]} were never reset"
            )
        try:
            obs, rewards, terminated, truncated = self._core.step(actions)
        except TypeError:
            # Not a contiguous int64 array: convert once, or explain what is wrong.
            obs, rewards, terminated, truncated = self._core.step(self._coerce_actions(actions))
        infos: dict[str, Any] = {}
        # Sub-envs whose info this step comes from a reset carry none, as in
        # SyncVectorEnv: those reset now (SAME_STEP) or autoreset from the
        # previous step's end (NEXT_STEP). Envs without info groups skip it all.
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            done = terminated | truncated
            if done.any():
                infos = self._final_infos(done)
            if self._has_infos:
                infos.update(self._core.infos(~done))
        elif self.autoreset_mode == AutoresetMode.NEXT_STEP:
            if self._has_infos:
                infos.update(self._core.infos(~self._autoreset))
                self._autoreset = terminated | truncated
        else:
            self._last_obs = obs
            if self._has_infos:
                infos.update(self._core.infos(np.ones(self.num_envs, dtype=np.bool_)))
        return self._obs(obs), rewards, terminated, truncated, infos

    def _final_infos(self, done: NDArray[np.bool_]) -> dict[str, Any]:
        """Gymnasium's SAME_STEP infos: terminal observations and infos."""
        idx = np.flatnonzero(done)
        finals = self._core.final_obs(idx.tolist())
        final_obs = np.full(self.num_envs, None, dtype=object)
        for k, i in enumerate(idx):
            final_obs[i] = finals[k] if self._flat_obs else unflatten(self.single_observation_space, finals[k])
        final_info = self._core.final_infos(done) if self._has_infos else {}
        return {"final_obs": final_obs, "_final_obs": done.copy(), "final_info": final_info, "_final_info": done.copy()}

    # -- SyncVectorEnv's per-sub-env calls (skrl, RecordVideo, CleanRL loops) ----

    #: Sub-env methods answered per index by the batch.
    _PER_ENV_METHODS: ClassVar[tuple[str, ...]] = ("action_masks", "get_state", "episode_log", "render")

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Like ``SyncVectorEnv.call``: one result per sub-env. Sub-envs share one
        config, so attributes (``render_mode``, ``config``, ``spec``...) are the
        batch's, and ``observation_space``/``action_space`` the single spaces."""
        n = self.num_envs
        if name == "action_masks":
            return tuple(self.action_masks())
        if name in ("get_state", "episode_log"):
            method = getattr(self, name)
            return tuple(method(i, *args, **kwargs) for i in range(n))
        if name == "render":
            frames = self.render()
            return tuple(frames) if frames is not None else (None,) * n
        if name in ("observation_space", "action_space"):
            return (getattr(self, f"single_{name}"),) * n
        if name in ("step", "reset", "close", "set_state", "seed") or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__}.call({name!r}): call the batch's own method instead")
        value = getattr(self, name)
        if callable(value):
            raise AttributeError(
                f"{type(self).__name__}.call({name!r}): not a per-sub-env method of a Rust batch; "
                f"supported methods: {list(self._PER_ENV_METHODS)}"
            )
        return (value,) * n

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """``SyncVectorEnv.get_attr``: the attribute of every sub-env."""
        return self.call(name)

    def set_attr(self, name: str, values: Any) -> None:
        """Always refuses: sub-envs of a Rust batch share one config.

        Raises:
            AttributeError: naming the attribute.
        """
        raise AttributeError(
            f"{type(self).__name__}.set_attr({name!r}): sub-envs of a Rust batch share one config; "
            "build a new batch with the value instead"
        )

    # -- extras ----------------------------------------------------------------

    def action_masks(self) -> NDArray[np.bool_]:
        """Valid actions of every sub-env, shape (num_envs, n_actions)."""
        return self._core.action_masks()

    @property
    def obs_layout(self) -> tuple[ObsSlice, ...]:
        """The single observation slice by slice (see ``RustEnv.obs_layout``)."""
        return layout_from_spec(self._core.obs_layout())

    def episode_log(self, index: int) -> dict[str, dict[str, NDArray[np.float64]]]:
        """Tables the core keeps about sub-env ``index``'s episode so far."""
        return self._core.episode_log(index)

    def set_config(self, index: int, knobs: dict[str, Any]) -> None:
        """Overrides some config fields of sub-env ``index`` from its next
        reset on (per-env curriculum levels); the other fields keep the
        batch's construction values. Spaces never change. Envs that cannot
        change their config raise ``ConfigError``."""
        self._core.reconfigure(index, **{**self._config, **clean_config(type(self).__name__, knobs)})

    def get_state(self, index: int) -> dict[str, Any]:
        """Returns sub-env ``index``'s state, for :meth:`set_state`."""
        return self._core.get_state(index)

    def set_state(self, index: int, state: dict[str, Any]) -> None:
        """Restores sub-env ``index`` to a state from :meth:`get_state`.

        Raises:
            StateError: the state does not fit this env's config.
        """
        self._core.set_state(index, state)
        self._never_reset[index] = False

    def render(self) -> tuple[Any, ...] | None:
        """Returns one frame per sub-env in the batch's ``render_mode``, or None without one."""
        if self.render_mode is None:
            return None
        if self.render_mode == "ansi":
            return tuple(self._core.render_ansi(i) for i in range(self.num_envs))
        return tuple(self._core.render_rgb(i) for i in range(self.num_envs))
