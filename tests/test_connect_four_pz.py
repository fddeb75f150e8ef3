"""The two-player Connect Four AEC env: PettingZoo's own tests, and parity
with PettingZoo's connect_four_v3 move for move."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.classic import connect_four_v3
from pettingzoo.test import api_test, seed_test

from ferrogym.envs.connect_four_pz import ConnectFourAEC, env, raw_env
from ferrogym.errors import ConfigError, InvalidAction

# PettingZoo's api_test advises against dict observations and an all-zero
# first observation (the empty board); both are the classic-game convention.
PZ_ADVICE = "ignore:Observation:UserWarning"


@pytest.mark.filterwarnings(PZ_ADVICE)
def test_connect_four_pz__passes_pettingzoo_api_test() -> None:
    api_test(env(), num_cycles=300)
    api_test(raw_env(), num_cycles=300)


def test_connect_four_pz__passes_pettingzoo_seed_test() -> None:
    seed_test(env, num_cycles=300)


@pytest.mark.parametrize("seed", range(30))
def test_connect_four_pz__matches_pettingzoo_connect_four_v3_move_for_move(seed: int) -> None:
    ours, ref = env(), connect_four_v3.env()
    ours.reset(seed=seed)
    ref.reset(seed=seed)
    rng = np.random.default_rng(seed)
    while ref.agents:
        assert ours.agents == ref.agents and ours.agent_selection == ref.agent_selection
        for agent in ref.agents:
            o, r = ours.observe(agent), ref.observe(agent)
            # connect_four_v3 lays the planes out last, (6, 7, 2) int8.
            assert np.array_equal(o["observation"], r["observation"].transpose(2, 0, 1)), agent
            if not ref.terminations[agent]:
                # Once the game is over ours masks every column (nothing is legal);
                # connect_four_v3 still shows the free columns to the agent selected.
                assert np.array_equal(o["action_mask"], r["action_mask"]), agent
            assert ours.rewards[agent] == ref.rewards[agent]
            assert ours.terminations[agent] == ref.terminations[agent]
            assert ours.truncations[agent] == ref.truncations[agent]
        obs, _, term, trunc, _ = ref.last()
        action = None if term or trunc else int(rng.choice(np.flatnonzero(obs["action_mask"])))
        ours.step(action)
        ref.step(action)
    assert not ours.agents


def test_connect_four_pz__winner_gets_plus_one_and_loser_minus_one() -> None:
    game = raw_env()
    game.reset(seed=0)
    for col in [0, 1, 0, 1, 0, 1, 0]:
        game.step(col)
    assert game.rewards == {"player_0": 1.0, "player_1": -1.0}
    assert all(game.terminations.values())
    _, cumulative, *_ = game.last()
    assert cumulative == -1.0  # player_1 is selected to see its loss
    assert game.observe("player_1")["action_mask"].sum() == 0


def test_connect_four_pz__full_column_raises_and_changes_nothing() -> None:
    game = raw_env()
    game.reset(seed=0)
    for _ in range(6):
        game.step(2)
    before = (game.agent_selection, game.observe("player_0")["observation"])
    with pytest.raises(InvalidAction, match="column 2 is full"):
        game.step(2)
    assert game.agent_selection == before[0]
    assert np.array_equal(game.observe("player_0")["observation"], before[1])
    with pytest.raises(InvalidAction, match="ConnectFour"):
        game.step("left")  # type: ignore[arg-type]
    game.step(3)


def test_connect_four_pz__observation_spaces_are_the_same_objects_and_hold_observations() -> None:
    game = ConnectFourAEC()
    game.reset(seed=0)
    assert game.observation_space("player_0") is game.observation_space("player_0")
    for a in game.possible_agents:
        assert game.observe(a) in game.observation_space(a)


def test_connect_four_pz__renders_ansi_and_rgb() -> None:
    text = raw_env(render_mode="ansi")
    text.reset(seed=0)
    text.step(3)
    assert "X" in text.render()
    rgb = raw_env(render_mode="rgb_array")
    rgb.reset(seed=0)
    frame = rgb.render()
    assert frame.dtype == np.uint8 and frame.shape[2] == 3
    with pytest.raises(ConfigError, match="render_mode"):
        raw_env(render_mode="video")
