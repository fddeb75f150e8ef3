"""Hydra users instantiate ferrogym's config dataclasses directly: the same
typed, validated ``EnvConfig`` that ``ferrogym.make`` and YAML files use.

    python examples/hydra_config.py          (needs: pip install 'ferrogym[hydra]')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.utils import instantiate
from omegaconf import OmegaConf

HERE = Path(__file__).resolve().parent

# What a Hydra config file (conf/env/inventory.yaml) would hold.
CONFIG = """
env_config:
  _target_: inventory.InventoryConfig
  capacity: 30
  max_demand: 4
env:
  _target_: ferrogym.make
  target: examples/Inventory-v0
  max_episode_steps: 50
  config: ${env_config}  # instantiated recursively: the env gets the dataclass
"""


def build() -> tuple[Any, Any]:
    """The config dataclass and an env built from it, both through Hydra."""
    import sys

    sys.path.insert(0, str(HERE))
    import inventory

    cfg = OmegaConf.create(CONFIG)
    env_config = instantiate(cfg.env_config)  # an InventoryConfig, type-checked on construction
    env = instantiate(cfg.env)
    assert isinstance(env_config, inventory.InventoryConfig)
    return env_config, env


if __name__ == "__main__":
    env_config, env = build()
    print(env_config)
    print(env.reset(seed=0))
