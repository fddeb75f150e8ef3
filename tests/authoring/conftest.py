"""Shared fixtures of the authoring tests: the examples folder on sys.path
(as `python examples/x.py` would have it) and a registry that forgets the ids
a test registers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import gymnasium as gym
import pytest

from ferrogym.registry import REGISTERED
from ferrogym.validate import Options

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))

import inventory  # noqa: E402  (registers examples/Inventory-v0)

FAST = Options(steps=80, fuzz_examples=12, speed_seconds=0.01, batch_size=16)


@pytest.fixture
def clean_registry() -> Iterator[None]:
    before, before_ours = set(gym.registry), dict(REGISTERED)
    yield
    for env_id in set(gym.registry) - before:
        del gym.registry[env_id]
    REGISTERED.clear()
    REGISTERED.update(before_ours)


@pytest.fixture
def inventory_env() -> Iterator[inventory.InventoryEnv]:
    env = inventory.InventoryEnv()
    yield env
    env.close()
