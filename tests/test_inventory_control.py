"""InventoryControl: parity with the plain-Python reference, cost accounting by
hand, determinism single and batched, bad input, config dataclass, baselines."""

from __future__ import annotations

import dataclasses
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from ferrogym import _core
from ferrogym.envs.inventory_control import InventoryControlConfig, InventoryControlEnv
from ferrogym.errors import ConfigError, InvalidAction, InvalidActionType, StateError
from ferrogym.policies.inventory import BaseStockPolicy, SSPolicy, evaluate, evaluate_batch, tune_s_S

from .reference.inventory_control_ref import InventoryControlRef

ENV_ID = "ferrogym/InventoryControl-v0"

VARIANTS: list[dict[str, Any]] = [
    {},
    {"demand_model": "negative_binomial", "demand_dispersion": 0.7, "seasonality": 0.6},
    {"lead_time": 4, "lead_time_jitter": 3, "shortage": "lost_sales", "capacity": 25, "initial_stock": 25},
    {"demand_mean": 30.0, "max_order": 60, "order_step": 5, "capacity": 200, "horizon": 40},
]


@pytest.mark.parametrize("kwargs", VARIANTS)
def test_inventory_control__matches_the_python_reference_step_for_step(kwargs: dict[str, Any]) -> None:
    cfg = {**_core.InventoryControlCore.default_config(), **kwargs}
    core = _core.InventoryControlCore(**kwargs)
    ref = InventoryControlRef(cfg)
    n_actions = int(core.action_space()["n"])
    rng = np.random.default_rng(0)
    for episode, seed in enumerate((7, 8)):
        core.seed(seed)
        ref.seed(seed)
        np.testing.assert_array_equal(core.reset(), ref.reset(), err_msg=f"reset, episode {episode}")
        truncated = False
        while not truncated:
            a = int(rng.integers(n_actions))
            o1, r1, t1, tr1, i1 = core.step(a)
            o2, r2, t2, tr2, i2 = ref.step(a)
            np.testing.assert_array_equal(o1, o2)
            assert (r1, t1, tr1) == (r2, t2, tr2)
            assert i1 == i2
            truncated = tr1


def test_inventory_control__a_hand_computed_week() -> None:
    """No demand (mean 1e-9 draws 0 for any uniform below 1 - 1e-9): every cost is known."""
    env = InventoryControlEnv(
        demand_mean=1e-9,
        initial_stock=5,
        lead_time=2,
        holding_cost=0.5,
        order_fixed_cost=3.0,
        order_unit_cost=0.25,
    )
    env.reset(seed=0)
    # day 0: order 4 units (action 2): holding 5 x 0.5, ordering 3 + 4 x 0.25.
    _, r, _, _, info = env.step(2)
    assert info["reward_components"] == {"holding": -2.5, "shortage": 0.0, "ordering": -4.0}
    assert r == -6.5
    # day 1: nothing ordered, nothing arrives.
    _, r, _, _, info = env.step(0)
    assert r == -2.5 and info["flows"]["arrived"] == 0
    # day 2: the 4 units arrive: 9 on hand.
    obs, r, _, _, info = env.step(0)
    assert info["flows"]["arrived"] == 4 and r == -4.5
    assert obs[0] == np.float32(9) / np.float32(60)


def test_inventory_control__backorders_are_served_first_and_charged_daily() -> None:
    env = InventoryControlEnv(lead_time=1, holding_cost=0.0, shortage_cost=2.0, order_unit_cost=0.0)
    env.reset(seed=0)
    state = env.get_state()
    env.set_state({**state, "on_hand": 0, "backorders": 3, "pipeline": [5]})
    _, r, _, _, info = env.step(0)
    flows = info["flows"]
    # 5 arrive; 3 go to backorders, then today's demand takes what is left.
    served_today = min(flows["demand"], 2)
    assert flows["sold"] == 3 + served_today
    backorders = flows["demand"] - served_today
    assert env.get_state()["backorders"] == backorders
    assert r == -2.0 * backorders


def test_inventory_control__same_seed_same_trajectory_single_and_batched() -> None:
    envs = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="vector_entry_point", seasonality=0.5)
    singles = [gym.make(ENV_ID, seasonality=0.5) for _ in range(3)]
    obs, _ = envs.reset(seed=11)
    for i, e in enumerate(singles):
        np.testing.assert_array_equal(e.reset(seed=11 + i)[0], obs[i])
    rng = np.random.default_rng(1)
    for _ in range(30):
        actions = rng.integers(0, 11, size=3)
        obs, rewards, _, _, infos = envs.step(actions)
        for i, e in enumerate(singles):
            o, r, _, _, info = e.step(int(actions[i]))
            np.testing.assert_array_equal(o, obs[i])
            assert r == rewards[i]
            assert info["reward_components"]["ordering"] == infos["reward_components"]["ordering"][i]


def test_inventory_control__bad_actions_raise_and_leave_the_env_usable() -> None:
    env = InventoryControlEnv()
    env.reset(seed=0)
    before = env.get_state()
    with pytest.raises(InvalidAction, match=r"InventoryControl: invalid action 11; expected an integer in \[0, 10\]"):
        env.step(11)
    with pytest.raises(InvalidActionType):
        env.step(2.5)
    assert env.get_state() == before
    env.step(1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lead_time": 0}, r"InventoryControl: invalid config `lead_time` = 0; expected an integer >= 1"),
        ({"order_step": 3}, r"`order_step` = 3; expected a divisor of max_order = 20"),
        ({"demand_mean": float("nan")}, r"`demand_mean` = NaN"),
        ({"seasonality": 1.0}, r"`seasonality` = 1; expected a number in \[0, 1\)"),
        ({"shortage": "refund"}, r"unknown variant `refund`"),
        ({"initial_stock": 61}, r"`initial_stock` = 61"),
        ({"capacity": 10}, r"`max_order` = 20; expected an integer in \[1, capacity = 10\]"),
        ({"holding_cost": -0.1}, r"`holding_cost` = -0.1"),
        ({"horizon": "long"}, r"`horizon`"),
        ({"lead": 2}, r"unknown field `lead`"),
    ],
)
def test_inventory_control__bad_config_is_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        gym.make(ENV_ID, **kwargs)


def test_inventory_control__bad_state_is_refused_and_the_env_kept() -> None:
    env = InventoryControlEnv(shortage="lost_sales")
    env.reset(seed=0)
    good = env.get_state()
    for bad, match in [
        ({"pipeline": [0, 0, 0]}, "pipeline has 3 slots"),
        ({"on_hand": 61}, "exceeds capacity"),
        ({"backorders": 2}, "lost_sales"),
    ]:
        with pytest.raises(StateError, match=match):
            env.set_state({**good, **bad})
    assert env.get_state() == good


def test_inventory_control__config_dataclass_names_exactly_the_rust_fields() -> None:
    assert {f.name for f in dataclasses.fields(InventoryControlConfig)} == set(InventoryControlConfig.rust_defaults())
    env = InventoryControlEnv(**InventoryControlConfig(lead_time=3, shortage="lost_sales").kwargs())
    assert env.config.lead_time == 3 and env.config.capacity == 60
    assert env.observation_space.shape == (15,)
    with pytest.raises(ConfigError, match="lead_time"):
        InventoryControlConfig(lead_time=0).validate()


def test_inventory_control__observation_layout_names_every_slice() -> None:
    env = InventoryControlEnv(lead_time=2, lead_time_jitter=1)
    names = [s.name for s in env.obs_layout]
    assert names == ["on_hand", "backorders", "pipeline", "recent_demand", "day_of_week", "time"]
    assert sum(int(np.prod(s.shape)) for s in env.obs_layout) == env.observation_space.shape[0] == 15


def test_inventory_control__renders_ansi_and_rgb() -> None:
    env = gym.make(ENV_ID, render_mode="ansi")
    env.reset(seed=0)
    env.step(3)
    text = env.render()
    assert isinstance(text, str) and "day 1/91 (TUE)" in text and "ordered 6" in text
    rgb = gym.make(ENV_ID, render_mode="rgb_array")
    rgb.reset(seed=0)
    frame = rgb.render()
    assert isinstance(frame, np.ndarray) and frame.shape == (260, 480, 3) and frame.dtype == np.uint8
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 3  # bars drawn, not a blank canvas


def test_inventory_control__baselines_order_up_to_their_levels() -> None:
    env = InventoryControlEnv(initial_stock=0)
    obs, _ = env.reset(seed=0)
    base = BaseStockPolicy.from_env(env)
    ss = SSPolicy.from_env(env)
    # Default: Poisson(4), lead 2 + 1 review day: mean 12, sd sqrt(12); ratio 1 / 1.1.
    assert base.level == 17
    assert (ss.s, ss.S) == (17, 17 + 13)  # EOQ sqrt(2 x 2 x 4 / 0.1) = 12.6
    assert base.position(obs) == 0
    assert base(obs) == 8 and ss(obs) == 10  # 16 units (17 rounded to a multiple of 2); S = 30 capped at 20
    batch = np.stack([obs, obs])
    np.testing.assert_array_equal(base(batch), [8, 8])


def test_inventory_control__baselines_beat_never_and_always_ordering() -> None:
    seeds = range(5)
    never = evaluate(lambda obs: 0, seeds).mean_return
    always = evaluate(lambda obs: 10, seeds).mean_return
    env = InventoryControlEnv()
    base = evaluate(BaseStockPolicy.from_env(env), seeds).mean_return
    ss = evaluate(SSPolicy.from_env(env), seeds).mean_return
    assert max(never, always) < base < ss


def test_inventory_control__batched_evaluation_equals_one_episode_per_seed() -> None:
    env = InventoryControlEnv(horizon=60, seasonality=0.3)
    policy = SSPolicy.from_env(env)
    one = evaluate(policy, range(100, 104), horizon=60, seasonality=0.3)
    batch = evaluate_batch(policy, range(100, 104), horizon=60, seasonality=0.3)
    assert batch.mean_return == pytest.approx(one.mean_return, rel=1e-12)
    assert batch.components == pytest.approx(one.components, rel=1e-12)
    with pytest.raises(ValueError, match="consecutive"):
        evaluate_batch(policy, range(0, 10, 2))


def test_inventory_control__tuned_s_S_is_no_worse_on_its_tuning_seeds() -> None:
    config = InventoryControlConfig(horizon=80)
    env = InventoryControlEnv(**config.kwargs())
    seeds = range(4)
    tuned = tune_s_S(config, env.obs_layout, seeds=seeds, spread=1)
    textbook = SSPolicy(config, env.obs_layout)
    assert abs(tuned.s - textbook.s) <= 1
    assert (
        evaluate_batch(tuned, seeds, **config.kwargs()).mean_return
        >= evaluate_batch(textbook, seeds, **config.kwargs()).mean_return
    )
