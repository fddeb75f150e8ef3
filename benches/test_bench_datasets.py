"""Export speed of TicketRouting decisions, in decisions written per second:
a Minari dataset (``ferrogym.datasets.export_rollouts``, HDF5, masks and
reward components included) beside a ferrogym Parquet recording
(``ferrogym.record.VectorRecorder``) of the same policy on the same Rust batch,
in the same run, and beside the same rollouts not written at all."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.policies import make_policy

from .conftest import gate, measure

pytest.importorskip("minari")
pytest.importorskip("pyarrow")

from ferrogym.datasets import export_rollouts, rollouts
from ferrogym.record import VectorRecorder

ENV = "ferrogym/TicketRouting-v0"
KWARGS: dict[str, Any] = {"scenario": "specialists"}
N = 256
EPISODES = 512


def _sed() -> Any:
    return make_policy("sed", gym.make(ENV, **KWARGS).unwrapped.obs_layout)


@pytest.fixture(scope="module")
def decisions() -> int:
    """Decisions in the exported episodes (fixed by the seeds and the policy)."""
    return sum(len(t) for t in rollouts(ENV, _sed(), episodes=EPISODES, num_envs=N, env_kwargs=KWARGS))


def test_bench_datasets_minari_export(benchmark: Any, tmp_path: Path, decisions: int) -> None:
    ids = itertools.count()

    def run() -> None:
        export_rollouts(
            f"bench/sed-v{next(ids)}", ENV, _sed(), episodes=EPISODES, num_envs=N, root=tmp_path, env_kwargs=KWARGS
        )

    measure(benchmark, "datasets/minari", run, decisions)


def test_bench_datasets_rollouts_alone(benchmark: Any, decisions: int) -> None:
    # The same episodes, not written: what the export costs beyond the rollouts.
    def run() -> None:
        for _ in rollouts(ENV, _sed(), episodes=EPISODES, num_envs=N, env_kwargs=KWARGS):
            pass

    measure(benchmark, "datasets/rollouts", run, decisions)


def test_bench_datasets_parquet_recording(benchmark: Any, tmp_path: Path, decisions: int) -> None:
    files = itertools.count()
    steps = -(-decisions // N)  # batch steps for about as many decisions

    def run() -> None:
        venv = gym.make_vec(ENV, num_envs=N, vectorization_mode="vector_entry_point", **KWARGS)
        sed = _sed()
        rec = VectorRecorder(venv, tmp_path / f"run{next(files)}.parquet")
        try:
            obs, _ = rec.reset(seed=0)
            for _ in range(steps):
                obs, *_ = rec.step(np.asarray(sed(obs, venv.action_masks())))  # type: ignore[attr-defined]
        finally:
            rec.close()

    measure(benchmark, "datasets/parquet", run, steps * N)


def test_gate_datasets_ratios() -> None:
    # Minari's HDF5 storage writes a group of datasets per episode (about 58
    # decisions here), the recorder large row chunks: the floor guards
    # against a collapse of the export path, not against that difference.
    gate("minari dataset export vs parquet recording (ticket routing, sed)", "datasets/minari", "datasets/parquet", 0.1)
    gate("minari dataset export vs the same rollouts unwritten", "datasets/minari", "datasets/rollouts", 0.02)
