from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.errors import ConfigError, HookError
from ferrogym.rewards import PotentialShaping, Sum, Term

MAP = "#######\n#S....#\n#.....#\n#....G#\n#######"
GOAL = np.array([3.0, 5.0])


def phi(obs: Any) -> float:
    return -float(np.abs(np.asarray(obs) - GOAL).sum())


def test_rewards__terms_and_sums_reject_bad_definitions() -> None:
    with pytest.raises(ConfigError, match="invalid name ''"):
        Term("", lambda e, a: 0.0)
    with pytest.raises(ConfigError, match="not callable"):
        Term("x", 3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="invalid weight nan"):
        Term("x", lambda e, a: 0.0, weight=float("nan"))
    with pytest.raises(ConfigError, match="two terms are named 'x'"):
        Sum(Term("x", lambda e, a: 0.0), Term("x", lambda e, a: 1.0))
    with pytest.raises(ConfigError, match="at least one Term"):
        Sum()


def test_rewards__sum_reports_weighted_components() -> None:
    reward = Sum(Term("a", lambda e, a: 2.0, weight=0.5), Term("b", lambda e, a: 3.0, weight=-1.0))
    assert reward.evaluate(None, 0) == (-2.0, {"a": 1.0, "b": -3.0})
    assert reward(None, 0) == -2.0
    assert repr(reward) == "Sum(a*0.5, b*-1)"


def test_rewards__a_term_returning_nan_is_named() -> None:
    reward = Sum(Term("broken", lambda e, a: float("nan")))
    with pytest.raises(HookError, match="reward term 'broken' returned nan"):
        reward(object(), 0)


def test_shaping__discounted_return_shifts_by_minus_phi_s0_on_a_rust_env() -> None:
    """Ng et al. (1999): shaped discounted return = original - phi(s0) for every
    episode, so every policy's value moves by the same constant."""
    gamma = 0.9
    env = PotentialShaping(gym.make("ferrogym/GridWorld-v0", map=MAP), phi, gamma=gamma)
    rng = np.random.default_rng(0)
    for seed in range(5):
        obs, _ = env.reset(seed=seed)
        phi0 = phi(obs)
        original = shaped = 0.0
        discount = 1.0
        terminated = truncated = False
        while not (terminated or truncated):
            obs, reward, terminated, truncated, info = env.step(int(rng.integers(4)))
            original += discount * info["reward_components"]["env"]
            shaped += discount * reward
            discount *= gamma
        if terminated:
            assert shaped == pytest.approx(original - phi0)
        else:  # truncated: the last state keeps its potential
            assert shaped == pytest.approx(original - phi0 + discount * phi(obs))


def test_shaping__bad_arguments_and_potentials_are_named() -> None:
    env = gym.make("ferrogym/CartPole-v1")
    with pytest.raises(ConfigError, match=r"invalid gamma 1\.5"):
        PotentialShaping(env, phi, gamma=1.5)
    with pytest.raises(ConfigError, match="not callable"):
        PotentialShaping(env, None)  # type: ignore[arg-type]
    shaped = PotentialShaping(env, lambda obs: float("inf"))
    with pytest.raises(HookError, match="potential returned inf"):
        shaped.reset(seed=0)
    with pytest.raises(gym.error.ResetNeeded):
        PotentialShaping(gym.make("ferrogym/CartPole-v1"), phi).step(0)
