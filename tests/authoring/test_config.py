from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

import ferrogym
from ferrogym.config import EnvConfig, EnvFile, read_file
from ferrogym.errors import ConfigError


@dataclass
class Inner(EnvConfig):
    rate: float = 0.5


@dataclass
class Demo(EnvConfig):
    n: int = 3
    scale: float = 1.0
    mode: Literal["fast", "slow"] = "fast"
    label: str | None = None
    sizes: list[int] = field(default_factory=lambda: [1, 2])
    pair: tuple[int, float] = (1, 2.0)
    inner: Inner = field(default_factory=Inner)
    flag: bool = False


def test_config__fields_are_typed_and_coerced() -> None:
    c = Demo.from_dict({"n": 4.0, "scale": 2, "inner": {"rate": 1}, "sizes": (3, 4)})
    assert (c.n, c.scale, c.inner, c.sizes) == (4, 2.0, Inner(1.0), [3, 4])
    assert type(c.scale) is float


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"n": "3"}, "`n` = '3'; expected int"),
        ({"n": True}, "`n` = True; expected int"),
        ({"scale": float("nan")}, "not NaN"),
        ({"mode": "medium"}, r"`mode` = 'medium'; expected one of \['fast', 'slow'\]"),
        ({"label": 3}, "`label` = 3"),
        ({"sizes": [1, "x"]}, r"`sizes\[1\]` = 'x'"),
        ({"pair": [1]}, "`pair`"),
        ({"inner": {"rat": 1}}, r"Inner: unknown config field\(s\) \['rat'\]"),
        ({"flag": "yes"}, "`flag` = 'yes'; expected bool"),
        ({"nn": 1}, r"unknown config field\(s\) \['nn'\]; valid fields are \['n', "),
    ],
)
def test_config__bad_fields_are_named_with_value_and_expectation(data: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Demo.from_dict(data)


def test_config__yaml_and_json_round_trip(tmp_path: Path) -> None:
    c = Demo(n=5, label="x", pair=(2, 3.0))
    for name in ("c.yaml", "c.json"):
        c.save(tmp_path / name)
        assert Demo.load(tmp_path / name) == c


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("bad.yaml", "a: [1,", "not valid YAML"),
        ("bad.json", "{", "not valid JSON"),
        ("list.yaml", "- 1\n- 2", "expected a mapping at the top level"),
        ("x.toml", "", "unknown format '.toml'"),
    ],
)
def test_config__unreadable_files_are_config_errors(tmp_path: Path, name: str, text: str, match: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError, match=match):
        read_file(tmp_path / name)
    with pytest.raises(ConfigError, match="cannot read it"):
        read_file(tmp_path / "missing.yaml")


def test_make__builds_the_env_an_env_file_describes(tmp_path: Path) -> None:
    path = tmp_path / "grid.yaml"
    EnvFile(id="ferrogym/GridWorld-v0", config={"layout": "four_rooms"}, max_episode_steps=7).save(path)
    env = ferrogym.make(path)
    assert env.observation_space.high.tolist() == [12.0, 12.0]
    env.reset(seed=0)
    assert [env.step(0)[3] for _ in range(7)][-1] is True
    assert ferrogym.make(str(path), layout="open_room").observation_space.high.tolist() == [6.0, 6.0]


def test_make__env_file_errors_name_the_culprit(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"config": {}}')
    with pytest.raises(ConfigError, match="`id` = ''"):
        ferrogym.make(path)
    path.write_text('{"id": "ferrogym/GridWorld-v0", "config": {"slip": 3}}')
    with pytest.raises(ConfigError, match="slip"):
        ferrogym.make(path)
    path.write_text('{"id": "ferrogym/GridWorld-v0", "max_episode_steps": 0}')
    with pytest.raises(ConfigError, match="`max_episode_steps` = 0"):
        ferrogym.make(path)
