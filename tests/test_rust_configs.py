"""Config dataclasses of the Rust envs: the Rust struct is the source of truth."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import gymnasium as gym
import pytest

import ferrogym
from ferrogym.envs.cartpole import CartPoleConfig
from ferrogym.envs.connect_four import ConnectFourConfig
from ferrogym.envs.customer_support import CustomerSupportConfig
from ferrogym.envs.grid_world import GridWorldConfig
from ferrogym.errors import ConfigError
from ferrogym.rust_config import RustEnvConfig

CONFIGS: list[tuple[type[RustEnvConfig], str]] = [
    (GridWorldConfig, "ferrogym/GridWorld-v0"),
    (CartPoleConfig, "ferrogym/CartPole-v1"),
    (CustomerSupportConfig, "ferrogym/CustomerSupport-v0"),
    (ConnectFourConfig, "ferrogym/ConnectFour-v0"),
]


@pytest.mark.parametrize(("cls", "env_id"), CONFIGS)
def test_rust_config__names_exactly_the_rust_fields(cls: type[RustEnvConfig], env_id: str) -> None:
    assert {f.name for f in dataclasses.fields(cls)} == set(cls.rust_defaults())
    # Every field defaults to None: the Rust default applies.
    assert cls().kwargs() == {}
    gym.make(env_id, **cls().kwargs())


def test_rust_config__round_trips_through_yaml_and_builds_the_env(tmp_path: Path) -> None:
    cfg = GridWorldConfig(layout="four_rooms", slip=0.25, observation="image")
    path = tmp_path / "grid.yaml"
    cfg.save(path)
    again = GridWorldConfig.load(path)
    assert again == cfg
    env = gym.make("ferrogym/GridWorld-v0", **again.kwargs())
    assert env.observation_space.shape == (4, 13, 13)
    env_file = tmp_path / "env.yaml"
    env_file.write_text("id: ferrogym/GridWorld-v0\nconfig:\n  layout: maze\n  maze_size: 9\n")
    assert ferrogym.make(str(env_file)).observation_space.shape == (2,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"slip": 3.0}, r"GridWorld: invalid config `slip` = 3"),
        ({"slip": "high"}, r"`slip` = 'high'; expected float \| None"),
        ({"layout": "spiral"}, r"unknown variant `spiral`"),
        ({"map": "#S#"}, r"no goal"),
    ],
)
def test_rust_config__invalid_values_are_named(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        GridWorldConfig(**kwargs)  # type: ignore[arg-type]


def test_rust_config__cartpole_bound_is_checked_by_rust() -> None:
    with pytest.raises(ConfigError, match="reset_bound"):
        CartPoleConfig(reset_bound=1.0)
    assert CartPoleConfig(reset_bound=0.1).kwargs() == {"reset_bound": 0.1}
