"""Writes Minari datasets: from a policy's batched rollouts, or from a ferrogym
recording. Minari writes the files (``minari.create_dataset_from_buffers``,
``MinariDataset.update_dataset_from_buffer``); this module only gathers the
episodes and what ferrogym adds to them (:mod:`ferrogym.datasets.store`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from ferrogym.datasets.rollouts import BatchPolicy, Trajectory, is_masked, rollouts
from ferrogym.datasets.store import COMPONENTS_KEY, MASK_KEY, create, env_spec_for, plain_kwargs, require_minari
from ferrogym.errors import DatasetError, FerrogymError

if TYPE_CHECKING:
    from minari import MinariDataset

PathLike = str | os.PathLike[str]


class _Sink:
    """Episodes on their way into a dataset, written ``flush_every`` at a time."""

    def __init__(self, dataset: MinariDataset, flush_every: int) -> None:
        self.dataset = dataset
        self.flush_every = max(1, flush_every)
        self.pending: list[Any] = []
        self.steps = 0

    def add(self, tr: Trajectory) -> None:
        minari = require_minari()
        infos: dict[str, Any] = {}
        if tr.masks is not None:
            infos[MASK_KEY] = tr.masks
        if tr.components:
            infos[COMPONENTS_KEY] = tr.components
        self.pending.append(
            minari.data_collector.EpisodeBuffer(
                seed=tr.seed,
                observations=tr.observations,
                actions=tr.actions,
                rewards=tr.rewards,
                terminations=tr.terminations,
                truncations=tr.truncations,
                infos=infos or None,
            )
        )
        self.steps += len(tr)
        if len(self.pending) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.dataset.update_dataset_from_buffer(self.pending)
            self.pending = []


def _resolved_config(env_id: str, env_kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The config in effect (scenario presets expanded) when the env reports one."""
    env = gym.make(env_id, **env_kwargs)
    try:
        config = getattr(env.unwrapped, "config", None)
        kwargs = getattr(config, "kwargs", None)
        return dict(kwargs()) if callable(kwargs) else None
    finally:
        env.close()


def export_rollouts(
    dataset_id: str,
    env_id: str,
    policy: BatchPolicy,
    *,
    episodes: int,
    seed: int = 0,
    num_envs: int = 64,
    root: PathLike | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    policy_name: str | None = None,
    description: str | None = None,
    author: str | None = None,
    author_email: str | None = None,
    code_permalink: str | None = None,
    data_format: str = "hdf5",
    flush_every: int = 512,
) -> MinariDataset:
    """Runs ``policy`` for ``episodes`` episodes (seeds ``seed + k``) on the
    batched ``env_id`` and writes them as Minari dataset ``dataset_id`` under
    ``root``. ``policy`` is ``policy(obs[N], mask[N]) -> actions[N]`` (a
    :mod:`ferrogym.policies` heuristic, a :class:`~ferrogym.training.ModelPolicy`);
    its ``env_overrides``, if any, join ``env_kwargs``.

    >>> from ferrogym.policies import make_policy                          # doctest: +SKIP
    >>> sed = make_policy("sed", gym.make("ferrogym/TicketRouting-v0").unwrapped.obs_layout)  # doctest: +SKIP
    >>> export_rollouts("ticket-routing/sed-v0", "ferrogym/TicketRouting-v0", sed, episodes=100)  # doctest: +SKIP
    """
    kwargs = plain_kwargs({**getattr(policy, "env_overrides", {}), **(env_kwargs or {})})
    spec = env_spec_for(env_id, kwargs)
    name = policy_name or str(getattr(policy, "name", type(policy).__name__))
    facts = {
        "source": "rollouts",
        "env_id": env_id,
        "env_kwargs": kwargs,
        "config": _resolved_config(env_id, kwargs),
        "policy": name,
        "seeds": [seed, seed + episodes - 1],
        "masked": is_masked(env_id),
    }
    dataset = create(
        dataset_id,
        spec,
        root=root,
        algorithm_name=name,
        description=description or f"{episodes} episodes of {name} on {env_id}, seeds {seed}..{seed + episodes - 1}",
        facts=facts,
        author=author,
        author_email=author_email,
        code_permalink=code_permalink,
        data_format=data_format,
    )
    sink = _Sink(dataset, flush_every)
    for tr in rollouts(env_id, policy, episodes=episodes, seed=seed, num_envs=num_envs, env_kwargs=kwargs):
        sink.add(tr)
    sink.flush()
    return dataset


def export_recording(
    recording: PathLike,
    dataset_id: str,
    *,
    root: PathLike | None = None,
    description: str | None = None,
    author: str | None = None,
    author_email: str | None = None,
    code_permalink: str | None = None,
    data_format: str = "hdf5",
    flush_every: int = 512,
) -> MinariDataset:
    """Writes every episode of a ferrogym recording (Parquet or HDF5) as Minari
    dataset ``dataset_id``. A masked env's masks are not in recordings: each
    episode is re-simulated with ferrogym's replay checker (which also checks
    the recording is reproducible) and the masks are read on the way."""
    from ferrogym.datasets.replay import Observed
    from ferrogym.record import Recording, replay_episode
    from ferrogym.record.replay import make_env

    rec = Recording(recording)
    m = rec.meta
    masked = is_masked(m.env_id)
    spec = env_spec_for(m.env_id, m.env_kwargs)
    if m.extra.get("max_episode_steps") is not None:
        spec.max_episode_steps = int(m.extra["max_episode_steps"])
    facts = {
        "source": "recording",
        "recording": str(rec.path),
        "env_id": m.env_id,
        "env_kwargs": m.env_kwargs,
        "config": _resolved_config(m.env_id, m.env_kwargs),
        "masked": masked,
    }
    dataset = create(
        dataset_id,
        spec,
        root=root,
        algorithm_name="recording",
        description=description or f"the episodes of the ferrogym recording {rec.path.name} ({m.env_id})",
        facts=facts,
        author=author,
        author_email=author_email,
        code_permalink=code_permalink,
        data_format=data_format,
    )
    sink = _Sink(dataset, flush_every)
    for k in rec.episodes():
        ep = rec.episode(int(k))
        masks = None
        if masked:
            env = Observed(make_env(rec, None))
            try:
                replay_episode(rec, int(k), render_mode=None, env=env)
            except FerrogymError as e:
                raise DatasetError(f"{rec.path} episode {k}: cannot recover its action masks: {e}") from None
            masks = np.stack(env.masks)
        comps = {}
        for name, values in ep.components.items():
            c = np.zeros(len(ep) + 1, dtype=np.float64)
            c[1:] = values
            comps[name] = c
        sink.add(
            Trajectory(
                seed=ep.seed,
                observations=ep.observations,
                actions=ep.actions.reshape(len(ep), *(m.action_shape)),
                rewards=ep.rewards,
                terminations=ep.terminated,
                truncations=ep.truncated,
                masks=masks,
                components=comps,
            )
        )
    sink.flush()
    return dataset
