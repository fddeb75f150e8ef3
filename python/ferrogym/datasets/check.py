"""Checks a Minari dataset as Minari's own test suite checks the datasets it
creates (``check_data_integrity`` and ``check_env_recovery`` in Minari's
``tests/common.py``; the wheel ships no checker), through the installed
Minari's API, plus what ferrogym adds (masks, reward components).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import data_equivalence
from numpy.typing import NDArray

from ferrogym.datasets import store
from ferrogym.datasets.rollouts import is_masked
from ferrogym.errors import DatasetError

if TYPE_CHECKING:
    from minari import EpisodeData, MinariDataset


def _outside(space: gym.spaces.Space[Any], values: NDArray[Any]) -> int | None:
    """Index of the first row of ``values`` outside ``space`` (vectorised for Box and Discrete)."""
    if isinstance(space, gym.spaces.Box):
        ok = (values.dtype == space.dtype) and values.shape[1:] == space.shape
        if not ok:
            return 0
        axes = tuple(range(1, values.ndim))
        bad = ~(np.all(values >= space.low, axis=axes) & np.all(values <= space.high, axis=axes))
    elif isinstance(space, gym.spaces.Discrete):
        if values.dtype.kind not in "iu" or values.ndim != 1:
            return 0
        bad = (values < space.start) | (values >= space.start + space.n)
    else:
        bad = np.array([not space.contains(v) for v in values])
    idx = np.flatnonzero(bad)
    return int(idx[0]) if len(idx) else None


def _episode_problems(dataset: MinariDataset, ep: EpisodeData, masked: bool, components: bool) -> list[str]:
    t = len(ep)
    obs, act = np.asarray(ep.observations), np.asarray(ep.actions)
    out = []
    lengths = {
        "observations": (len(obs), t + 1),
        "actions": (len(act), t),
        "terminations": (len(ep.terminations), t),
        "truncations": (len(ep.truncations), t),
    }
    out += [f"{k} has {n} rows, expected {want}" for k, (n, want) in lengths.items() if n != want]
    if out:
        return out
    bad = _outside(dataset.observation_space, obs)
    if bad is not None:
        out.append(f"observation {bad} is outside the observation space {dataset.observation_space}")
    bad = _outside(dataset.action_space, act)
    if bad is not None:
        out.append(f"action {bad} is outside the action space {dataset.action_space}")
    elif masked:
        try:
            masks = store.masks_of(dataset, ep)
        except DatasetError as e:
            return [*out, str(e)]
        chosen = masks[np.arange(t), act] if t else np.ones(0, dtype=np.bool_)
        if not chosen.all():
            out.append(f"action {int(np.flatnonzero(~chosen)[0])} is masked out by infos[{store.MASK_KEY!r}]")
    comps = (ep.infos or {}).get(store.COMPONENTS_KEY)
    if components and comps:
        total = np.zeros(t + 1)
        for name, values in comps.items():
            v = np.asarray(values, dtype=np.float64)
            if v.shape != (t + 1,):
                out.append(f"reward component {name!r} has shape {v.shape}, expected ({t + 1},)")
                return out
            total += v
        if not np.allclose(total[1:], ep.rewards, rtol=1e-9, atol=1e-9):
            out.append("the reward components do not add up to the rewards")
    return out


def check_dataset(dataset: MinariDataset, env: gym.Env[Any, Any] | None = None) -> None:
    """Raises :class:`DatasetError` listing what is wrong with ``dataset``:
    episodes and steps that disagree with the metadata, observations or
    actions outside the spaces, an env that cannot be recovered (or differs
    from ``env``, the env the data came from, when given), the Minari card
    (``minari show``) failing, missing or violated action masks (masked
    envs), reward components that do not add up to the rewards."""
    minari = store.require_minari()
    where = store.data_file(dataset)
    problems: list[str] = []
    masked = dataset.env_spec is not None and is_masked(dataset.env_spec.id)
    storage = dataset.storage
    total_steps = 0
    count = 0
    for count, ep in enumerate(store.episodes(dataset), start=1):  # noqa: B007  # read after the loop
        total_steps += len(ep)
        problems += [f"episode {ep.id}: {p}" for p in _episode_problems(dataset, ep, masked, components=True)]
        if len(problems) > 20:
            break
    else:
        if count != storage.total_episodes:
            problems.append(f"{count} episodes, the metadata says {storage.total_episodes}")
        if total_steps != storage.total_steps:
            problems.append(f"{total_steps} steps, the metadata says {storage.total_steps}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            minari.utils.get_dataset_spec_dict(storage.metadata)
            if dataset.env_spec is not None:
                minari.utils.get_env_spec_dict(dataset.env_spec)
        except (KeyError, ValueError, TypeError) as e:
            problems.append(f"Minari cannot describe the dataset ({type(e).__name__}: {e})")
    problems += [f"Minari: {w.message}" for w in caught]
    problems += _recovery_problems(dataset, env)
    if problems:
        raise DatasetError(f"{where}: dataset {dataset.id!r} fails its checks: " + "; ".join(problems))


def _recovery_problems(dataset: MinariDataset, env: gym.Env[Any, Any] | None) -> list[str]:
    if dataset.env_spec is None:
        return ["no env_spec: recover_environment() cannot rebuild the env"]
    try:
        recovered = dataset.recover_environment()
    except Exception as e:  # any failure of the env's constructor
        return [f"recover_environment() fails ({type(e).__name__}: {e})"]
    try:
        out = []
        if recovered.spec != dataset.env_spec:
            out.append(f"the recovered env's spec {recovered.spec} differs from the dataset's {dataset.env_spec}")
        if not data_equivalence(recovered.observation_space, dataset.observation_space):
            out.append("the recovered env's observation space differs from the dataset's")
        if not data_equivalence(recovered.action_space, dataset.action_space):
            out.append("the recovered env's action space differs from the dataset's")
        if env is not None and recovered.spec != env.spec:
            out.append(f"the recovered env's spec {recovered.spec} differs from the source env's {env.spec}")
        return out
    finally:
        recovered.close()
