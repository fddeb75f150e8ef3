"""The checks behind ``ferrogym check``. Each takes a :class:`Target` and
:class:`Options` and returns notes/metrics, or raises :class:`Fail` /
:class:`Skip`; the runner in ``ferrogym.validate`` turns anything else an
env raises into a failed item, so a broken env is reported, never fatal."""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env as gymnasium_check_env

from ferrogym.base import observation_problem
from ferrogym.extras import require
from ferrogym.validate.rollout import (
    ActionSampler,
    Fail,
    Skip,
    Trace,
    close_quietly,
    first_difference,
    masked_sampling,
    rollout,
    short,
    valid_batch_actions,
)
from ferrogym.validate.target import Target


@dataclass
class Options:
    """Knobs of the checker: seed, rollout length, fuzz examples, time limit and speed measurement."""

    seed: int = 0
    #: Length of the random rollouts (steps).
    steps: int = 300
    #: Hypothesis examples per fuzz check.
    fuzz_examples: int = 40
    #: Time limit used by the truncation check.
    time_limit: int = 4
    #: Seconds spent measuring each speed figure.
    speed_seconds: float = 0.3
    batch_size: int = 256


@dataclass
class Found:
    """What a passing check reports besides "pass"."""

    reason: str = ""
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)


CheckFn = Callable[[Target, Options], Found]

# Gymnasium / SB3 warnings that are advice rather than a broken contract.
_ADVICE = re.compile(r"probably too (low|high)|we recommend|not able to test alternative render modes", re.I)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Collects the warnings raised inside the block as plain messages, each once."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield messages
    for w in caught:
        text = _ANSI.sub("", str(w.message)).removeprefix("WARN: ").strip()
        if text not in messages:
            messages.append(text)


def split_advice(messages: list[str]) -> tuple[list[str], list[str]]:
    """Splits warning messages into problems and advice that does not fail a check."""
    problems = [m for m in messages if not _ADVICE.search(m)]
    return problems, [m for m in messages if _ADVICE.search(m)]


@contextlib.contextmanager
def made(factory: Callable[[], gym.Env[Any, Any]]) -> Iterator[gym.Env[Any, Any]]:
    """Builds an env with ``factory`` for the block and closes it afterwards, even on failure."""
    env = factory()
    try:
        yield env
    finally:
        close_quietly(env)


# -- the checks ------------------------------------------------------------------------


def check_construct(t: Target, o: Options) -> Found:
    """Builds the env with its defaults and resets it; reports its spaces."""
    with made(t.make) as env:
        env.reset(seed=o.seed)
        return Found(f"observation {env.observation_space}, action {env.action_space}")


def check_gymnasium(t: Target, o: Options) -> Found:
    """Runs Gymnasium's ``check_env`` on the unwrapped env.

    Raises:
        Fail: a check of Gymnasium's failed or warned of a problem (advice goes to the notes).
    """
    with made(t.make_raw) as env, masked_sampling(env), captured_warnings() as messages:
        gymnasium_check_env(env)
    problems, advice = split_advice(messages)
    if problems:
        raise Fail(" | ".join(problems))
    return Found(notes=advice)


def check_passive(t: Target, o: Options) -> Found:
    """Steps the env under Gymnasium's passive checker and renders it once.

    Raises:
        Fail: the passive checker warned.
    """
    modes = t.make_raw().metadata.get("render_modes", [])
    mode = next((m for m in modes if m != "human"), None)
    with made(lambda: gym.wrappers.PassiveEnvChecker(t.make_raw(render_mode=mode))) as env, captured_warnings() as msgs:
        env.reset(seed=o.seed)
        sample = ActionSampler(env, o.seed)
        for _ in range(5):
            _, _, terminated, truncated, _ = env.step(sample())
            if terminated or truncated:
                env.reset()
        if mode is not None:
            env.render()
    problems, advice = split_advice(msgs)
    if problems:
        raise Fail(" | ".join(problems))
    return Found(notes=advice)


def check_sb3(t: Target, o: Options) -> Found:
    """Runs Stable-Baselines3's ``check_env``; its warnings become notes.

    Raises:
        MissingExtra: Stable-Baselines3 is not installed (the check is skipped).
    """
    # Missing, the check is skipped naming the extra (MissingExtra).
    sb3_check_env = require("stable_baselines3.common.env_checker", "sb3", "sb3_check_env").check_env
    with made(t.make) as env, masked_sampling(env), captured_warnings() as messages:
        sb3_check_env(env, warn=True, skip_render_check=True)
    return Found(notes=messages)


def check_determinism(t: Target, o: Options) -> Found:
    """Checks that two fresh envs with the same seed and actions give the same rollout.

    Raises:
        Skip: the env is registered as nondeterministic.
        Fail: naming the first frame where they differ.
    """
    if t.spec.nondeterministic:
        raise Skip("the env is registered as nondeterministic")
    with made(t.make) as a, made(t.make) as b:
        diff = first_difference(rollout(a, o.seed, o.steps), rollout(b, o.seed, o.steps))
    if diff:
        raise Fail(f"two fresh envs reset with seed={o.seed} and given the same actions diverge at {diff}")
    return Found(f"{o.steps} steps identical")


def check_reset_independence(t: Target, o: Options) -> Found:
    """Checks that ``reset(seed)`` after a partial episode gives what a fresh env gives.

    Raises:
        Fail: naming the first difference.
    """
    with made(t.make) as used, made(t.make) as fresh:
        rollout(used, o.seed + 1, 17)  # a partial episode (or a few) first
        diff = first_difference(rollout(used, o.seed, o.steps), rollout(fresh, o.seed, o.steps))
    if diff:
        raise Fail(f"reset(seed={o.seed}) after a partial episode differs from a fresh env: {diff}")
    return Found()


def check_observations(t: Target, o: Options) -> Found:
    """Checks that every observation of a random rollout lies inside the observation space.

    Raises:
        Fail: naming the frame and the offending observation.
    """
    with made(t.make) as env:
        trace = rollout(env, o.seed, o.steps)
        for i, (kind, obs, *_rest) in enumerate(trace.frames):
            problem = observation_problem(env.observation_space, obs)
            if problem is not None:
                raise Fail(f"{kind} observation at frame {i} ({short(obs)}): {problem}")
    return Found(f"{len(trace.frames)} observations inside {env.observation_space}")


def check_rewards(t: Target, o: Options) -> Found:
    """Checks that rewards are finite real numbers and the flags are bools.

    Raises:
        Fail: naming the frame and the bad value.
    """
    with made(t.make) as env:
        trace = rollout(env, o.seed, o.steps)
    for i, (kind, _obs, reward, terminated, truncated) in enumerate(trace.frames):
        if kind != "step":
            continue
        if isinstance(reward, bool) or not isinstance(reward, Real) or not math.isfinite(float(reward)):
            raise Fail(f"step at frame {i} returned reward {short(reward)}; expected a finite real number")
        for name, flag in (("terminated", terminated), ("truncated", truncated)):
            if not isinstance(flag, (bool, np.bool_)):
                raise Fail(f"step at frame {i} returned {name}={short(flag)}; expected a bool")
    rewards = [float(f[2]) for f in trace.frames if f[0] == "step"]
    return Found(f"rewards in [{min(rewards):g}, {max(rewards):g}]" if rewards else "")


def check_time_limit(t: Target, o: Options) -> Found:
    """Checks that ``max_episode_steps`` ends every episode with ``truncated=True`` on time.

    Raises:
        Fail: an episode ran too long or its last step was not truncated.
    """
    k = o.time_limit
    notes: list[str] = []
    with made(lambda: t.make(max_episode_steps=k)) as env:
        trace = rollout(env, o.seed, 30 * k)
    for length, terminated, truncated in trace.episodes:
        if length > k:
            raise Fail(f"an episode ran {length} steps with max_episode_steps={k}")
        if length == k and not terminated and not truncated:
            raise Fail(f"step {k} of {k} (max_episode_steps) did not return truncated=True")
    reached = sum(length == k and not terminated for length, terminated, _ in trace.episodes)
    if t.batched:
        notes.append(_vector_time_limit(t, o))
    # A time limit dressed as termination: most episodes "terminate" at one length that none exceeds.
    with made(t.make) as env:
        ends = rollout(env, o.seed, o.steps * 3).episodes
    if ends:
        longest = max(n for n, _, _ in ends)
        at_cap = [(te, tr) for n, te, tr in ends if n == longest]
        if len(at_cap) >= 3 and 2 * len(at_cap) >= len(ends) and all(te and not tr for te, tr in at_cap):
            raise Fail(
                f"{len(at_cap)} of {len(ends)} random episodes ended with terminated=True after exactly {longest} "
                "steps and none ran longer: that looks like a time limit reported as termination"
            )
    return Found(f"{reached} episodes truncated at max_episode_steps={k}", notes=notes)


def _vector_time_limit(t: Target, o: Options) -> str:
    k, n = o.time_limit, 3
    envs = t.make_vec(n, max_episode_steps=k)
    try:
        envs.reset(seed=o.seed)
        envs.action_space.seed(o.seed)
        count = np.zeros(n, dtype=int)
        prev_done = np.zeros(n, dtype=bool)
        for _ in range(10 * k):
            _, _, term, trunc = envs.step(valid_batch_actions(envs, envs.action_space.sample()))[:4]
            count = np.where(prev_done, 0, count + 1)
            live = ~prev_done
            if (live & (count > k)).any() or (live & (count == k) & ~term & ~trunc).any():
                raise Fail(f"the batched env (vector_entry_point) did not truncate at max_episode_steps={k}")
            if (live & trunc & (count < k)).any():
                raise Fail(f"the batched env truncated before max_episode_steps={k}")
            prev_done = term | trunc
    finally:
        close_quietly(envs)
    return f"batched env truncates at max_episode_steps={k}"


def check_render(t: Target, o: Options) -> Found:
    """Renders in every declared mode and checks the frame types and ``render_fps``.

    Raises:
        Skip: no render modes are declared.
        Fail: a mode returns the wrong type or ``render_fps`` is missing.
    """
    modes = list(t.make_raw().metadata.get("render_modes", []))
    if not modes:
        raise Skip("no render modes declared in metadata['render_modes']")
    fps = t.make_raw().metadata.get("render_fps")
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise Fail(f"metadata['render_fps'] is {fps!r}; expected a number > 0 when render modes are declared")
    notes: list[str] = []
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # never open a real window in a check
    for mode in modes:
        with made(functools.partial(t.make, render_mode=mode)) as env, contextlib.redirect_stdout(io.StringIO()):
            env.reset(seed=o.seed)
            frame = env.render()
        if mode == "ansi" and not isinstance(frame, str):
            raise Fail(f"render_mode='ansi' returned {short(frame)}; expected a str")
        if mode == "rgb_array" and not (
            isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        ):
            raise Fail(f"render_mode='rgb_array' returned {short(frame)}; expected a uint8 array (H, W, 3)")
        if mode == "human" and frame is not None:
            raise Fail(f"render_mode='human' returned {short(frame)}; expected None")
    try:
        with captured_warnings():
            close_quietly(t.make_raw(render_mode="ferrogym-undeclared-mode"))
        notes.append("an undeclared render_mode is accepted silently; raising a clear error helps users")
    except Exception:
        pass
    return Found(f"modes {modes} work", notes=notes)


def check_state_round_trip(t: Target, o: Options) -> Found:
    """Checks that ``set_state(get_state())`` gives the same future, in the same and another instance.

    Raises:
        Skip: the env has no ``get_state``/``set_state``.
        Fail: naming the first difference.
    """
    env: Any = t.make_raw()
    if not (callable(getattr(env, "get_state", None)) and callable(getattr(env, "set_state", None))):
        close_quietly(env)
        raise Skip("the env offers no get_state/set_state")
    other: Any = t.make_raw()
    try:
        rollout(env, o.seed, 7)
        snapshot = env.get_state()
        first = _continue(env, o.seed, 30)
        env.set_state(snapshot)
        again = _continue(env, o.seed, 30)
        other.reset(seed=o.seed + 99)
        other.set_state(snapshot)
        elsewhere = _continue(other, o.seed, 30)
    finally:
        close_quietly(env)
        close_quietly(other)
    diff = first_difference(first, again)
    if diff:
        raise Fail(f"after set_state(get_state()) the same actions give a different future: {diff}")
    diff = first_difference(first, elsewhere)
    if diff:
        raise Fail(f"a state restored into another env instance gives a different future: {diff}")
    return Found("30 steps identical after set_state, in the same and in another instance")


def _continue(env: gym.Env[Any, Any], seed: int, steps: int) -> Trace:
    trace = Trace()
    sample = ActionSampler(env, seed + 5)
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(sample())
        trace.frames.append(("step", obs, reward, terminated, truncated))
        if terminated or truncated:
            obs, _ = env.reset()
            trace.frames.append(("reset", obs, None, None, None))
    return trace


def check_vector(t: Target, o: Options) -> Found:
    """Checks the native vector env against ``SyncVectorEnv`` of single envs, step for step.

    Raises:
        Skip: no vector entry point is registered.
        Fail: the autoreset mode is not declared, or the two differ (naming the step and the array).
    """
    if not t.batched:
        raise Skip("no vector_entry_point (batched stepping) registered")
    n = 4
    native, sync = t.make_vec(n), t.make_sync_vec(n)
    try:
        mode = native.metadata.get("autoreset_mode")
        if not isinstance(mode, gym.vector.AutoresetMode):
            raise Fail(f"metadata['autoreset_mode'] is {mode!r}; expected a gymnasium.vector.AutoresetMode")
        a, _ = native.reset(seed=o.seed)
        b, _ = sync.reset(seed=o.seed)
        if not np.array_equal(a, b):
            raise Fail(f"reset(seed={o.seed}) differs from SyncVectorEnv of single envs")
        space = native.action_space
        space.seed(o.seed)
        for i in range(o.steps):
            actions = valid_batch_actions(native, space.sample())
            ra, rb = native.step(actions)[:4], sync.step(actions)[:4]
            for name, xa, xb in zip(("observations", "rewards", "terminated", "truncated"), ra, rb, strict=True):
                if not np.array_equal(xa, xb):
                    raise Fail(f"step {i}: {name} differ from SyncVectorEnv ({short(xa)} vs {short(xb)})")
    finally:
        close_quietly(native)
        close_quietly(sync)
    return Found(f"{o.steps} steps of {n} envs identical to SyncVectorEnv")


def check_speed(t: Target, o: Options) -> Found:
    """Measures steps per second of one env, and env-steps per second batched where the env is batched."""
    from ferrogym.validate.speed import batched_steps_per_second, single_steps_per_second

    metrics = {"single_steps_per_s": single_steps_per_second(t, o.seed, o.speed_seconds)}
    reason = f"{metrics['single_steps_per_s']:,.0f} steps/s (one env)"
    if t.batched:
        metrics["batched_env_steps_per_s"] = batched_steps_per_second(t, o.batch_size, o.seed, o.speed_seconds)
        metrics["batch_size"] = float(o.batch_size)
        reason += f"; {metrics['batched_env_steps_per_s']:,.0f} env-steps/s batched ({o.batch_size} envs)"
    return Found(reason, metrics=metrics)
