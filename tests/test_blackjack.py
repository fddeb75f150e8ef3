"""ferrogym's Blackjack against Gymnasium's Blackjack-v1, card for card.

Both envs draw from the same card stream: Gymnasium's ``draw_card`` is
patched to draw from a Python replica of the generator the Rust env is seeded
with (tests/reference), so every rule (dealer play, naturals, scoring) is
compared on the same deals."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.toy_text import blackjack as gym_blackjack

from ferrogym.envs.blackjack import BlackjackEnv
from ferrogym.seeding import core_seed_for

from .reference.ticket_routing_ref import Rng

DECK = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]


def patched_reference(monkeypatch: pytest.MonkeyPatch, seed: int, **kw: Any) -> gym_blackjack.BlackjackEnv:
    stream = Rng(core_seed_for(seed))
    monkeypatch.setattr(gym_blackjack, "draw_card", lambda _np_random: DECK[stream.below(13)])
    ref = gym_blackjack.BlackjackEnv(**kw)
    ref.reset(seed=seed)
    return ref


@pytest.mark.filterwarnings("ignore:.*already returned terminated = True")
@pytest.mark.parametrize("rules", [{"sab": True}, {"sab": False, "natural": True}, {"sab": False, "natural": False}])
def test_blackjack__matches_gymnasium_card_for_card(monkeypatch: pytest.MonkeyPatch, rules: dict[str, bool]) -> None:
    rng = np.random.default_rng(0)
    rewards: set[float] = set()
    for seed in range(600):
        ref = patched_reference(monkeypatch, seed, **rules)
        ours = BlackjackEnv(**rules)
        obs, _ = ours.reset(seed=seed)
        assert obs == ref._get_obs()
        for t in range(6):
            # Stick at once on two deals in three, so naturals get scored.
            action = int(rng.integers(0, 2)) if t else seed % 3 % 2
            o_ref, r_ref, te_ref, tr_ref, _ = ref.step(action)
            o, r, te, tr, _ = ours.step(action)
            assert (o, r, te, tr) == (o_ref, r_ref, te_ref, tr_ref), f"seed {seed} step {t}"
            assert all(type(v) is int for v in o)
            rewards.add(r)
            if te_ref and seed % 2:
                break  # sometimes stop at the end, sometimes step past it as Gymnasium allows
    assert {-1.0, 0.0, 1.0} <= rewards
    if rules.get("natural") and not rules["sab"]:
        assert 1.5 in rewards


def test_blackjack__spaces_equal_gymnasium() -> None:
    ours = gym.make("ferrogym/Blackjack-v1")
    ref = gym.make("Blackjack-v1")
    assert ours.observation_space == ref.observation_space
    assert ours.action_space == ref.action_space


def test_blackjack__batch_returns_a_tuple_of_arrays_matching_single_envs() -> None:
    envs = gym.make_vec("ferrogym/Blackjack-v1", num_envs=4, vectorization_mode="vector_entry_point")
    singles = [gym.make("ferrogym/Blackjack-v1") for _ in range(4)]
    obs, _ = envs.reset(seed=11)
    assert isinstance(obs, tuple) and len(obs) == 3
    assert all(part.shape == (4,) and part.dtype == np.int64 for part in obs)
    assert obs in envs.observation_space
    for i, e in enumerate(singles):
        assert e.reset(seed=11 + i)[0] == tuple(int(part[i]) for part in obs)
    obs, rewards, terminated, _, _ = envs.step(np.ones(4, dtype=np.int64))
    for i, e in enumerate(singles):
        o, r, te, _, _ = e.step(1)
        assert o == tuple(int(part[i]) for part in obs) and (r, te) == (rewards[i], terminated[i])


def test_blackjack__same_step_final_obs_are_tuples() -> None:
    envs = gym.make_vec(
        "ferrogym/Blackjack-v1", num_envs=2, vectorization_mode="vector_entry_point", autoreset_mode="SameStep"
    )
    envs.reset(seed=0)
    _, _, terminated, _, infos = envs.step(np.zeros(2, dtype=np.int64))  # stick ends every hand
    assert terminated.all()
    assert all(isinstance(o, tuple) and len(o) == 3 for o in infos["final_obs"])


def test_blackjack__rgb_shows_the_hole_card_after_sticking() -> None:
    env = BlackjackEnv(render_mode="rgb_array")
    env.reset(seed=2)
    before = env.render()
    blue = np.all(before == np.array([50, 70, 160], dtype=np.uint8), axis=2)
    assert blue.any(), "the dealer's hole card should be face down"
    env.step(0)
    after = env.render()
    assert not np.all(after == np.array([50, 70, 160], dtype=np.uint8), axis=2).any()
