"""Tianshou over ferrogym envs; ``pip install 'ferrogym[tianshou]'``.

Single envs go into Tianshou's own vector classes as they are
(``DummyVectorEnv([lambda: gym.make(id)] * n)``). :class:`FerroTianshouVectorEnv`
puts Tianshou's vector-env interface over one Rust batch instead: Tianshou
steps subsets of env ids and resets ended ones itself, so the batch runs in
DISABLED autoreset mode and resets with ``reset_mask``.

Stepping a strict subset of ids: the Rust batch steps all sub-envs at once,
so the others are saved with ``get_state`` and restored after the step
(exact, but slower than a full step; an ended env among them is reset first
so the batch accepts the step, and restored to its ended state after); Tianshou's step-count collection steps
all ids and stays on the fast path.

Tianshou's algorithms check their action space late or never (DQN takes a
Box space and fails mid-training): :func:`check_algorithm` refuses early.
The batch adapter takes array observations; Tuple ones (Blackjack) go through
``DummyVectorEnv`` of ``gymnasium.wrappers.FlattenObservation`` envs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode
from numpy.typing import NDArray

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs, check_action_space, require, vector_class

require("tianshou")

from ferrogym.vector import RustVectorEnv  # noqa: E402

_DISCRETE_ONLY = ("DQN", "C51", "QRDQN", "IQN", "FQF", "RainbowDQN", "DiscreteSAC", "DiscreteBCQ", "DiscreteCQL")
_BOX_ONLY = ("DDPG", "TD3", "SAC", "REDQ", "NPG", "TRPO")
#: Action spaces of Tianshou's algorithms by class name (PPO, A2C, Reinforce take both).
ACTION_SPACES: dict[str, tuple[type[gym.Space[Any]], ...]] = {
    **dict.fromkeys(_DISCRETE_ONLY, (gym.spaces.Discrete,)),
    **dict.fromkeys(_BOX_ONLY, (gym.spaces.Box,)),
}


def check_algorithm(algorithm: type[Any] | str, action_space: gym.Space[Any], env_id: str = "the env") -> None:
    """Raises :class:`~ferrogym.errors.UnsupportedSpace` when the Tianshou
    algorithm (class or name) cannot take ``action_space``."""
    name = algorithm if isinstance(algorithm, str) else algorithm.__name__
    allowed = ACTION_SPACES.get(name)
    if allowed is not None:
        instead = "SAC, TD3 or PPO" if isinstance(action_space, gym.spaces.Box) else "DQN or PPO"
        check_action_space("Tianshou", name, allowed, action_space, env_id, instead)


class FerroTianshouVectorEnv:
    """Tianshou's ``BaseVectorEnv`` interface (synchronous) over a Rust batch."""

    is_async = False

    def __init__(self, env_id: str, num_envs: int, **kwargs: Any) -> None:
        env_kwargs = blind_kwargs(env_id, kwargs)
        spec = gym.spec(env_id)
        if spec.max_episode_steps is not None:
            env_kwargs.setdefault("max_episode_steps", spec.max_episode_steps)
        self.venv: RustVectorEnv = vector_class(env_id)(num_envs, autoreset_mode=AutoresetMode.DISABLED, **env_kwargs)
        if isinstance(self.venv.single_observation_space, gym.spaces.Tuple):
            self.venv.close()
            raise UnsupportedSpace(
                f"{env_id}: FerroTianshouVectorEnv takes array observations, not "
                f"{self.venv.single_observation_space}; use tianshou.env.DummyVectorEnv of "
                "gymnasium.wrappers.FlattenObservation(gym.make(...)) envs"
            )
        self.env_num = num_envs
        self.waiting_id: list[int] = []
        self.ready_id = list(range(num_envs))
        self.is_closed = False
        self._obs: NDArray[Any] | None = None
        #: Envs whose episode ended and that Tianshou has not reset yet.
        self._ended = np.zeros(num_envs, dtype=np.bool_)

    def __len__(self) -> int:
        return self.env_num

    # Tianshou reads these per env (a list), like its workers' attributes.
    @property
    def action_space(self) -> list[gym.Space[Any]]:
        """The single action space, once per env."""
        return [self.venv.single_action_space] * self.env_num

    @property
    def observation_space(self) -> list[gym.Space[Any]]:
        """The single observation space, once per env."""
        return [self.venv.single_observation_space] * self.env_num

    def get_env_attr(self, key: str, id: int | Sequence[int] | NDArray[Any] | None = None) -> list[Any]:
        """Returns attribute ``key`` of the envs ``id`` (all when None)."""
        return [self.venv.call(key)[i] for i in self._ids(id)]

    def _ids(self, id: int | Sequence[int] | NDArray[Any] | None) -> list[int]:
        if id is None:
            return list(range(self.env_num))
        if np.isscalar(id):
            return [int(id)]  # type: ignore[arg-type]
        return [int(i) for i in id]  # type: ignore[union-attr]

    def seed(self, seed: int | list[int] | None = None) -> list[list[int] | None]:
        """Tianshou's ``seed``: resets env ``i`` with ``seed + i`` (a list: one seed each) now."""
        if seed is None:
            return [None] * self.env_num
        seeds = [seed + i for i in range(self.env_num)] if isinstance(seed, int) else [int(s) for s in seed]
        self._obs, _ = self.venv.reset(seed=list[int | None](seeds))
        self._ended[:] = False
        return [[s] for s in seeds]

    def reset(
        self, env_id: int | Sequence[int] | NDArray[Any] | None = None, **kwargs: Any
    ) -> tuple[NDArray[Any], NDArray[np.object_]]:
        """Resets the envs ``env_id`` (all when None); returns their observations and infos."""
        ids = self._ids(env_id)
        # Tianshou passes the same reset kwargs (seed included) to every env.
        seed = kwargs.get("seed")
        seeds: list[int | None] | None = None if seed is None else [int(seed)] * self.env_num
        if self._obs is None or len(ids) == self.env_num:
            obs, _ = self.venv.reset(seed=seeds)
        else:
            mask = np.zeros(self.env_num, dtype=np.bool_)
            mask[ids] = True
            obs, _ = self.venv.reset(seed=seeds, options={"reset_mask": mask})
        self._obs = obs
        self._ended[ids] = False
        infos = np.array([{"env_id": i} for i in ids], dtype=object)
        return obs[ids].copy(), infos

    def step(
        self, action: NDArray[Any] | None, id: int | Sequence[int] | NDArray[Any] | None = None
    ) -> tuple[NDArray[Any], NDArray[Any], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.object_]]:
        """Steps the envs ``id`` (all when None) with one action each; the others keep their state.

        Raises:
            ValueError: ``action`` is None or its length differs from the number of ids.
        """
        if action is None:
            raise ValueError("action must be given (this vector env is synchronous)")
        ids = self._ids(id)
        if len(action) != len(ids):
            raise ValueError(f"{len(action)} actions for {len(ids)} env ids")
        if sorted(ids) == list(range(self.env_num)):
            full = np.empty(self.env_num, dtype=np.int64)
            full[ids] = np.asarray(action).reshape(len(ids))
            obs, rew, term, trunc, info = self.venv.step(full)
        else:
            obs, rew, term, trunc, info = self._step_subset(np.asarray(action).reshape(len(ids)), ids)
        self._obs = obs
        self._ended[ids] = (term | trunc)[ids]
        infos = np.array([self._info(info, i) for i in ids], dtype=object)
        return obs[ids].copy(), rew[ids], term[ids], trunc[ids], infos

    def _step_subset(self, action: NDArray[Any], ids: list[int]) -> tuple[Any, ...]:
        others = [i for i in range(self.env_num) if i not in ids]
        saved = [self.venv.get_state(i) for i in others]
        # Ended envs not being stepped wait for Tianshou's reset; the batch
        # refuses to step them, so reset them now and put them back below.
        waiting = np.zeros(self.env_num, dtype=np.bool_)
        waiting[[i for i in others if self._ended[i]]] = True
        if waiting.any():
            self.venv.reset(options={"reset_mask": waiting})
        # Any valid action will do for the envs that are put back afterwards.
        full = self.venv.action_masks().argmax(axis=1).astype(np.int64)
        full[ids] = action
        obs, rew, term, trunc, info = self.venv.step(full)
        assert self._obs is not None
        obs = obs.copy()
        # An env that ended in its throwaway step would be refused next time.
        refused = np.zeros(self.env_num, dtype=np.bool_)
        refused[others] = (term | trunc)[others]
        if refused.any():
            self.venv.reset(options={"reset_mask": refused})
        for i, state in zip(others, saved, strict=True):
            self.venv.set_state(i, state)
            obs[i] = self._obs[i]
        return obs, rew, term, trunc, info

    @staticmethod
    def _info(info: dict[str, Any], i: int) -> dict[str, Any]:
        out: dict[str, Any] = {"env_id": i}
        for key, value in info.items():
            if key.startswith("_") or not info.get(f"_{key}", np.ones(i + 1, dtype=bool))[i]:
                continue
            out[key] = (
                {k: v[i] for k, v in value.items() if not k.startswith("_")} if isinstance(value, dict) else value[i]
            )
        return out

    def render(self, **kwargs: Any) -> list[Any]:
        """Returns each env's render."""
        return list(self.venv.call("render"))

    def close(self) -> None:
        """Closes the batch; safe to call twice."""
        if not self.is_closed:
            self.venv.close()
            self.is_closed = True
