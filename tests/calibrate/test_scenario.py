"""The scenario file: written from a calibration, loaded by gym.make, refused when broken."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import yaml

import ferrogym  # noqa: F401  (registers the envs)
from ferrogym.calibrate.fit import Calibration
from ferrogym.calibrate.scenario import is_scenario_file, load_scenario, monday_before, write_scenario
from ferrogym.errors import ConfigError


def test_scenario__written_file_loads_and_builds_the_env(tmp_path: Path, known_calibration: Calibration) -> None:
    written = write_scenario(known_calibration, tmp_path / "scenario.yaml", "known", "ferrogym calibrate known")
    loaded = load_scenario(tmp_path / "scenario.yaml")
    assert loaded == written
    assert loaded.start == datetime(2026, 11, 2)
    assert loaded.provenance["rows"] == known_calibration.tickets.height
    env = gym.make("ferrogym/TicketRouting-v0", **loaded.config)
    obs, _ = env.reset(seed=0)
    assert env.unwrapped.config.ticket_types == known_calibration.mix.types  # type: ignore[attr-defined]
    assert obs.shape == env.observation_space.shape
    env.close()
    made = loaded.make()
    made.close()
    assert is_scenario_file(tmp_path / "scenario.yaml")


def test_monday_before__any_day_of_a_week_gives_its_monday() -> None:
    for day in range(2, 9):
        assert str(monday_before(np.datetime64(f"2026-11-{day:02d}"))) == "2026-11-02"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n", "not a scenario file"),
        ("ferrogym_scenario: 2\nconfig: {}\n", "expected 1"),
        ("ferrogym_scenario: 1\nenv: ferrogym/CartPole-v0\nconfig: {}\n", "'env' is"),
        ("ferrogym_scenario: 1\nconfig: [1]\n", "'config' must be a mapping"),
        ("ferrogym_scenario: 1\nconfig: {speed: 3}\n", "'speed' is not a TicketRouting field"),
        ("ferrogym_scenario: 1\nconfig: {n_engineers: 0}\n", "n_engineers"),
        ("ferrogym_scenario: 1\nconfig: {}\nengineers: bob\n", "'engineers' must be a list"),
        ("ferrogym_scenario: 1\nconfig: {}\nstart: soon\n", "'start' is 'soon'"),
        ("ferrogym_scenario: [\n", "not YAML"),
    ],
)
def test_load_scenario__broken_files_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"s\.yaml") as e:
        load_scenario(tmp_path / "s.yaml")
    assert message in str(e.value)


def test_load_scenario__missing_file_and_hyperparameter_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_scenario(tmp_path / "none.yaml")
    (tmp_path / "hyper.yaml").write_text(yaml.safe_dump({"sb3": {"n_steps": 64}}))
    assert not is_scenario_file(tmp_path / "hyper.yaml")
    assert not is_scenario_file(tmp_path / "none.yaml")
