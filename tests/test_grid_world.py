"""GridWorld: maps, layouts, slip and observation modes."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.errors import ConfigError

CORRIDOR = "#######\n#S...G#\n#######"


def test_grid_world__walks_the_corridor_to_the_goal() -> None:
    env = gym.make("ferrogym/GridWorld-v0", map=CORRIDOR, step_cost=0.1, goal_reward=2.0)
    obs, _ = env.reset(seed=0)
    assert obs.tolist() == [1.0, 1.0]
    total = 0.0
    for _ in range(4):
        obs, reward, terminated, truncated, _ = env.step(1)
        total += reward
    assert terminated and not truncated
    assert obs.tolist() == [1.0, 5.0]
    assert total == pytest.approx(2.0 - 0.4)


def test_grid_world__slip_goes_sideways_at_the_configured_rate() -> None:
    env = gym.make("ferrogym/GridWorld-v0", layout="open_room", slip=0.3, max_episode_steps=10_000)
    env.reset(seed=0)
    sideways = 0
    trials = 4000
    for _ in range(trials):
        env.unwrapped.set_state({**env.unwrapped.get_state(), "agent": 3 * 7 + 3})  # type: ignore[attr-defined]
        obs, *_ = env.step(0)  # up, from the middle of the room
        sideways += obs[0] == 3.0
    assert sideways / trials == pytest.approx(0.3, abs=0.03)


def test_grid_world__layouts_have_the_documented_sizes() -> None:
    sizes = {"open_room": (7, 7), "four_rooms": (13, 13)}
    for layout, (h, w) in sizes.items():
        space = gym.make("ferrogym/GridWorld-v0", layout=layout, observation="image").observation_space
        assert space.shape == (4, h, w)
    maze = gym.make("ferrogym/GridWorld-v0", layout="maze", maze_size=15, observation="image").observation_space
    assert maze.shape == (4, 15, 15)


def test_grid_world__maze_depends_on_maze_seed_only() -> None:
    def text(seed: int) -> str:
        env = gym.make("ferrogym/GridWorld-v0", layout="maze", maze_seed=seed, render_mode="ansi")
        env.reset(seed=99)
        return str(env.render())

    assert text(1) == text(1)
    assert text(1) != text(2)


def test_grid_world__image_channels_mark_walls_goal_lava_agent() -> None:
    env = gym.make("ferrogym/GridWorld-v0", map="#####\n#SLG#\n#####", observation="image")
    obs, _ = env.reset(seed=0)
    wall, goal, lava, agent = obs
    assert wall[0].tolist() == [1, 1, 1, 1, 1]
    assert goal[1].tolist() == [0, 0, 0, 1, 0]
    assert lava[1].tolist() == [0, 0, 1, 0, 0]
    assert np.argwhere(agent).tolist() == [[1, 1]]


def test_grid_world__random_start_uses_every_floor_cell() -> None:
    env = gym.make("ferrogym/GridWorld-v0", map="#####\n#..G#\n#...#\n#####", random_start=True)
    starts = {tuple(env.reset(seed=s)[0].tolist()) for s in range(200)}
    assert starts == {(1.0, 1.0), (1.0, 2.0), (2.0, 1.0), (2.0, 2.0), (2.0, 3.0)}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"map": "#S#\n#G"}, r"row 1"),
        ({"map": "#S?G#"}, r"'\?' at row 0, column 2"),
        ({"map": "#S.#"}, r"no goal"),
        ({"map": "#..G#"}, r"no start"),
        ({"map": ""}, r"empty"),
        ({"layout": "spiral"}, r"unknown variant `spiral`"),
        ({"observation": "pixels"}, r"unknown variant `pixels`"),
        ({"layout": "maze", "maze_size": 8}, r"maze_size"),
        ({"slip": 2.0}, r"slip"),
        ({"slip": "high"}, r"slip|invalid type"),
        ({"step_cost": float("nan")}, r"step_cost"),
        ({"goal_reward": float("inf")}, r"goal_reward"),
        ({"cell_px": 0}, r"cell_px"),
        ({"cell_px": -3}, r"cell_px|invalid value"),
        ({"bogus": 1}, r"unknown field `bogus`"),
    ],
)
def test_grid_world__invalid_config_is_named(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        gym.make("ferrogym/GridWorld-v0", **kwargs)
    assert "GridWorld" in str(info.value)


def test_grid_world__numpy_scalars_are_accepted_as_config() -> None:
    env = gym.make("ferrogym/GridWorld-v0", slip=np.float64(0.1), maze_size=np.int64(9), layout="maze")
    assert env.observation_space.shape == (2,)
