"""The Rust batch against Gymnasium's own SyncVectorEnv of single envs."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from ferrogym.errors import ConfigError, InvalidAction, InvalidActionType, ResetNeeded
from ferrogym.validate.rollout import valid_batch_actions

from .conftest import CASE_IDS, CASES

MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED]


def make_pair(
    env_id: str, kw: dict[str, Any], n: int, mode: AutoresetMode
) -> tuple[gym.vector.VectorEnv[Any, Any, Any], SyncVectorEnv]:
    native = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point", autoreset_mode=mode, **kw)
    reference = SyncVectorEnv([lambda: gym.make(env_id, **kw) for _ in range(n)], autoreset_mode=mode)
    return native, reference


def assert_infos_equal(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert set(a) == set(b)
    for key in a:
        if key == "final_obs":
            for x, y in zip(a[key], b[key], strict=True):
                assert (x is None and y is None) or np.array_equal(x, y)
        elif isinstance(a[key], dict):
            assert_infos_equal(a[key], b[key])
        else:
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("mode", MODES, ids=[m.value for m in MODES])
@pytest.mark.parametrize(("env_id", "kw"), CASES, ids=CASE_IDS)
def test_vector__matches_sync_vector_env_step_for_step(env_id: str, kw: dict[str, Any], mode: AutoresetMode) -> None:
    n = 5
    native, reference = make_pair(env_id, kw, n, mode)
    obs_a, _ = native.reset(seed=11)
    obs_b, _ = reference.reset(seed=11)
    np.testing.assert_array_equal(obs_a, obs_b)
    native.action_space.seed(0)
    ended = 0
    for _ in range(400):
        actions = valid_batch_actions(native, native.action_space.sample())
        a = native.step(actions)
        b = reference.step(actions)
        for x, y in zip(a[:4], b[:4], strict=True):
            np.testing.assert_array_equal(x, y)
        parts_a = a[0] if isinstance(a[0], tuple) else (a[0],)  # Tuple spaces batch as tuples
        parts_b = b[0] if isinstance(b[0], tuple) else (b[0],)
        assert [x.dtype for x in parts_a] == [x.dtype for x in parts_b]
        assert_infos_equal(a[4], b[4])
        done = a[2] | a[3]
        ended += int(done.sum())
        if mode == AutoresetMode.DISABLED and done.any():
            obs_a, _ = native.reset(options={"reset_mask": done.copy()})
            obs_b, _ = reference.reset(options={"reset_mask": done.copy()})
            np.testing.assert_array_equal(obs_a, obs_b)
    assert ended > 0, "no episode ended: the test did not exercise autoreset"


def test_vector__results_do_not_depend_on_thread_count() -> None:
    n = 4096  # above 2 * grain, so threads > 1 really splits the batch
    runs = []
    for threads in (1, 2, 3):
        envs = gym.make_vec(
            "ferrogym/CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point", threads=threads
        )
        obs, _ = envs.reset(seed=1)
        rng = np.random.default_rng(1)
        trace = [obs]
        for _ in range(60):
            obs, rew, term, trunc, _ = envs.step(rng.integers(0, 2, size=n))
            trace += [obs, rew, term, trunc]
        runs.append(trace)
    for other in runs[1:]:
        for x, y in zip(runs[0], other, strict=True):
            np.testing.assert_array_equal(x, y)


def _step_in_child(envs: Any, actions: Any, out: Any) -> None:
    out.put(envs.step(actions)[0])


def test_vector__a_forked_child_steps_a_threaded_batch() -> None:
    # The helper threads stay in the parent: the child must step every share
    # itself rather than wait for helpers that do not exist there.
    import multiprocessing

    n = 4096
    envs = gym.make_vec("ferrogym/CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point", threads=2)
    envs.reset(seed=5)
    actions = np.random.default_rng(5).integers(0, 2, size=n)
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_step_in_child, args=(envs, actions, out))
    child.start()
    from_child = out.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    np.testing.assert_array_equal(from_child, envs.step(actions)[0])


def test_vector__seed_list_and_none_follow_sync_vector_env() -> None:
    native, reference = make_pair("ferrogym/CartPole-v1", {}, 3, AutoresetMode.NEXT_STEP)
    a, _ = native.reset(seed=[4, 9, 2])
    b, _ = reference.reset(seed=[4, 9, 2])
    np.testing.assert_array_equal(a, b)
    # Later unseeded resets continue each sub-env's stream.
    np.testing.assert_array_equal(native.reset()[0], reference.reset()[0])
    with pytest.raises(ValueError, match="length must match num_envs=3"):
        native.reset(seed=[1, 2])
    unseeded = gym.make_vec("ferrogym/CartPole-v1", num_envs=3, vectorization_mode="vector_entry_point")
    first, _ = unseeded.reset()
    assert not np.array_equal(first[0], first[1])


def test_vector__reset_mask_is_validated_like_sync_vector_env() -> None:
    envs = gym.make_vec(
        "ferrogym/GridWorld-v0", num_envs=2, vectorization_mode="vector_entry_point", autoreset_mode="Disabled"
    )
    envs.reset(seed=0)
    with pytest.raises(TypeError, match="must be a numpy array"):
        envs.reset(options={"reset_mask": [True, False]})
    with pytest.raises(ValueError, match="must have shape"):
        envs.reset(options={"reset_mask": np.array([True])})
    with pytest.raises(TypeError, match=r"dtype=np\.bool_"):
        envs.reset(options={"reset_mask": np.array([1, 0])})
    with pytest.raises(ValueError, match="at least one True"):
        envs.reset(options={"reset_mask": np.array([False, False])})


def test_vector__disabled_mode_refuses_to_step_an_ended_env_until_reset() -> None:
    layout = "#####\n#SG.#\n#####"
    envs = gym.make_vec(
        "ferrogym/GridWorld-v0",
        num_envs=2,
        vectorization_mode="vector_entry_point",
        autoreset_mode=AutoresetMode.DISABLED,
        map=layout,
    )
    obs, _ = envs.reset(seed=0)
    _, _, term, _, _ = envs.step(np.array([1, 3]))
    assert term.tolist() == [True, False]
    with pytest.raises(ResetNeeded, match="sub-env 0 has ended"):
        envs.step(np.array([1, 1]))
    obs, _ = envs.reset(options={"reset_mask": np.array([True, False])})
    assert obs.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    envs.step(np.array([1, 1]))


def test_vector__time_limit_truncates_inside_the_batch() -> None:
    envs = gym.make_vec(
        "ferrogym/GridWorld-v0", num_envs=2, vectorization_mode="vector_entry_point", max_episode_steps=3
    )
    envs.reset(seed=0)
    flags = [envs.step(np.array([0, 3]))[3].tolist() for _ in range(3)]
    assert flags == [[False, False], [False, False], [True, True]]


def test_vector__accepts_any_integer_actions_and_rejects_others() -> None:
    envs = gym.make_vec("ferrogym/CartPole-v1", num_envs=3, vectorization_mode="vector_entry_point")
    envs.reset(seed=0)
    for ok in (
        [0, 1, 0],
        np.array([1, 0, 1], dtype=np.int32),
        np.array([1, 0, 1], dtype=np.uint8),
        np.arange(6)[::2] % 2,
    ):
        envs.step(ok)
    with pytest.raises(InvalidActionType, match=r"dtype float64"):
        envs.step(np.array([0.0, 1.0, 0.0]))
    with pytest.raises(InvalidActionType, match=r"shape \(2,\)"):
        envs.step([0, 1])
    with pytest.raises(InvalidActionType, match=r"shape \(3, 1\)"):
        envs.step(np.zeros((3, 1), dtype=np.int64))
    with pytest.raises(InvalidAction, match="invalid action 5 for sub-env 1"):
        envs.step(np.array([0, 5, 0]))
    # Nothing moved on a rejected batch, and the env is still usable.
    envs.step(np.array([0, 1, 0]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_envs": 0}, "num_envs"),
        ({"num_envs": 2, "max_episode_steps": 0}, "max_episode_steps"),
        ({"num_envs": 2, "autoreset_mode": "sometimes"}, "autoreset_mode"),
        ({"num_envs": 2, "threads": 0}, "threads"),
        ({"num_envs": 2, "render_mode": "human"}, "render_mode"),
        ({"num_envs": 2, "slip": -0.1}, "slip"),
    ],
)
def test_vector__bad_construction_arguments_are_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        gym.make_vec("ferrogym/GridWorld-v0", vectorization_mode="vector_entry_point", **kwargs)


def test_vector__state_masks_and_render_per_sub_env() -> None:
    envs = gym.make_vec(
        "ferrogym/GridWorld-v0", num_envs=2, vectorization_mode="vector_entry_point", render_mode="ansi"
    )
    envs.reset(seed=0)
    state = envs.get_state(0)  # type: ignore[attr-defined]
    envs.step(np.array([2, 0]))
    envs.set_state(0, state)  # type: ignore[attr-defined]
    frames = envs.render()
    assert frames is not None and frames[0] == frames[1]
    assert envs.action_masks().shape == (2, 4)  # type: ignore[attr-defined]
    with pytest.raises(IndexError, match="out of range"):
        envs.get_state(2)  # type: ignore[attr-defined]
    images = gym.make_vec(
        "ferrogym/GridWorld-v0", num_envs=2, vectorization_mode="vector_entry_point", render_mode="rgb_array"
    )
    images.reset(seed=0)
    rendered = images.render()
    assert rendered is not None and rendered[0].shape == (224, 224, 3)
    assert gym.make_vec("ferrogym/GridWorld-v0", num_envs=1, vectorization_mode="vector_entry_point").render() is None


def test_vector__int32_actions_step_the_core_directly_like_int64() -> None:
    # RLlib and torch samplers send int32: the binding widens them itself
    # instead of failing into the Python layer's conversion and retry.
    a = gym.make_vec("ferrogym/CartPole-v1", num_envs=4)
    b = gym.make_vec("ferrogym/CartPole-v1", num_envs=4)
    a.reset(seed=3)
    b.reset(seed=3)
    core = a.unwrapped._core  # type: ignore[attr-defined]
    for _ in range(20):
        acts = np.array([0, 1, 1, 0], dtype=np.int64)
        got = core.step(acts.astype(np.int32))
        want = b.step(acts)
        for x, y in zip(got, want[:4], strict=True):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(InvalidAction, match="sub-env 3"):
        core.step(np.array([0, 1, 0, 7], dtype=np.int32))
    with pytest.raises(InvalidActionType, match="int64"):
        core.step(np.array([0, 1, 0, 1], dtype=np.int16))
