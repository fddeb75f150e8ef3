"""Property-based fuzzing of actions with hypothesis: every valid action
sequence gives well-formed transitions; every invalid action is refused with
a clear exception and leaves the env usable."""

from __future__ import annotations

import copy
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from ferrogym.base import observation_problem
from ferrogym.extras import require
from ferrogym.validate.checks import Found, Options, made
from ferrogym.validate.rollout import ActionSampler, Fail, short
from ferrogym.validate.target import Target

#: What a clear refusal of an invalid action is.
CLEAR_ERRORS = (ValueError, TypeError, gym.error.Error)


def _hypothesis() -> Any:
    # Missing, the check is skipped naming the extra (MissingExtra).
    return require("hypothesis", "cli", "the fuzz checks")


def _settings(h: Any, o: Options) -> Any:
    return h.settings(
        max_examples=o.fuzz_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(h.HealthCheck),
        print_blob=False,
    )


def valid_actions(space: spaces.Space[Any]) -> Any:
    """Returns a Hypothesis strategy of actions inside ``space``."""
    from hypothesis import strategies as st

    private = copy.deepcopy(space)

    def draw(seed: int) -> Any:
        private.seed(seed)
        return private.sample()

    if isinstance(space, spaces.Discrete):
        ints = st.integers(int(space.start), int(space.start + space.n - 1))
        return st.one_of(ints, ints.map(np.int64))
    return st.integers(0, 2**31 - 1).map(draw)


def invalid_actions(space: spaces.Space[Any], clips: bool = False) -> Any:
    """Actions the env must refuse. ``clips``: the env declares
    ``metadata["box_actions"] == "clip"`` (Gymnasium's Pendulum semantics), so
    out-of-range Box values are valid input and only NaN, junk and wrong
    shapes must be refused."""
    from hypothesis import strategies as st

    junk = st.one_of(st.none(), st.text(max_size=3), st.just(object()))
    if isinstance(space, spaces.Discrete):
        lo, hi = int(space.start), int(space.start + space.n - 1)
        return st.one_of(
            junk,
            st.integers(max_value=lo - 1),
            st.integers(min_value=hi + 1),
            st.floats(allow_nan=True),
            st.integers(lo, hi).map(lambda a: np.array([a, a])),
        )
    if isinstance(space, spaces.Box):
        shape, dtype = space.shape, space.dtype
        wrong_shape = st.just(np.zeros((*shape, 2), dtype=dtype))
        options = [junk, wrong_shape]
        if np.issubdtype(dtype, np.floating):
            options.append(st.just(np.full(shape, np.nan, dtype=dtype)))
        if np.isfinite(space.high).all() and not clips:
            options.append(st.just((space.high + 1).astype(dtype)))
        if np.isfinite(space.low).all() and not clips:
            options.append(st.just((space.low - 1).astype(dtype)))
        return st.one_of(*options)
    return junk


def check_fuzz_valid(t: Target, o: Options) -> Found:
    """Steps the env with Hypothesis-drawn sequences of valid actions.

    Raises:
        Fail: the env raised, or returned an observation outside its space (with the shrunk example).
    """
    h = _hypothesis()
    from hypothesis import strategies as st

    with made(t.make) as env:
        sampler = ActionSampler(env, o.seed)

        @_settings(h, o)  # type: ignore[untyped-decorator]
        @h.given(  # type: ignore[untyped-decorator]
            st.lists(valid_actions(env.action_space), min_size=1, max_size=30)
        )
        def transitions_are_well_formed(actions: list[Any]) -> None:
            env.reset(seed=o.seed)
            for a in actions:
                obs, reward, terminated, truncated, info = env.step(sampler.fix(a))
                problem = observation_problem(env.observation_space, obs)
                if problem is not None:
                    raise Fail(f"action {short(a)} gave observation {short(obs)}: {problem}")
                if not np.isfinite(float(reward)):
                    raise Fail(f"action {short(a)} gave reward {reward!r}")
                if not isinstance(info, dict):
                    raise Fail(f"action {short(a)} gave info {short(info)}; expected a dict")
                if terminated or truncated:
                    env.reset()

        _run(transitions_are_well_formed)
    return Found(f"{o.fuzz_examples} random valid action sequences")


def check_fuzz_invalid(t: Target, o: Options) -> Found:
    """Steps the env with Hypothesis-drawn invalid actions.

    Raises:
        Fail: the env accepted an invalid action, or refused one with other than a ValueError or TypeError.
    """
    h = _hypothesis()
    with made(t.make) as env:
        sampler = ActionSampler(env, o.seed)

        clips = env.unwrapped.metadata.get("box_actions") == "clip"

        @_settings(h, o)  # type: ignore[untyped-decorator]
        @h.given(  # type: ignore[untyped-decorator]
            invalid_actions(env.action_space, clips)
        )
        def invalid_action_is_refused(action: Any) -> None:
            env.reset(seed=o.seed)
            try:
                env.step(action)
            except CLEAR_ERRORS:
                pass
            except Exception as e:
                raise Fail(
                    f"invalid action {short(action)} raised {type(e).__name__}: {e}; expected a ValueError/TypeError "
                    "(e.g. gymnasium.error.InvalidAction) naming the env and the valid actions"
                ) from None
            else:
                raise Fail(f"invalid action {short(action)} was accepted; {env.action_space} does not contain it")
            env.step(sampler())  # the env must stay usable after refusing

        _run(invalid_action_is_refused)
    return Found(f"{o.fuzz_examples} invalid actions refused with a clear error")


def _run(prop: Any) -> None:
    try:
        prop()
    except Exception as e:
        # Hypothesis raises an ExceptionGroup when it finds several distinct failures.
        found: list[BaseException] = list(getattr(e, "exceptions", None) or [e])
        more = len(found) - 3
        text = " | ".join(_describe(x) for x in found[:3])
        raise Fail(text + (f" (and {more} more distinct failures)" if more > 0 else "")) from None


def _describe(e: BaseException) -> str:
    text = str(e) if isinstance(e, Fail) else f"{type(e).__name__}: {e}"
    return text + _example_suffix(e)


def _example_suffix(e: BaseException) -> str:
    # Hypothesis names the shrunk input "Falsifying example" (older) or "Failing test case" (newer).
    notes = [n for n in getattr(e, "__notes__", []) if n.startswith(("Falsifying", "Failing"))]
    if not notes:
        return ""
    # "prop(\n    actions=[0, 1],\n)" -> "actions=[0, 1]"
    body = notes[0].split("\n", 1)[-1].rstrip().removesuffix(")").strip().rstrip(",")
    example = " ".join(" ".join(line.split("#", 1)[0] for line in body.splitlines()).split()).rstrip(",")
    return f" [falsifying example: {example}]"
