"""Re-simulates a Minari dataset's episodes with ferrogym's replay checker.

:class:`DatasetRecording` shows a dataset through the
:class:`~ferrogym.record.Recording` interface the checker reads (metadata and
one episode at a time), so every episode is replayed exactly as a recorded one
is: reset with its seed, step its actions, and every observation, reward and
flag must match (:class:`~ferrogym.errors.NondeterminismError` otherwise).
On top, the action masks and reward components seen on the way must match the
dataset's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.datasets import store
from ferrogym.datasets.rollouts import is_masked
from ferrogym.errors import DatasetError, NondeterminismError, RecordingError
from ferrogym.record import Episode, Recording, RecordingMeta, Replay, replay_episode
from ferrogym.record.replay import make_env

if TYPE_CHECKING:
    from minari import EpisodeData, MinariDataset


class Observed(gym.Wrapper[Any, Any, Any, Any]):
    """Keeps the action mask and the reward components after every reset and step."""

    def __init__(self, env: gym.Env[Any, Any]) -> None:
        super().__init__(env)
        self.masks: list[NDArray[np.bool_]] = []
        self.components: list[dict[str, float]] = []

    def _mask(self) -> NDArray[np.bool_]:
        get = getattr(self.env.unwrapped, "action_masks", None)
        return np.zeros(0, dtype=np.bool_) if get is None else np.asarray(get(), dtype=np.bool_)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets the env and starts the episode's lists of masks and reward components."""
        out = self.env.reset(seed=seed, options=options)
        self.masks = [self._mask()]
        self.components = [{}]
        return out

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env and keeps the new action mask and the step's reward components."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.masks.append(self._mask())
        self.components.append(dict(info.get(store.COMPONENTS_KEY) or {}))
        return obs, reward, terminated, truncated, info


def _space_layout(space: gym.spaces.Space[Any]) -> tuple[tuple[int, ...], str]:
    if isinstance(space, gym.spaces.Discrete):
        return (), str(np.dtype(space.dtype))
    if isinstance(space, gym.spaces.Box):
        return tuple(space.shape), str(space.dtype)
    raise DatasetError(f"cannot replay a dataset with a {type(space).__name__} space; Box and Discrete are supported")


class DatasetRecording(Recording):
    """A Minari dataset read as a ferrogym recording (episode ids are the
    dataset's episode indices)."""

    def __init__(self, dataset: MinariDataset) -> None:
        # Not Recording.__init__: that opens a recording file; the metadata
        # and episodes come from the dataset instead.
        spec = dataset.env_spec
        self.dataset = dataset
        self.path = store.data_file(dataset)
        if spec is None:
            raise DatasetError(f"{self.path}: dataset {dataset.id!r} names no env, so it cannot be re-simulated")
        self.hdf5 = False
        obs_shape, obs_dtype = _space_layout(dataset.observation_space)
        act_shape, act_dtype = _space_layout(dataset.action_space)
        self.meta = RecordingMeta(
            env_id=spec.id,
            env_kwargs=dict(spec.kwargs),
            obs_shape=obs_shape,
            obs_dtype=obs_dtype,
            action_shape=act_shape,
            action_dtype=act_dtype,
            extra={"max_episode_steps": spec.max_episode_steps},
        )

    def episodes(self) -> NDArray[np.int64]:
        """The dataset's episode indices."""
        return np.asarray(self.dataset.episode_indices, dtype=np.int64)

    def minari_episode(self, k: int) -> EpisodeData:
        """Returns episode ``k`` as Minari stores it.

        Raises:
            DatasetError: the dataset has no episode ``k``.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k not in self.episodes():
            raise DatasetError(f"{self.path}: no episode {k!r}; the dataset holds {len(self.episodes())}")
        return next(store.episodes(self.dataset, [int(k)]))

    def episode(self, k: int) -> Episode:
        """Returns episode ``k`` as a ferrogym.record :class:`Episode` (so the replay tools read it).

        Raises:
            DatasetError: the dataset has no episode ``k``.
        """
        ep = self.minari_episode(k)
        seed = store.seeds(self.dataset, [int(k)])[0]
        n = len(ep)
        comps = (ep.infos or {}).get(store.COMPONENTS_KEY) or {}
        return Episode(
            episode=int(k),
            env_index=0,
            seed=seed,
            observations=np.asarray(ep.observations),
            actions=np.asarray(ep.actions),
            rewards=np.asarray(ep.rewards, dtype=np.float64),
            components={name: np.asarray(v, dtype=np.float64)[1:] for name, v in comps.items()},
            terminated=np.asarray(ep.terminations, dtype=np.bool_),
            truncated=np.asarray(ep.truncations, dtype=np.bool_),
            infos=[{} for _ in range(n + 1)],
            states=[None] * (n + 1),
            episode_log=None,
        )


def _first_difference(what: str, recorded: NDArray[Any], replayed: NDArray[Any]) -> str | None:
    if recorded.shape != replayed.shape:
        return f"{what} has shape {replayed.shape}, the dataset {recorded.shape}"
    diff = np.argwhere(recorded != replayed)
    if len(diff) == 0:
        return None
    at = tuple(int(i) for i in diff[0])
    return f"{what} at step {at[0]} is {replayed[at]!r}, the dataset has {recorded[at]!r}"


def replay_dataset(dataset: MinariDataset, episodes: Any = None) -> list[Replay]:
    """Re-simulates ``episodes`` (indices; all by default) of ``dataset``;
    raises :class:`NondeterminismError` at the first difference."""
    rec = DatasetRecording(dataset)
    masked = is_masked(rec.meta.env_id)
    out = []
    for k in rec.episodes() if episodes is None else episodes:
        env = Observed(make_env(rec, None))
        try:
            result = replay_episode(rec, int(k), render_mode=None, env=env)
        except RecordingError as e:  # an episode the checker cannot replay (no seed)
            raise DatasetError(str(e)) from None
        ep = rec.minari_episode(int(k))
        where = f"{rec.path} episode {k}"
        problems = []
        if masked:
            problems.append(_first_difference("the action mask", store.masks_of(dataset, ep), np.stack(env.masks)))
        comps = (ep.infos or {}).get(store.COMPONENTS_KEY) or {}
        for name, values in comps.items():
            seen = np.array([c.get(name, 0.0) for c in env.components], dtype=np.float64)
            problems.append(_first_difference(f"reward component {name!r}", np.asarray(values), seen))
        problem = next((p for p in problems if p), None)
        if problem:
            raise NondeterminismError(f"{where}: the replay differs from the dataset: {problem}")
        out.append(result)
    return out
