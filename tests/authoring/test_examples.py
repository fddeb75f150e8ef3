from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import EXAMPLES, FAST
from ferrogym.validate import check


def test_inventory_example__is_under_50_lines_of_code() -> None:
    """Lines of code: every non-blank line (docstring, imports and comments count)."""
    lines = [line for line in (EXAMPLES / "inventory.py").read_text().splitlines() if line.strip()]
    assert len(lines) < 50


def test_inventory_example__passes_ferrogym_check() -> None:
    report = check(f"{EXAMPLES / 'inventory.py'}:InventoryEnv", options=FAST)
    assert report.ok, report.to_text()


def test_hydra_example__instantiates_the_config_dataclass() -> None:
    pytest.importorskip("hydra", reason="hydra-core is an optional extra (pip install 'ferrogym[hydra]')")
    import hydra_config
    import inventory

    env_config, env = hydra_config.build()
    assert env_config == inventory.InventoryConfig(capacity=30, max_demand=4)
    assert env.unwrapped.config == env_config
    assert env.spec.max_episode_steps == 50


def test_hydra_example__runs_as_a_script() -> None:
    pytest.importorskip("hydra", reason="hydra-core is an optional extra (pip install 'ferrogym[hydra]')")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "hydra_config.py")], capture_output=True, text=True, check=True, timeout=120
    )
    assert "InventoryConfig(capacity=30" in out.stdout
