"""Offline-RL datasets in Minari's format (``pip install 'ferrogym[datasets]'``).

Export a policy's batched rollouts or a ferrogym recording as a Minari
dataset (with action masks, reward components, the env's spec and config),
load one back, check it, and re-simulate its episodes with ferrogym's replay
checker; :mod:`ferrogym.datasets.bc` trains a router from one.

>>> from ferrogym.datasets import export_rollouts, load, check_dataset, replay_dataset
"""

from __future__ import annotations

from ferrogym.datasets.check import check_dataset
from ferrogym.datasets.export import export_recording, export_rollouts
from ferrogym.datasets.replay import DatasetRecording, replay_dataset
from ferrogym.datasets.rollouts import Trajectory, rollouts
from ferrogym.datasets.store import COMPONENTS_KEY, MASK_KEY, load

__all__ = [
    "COMPONENTS_KEY",
    "MASK_KEY",
    "DatasetRecording",
    "Trajectory",
    "check_dataset",
    "export_recording",
    "export_rollouts",
    "load",
    "replay_dataset",
    "rollouts",
]
