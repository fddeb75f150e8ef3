"""ferrogym's CartPole against Gymnasium's CartPole-v1, from the same states."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.classic_control.cartpole import CartPoleEnv as GymCartPole

from ferrogym.envs.cartpole import CartPoleEnv


def synced_pair(seed: int, sutton_barto: bool = False) -> tuple[GymCartPole, CartPoleEnv]:
    ref = GymCartPole(sutton_barto_reward=sutton_barto)
    ref.reset(seed=seed)
    ours = CartPoleEnv(sutton_barto_reward=sutton_barto)
    ours.reset(seed=seed)
    state = ours.get_state()
    assert ref.state is not None
    state["physics"] = [float(v) for v in ref.state]
    ours.set_state(state)
    return ref, ours


@pytest.mark.filterwarnings("ignore:.*already returned terminated = True")
@pytest.mark.parametrize("sutton_barto", [False, True])
def test_cartpole__matches_gymnasium_bit_for_bit(sutton_barto: bool) -> None:
    rng = np.random.default_rng(0)
    steps = 0
    for seed in range(150):
        ref, ours = synced_pair(seed, sutton_barto)
        for t in range(600):
            action = int(rng.integers(0, 2)) if t % 7 else 1
            o_ref, r_ref, te_ref, tr_ref, _ = ref.step(action)
            o, r, te, tr, _ = ours.step(action)
            assert o.dtype == o_ref.dtype == np.float32
            assert o.tobytes() == o_ref.tobytes(), f"seed {seed} step {t}: {o} != {o_ref}"
            assert (r, te, tr) == (r_ref, te_ref, tr_ref)
            steps += 1
            if te_ref and t % 3 == 0:
                break  # sometimes stop at termination, sometimes step past it
    assert steps > 2000


def test_cartpole__steps_after_termination_are_worth_zero_as_in_gymnasium() -> None:
    ref, ours = synced_pair(1)
    with pytest.warns(UserWarning, match="already returned terminated = True"):
        ref_rewards = [ref.step(1)[1] for _ in range(60)]
    assert [ours.step(1)[1] for _ in range(60)] == ref_rewards
    assert ref_rewards[-1] == 0.0


def test_cartpole__spaces_equal_gymnasium() -> None:
    ours = gym.make("ferrogym/CartPole-v1")
    ref = gym.make("CartPole-v1")
    assert ours.observation_space == ref.observation_space
    assert ours.action_space == ref.action_space
    assert ours.spec is not None and ref.spec is not None
    assert ours.spec.max_episode_steps == ref.spec.max_episode_steps == 500
    assert ours.spec.reward_threshold == ref.spec.reward_threshold


def test_cartpole__reset_bound_is_respected_and_validated() -> None:
    env = gym.make("ferrogym/CartPole-v1", reset_bound=0.2)
    highs = np.abs(np.array([env.reset(seed=s)[0] for s in range(200)])).max(axis=0)
    assert (highs <= 0.2).all() and (highs > 0.15).all()
    with pytest.raises(ValueError, match="reset_bound"):
        gym.make("ferrogym/CartPole-v1", reset_bound=-1.0)


def test_cartpole__rgb_frame_follows_the_cart() -> None:
    env = CartPoleEnv(render_mode="rgb_array")
    env.reset(seed=0)
    state = env.get_state()
    frames = []
    for x in (-1.5, 1.5):
        state["physics"] = [x, 0.0, 0.0, 0.0]
        env.set_state(state)
        frame = env.render()
        assert frame.shape == (400, 600, 3)
        dark = np.argwhere(frame[:, :, 0] < 50)
        frames.append(dark[:, 1].mean())
    assert frames[0] < 300 < frames[1], "the cart should be drawn left of centre, then right"
