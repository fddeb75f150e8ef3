"""ConnectFour-v0: the rules, the masks and the built-in opponents through the env's API.

Positions are set with ``set_state`` (rows from the top: 0 empty, 1 the first
mover's disc, 2 the second's), so each rule is tested on a fixed board rather
than on whatever a seed deals."""

from __future__ import annotations

import dataclasses
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.envs.connect_four import ConnectFourConfig, ConnectFourEnv
from ferrogym.errors import ConfigError, InvalidAction, StateError

Grid = list[list[int]]
#: A full board without four in a row.
DRAWN: Grid = [
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
    [1, 1, 2, 2, 1, 1, 1],
    [2, 2, 1, 1, 2, 2, 2],
]


#: The opponents that must win in one and block: greedy, and minimax at several depths.
OPPONENTS: list[dict[str, Any]] = [{"opponent": "greedy"}, *({"opponent": "minimax", "depth": d} for d in (2, 3, 4))]


def empty() -> Grid:
    return [[0] * 7 for _ in range(6)]


def at(env: ConnectFourEnv, grid: Grid, agent: int = 1) -> ConnectFourEnv:
    """``env`` in the position ``grid`` with the agent playing side ``agent``."""
    env.reset(seed=0)
    state = env.get_state()
    env.set_state({**state, "board": grid, "agent": agent, "last": None})
    return env


def two_player(moves: list[int]) -> tuple[Any, float, bool]:
    """Plays ``moves`` alternately from the empty board; the last step's (obs, reward, terminated)."""
    env = ConnectFourEnv(opponent="none")
    env.reset(seed=0)
    out: tuple[Any, float, bool] = (None, 0.0, False)
    for k, col in enumerate(moves):
        obs, reward, terminated, truncated, _ = env.step(col)
        assert not truncated
        if k < len(moves) - 1:
            assert not terminated and reward == 0.0, f"the game ended early at move {k}"
        out = (obs, reward, terminated)
    return out


@pytest.mark.parametrize(
    ("name", "moves"),
    [
        ("vertical", [0, 1, 0, 1, 0, 1, 0]),
        ("horizontal", [0, 0, 1, 1, 2, 2, 3]),
        ("rising diagonal", [0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3]),
        ("falling diagonal", [6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3]),
        ("second mover, horizontal", [0, 3, 0, 4, 1, 5, 6, 6, 0, 2]),
    ],
)
def test_connect_four__four_in_a_row_wins_for_the_mover(name: str, moves: list[int]) -> None:
    _, reward, terminated = two_player(moves)
    assert (reward, terminated) == (1.0, True), name


def test_connect_four__three_in_a_row_or_a_broken_line_does_not_win() -> None:
    _, reward, terminated = two_player([0, 6, 1, 6, 3, 5])  # 0, 1, _, 3 on the bottom row
    assert (reward, terminated) == (0.0, False)


def test_connect_four__filling_the_board_without_four_is_a_draw() -> None:
    grid = [row[:] for row in DRAWN]
    grid[0][2] = 0  # a second mover's disc: the second mover (the agent) is to move
    env = at(ConnectFourEnv(), grid, agent=2)
    assert env.action_masks().tolist() == [False, False, True, False, False, False, False]
    obs, reward, terminated, truncated, _ = env.step(2)
    assert (reward, terminated, truncated) == (0.0, True, False)
    assert obs.sum() == 42


def test_connect_four__mask_is_the_columns_with_room_and_a_full_column_raises() -> None:
    env = ConnectFourEnv(opponent="none")
    env.reset(seed=0)
    for _ in range(6):
        env.step(3)
    assert env.action_masks().tolist() == [True, True, True, False, True, True, True]
    before = env.get_state()
    with pytest.raises(InvalidAction, match=r"ConnectFour: invalid action 3 \(column 3 is full\)"):
        env.step(3)
    assert env.get_state() == before  # nothing changed
    env.step(4)


def test_connect_four__fallback_plays_the_next_column_with_room() -> None:
    env = ConnectFourEnv(opponent="none", invalid_action="fallback")
    env.reset(seed=0)
    for _ in range(6):
        env.step(6)
    env.step(6)  # full: wraps around to column 0
    assert env.get_state()["board"][5][0] == 1


def test_connect_four__mask_is_all_true_once_the_game_is_over_and_steps_change_nothing() -> None:
    env = ConnectFourEnv(opponent="none")
    env.reset(seed=0)
    for col in [0, 1, 0, 1, 0, 1, 0]:
        env.step(col)
    assert env.action_masks().all()
    state = env.get_state()
    assert env.step(0)[1:3] == (0.0, True)
    assert env.get_state()["board"] == state["board"]


@pytest.mark.parametrize("opponent", OPPONENTS)
def test_connect_four__opponent_takes_a_win_in_one(opponent: dict[str, Any]) -> None:
    grid = empty()
    grid[5] = [1, 1, 0, 0, 2, 2, 2]  # the opponent threatens column 3
    grid[4][0] = 1
    env = at(ConnectFourEnv(**opponent), grid)
    _, reward, terminated, _, _ = env.step(0)  # the agent does not block
    assert (reward, terminated) == (-1.0, True)
    assert env.get_state()["board"][5][3] == 2


@pytest.mark.parametrize("opponent", OPPONENTS)
def test_connect_four__opponent_blocks_an_immediate_loss(opponent: dict[str, Any]) -> None:
    grid = empty()
    grid[5] = [1, 1, 0, 0, 0, 2, 2]
    env = ConnectFourEnv(**opponent)
    for seed in range(5):  # whatever the tie-breaking draws
        at(env, grid).reset(seed=seed)
        env.set_state({**env.get_state(), "board": grid, "agent": 1, "last": None})
        obs, reward, terminated, _, _ = env.step(2)  # threatens column 3 (0, 1, 2 held)
        assert (reward, terminated) == (0.0, False)
        assert obs[1, 5, 3] == 1.0, "the opponent did not block column 3"


def test_connect_four__greedy_beats_random_in_over_90_percent_of_200_games() -> None:
    env = ConnectFourEnv(opponent="greedy", first="random")
    rng = np.random.default_rng(0)
    results = []
    env.reset(seed=0)
    for _ in range(200):
        terminated = False
        reward = 0.0
        while not terminated:
            action = int(rng.choice(np.flatnonzero(env.action_masks())))
            _, reward, terminated, _, _ = env.step(action)
        results.append(reward)
        env.reset()
    greedy_wins = results.count(-1.0) / len(results)
    assert greedy_wins > 0.9, f"greedy won {greedy_wins:.0%} of 200 games against random play"


def test_connect_four__minimax_beats_a_greedy_agent_in_most_games() -> None:
    """The minimax opponent (depth 4) against a greedy agent written here."""
    env = ConnectFourEnv(opponent="minimax", depth=4, first="random")
    env.reset(seed=1)
    outcomes = []
    for _ in range(40):
        terminated = False
        reward = 0.0
        while not terminated:
            _, reward, terminated, _, _ = env.step(greedy_move(env))
        outcomes.append(reward)
        env.reset()
    assert outcomes.count(-1.0) / len(outcomes) > 0.75, outcomes  # measured: 40 of 40


def greedy_move(env: ConnectFourEnv) -> int:
    """Win now, else block the opponent's win, else the leftmost legal column."""
    grid = np.array(env.get_state()["board"])
    me = 1 + int((grid != 0).sum()) % 2
    legal = np.flatnonzero(env.action_masks()).tolist()
    for who in (me, 3 - me):
        for col in legal:
            after = grid.copy()
            after[max(np.flatnonzero(after[:, col] == 0)), col] = who
            if four(after, who):
                return int(col)
    return int(legal[0])


def four(board: Any, who: int) -> bool:
    b = board == who
    lines = (
        b[:, :-3] & b[:, 1:-2] & b[:, 2:-1] & b[:, 3:],
        b[:-3] & b[1:-2] & b[2:-1] & b[3:],
        b[:-3, :-3] & b[1:-2, 1:-2] & b[2:-1, 2:-1] & b[3:, 3:],
        b[3:, :-3] & b[2:-1, 1:-2] & b[1:-2, 2:-1] & b[:-3, 3:],
    )
    return any(bool(x.any()) for x in lines)


def test_connect_four__opponent_first_has_played_at_reset() -> None:
    env = ConnectFourEnv(first="opponent")
    obs, _ = env.reset(seed=0)
    assert (obs[0].sum(), obs[1].sum()) == (0, 1)
    assert obs[1, 5].sum() == 1  # on the bottom row


def test_connect_four__random_first_gives_both_sides_the_first_move() -> None:
    env = ConnectFourEnv(first="random")
    env.reset(seed=0)
    firsts = {int(env.reset()[0][1].sum()) for _ in range(40)}
    assert firsts == {0, 1}


def test_connect_four__observation_is_the_agents_view_in_float32_planes() -> None:
    env = gym.make("ferrogym/ConnectFour-v0", first="opponent")
    assert env.observation_space == gym.spaces.Box(0, 1, (2, 6, 7), np.float32)
    env.reset(seed=3)
    obs, *_ = env.step(0)
    assert obs.dtype == np.float32
    assert obs[0, 5, 0] == 1.0 or obs[0, 4, 0] == 1.0  # the agent's disc in column 0
    assert obs[0].sum() == 1 and obs[1].sum() == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"depth": 0}, r"ConnectFour: invalid config `depth` = 0; expected an integer in \[1, 8\]"),
        ({"depth": 9}, r"`depth` = 9"),
        ({"opponent": "alphazero"}, r"unknown variant `alphazero`"),
        ({"first": "second"}, r"unknown variant `second`"),
        ({"opponent": "none", "first": "random"}, r"`first` = random; expected \"agent\" with opponent=\"none\""),
        ({"invalid_action": "ignore"}, r"unknown variant `ignore`"),
        ({"rows": 7}, r"unknown field `rows`"),
    ],
)
def test_connect_four__invalid_config_is_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        gym.make("ferrogym/ConnectFour-v0", **kwargs)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"board": [[1] + [0] * 6] + [[0] * 7] * 5}, r"above an empty cell"),
        ({"board": [[0] * 7] * 5 + [[2] + [0] * 6]}, r"first mover has 0 discs and the second 1"),
        ({"board": [[0] * 7] * 5 + [[3] + [0] * 6]}, r"is 3; expected 0 \(empty\), 1 or 2"),
        ({"agent": 3}, r"agent is 3; expected 1 or 2"),
        ({"agent": 2}, r"side 1 is to move but the agent plays side 2"),
        ({"last": 4}, r"last = 4; expected a column holding a disc"),
        ({"board": "full"}, r"expected a dict from get_state\(\)"),
    ],
)
def test_connect_four__bad_states_are_rejected_and_the_env_stays_usable(change: dict[str, Any], match: str) -> None:
    env = ConnectFourEnv()
    env.reset(seed=0)
    state = env.get_state()
    with pytest.raises(StateError, match=match):
        env.set_state({**state, **change})
    assert env.get_state() == state
    env.step(3)


def test_connect_four__maskable_ppo_trains_on_the_batch_through_its_masks() -> None:
    sb3_contrib = pytest.importorskip("sb3_contrib")
    from ferrogym.integrations.sb3 import make_vec_env

    # No fallback: the raise mode would fail the run on any masked column.
    venv = make_vec_env("ferrogym/ConnectFour-v0", n_envs=4, seed=0, opponent="greedy", first="random")
    model = sb3_contrib.MaskablePPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=64, batch_size=64, n_epochs=1)
    model.learn(512)
    assert model.num_timesteps >= 512


def test_connect_four__docstring_documents_exactly_the_config_fields() -> None:
    doc = ConnectFourEnv.__doc__ or ""
    arguments = doc.split("## Arguments")[1].split("##")[0]
    documented = {line.split("``")[1] for line in arguments.splitlines() if line.strip().startswith("- ``")}
    assert documented == {f.name for f in dataclasses.fields(ConnectFourConfig)} | {"render_mode"}
