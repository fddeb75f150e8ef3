"""ferrogym's Pendulum against Gymnasium's Pendulum-v1, from the same states."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.classic_control.pendulum import PendulumEnv as GymPendulum

from ferrogym.envs.pendulum import PendulumEnv
from ferrogym.errors import InvalidAction, InvalidActionType


def synced_pair(seed: int, g: float = 10.0) -> tuple[GymPendulum, PendulumEnv]:
    ref = GymPendulum(g=g)
    ref.reset(seed=seed)
    ours = PendulumEnv(g=g)
    ours.reset(seed=seed)
    state = ours.get_state()
    state["physics"] = [float(v) for v in ref.state]
    ours.set_state(state)
    return ref, ours


def torque_cost_ulp() -> float:
    """One float32 ulp of the largest torque cost, ``0.001 * 2**2``."""
    return float(np.spacing(np.float32(0.004)))


@pytest.mark.parametrize("g", [10.0, 9.81])
def test_pendulum__matches_gymnasium_bit_for_bit(g: float) -> None:
    """Observations bit for bit. Rewards too, except that Gymnasium squares
    the float32 torque with NumPy's scalar ``u**2``, which is not always the
    correctly rounded square (on this AVX-512 machine it is one float32 ulp
    off for ~0.1% of torques; ``u * u`` in Rust is exact): there the
    torque cost may differ by that ulp, so rewards are compared to within it.
    For example at u = float32(1.0596268): ``u**2`` gives 0x1.1f706ap+0,
    ``u * u`` and ``np.square(u)`` give 0x1.1f7068p+0."""
    rng = np.random.default_rng(0)
    steps = exact = 0
    for seed in range(40):
        ref, ours = synced_pair(seed, g)
        for t in range(200):
            # Mostly in range, sometimes beyond it (both clip), sometimes at the bounds.
            action = rng.uniform(-3.0, 3.0, size=1).astype(np.float32)
            if t % 11 == 0:
                action = np.array([2.0 if t % 2 else -2.0], dtype=np.float32)
            o_ref, r_ref, te_ref, tr_ref, _ = ref.step(action)
            o, r, te, tr, _ = ours.step(action)
            assert o.dtype == o_ref.dtype == np.float32
            assert o.tobytes() == o_ref.tobytes(), f"seed {seed} step {t}: {o} != {o_ref}"
            assert abs(r - float(r_ref)) <= torque_cost_ulp(), f"seed {seed} step {t}: reward {r} != {r_ref}"
            exact += r == float(r_ref)
            assert (te, tr) == (te_ref, tr_ref) == (False, False)
            steps += 1
    assert steps == 8000
    assert exact >= 0.99 * steps


def test_pendulum__spaces_and_limits_equal_gymnasium() -> None:
    ours = gym.make("ferrogym/Pendulum-v1")
    ref = gym.make("Pendulum-v1")
    assert ours.observation_space == ref.observation_space
    assert ours.action_space == ref.action_space
    assert ours.spec is not None and ref.spec is not None
    assert ours.spec.max_episode_steps == ref.spec.max_episode_steps == 200


def test_pendulum__out_of_range_torque_is_clipped_nan_rejected() -> None:
    env = PendulumEnv()
    env.reset(seed=0)
    state = env.get_state()
    big = env.step(np.array([np.inf], dtype=np.float32))
    env.set_state(state)
    edge = env.step(np.array([2.0], dtype=np.float32))
    assert big[0].tobytes() == edge[0].tobytes() and big[1] == edge[1]
    before = env.get_state()
    with pytest.raises(InvalidAction, match=r"Pendulum: invalid action \[NaN\]"):
        env.step(np.array([np.nan], dtype=np.float32))
    assert env.get_state() == before  # rejected before any state changed
    env.step(np.array([0.5], dtype=np.float32))  # and still usable


@pytest.mark.parametrize("bad", ["1.0", np.zeros(2, dtype=np.float32), np.zeros((1, 1)), None, [[0.1]]])
def test_pendulum__wrong_action_type_or_shape_is_rejected(bad: object) -> None:
    env = PendulumEnv()
    env.reset(seed=0)
    with pytest.raises(
        InvalidActionType, match=r"Pendulum: invalid action .* expected a float32 array of shape \(1,\)"
    ):
        env.step(bad)
    env.step(np.array([0.0], dtype=np.float32))


def test_pendulum__lists_and_float64_actions_are_read_as_float32() -> None:
    env = PendulumEnv()
    env.reset(seed=0)
    state = env.get_state()
    a = env.step([0.3])
    env.set_state(state)
    b = env.step(np.array([0.3], dtype=np.float32))
    assert a[0].tobytes() == b[0].tobytes() and a[1] == b[1]


def test_pendulum__batch_takes_float32_rows_and_matches_single_envs() -> None:
    envs = gym.make_vec("ferrogym/Pendulum-v1", num_envs=3, vectorization_mode="vector_entry_point")
    singles = [gym.make("ferrogym/Pendulum-v1") for _ in range(3)]
    obs, _ = envs.reset(seed=5)
    assert envs.action_space.shape == (3, 1)
    for i, e in enumerate(singles):
        assert e.reset(seed=5 + i)[0].tobytes() == obs[i].tobytes()
    rng = np.random.default_rng(1)
    for _ in range(30):
        actions = rng.uniform(-2.5, 2.5, size=(3, 1))  # float64: converted once
        obs, rewards, _, _, _ = envs.step(actions)
        for i, e in enumerate(singles):
            o, r, _, _, _ = e.step(actions[i].astype(np.float32))
            assert o.tobytes() == obs[i].tobytes() and r == rewards[i]
    bad = np.zeros((3, 1), dtype=np.float32)
    bad[1, 0] = np.nan
    with pytest.raises(InvalidAction, match="for sub-env 1"):
        envs.step(bad)
    with pytest.raises(InvalidActionType, match=r"shape \(3, 1\)"):
        envs.step(np.zeros((3, 2), dtype=np.float32))
    envs.step(np.zeros((3, 1), dtype=np.float32))
