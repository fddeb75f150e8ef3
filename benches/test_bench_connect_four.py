"""Connect Four moves per second beside PettingZoo's connect_four_v3 (pure
Python, NumPy win checks), the same random legal-move policy on both sides:

- single: one move per call through each library's own API (our Gym env in
  two-player mode, whose step returns the next observation; their AEC env's
  ``last()`` + ``step``);
- AEC: our PettingZoo env against theirs, the same loop;
- batched: the Rust batch of 4096 games in two-player mode (masks fetched and
  a legal column drawn per game every step) against connect_four_v3's AEC
  move, as it has no batched form; and batched steps against each built-in
  opponent (two moves a step) against the same peer.

Measured on the shared 2-vCPU VM (docs/connect_four.md): AEC 4.4-7.2x, single
30-46x, batched 272-376x; batched steps against minimax 57-96x (depth 2) and
9x (depth 4); the floors sit well below.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401

from .conftest import gate, measure

pytest.importorskip("pettingzoo")

from pettingzoo.classic import connect_four_v3

from ferrogym.envs import connect_four_pz

MOVES = 2000
N = 4096
BATCH_STEPS = 20


def aec_loop(env: Any, moves: int) -> Any:
    """`moves` random legal moves in a PettingZoo AEC env, resetting finished games."""
    env.reset(seed=0)
    u = np.random.default_rng(0).random(moves).tolist()

    def run() -> None:
        for k in range(moves):
            obs, _, term, trunc, _ = env.last()
            if term or trunc:
                env.reset()
                obs, *_ = env.last()
            legal = np.flatnonzero(obs["action_mask"])
            env.step(int(legal[int(u[k] * len(legal))]))

    return run


@pytest.mark.parametrize("side", ["ferrogym", "pettingzoo"])
def test_c4_aec_move(benchmark: Any, side: str) -> None:
    env = connect_four_pz.env() if side == "ferrogym" else connect_four_v3.env()
    measure(benchmark, f"c4-aec/{side}", aec_loop(env, MOVES), MOVES)


def test_c4_single_move_gym(benchmark: Any) -> None:
    env = gym.make("ferrogym/ConnectFour-v0", opponent="none")
    env.reset(seed=0)
    masks = env.unwrapped.action_masks  # type: ignore[attr-defined]
    u = np.random.default_rng(0).random(MOVES).tolist()

    def run() -> None:
        for k in range(MOVES):
            legal = np.flatnonzero(masks())
            _, _, terminated, _, _ = env.step(int(legal[int(u[k] * len(legal))]))
            if terminated:
                env.reset()

    measure(benchmark, "c4-single/ferrogym", run, MOVES)


def test_c4_batched_move(benchmark: Any) -> None:
    envs = gym.make_vec("ferrogym/ConnectFour-v0", num_envs=N, vectorization_mode="vector_entry_point", opponent="none")
    envs.reset(seed=0)
    noise = np.random.default_rng(0).random((BATCH_STEPS, N, 7))

    def run() -> None:
        for k in range(BATCH_STEPS):
            # A random legal column per game: the largest noise among legal columns.
            actions = (noise[k] * envs.action_masks()).argmax(axis=1)  # type: ignore[attr-defined]
            envs.step(actions)

    measure(benchmark, "c4-batch/ferrogym", run, N * BATCH_STEPS)


OPPONENTS: dict[str, dict[str, Any]] = {
    "random": {"opponent": "random"},
    "greedy": {"opponent": "greedy"},
    "minimax2": {"opponent": "minimax", "depth": 2},
    "minimax4": {"opponent": "minimax", "depth": 4},
}


@pytest.mark.parametrize("name", list(OPPONENTS))
def test_c4_batched_step_against_opponent(benchmark: Any, name: str) -> None:
    """A step against a built-in opponent is the agent's move plus the reply."""
    n, steps = 1024, 10
    envs = gym.make_vec(
        "ferrogym/ConnectFour-v0", num_envs=n, vectorization_mode="vector_entry_point", **OPPONENTS[name]
    )
    envs.reset(seed=0)
    noise = np.random.default_rng(0).random((steps, n, 7))

    def run() -> None:
        for k in range(steps):
            envs.step((noise[k] * envs.action_masks()).argmax(axis=1))  # type: ignore[attr-defined]

    measure(benchmark, f"c4-vs-{name}/ferrogym", run, n * steps)


@pytest.mark.parametrize(("name", "floor"), [("random", 80.0), ("greedy", 80.0), ("minimax2", 15.0), ("minimax4", 2.0)])
def test_gate_c4_opponent_ratio(name: str, floor: float) -> None:
    gate(
        f"connect four batch N=1024 step vs {name} opponent (2 moves) vs pettingzoo connect_four_v3 move",
        f"c4-vs-{name}/ferrogym",
        "c4-aec/pettingzoo",
        floor=floor,
    )


def test_gate_c4_aec_ratio() -> None:
    gate("connect four AEC move vs pettingzoo connect_four_v3", "c4-aec/ferrogym", "c4-aec/pettingzoo", floor=2.0)


def test_gate_c4_single_ratio() -> None:
    gate(
        "connect four gym single move vs pettingzoo connect_four_v3 AEC move",
        "c4-single/ferrogym",
        "c4-aec/pettingzoo",
        floor=8.0,
    )


def test_gate_c4_batched_ratio() -> None:
    gate(
        "connect four batch N=4096 move vs pettingzoo connect_four_v3",
        "c4-batch/ferrogym",
        "c4-aec/pettingzoo",
        floor=80.0,
    )
