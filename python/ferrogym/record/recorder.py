"""Recorders: a Gymnasium wrapper for one env, a vector wrapper for a batch.

Both log every reset (a row with ``step`` 0) and every transition to a
:class:`~ferrogym.record.writer.RecordingWriter`. The single-env recorder
subscribes to the env's event hub: a :class:`ferrogym.BaseEnvironment`'s own,
or that of an :class:`~ferrogym.events.Observe` wrapper it adds over any other
env (Rust envs included).
"""

from __future__ import annotations

import os
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv, VectorWrapper

from ferrogym.curriculum import VecCurriculum
from ferrogym.errors import ConfigError, RecordingError
from ferrogym.events import Event, EventHub, Observe
from ferrogym.record.block import Block
from ferrogym.record.schema import RecordingMeta, to_json
from ferrogym.record.writer import RecordingWriter

States = Literal["reset", "all", "none"]
_SKIP_INFO = {"reward_components", "final_obs", "final_info", "_final_obs", "_final_info"}


def space_layout(space: spaces.Space[Any], what: str) -> tuple[tuple[int, ...], str]:
    """Returns the per-step shape and dtype name that a ``what`` space is stored with.

    Raises:
        RecordingError: the space is not Discrete, Box, MultiDiscrete or MultiBinary.
    """
    if isinstance(space, spaces.Discrete):
        return (), str(np.dtype(space.dtype))
    if isinstance(space, (spaces.Box, spaces.MultiDiscrete, spaces.MultiBinary)):
        assert space.shape is not None and space.dtype is not None
        return tuple(space.shape), str(space.dtype)
    raise RecordingError(f"cannot record a {type(space).__name__} {what} space; Box and Discrete spaces are supported")


def env_kwargs_of(env: Any) -> dict[str, Any]:
    """The keyword arguments that rebuild ``env`` (for replay)."""
    unwrapped = env.unwrapped
    if hasattr(unwrapped, "_config"):  # Rust envs keep their cleaned config
        return dict(unwrapped._config)
    if hasattr(unwrapped, "_init_kwargs"):  # BaseEnvironment
        kw = {k: v for k, v in unwrapped._init_kwargs.items() if k not in ("render_mode", "debug") and v is not None}
        return kw
    spec = getattr(env, "spec", None)
    return {k: v for k, v in (spec.kwargs if spec else {}).items() if k != "render_mode"}


def meta_for(env: Any, *, vector: bool, env_id: str | None, env_kwargs: dict[str, Any] | None) -> RecordingMeta:
    """Returns the recording metadata of ``env`` (single or ``vector``): env id and arguments, space layouts.

    Raises:
        RecordingError: a space cannot be recorded, or the env's arguments cannot be stored as JSON.
    """
    obs_space = env.single_observation_space if vector else env.observation_space
    act_space = env.single_action_space if vector else env.action_space
    obs_shape, obs_dtype = space_layout(obs_space, "observation")
    act_shape, act_dtype = space_layout(act_space, "action")
    spec = getattr(env, "spec", None)
    if env_id is None:
        env_id = spec.id if spec is not None else type(env.unwrapped).__name__
    kwargs = env_kwargs_of(env) if env_kwargs is None else dict(env_kwargs)
    if to_json(kwargs) is None:
        raise RecordingError(f"{env_id}: env arguments {kwargs!r} cannot be stored as JSON; pass env_kwargs=")
    extra: dict[str, Any] = {}
    if spec is not None and not vector:
        extra["max_episode_steps"] = spec.max_episode_steps
    return RecordingMeta(
        env_id=env_id,
        env_kwargs=kwargs,
        obs_shape=obs_shape,
        obs_dtype=obs_dtype,
        action_shape=act_shape,
        action_dtype=act_dtype,
        num_envs=env.num_envs if vector else 1,
        extra=extra,
    )


def check_states(states: str) -> None:
    """Checks the ``states`` option: which env states to store.

    Raises:
        ConfigError: ``states`` is not ``reset``, ``all`` or ``none``.
    """
    if states not in ("reset", "all", "none"):
        raise ConfigError(f"invalid states {states!r}; expected 'reset', 'all' or 'none'")


def plain_info(info: dict[str, Any]) -> str:
    """Returns ``info`` as JSON text, without the keys the recording stores in columns of its own."""
    text = to_json({k: v for k, v in info.items() if k not in _SKIP_INFO})
    return "{}" if text is None else text


class Recorder(gym.Wrapper[Any, Any, Any, Any]):
    """Records every reset and step of ``env`` to ``path`` (Parquet, or HDF5 by suffix).

    ``states``: ``"reset"`` stores ``get_state()`` on reset rows (replay
    re-simulates from it), ``"all"`` on every row, ``"none"`` never (replay then
    needs the reset seed). An existing ``path`` is refused unless ``append``.
    Each episode is on disk once it ends (``sync_seconds`` trades that for
    speed: see :class:`~ferrogym.record.writer.RecordingWriter`); call
    ``close()`` (or use ``with``) to finish the file.

    >>> import gymnasium as gym, ferrogym, tempfile, os
    >>> from ferrogym.record import Recorder, Recording
    >>> path = os.path.join(tempfile.mkdtemp(), "run.parquet")
    >>> with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
    ...     _ = env.reset(seed=0)
    ...     _ = env.step(0)
    >>> len(Recording(path).episode(0))
    1
    """

    def __init__(
        self,
        env: gym.Env[Any, Any],
        path: str | os.PathLike[str],
        *,
        states: States = "reset",
        append: bool = False,
        chunk_rows: int = 4096,
        sync_seconds: float = 0.0,
        env_id: str | None = None,
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        check_states(states)
        own_hub = getattr(env.unwrapped, "events", None)
        inner: gym.Env[Any, Any] = env if isinstance(own_hub, EventHub) else Observe(env)
        super().__init__(inner)
        hub: EventHub = own_hub if isinstance(own_hub, EventHub) else inner.events  # type: ignore[attr-defined]
        meta = meta_for(env, vector=False, env_id=env_id, env_kwargs=env_kwargs)
        self.writer = RecordingWriter(path, meta, append=append, chunk_rows=chunk_rows, sync_seconds=sync_seconds)
        self.states = states
        self._obs_dtype = np.dtype(meta.obs_dtype)
        self._act_dtype = np.dtype(meta.action_dtype)
        self._episode = -1
        self._seed: int | None = None
        # The latest row waits here until the step that made it returns (a
        # TimeLimit above the env may still mark it truncated), then goes to
        # the writer, which writes an episode as soon as its last row arrives.
        self._last: Block | None = None
        self._unsubscribe = hub.subscribe(self._on_event)

    @property
    def path(self) -> str:
        """The file the recording is written to."""
        return str(self.writer.path)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets the env and starts a new episode in the recording."""
        self._seed = seed
        result = self.env.reset(seed=seed, options=options)
        self._hand_over()
        return result

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env and appends the transition to the recording."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        # A TimeLimit above a BaseEnvironment truncates after the env's own event.
        if self._last is not None and truncated and not self._last.truncated[0]:
            self._last.truncated[0] = True
            self._last.episode_log[0] = self._episode_log()
        self._hand_over()
        return obs, reward, terminated, truncated, info

    def _hand_over(self) -> None:
        if self._last is not None:
            self.writer.add(self._last)
            self._last = None

    def _state(self, reset: bool) -> str | None:
        if self.states == "none" or (self.states == "reset" and not reset):
            return None
        get = getattr(self.env.unwrapped, "get_state", None)
        return None if get is None else to_json(get())

    def _episode_log(self) -> str | None:
        get = getattr(self.env.unwrapped, "episode_log", None)
        log = get() if get is not None else None
        return to_json(log) if log else None

    def _on_event(self, e: Event) -> None:
        if e.kind == "close":
            return
        reset = e.kind == "reset"
        if reset:
            self._episode = self.writer.new_episode()
        info = dict(e.info)
        comps = info.get("reward_components") or {}
        ended = bool(e.terminated) or bool(e.truncated)
        block = Block(
            episode=np.array([self._episode], dtype=np.int64),
            env_index=np.zeros(1, dtype=np.int32),
            step=np.array([e.step], dtype=np.int32),
            observation=np.asarray(e.observation, dtype=self._obs_dtype).reshape(1, -1),
            action=np.zeros((1, self.writer.meta.action_size), dtype=self._act_dtype)
            if reset
            else np.asarray(e.action, dtype=self._act_dtype).reshape(1, -1),
            reward=np.array([0.0 if reset else float(e.reward or 0.0)]),
            terminated=np.array([bool(e.terminated)]),
            truncated=np.array([bool(e.truncated)]),
            seed=[self._seed if reset else None],
            info=[plain_info(info)],
            state=[self._state(reset)],
            episode_log=[self._episode_log() if ended else None],
            components={k: np.array([float(v)]) for k, v in comps.items()},
        )
        self._hand_over()  # a row from a call that bypassed this wrapper
        self._last = block

    def close(self) -> None:
        """Closes the env and finishes the file; every completed episode stays readable."""
        try:
            super().close()
        finally:
            self._unsubscribe()
            self._hand_over()
            self.writer.close()


class VectorRecorder(VectorWrapper):
    """Records all ``num_envs`` sub-envs of a vector env, one row per sub-env per
    step with its ``env_index``; autoresets (NEXT_STEP, SAME_STEP) start new
    episodes. Sub-env ``i`` reset with seed ``s`` is recorded with seed ``s + i``.

    With ``curriculum`` (the :class:`~ferrogym.curriculum.VecCurriculum`
    driving the batch; call its ``update`` after each step as usual), every
    row's info carries the level of the episode it belongs to
    (``curriculum_level``, ``curriculum_name``; ``Episode.curriculum_level``
    reads it back, ``ferrogym replay`` shows it).
    """

    def __init__(
        self,
        env: VectorEnv[Any, Any, Any],
        path: str | os.PathLike[str],
        *,
        states: States = "reset",
        append: bool = False,
        chunk_rows: int = 4096,
        sync_seconds: float = 0.0,
        env_id: str | None = None,
        env_kwargs: dict[str, Any] | None = None,
        curriculum: VecCurriculum | None = None,
    ) -> None:
        check_states(states)
        if curriculum is not None and curriculum.num_envs != env.num_envs:
            raise ConfigError(
                f"VectorRecorder: the curriculum drives {curriculum.num_envs} sub-envs, the env has {env.num_envs}"
            )
        super().__init__(env)
        self.curriculum = curriculum
        meta = meta_for(env, vector=True, env_id=env_id, env_kwargs=env_kwargs)
        self.writer = RecordingWriter(path, meta, append=append, chunk_rows=chunk_rows, sync_seconds=sync_seconds)
        self.states = states
        n = env.num_envs
        self._mode = AutoresetMode(env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP))
        self._episode = np.full(n, -1, dtype=np.int64)
        self._step = np.zeros(n, dtype=np.int32)
        self._autoreset = np.zeros(n, dtype=np.bool_)
        self._obs_dtype = np.dtype(meta.obs_dtype)
        self._act_dtype = np.dtype(meta.action_dtype)

    @property
    def path(self) -> str:
        """The file the recording is written to."""
        return str(self.writer.path)

    def _get(self, what: str, i: int) -> Any:
        get = getattr(self.env.unwrapped, what, None)
        return None if get is None else get(i)

    def _resets(self, idx: np.ndarray[Any, Any], obs: np.ndarray[Any, Any], seeds: list[int | None]) -> Block:
        n = len(idx)
        self._episode[idx] = [self.writer.new_episode() for _ in range(n)]
        self._step[idx] = 0
        return Block(
            episode=self._episode[idx].copy(),
            env_index=idx.astype(np.int32),
            step=np.zeros(n, dtype=np.int32),
            observation=np.asarray(obs, dtype=self._obs_dtype).reshape(n, -1),
            action=np.zeros((n, self.writer.meta.action_size), dtype=self._act_dtype),
            reward=np.zeros(n),
            terminated=np.zeros(n, dtype=np.bool_),
            truncated=np.zeros(n, dtype=np.bool_),
            seed=seeds,
            info=[plain_info(self._level(int(i), starting=True)) for i in idx],
            state=[to_json(self._get("get_state", int(i))) if self.states != "none" else None for i in idx],
            episode_log=[None] * n,
            components={},
        )

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Resets the sub-envs (those of ``reset_mask`` when given) and starts their episodes in the recording."""
        obs, info = self.env.reset(seed=seed, options=options)  # type: ignore[arg-type]
        n = self.num_envs
        mask = (options or {}).get("reset_mask")
        idx = np.arange(n) if mask is None else np.flatnonzero(mask)
        if seed is None:
            seeds: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(n)]
        else:
            seeds = list(seed)
        self._autoreset[idx] = False
        self.writer.add(self._resets(idx, obs[idx], [seeds[i] for i in idx]))
        return obs, info

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        """Steps every sub-env and appends each one's transition, following the env's autoreset mode."""
        obs, rewards, terminated, truncated, infos = self.env.step(actions)
        n = self.num_envs
        done = terminated | truncated
        acts = np.asarray(actions, dtype=self._act_dtype).reshape(n, -1)
        if self._mode == AutoresetMode.NEXT_STEP:
            # Sub-envs that ended last step ignored their action and reset now.
            restarted = self._autoreset.copy()
            self._autoreset = done.copy()
        else:
            restarted = np.zeros(n, dtype=np.bool_)
        moved = np.flatnonzero(~restarted)
        # A copy: SAME_STEP rows get the final observations written in, and the
        # caller's `obs` (the new episodes' first observations) must stay as is.
        step_obs = np.array(obs, dtype=self._obs_dtype).reshape(n, -1)
        if self._mode == AutoresetMode.SAME_STEP and done.any():
            for i in np.flatnonzero(done):
                step_obs[i] = np.asarray(infos["final_obs"][i], dtype=self._obs_dtype).reshape(-1)
        self._step[moved] += 1
        comps = self._components(infos, done)
        ended = done[moved]
        logs = [
            to_json(self._get("episode_log", int(i))) if e and self._mode != AutoresetMode.SAME_STEP else None
            for i, e in zip(moved, ended, strict=True)
        ]
        self.writer.add(
            Block(
                episode=self._episode[moved].copy(),
                env_index=moved.astype(np.int32),
                step=self._step[moved].copy(),
                observation=step_obs[moved],
                action=acts[moved],
                reward=np.asarray(rewards, dtype=np.float64)[moved],
                terminated=np.asarray(terminated)[moved],
                truncated=np.asarray(truncated)[moved],
                seed=[None] * len(moved),
                info=[self._info(infos, int(i)) for i in moved],
                state=[to_json(self._get("get_state", int(i))) if self.states == "all" else None for i in moved],
                episode_log=[log if log != "{}" else None for log in logs],
                components={k: v[moved] for k, v in comps.items()},
            )
        )
        new = np.flatnonzero(restarted | (done if self._mode == AutoresetMode.SAME_STEP else False))
        if len(new):
            self.writer.add(self._resets(new, np.asarray(obs)[new], [None] * len(new)))
        return obs, rewards, terminated, truncated, infos

    def _components(self, infos: dict[str, Any], done: np.ndarray[Any, Any]) -> dict[str, np.ndarray[Any, Any]]:
        n = self.num_envs
        out: dict[str, np.ndarray[Any, Any]] = {}
        groups = [infos.get("reward_components")]
        if self._mode == AutoresetMode.SAME_STEP:
            groups.append((infos.get("final_info") or {}).get("reward_components"))
        for group in groups:
            if not isinstance(group, dict):
                continue
            for name, values in group.items():
                if name.startswith("_"):
                    continue
                present = group.get("_" + name, np.ones(n, dtype=np.bool_))
                col = out.setdefault(name, np.full(n, np.nan))
                col[present] = np.asarray(values, dtype=np.float64)[present]
        return out

    def _level(self, i: int, starting: bool) -> dict[str, Any]:
        """The curriculum level of sub-env ``i``'s episode as info entries (none without a curriculum).

        A row of a running episode has the level it was started with
        (``running``); an episode SAME_STEP autoreset starts inside this step,
        before the learner's ``update``, has the level set for it last time (pending)."""
        if self.curriculum is None:
            return {}
        vc = self.curriculum
        level = vc.pending(i) if starting and self._mode == AutoresetMode.SAME_STEP else vc.running[i]
        if level is None:
            return {}
        return {"curriculum_level": level, "curriculum_name": vc.curriculum.levels[level].name}

    def _info(self, infos: dict[str, Any], i: int) -> str:
        row: dict[str, Any] = self._level(i, starting=False)
        for key, value in infos.items():
            if key.startswith("_") or key in _SKIP_INFO:
                continue
            if isinstance(value, dict):
                row[key] = {
                    k: v[i]
                    for k, v in value.items()
                    if not k.startswith("_") and value.get("_" + k, [True] * (i + 1))[i]
                }
            elif infos.get("_" + key) is not None and infos["_" + key][i]:
                row[key] = value[i]
        return plain_info(row)

    def close(self, **kwargs: Any) -> None:
        """Closes the env and finishes the file."""
        try:
            self.env.close(**kwargs)
        finally:
            self.writer.close()
