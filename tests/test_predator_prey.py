"""PredatorPrey: PettingZoo's own tests, capture rules on placed agents,
rewards in both modes, local views, episode ends, bad input, rendering."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test
from pettingzoo.utils.conversions import parallel_to_aec

from ferrogym.errors import ConfigError, InvalidAction
from ferrogym.integrations.pettingzoo import PredatorPrey, PredatorPreyConfig

STAY, UP, DOWN, LEFT, RIGHT = range(5)


@pytest.mark.parametrize(
    "kwargs", [{}, {"obstacle_density": 0.2, "reward_mode": "individual"}, {"catch_with": 1, "grid_size": 5}]
)
def test_predator_prey__pettingzoo_parallel_api_and_seed_tests_pass(kwargs: dict[str, Any]) -> None:
    parallel_api_test(PredatorPrey(**kwargs), num_cycles=300)
    parallel_seed_test(lambda: PredatorPrey(**kwargs))


def test_predator_prey__aec_api_test_passes() -> None:
    api_test(parallel_to_aec(PredatorPrey(catch_with=1, grid_size=6)), num_cycles=300)


def placed(predators: list[tuple[int, int]], prey: list[tuple[int, int]], **kwargs: Any) -> PredatorPrey:
    """An env with agents at the given cells (a fixed toy instance, no RNG in play)."""
    env = PredatorPrey(n_predators=len(predators), n_prey=len(prey), **kwargs)
    env.reset(seed=0)
    env.walls[:] = False
    env.pos = np.array(predators + prey, dtype=np.int64)
    return env


def test_predator_prey__one_predator_cannot_catch_alone_two_can() -> None:
    env = placed([(2, 1), (0, 2), (9, 9)], [(2, 2)], catch_with=2)
    _, rewards, terms, _, _ = env.step({"predator_0": STAY, "predator_1": STAY, "predator_2": STAY, "prey_0": STAY})
    assert not terms["prey_0"] and rewards["prey_0"] == pytest.approx(0.01)
    assert rewards["predator_0"] == pytest.approx(-0.01)
    # predator_1 steps down beside the prey: two within distance 1.
    _, rewards, terms, _, infos = env.step({"predator_0": STAY, "predator_1": DOWN, "predator_2": STAY, "prey_0": STAY})
    assert terms["prey_0"] and infos["prey_0"]["caught"]
    assert rewards["prey_0"] == -1.0
    # Shared: every predator earns the capture, the far one too; no prey left ends the game.
    assert [rewards[f"predator_{i}"] for i in range(3)] == pytest.approx([0.99, 0.99, 0.99])
    assert all(terms.values()) and env.agents == []
    with pytest.raises(gym.error.ResetNeeded, match="reset"):
        env.step({})


def test_predator_prey__individual_rewards_go_to_the_catchers_only() -> None:
    env = placed([(2, 1), (1, 2), (9, 9)], [(2, 2), (7, 7)], catch_with=2, reward_mode="individual")
    _, rewards, terms, _, _ = env.step(dict.fromkeys(env.agents, STAY))
    assert rewards["predator_0"] == rewards["predator_1"] == pytest.approx(0.99)
    assert rewards["predator_2"] == pytest.approx(-0.01)
    # The caught prey leaves; the rest play on.
    assert terms["prey_0"] and not terms["predator_0"]
    assert env.agents == ["predator_0", "predator_1", "predator_2", "prey_1"]


def test_predator_prey__walls_and_edges_block_moves() -> None:
    env = placed([(0, 0)], [(5, 5)], catch_with=1)
    env.walls[5, 4] = True
    env.step({"predator_0": UP, "prey_0": LEFT})
    np.testing.assert_array_equal(env.pos, [[0, 0], [5, 5]])
    env.step({"predator_0": RIGHT, "prey_0": DOWN})
    np.testing.assert_array_equal(env.pos, [[0, 1], [6, 5]])


def test_predator_prey__each_agent_sees_only_its_window() -> None:
    env = placed([(0, 0), (1, 2)], [(4, 4)], catch_with=1, view_radius=2)
    obs, *_ = env.step(dict.fromkeys(env.agents, STAY))
    walls, predators, prey = obs["predator_0"]
    # At the corner: the two rows above and columns left of the grid are walls.
    assert walls[:2].all() and walls[:, :2].all() and not walls[2:, 2:].any()
    # Itself at the centre, predator_1 one down and two right; each is 1/2 of the team.
    assert predators[2, 2] == predators[3, 4] == 0.5
    assert not prey.any()  # the prey at (4, 4) is out of a radius-2 view
    assert obs["prey_0"][1, 0, 0] == 0.0 and obs["prey_0"][2, 2, 2] == 1.0
    assert all(env.observation_space(a).contains(o) for a, o in obs.items())


def test_predator_prey__everyone_left_is_truncated_at_max_cycles() -> None:
    env = PredatorPrey(max_cycles=3, catch_with=3)
    env.reset(seed=1)
    for _ in range(2):
        _, _, _, truncs, _ = env.step(dict.fromkeys(env.agents, STAY))
        assert not any(truncs.values())
    _, _, _, truncs, _ = env.step(dict.fromkeys(env.agents, STAY))
    assert all(truncs.values()) and env.agents == []


def test_predator_prey__same_seed_same_episode() -> None:
    def episode(seed: int) -> list[Any]:
        env = PredatorPrey(obstacle_density=0.1)
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        trace: list[Any] = [obs["prey_1"].tobytes()]
        while env.agents:
            obs, rewards, *_ = env.step({a: int(rng.integers(5)) for a in env.agents})
            trace.append(sorted(rewards.items()))
        return trace

    assert episode(4) == episode(4)
    assert episode(4) != episode(5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"grid_size": 2}, r"`grid_size` = 2; expected an integer in \[3, 256\]"),
        ({"catch_with": 4}, r"`catch_with` = 4; expected an integer in \[1, min\(n_predators, 5\) = 3\]"),
        ({"reward_mode": "team"}, r"`reward_mode` = 'team'; expected one of \['shared', 'individual'\]"),
        ({"obstacle_density": 0.6}, r"`obstacle_density`"),
        ({"grid_size": 3, "n_predators": 5, "n_prey": 5, "catch_with": 1}, r"free cells"),
        ({"view_radius": "far"}, r"`view_radius` = 'far'"),
        ({"render_mode": "human"}, r"invalid render_mode 'human'"),
    ],
)
def test_predator_prey__bad_config_is_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        PredatorPrey(**kwargs)


def test_predator_prey__bad_actions_raise_and_the_env_stays_usable() -> None:
    env = PredatorPrey()
    env.reset(seed=0)
    pos = env.pos.copy()
    for actions, match in [
        ({"predator_0": 0}, r"no action for \['predator_1'"),
        ({**dict.fromkeys(env.agents, 0), "prey_1": 5}, r"invalid action 5 for prey_1; expected an integer in \[0, 4"),
        ({**dict.fromkeys(env.agents, 0), "prey_0": 1.0}, r"invalid action 1.0 for prey_0"),
    ]:
        with pytest.raises(InvalidAction, match=match):
            env.step(actions)
    np.testing.assert_array_equal(env.pos, pos)
    env.step(dict.fromkeys(env.agents, np.int64(1)))


def test_predator_prey__config_object_and_rendering() -> None:
    env = PredatorPrey(config=PredatorPreyConfig(grid_size=6, obstacle_density=0.2), render_mode="ansi")
    env.reset(seed=2)
    text = env.render()
    assert isinstance(text, str) and text.count("X") == 3 and text.count("o") == 2 and "#" in text
    frame = PredatorPrey(render_mode="rgb_array", grid_size=6)
    frame.reset(seed=2)
    img = frame.render()
    assert isinstance(img, np.ndarray) and img.shape == (144, 144, 3) and img.dtype == np.uint8
    with pytest.raises(ConfigError, match="not both"):
        PredatorPrey(config=PredatorPreyConfig(), grid_size=5)
