"""Garbage in: a clear ferrogym exception, never a crash, and the env still works."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferrogym.errors import ConfigError, InvalidAction, InvalidResetArgument, ResetNeeded, StateError
from ferrogym.validate.rollout import valid_batch_actions

from .conftest import DISCRETE_IDS, ENV_IDS, valid_action

GARBAGE: list[Any] = [
    None,
    "1",
    b"1",
    1.5,
    1.0,
    math.nan,
    math.inf,
    -1,
    99,
    2**70,
    -(2**70),
    [],
    [1],
    (1,),
    {},
    {"a": 1},
    np.array([1]),
    np.array([[1]]),
    np.float32(1),
    np.array(1.0),
    np.array([np.nan]),
    object(),
    1j,
]

any_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.binary(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def assert_still_usable(env: gym.Env[Any, Any]) -> None:
    obs, reward, *_ = env.step(valid_action(env, 0))
    assert obs in env.observation_space and math.isfinite(reward)


@pytest.mark.parametrize("env_id", DISCRETE_IDS)
def test_bad_input__garbage_actions_raise_and_leave_env_usable(env_id: str) -> None:
    env = gym.make(env_id)
    env.reset(seed=0)
    for _ in range(3):  # in a loop: an error must not leave anything half-done
        for bad in GARBAGE:
            with pytest.raises(InvalidAction) as info:
                env.step(bad)
            message = str(info.value)
            assert env_id.split("/")[1].split("-")[0] in message, message
            assert "expected" in message, message
            assert isinstance(info.value, (ValueError, TypeError))
        assert_still_usable(env)


@pytest.mark.parametrize("env_id", ENV_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=any_value)
def test_bad_input__any_python_value_as_action_is_accepted_or_rejected_cleanly(env_id: str, value: Any) -> None:
    env = gym.make(env_id)
    env.reset(seed=0)
    with contextlib.suppress(InvalidAction):
        env.step(value)
    assert_still_usable(env)


@pytest.mark.parametrize("env_id", DISCRETE_IDS)
@settings(max_examples=100, deadline=None)
@given(actions=st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), min_size=4, max_size=4))
def test_bad_input__batched_actions_in_or_out_of_range(env_id: str, actions: list[int]) -> None:
    envs = gym.make_vec(env_id, num_envs=4, vectorization_mode="vector_entry_point")
    envs.reset(seed=0)
    n = int(envs.single_action_space.n)  # type: ignore[attr-defined]
    allowed = envs.action_masks()  # type: ignore[attr-defined]
    if all(0 <= a < n and allowed[i, a] for i, a in enumerate(actions)):
        envs.step(np.array(actions))
    else:
        with pytest.raises(InvalidAction, match="for sub-env"):
            envs.step(np.array(actions))
    envs.step(valid_batch_actions(envs, np.zeros(4, dtype=np.int64)))


@pytest.mark.parametrize("env_id", DISCRETE_IDS)
def test_bad_input__garbage_batches_raise_clearly(env_id: str) -> None:
    envs = gym.make_vec(env_id, num_envs=3, vectorization_mode="vector_entry_point")
    envs.reset(seed=0)
    for bad in [
        None,
        "abc",
        [0.5, 1, 0],
        np.full(3, np.nan),
        np.zeros(4, dtype=np.int64),
        np.zeros((3, 2), dtype=np.int64),
        [[0], [1], [0]],
        np.array(["a", "b", "c"]),
    ]:
        with pytest.raises(InvalidAction):
            envs.step(bad)
    envs.step(valid_batch_actions(envs, np.zeros(3, dtype=np.int64)))


@pytest.mark.parametrize("env_id", ENV_IDS)
@settings(max_examples=100, deadline=None)
@given(state=any_value)
def test_bad_input__set_state_with_garbage_raises_state_error(env_id: str, state: Any) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    with pytest.raises(StateError):
        env.set_state(state)  # type: ignore[attr-defined]
    assert_still_usable(env)


@pytest.mark.parametrize("env_id", ENV_IDS)
@settings(max_examples=100, deadline=None)
@given(
    key=st.sampled_from(["slip", "reset_bound", "layout", "map", "observation", "maze_size", "step_cost", "x"]),
    value=any_value,
)
def test_bad_input__any_config_value_builds_or_raises_config_error(env_id: str, key: str, value: Any) -> None:
    try:
        env = gym.make(env_id, **{key: value})
    except ConfigError:
        return  # rejected by name; any other exception fails the test
    env.reset(seed=0)
    assert_still_usable(env)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_bad_input__unwrapped_env_refuses_step_before_reset(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    with pytest.raises(ResetNeeded, match="reset"):
        env.step(valid_action(env, 0))
    env.reset(seed=0)
    assert_still_usable(env)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_bad_input__vector_env_refuses_step_before_every_sub_env_is_reset(env_id: str) -> None:
    venv = gym.make_vec(env_id, num_envs=2, vectorization_mode="vector_entry_point")
    single = gym.make(env_id).unwrapped
    single.reset(seed=0)
    # Sub-env 0 is reset with seed 0 and sub-env 1 takes its state: the single env's valid action fits both.
    actions = np.stack([np.asarray(valid_action(single, 0))] * 2)
    with pytest.raises(ResetNeeded, match=r"before reset\(\); sub-envs \[0, 1\]"):
        venv.step(actions)
    venv.reset(seed=0, options={"reset_mask": np.array([True, False])})
    with pytest.raises(ResetNeeded, match=r"sub-envs \[1\]"):
        venv.step(actions)
    venv.set_state(1, venv.get_state(0))
    venv.step(actions)  # a restored state is a start like a reset
    venv.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize(
    ("seed", "options"), [(None, "x"), (None, ["reset_mask"]), (True, None), (-1, None), (1.5, None)]
)
def test_bad_input__reset_takes_only_an_int_seed_and_dict_options(env_id: str, seed: Any, options: Any) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    with pytest.raises(InvalidResetArgument, match=r"seed|options"):
        env.reset(seed=seed, options=options)
    assert_still_usable(env)
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode="vector_entry_point")
    with pytest.raises(InvalidResetArgument):
        envs.reset(seed=seed, options=options)


@pytest.mark.parametrize("env_id", DISCRETE_IDS)
def test_bad_input__discrete_actions_are_as_strict_as_gymnasium_spaces(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    for bad in [True, False, np.True_, "0", 1e30, math.inf, -math.inf, 2**70]:
        with pytest.raises(InvalidAction):
            env.step(bad)
    action = valid_action(env, 0)
    assert action in env.action_space and np.int64(action) in env.action_space
    env.step(np.int64(action))
    assert_still_usable(env)


def test_bad_input__multi_team_refuses_bool_and_string_actions() -> None:
    from ferrogym.integrations.pettingzoo import parallel_env

    env = parallel_env()
    obs, _ = env.reset(seed=0)
    for bad in [True, "0", 1e30]:
        with pytest.raises(InvalidAction):
            env.step(dict.fromkeys(env.agents, bad))
    env.step({a: int(np.flatnonzero(o["action_mask"])[0]) for a, o in obs.items()})


def test_bad_input__multi_agent_reset_takes_only_dict_options() -> None:
    from ferrogym.envs.predator_prey import parallel_env as predator_prey
    from ferrogym.integrations.pettingzoo import parallel_env as multi_team

    for env in (predator_prey(), multi_team()):
        with pytest.raises(InvalidResetArgument, match="options"):
            env.reset(seed=0, options="x")
        with pytest.raises(InvalidResetArgument, match="seed"):
            env.reset(seed=True)
        env.reset(seed=0, options={})
