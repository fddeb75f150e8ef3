"""Episodes of a policy stepped through a batched env (the Rust batch), one
seed per episode.

The batch runs without autoreset: when sub-env ``i`` ends, it is reset with
the next seed (``reset_mask``), so episode ``k`` is the episode
``gym.make(env_id).reset(seed=seed + k)`` gives under the same actions, and
re-simulating it needs only its seed. Steps are kept in a window of rows (one
row per batch step, one column per sub-env); an ended episode is cut out as a
column slice, so the per-step cost in Python does not grow with ``num_envs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError

#: ``policy(obs[N], mask[N, n_actions]) -> actions[N]``; an optional
#: ``reset(num_envs, seed)`` is called once before the first step.
BatchPolicy = Callable[[Any, Any], Any]


@dataclass
class Trajectory:
    """One finished episode: ``observations`` and ``masks`` have one more row than ``actions``."""

    #: The reset seed (``None``: not seeded, so not re-simulable from the data).
    seed: int | None
    observations: NDArray[Any]
    actions: NDArray[Any]
    rewards: NDArray[np.float64]
    terminations: NDArray[np.bool_]
    truncations: NDArray[np.bool_]
    masks: NDArray[np.bool_] | None
    #: Reward by component, one row per observation (row 0, the reset, is 0).
    components: dict[str, NDArray[np.float64]]

    def __len__(self) -> int:
        return len(self.actions)


class _Window:
    """Rows of batch steps still needed by a running episode."""

    def __init__(self, n: int, obs: NDArray[Any], act_shape: tuple[int, ...], act_dtype: Any, n_mask: int) -> None:
        self.n = n
        self.cap = 256
        self.obs = np.empty((self.cap, n, *obs.shape[1:]), dtype=obs.dtype)
        self.act = np.empty((self.cap, n, *act_shape), dtype=act_dtype)
        self.rew = np.empty((self.cap, n), dtype=np.float64)
        self.term = np.empty((self.cap, n), dtype=np.bool_)
        self.trunc = np.empty((self.cap, n), dtype=np.bool_)
        self.mask = np.empty((self.cap, n, n_mask), dtype=np.bool_)
        self.comps: dict[str, NDArray[np.float64]] = {}
        self.start = np.zeros(n, dtype=np.int64)
        self.t = 0

    def _arrays(self) -> list[tuple[str, NDArray[Any]]]:
        return [
            ("obs", self.obs),
            ("act", self.act),
            ("rew", self.rew),
            ("term", self.term),
            ("trunc", self.trunc),
            ("mask", self.mask),
            *((f"c:{k}", v) for k, v in self.comps.items()),
        ]

    def make_room(self) -> None:
        """Drops rows before the oldest running episode's start, or doubles the window."""
        if self.t < self.cap:
            return
        drop = int(self.start.min())
        if drop > 0:
            for _, a in self._arrays():
                a[: self.cap - drop] = a[drop:]
            self.start -= drop
            self.t -= drop
            return
        self.cap *= 2
        for name, a in self._arrays():
            grown = np.empty((self.cap, *a.shape[1:]), dtype=a.dtype)
            grown[: self.t] = a[: self.t]
            self._set(name, grown)

    def _set(self, name: str, value: NDArray[Any]) -> None:
        if name.startswith("c:"):
            self.comps[name[2:]] = value
        else:
            setattr(self, name, value)

    def component(self, name: str) -> NDArray[np.float64]:
        if name not in self.comps:
            self.comps[name] = np.zeros((self.cap, self.n), dtype=np.float64)
        return self.comps[name]

    def cut(self, i: int, seed: int, last_obs: NDArray[Any], last_mask: NDArray[np.bool_] | None) -> Trajectory:
        """Sub-env ``i``'s episode, from its start to the current row."""
        s, e = int(self.start[i]), self.t + 1
        comps = {}
        for name, col in self.comps.items():
            c = np.zeros(e - s + 1, dtype=np.float64)
            c[1:] = col[s:e, i]
            comps[name] = c
        masks = None if last_mask is None else np.concatenate([self.mask[s:e, i], last_mask[None]])
        return Trajectory(
            seed=seed,
            observations=np.concatenate([self.obs[s:e, i], last_obs[None]]),
            actions=self.act[s:e, i].copy(),
            rewards=self.rew[s:e, i].copy(),
            terminations=self.term[s:e, i].copy(),
            truncations=self.trunc[s:e, i].copy(),
            masks=masks,
            components=comps,
        )


def is_masked(env_id: str) -> bool:
    """Whether ``env_id``'s actions are masked (ferrogym's env table says so)."""
    from ferrogym.envs import ENVS

    return any(e.id == env_id and e.masked for e in ENVS)


def rollouts(
    env_id: str,
    policy: BatchPolicy,
    *,
    episodes: int,
    seed: int = 0,
    num_envs: int = 64,
    env_kwargs: Mapping[str, Any] | None = None,
) -> Iterator[Trajectory]:
    """Episodes ``seed``, ``seed + 1``, ... ``seed + episodes - 1`` of ``policy``
    on ``env_id``, in the order they end. Sub-envs still running when the last
    wanted episode ends are dropped (their episodes are not yielded)."""
    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise ConfigError(f"invalid episodes {episodes!r}; expected an integer >= 1")
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise ConfigError(f"invalid num_envs {num_envs!r}; expected an integer >= 1")
    n = min(num_envs, episodes)
    venv = gym.make_vec(
        env_id, num_envs=n, vectorization_mode="vector_entry_point", autoreset_mode="Disabled", **(env_kwargs or {})
    )
    try:
        yield from _run(venv, policy, is_masked(env_id), episodes, seed)
    finally:
        venv.close()


def _run(venv: Any, policy: BatchPolicy, masked: bool, episodes: int, seed: int) -> Iterator[Trajectory]:
    n = venv.num_envs
    space = venv.single_action_space
    discrete = isinstance(space, gym.spaces.Discrete)
    n_actions = int(space.n) if discrete else 0
    # Rules such as the heuristics read a mask even where the env has none.
    all_valid = np.ones((n, n_actions), dtype=np.bool_) if discrete else None

    def current_masks() -> NDArray[np.bool_] | None:
        return np.asarray(venv.action_masks(), dtype=np.bool_) if masked else all_valid

    episode_seed = seed + np.arange(n, dtype=np.int64)
    obs, _ = venv.reset(seed=episode_seed.tolist())
    reset = getattr(policy, "reset", None)
    if reset is not None:
        reset(n, seed=seed)
    mask = current_masks()
    act_shape = () if discrete else tuple(space.shape)
    window = _Window(n, np.asarray(obs), act_shape, np.int64 if discrete else space.dtype, n_actions)
    next_k, finished = n, 0
    while finished < episodes:
        window.make_room()
        t = window.t
        actions = np.asarray(policy(obs, mask))
        window.obs[t] = obs
        window.act[t] = actions
        if mask is not None:
            window.mask[t] = mask
        obs, rewards, terminated, truncated, infos = venv.step(actions)
        window.rew[t] = rewards
        window.term[t] = terminated
        window.trunc[t] = truncated
        for name, values in (infos.get("reward_components") or {}).items():
            if not name.startswith("_"):
                window.component(name)[t] = values
        mask = current_masks()
        ended = np.flatnonzero(np.asarray(terminated) | np.asarray(truncated))
        for i in ended:
            k = int(episode_seed[i]) - seed
            if k < episodes:
                finished += 1
                yield window.cut(int(i), int(episode_seed[i]), np.asarray(obs[i]), mask[i] if masked else None)  # type: ignore[index]
        window.t += 1
        if len(ended) and finished < episodes:
            episode_seed[ended] = seed + next_k + np.arange(len(ended))
            next_k += len(ended)
            reset_mask = np.zeros(n, dtype=np.bool_)
            reset_mask[ended] = True
            seeds: list[int | None] = [int(s) if r else None for s, r in zip(episode_seed, reset_mask, strict=True)]
            obs, _ = venv.reset(seed=seeds, options={"reset_mask": reset_mask})
            window.start[ended] = window.t
            mask = current_masks()
