"""Hostile-input harness: cases run in child processes under a memory limit
and a per-case alarm, so that an abort, a hang or unbounded growth shows up
as an outcome instead of taking the test run down.

The parent pickles a list of cases to ``python -m tests.hostile``; the child
runs them in order, printing ``start i`` before and ``done i <outcome>
<detail>`` after each. When the child dies in case i (a signal, an
allocation failure), the parent records the death as case i's outcome and
starts a new child at case i + 1, so one crash costs one spawn, not one per
case.

A case is ``(target, field, value, is_bool)``: ``target`` names a constructor in
:data:`TARGETS` (an env id for ``gym.make``, or a multi-agent factory),
``field`` the config field set to ``value`` (a ``state:`` prefix means a
state key instead, see :func:`_run_state_case`); ``is_bool`` marks a bool
field, for which every non-bool value must be refused.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import pickle
import resource
import signal
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Address-space limit of a child: far above what any valid config needs,
#: far below what an unbounded allocation asks for.
MEMORY_LIMIT = 2 * 1024**3
#: Seconds one case may take (building the env, reset and a few steps).
CASE_SECONDS = 10
STEPS = 5

#: The values every numeric config field is tried with.
HOSTILE_VALUES: tuple[Any, ...] = (0, -1, 1e12, 2**62, 1e300, math.nan, math.inf)
#: Values no config field of any env may accept (no knob means "NaN" or
#: "10^300"); no state value may be NaN or infinite.
NEVER_VALID = ("nan", "inf", "1e+300")
NEVER_VALID_STATE = ("nan", "inf")

#: Outcomes: refused with the right exception, or a working env.
REFUSED = "refused"
ACCEPTED = "accepted"
#: Failures: another exception, the child killed by its alarm, or dead.
WRONG_ERROR = "wrong_error"
HANG = "hang"
ABORT = "abort"


# -- targets: how a case builds and drives its env (run in the child) -------


def _gym_env(env_id: str) -> Callable[[dict[str, Any]], Any]:
    def build(kwargs: dict[str, Any]) -> Any:
        import gymnasium as gym

        return gym.make(env_id, **kwargs).unwrapped

    return build


def _drive_single(env: Any) -> None:
    import gymnasium as gym
    import numpy as np

    env.reset(seed=0)
    for _ in range(STEPS):
        space = env.action_space
        masks = getattr(env, "action_masks", None)
        if masks is not None and isinstance(space, gym.spaces.Discrete):
            action = space.sample(mask=np.asarray(masks(), dtype=np.int8))
        else:
            action = space.sample()
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()


def _drive_parallel(env: Any) -> None:
    """PettingZoo steps, each agent's action drawn within its observed mask."""
    import numpy as np

    obs, _ = env.reset(seed=0)
    for _ in range(STEPS):
        if not env.agents:
            obs, _ = env.reset()
        actions = {}
        for agent in env.agents:
            o = obs[agent]
            mask = np.asarray(o["action_mask"], dtype=np.int8) if isinstance(o, dict) and "action_mask" in o else None
            actions[agent] = env.action_space(agent).sample(mask=mask)
        obs = env.step(actions)[0]


def _multi_team(kwargs: dict[str, Any]) -> Any:
    from ferrogym.integrations.pettingzoo import parallel_env

    return parallel_env(**kwargs)


def _predator_prey(kwargs: dict[str, Any]) -> Any:
    from ferrogym.envs.predator_prey import parallel_env

    return parallel_env(**kwargs)


def example_inventory(kwargs: dict[str, Any]) -> Any:
    """The ``BaseEnvironment`` example, imported as ``python examples/inventory.py``
    would have it (and as tests/authoring does: the module registers its id
    once per process)."""
    examples = str(ROOT / "examples")
    if examples not in sys.path:
        sys.path.insert(0, examples)
    import inventory

    return inventory.InventoryEnv(**kwargs)


def _reconfigured_env(env_id: str) -> Callable[[dict[str, Any]], Any]:
    """The env built with defaults, then given ``kwargs`` by ``set_config``
    (how a curriculum moves its knobs between episodes)."""

    def build(kwargs: dict[str, Any]) -> Any:
        env = _gym_env(env_id)({})
        env.set_config(kwargs)
        return env

    return build


def _vector_env(env_id: str) -> Callable[[dict[str, Any]], Any]:
    def build(kwargs: dict[str, Any]) -> Any:
        import gymnasium as gym

        return gym.make_vec(env_id, vectorization_mode="vector_entry_point", **{"num_envs": 2, **kwargs})

    return build


def _drive_vector(envs: Any) -> None:
    envs.reset(seed=0)
    for _ in range(STEPS):
        envs.step(envs.action_space.sample())


def _target(name: str) -> tuple[Callable[[dict[str, Any]], Any], Callable[[Any], None]]:
    """How to build and drive ``name``: an env id (``gym.make``), ``vec:`` and
    an env id (``gym.make_vec``), or a multi-agent or example env."""
    if name.startswith("vec:"):
        return _vector_env(name.removeprefix("vec:")), _drive_vector
    if name.startswith("set:"):
        return _reconfigured_env(name.removeprefix("set:")), _drive_single
    if name == "MultiTeamTicketRouting":
        return _multi_team, _drive_parallel
    if name == "PredatorPrey":
        return _predator_prey, _drive_parallel
    if name == "examples/Inventory-v0":
        return example_inventory, _drive_single
    return _gym_env(name), _drive_single


# -- the fields of each target, from their one declaration ------------------


def config_fields(target: str) -> dict[str, Any]:
    """``{field: default}`` of a target's config, read from its declaration:
    the Rust config struct (``default_config()``) for Rust envs, the config
    dataclass for Python envs."""
    import importlib

    import ferrogym

    if target == "MultiTeamTicketRouting":
        from ferrogym import _core

        fields = dict(_core.MultiTeamTicketRoutingCore.default_config())
        # Team settings go in as top-level keyword arguments (`common`).
        common = fields.pop("common")
        fields.pop("teams")
        return {**fields, **common}
    if target == "PredatorPrey":
        from ferrogym.envs.predator_prey import PredatorPreyConfig

        return {f.name: f.default for f in dataclasses.fields(PredatorPreyConfig)}
    if target == "examples/Inventory-v0":
        env = example_inventory({})
        return {f.name: f.default for f in dataclasses.fields(env.config_cls)}
    entry = next(e for e in ferrogym.ENVS if e.id == target.removeprefix("set:"))
    cls = getattr(importlib.import_module(entry.module), entry.cls + "Env")
    return dict(cls._core_cls.default_config())


def is_bool_field(target: str, field: str, default: Any) -> bool:
    """A bool field: its default is a bool, or (an unset ``Option``) it
    builds from ``True``, which only a bool field accepts."""
    if isinstance(default, bool):
        return True
    if default is not None:
        return False
    build, _ = _target(target)
    try:
        build({field: True})
    except Exception:
        return False
    return True


def config_cases(
    targets: Iterable[str] = (), values: Iterable[Any] = HOSTILE_VALUES
) -> list[tuple[str, str, Any, bool]]:
    """Every field of every target (all of :data:`TARGETS` by default) with every value."""
    values = tuple(values)
    out = []
    for target in tuple(targets) or TARGETS:
        for field, default in config_fields(target).items():
            b = is_bool_field(target, field, default)
            out.extend((target, field, v, b) for v in values)
    return out


def _leaves(state: Any, path: str = "") -> list[tuple[str, Any]]:
    """``(dotted path, value)`` of every number and bool in a state (the
    first element of each list stands for the list)."""
    if isinstance(state, dict):
        return [leaf for k, v in state.items() for leaf in _leaves(v, f"{path}{k}.")]
    if isinstance(state, (list, tuple)):
        return _leaves(state[0], f"{path}0.") if state else []
    if isinstance(state, (bool, int, float)):
        return [(path.rstrip("."), state)]
    return []


def state_cases(targets: Iterable[str], values: Iterable[Any] = HOSTILE_VALUES) -> list[tuple[str, str, Any, bool]]:
    """Every number and bool in each target's state after ``reset(seed=0)``
    (the generator's words aside: any 64-bit words are a generator) with
    every value, and one unknown key per target."""
    values = tuple(values)
    out: list[tuple[str, str, Any, bool]] = []
    for target in targets:
        build, _ = _target(target)
        env = build({})
        env.reset(seed=0)
        for path, default in _leaves(env.get_state()):
            if path.split(".")[0] in ("rng", "np_random"):
                continue
            out.extend((target, f"state:{path}", v, isinstance(default, bool)) for v in values)
        out.append((target, "state:<unknown>", 0, False))
    return out


TARGETS: tuple[str, ...] = (
    "ferrogym/CartPole-v1",
    "ferrogym/GridWorld-v0",
    "ferrogym/Corridor-v0",
    "ferrogym/TicketRouting-v0",
    "ferrogym/Pendulum-v1",
    "ferrogym/Blackjack-v1",
    "ferrogym/PointMass-v0",
    "ferrogym/CustomerSupport-v0",
    "ferrogym/ConnectFour-v0",
    "ferrogym/InventoryControl-v0",
    "MultiTeamTicketRouting",
    "PredatorPrey",
    "examples/Inventory-v0",
    # Curriculum knobs: the one env whose config changes after construction.
    "set:ferrogym/CustomerSupport-v0",
)


# -- the child ---------------------------------------------------------------


def _run_case(target: str, field: str, value: Any) -> tuple[str, str]:
    from ferrogym.errors import ConfigError

    build, drive = _target(target)
    if field.startswith("state:"):
        return _run_state_case(build, drive, field.removeprefix("state:"), value)
    # `**`: several fields at once, `value` being the keyword arguments.
    kwargs = value if field == "**" else {field: value}
    try:
        env = build(kwargs)
    except ConfigError as e:
        message = str(e)
        return (REFUSED, message) if field in message else (WRONG_ERROR, f"ConfigError not naming {field}: {message}")
    except BaseException as e:  # a PanicException is a BaseException
        return WRONG_ERROR, f"{type(e).__name__}: {e}"
    try:
        drive(env)
    except BaseException as e:
        return WRONG_ERROR, f"accepted, then {type(e).__name__}: {e}"
    return ACCEPTED, ""


def _set_path(state: Any, path: list[str | int], value: Any) -> Any:
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return state


def _run_state_case(
    build: Callable[[dict[str, Any]], Any], drive: Callable[[Any], None], key: str, value: Any
) -> tuple[str, str]:
    """Sets one state entry (``a.b.0`` paths) to ``value``: a StateError
    naming the key with the env unchanged and usable, or a working env."""
    from ferrogym.errors import StateError

    env = build({})
    env.reset(seed=0)
    before = env.get_state()
    path: list[str | int] = [int(p) if p.isdigit() else p for p in key.split(".")]
    if path[-1] == "<unknown>":
        state = {**before, "not_a_key": value}
        name = "not_a_key"
    else:
        state = _set_path(_lists(before), path, value)
        name = str(path[-1]) if isinstance(path[-1], str) else str(path[-2])
    try:
        env.set_state(state)
    except StateError as e:
        message = str(e)
        if name not in message:
            return WRONG_ERROR, f"StateError not naming {name}: {message}"
        if _differs(env.get_state(), before):
            return WRONG_ERROR, f"refused, but the state changed: {message}"
        try:
            drive(env)
        except BaseException as e2:
            return WRONG_ERROR, f"refused, then unusable: {type(e2).__name__}: {e2}"
        return REFUSED, message
    except BaseException as e:
        return WRONG_ERROR, f"{type(e).__name__}: {e}"
    try:
        drive(env)
    except BaseException as e:
        return WRONG_ERROR, f"accepted, then {type(e).__name__}: {e}"
    return ACCEPTED, ""


def _lists(state: Any) -> Any:
    """A deep copy with tuples as lists, so that one entry can be replaced."""
    if isinstance(state, dict):
        return {k: _lists(v) for k, v in state.items()}
    if isinstance(state, (list, tuple)):
        return [_lists(v) for v in state]
    return copy.deepcopy(state)


def _differs(a: Any, b: Any) -> bool:
    return bool(a != b)


def _child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    warnings.simplefilter("ignore")
    cases: list[tuple[int, str, str, Any]] = pickle.load(sys.stdin.buffer)
    for i, target, field, value in cases:
        print(f"start {i}", flush=True)
        signal.alarm(CASE_SECONDS)  # SIGALRM's default action ends the process: a hang
        outcome, detail = _run_case(target, field, value)
        signal.alarm(0)
        print(f"done {i} {outcome} {detail!r}", flush=True)


# -- the parent --------------------------------------------------------------


@dataclasses.dataclass
class Result:
    target: str
    field: str
    value: Any
    is_bool: bool
    outcome: str
    detail: str

    @property
    def silent_accept(self) -> bool:
        """Accepted a value no field may take (NaN, inf, 1e300), or a
        non-bool for a bool field."""
        if self.outcome != ACCEPTED:
            return False
        if self.field == "state:<unknown>":
            return True
        never = NEVER_VALID_STATE if self.field.startswith("state:") else NEVER_VALID
        return repr(self.value) in never or (self.is_bool and not isinstance(self.value, bool))


def run(cases: Iterable[tuple[str, str, Any, bool]]) -> list[Result]:
    """Runs every case, respawning the child after each death."""
    cases = list(cases)
    todo = [(i, t, f, v) for i, (t, f, v, _) in enumerate(cases)]
    kinds = {i: b for i, (_, _, _, b) in enumerate(cases)}
    results: dict[int, Result] = {}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), os.environ.get("PYTHONPATH", "")])}
    while todo:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.hostile"],
            input=pickle.dumps(todo),
            capture_output=True,
            cwd=ROOT,
            env=env,
            timeout=CASE_SECONDS * (len(todo) + 2),
            check=False,
        )
        started: int | None = None
        for line in proc.stdout.decode(errors="replace").splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "start":
                started = int(rest)
            elif kind == "done":
                index, outcome, detail = rest.split(" ", 2)
                i = int(index)
                _, target, field, value = todo[[c[0] for c in todo].index(i)]
                results[i] = Result(target, field, value, kinds[i], outcome, _unrepr(detail))
                started = None
        if started is None:
            if proc.returncode != 0:
                raise RuntimeError(f"hostile child failed outside a case: {proc.stderr.decode(errors='replace')}")
            break
        _, target, field, value = todo[[c[0] for c in todo].index(started)]
        outcome = HANG if proc.returncode == -signal.SIGALRM else ABORT
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        results[started] = Result(target, field, value, kinds[started], outcome, f"exit {proc.returncode}: {tail[0]}")
        todo = [c for c in todo if c[0] > started]
    return [results[i] for i in sorted(results)]


def _unrepr(text: str) -> str:
    import ast

    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def summary(results: list[Result]) -> dict[str, int]:
    """The figures of a run: inputs tried and each kind of failure."""
    counts = Counter(r.outcome for r in results)
    return {
        "inputs": len(results),
        "refused": counts[REFUSED],
        "accepted": counts[ACCEPTED],
        "aborts": counts[ABORT],
        "hangs": counts[HANG],
        "wrong_errors": counts[WRONG_ERROR],
        "silent_accepts": sum(r.silent_accept for r in results),
    }


def failures(results: list[Result]) -> list[str]:
    return [
        f"{r.target} {r.field}={r.value!r}: {r.outcome} {r.detail}"
        for r in results
        if r.outcome in (ABORT, HANG, WRONG_ERROR) or r.silent_accept
    ]


#: Targets whose state values are fuzzed (TicketRouting's and
#: MultiTeamTicketRouting's state checks live with their simulation; their
#: unknown keys are covered by tests/test_hostile_state.py).
STATE_TARGETS: tuple[str, ...] = tuple(
    t
    for t in TARGETS
    if (t.startswith("ferrogym/") and t != "ferrogym/TicketRouting-v0") or t == "examples/Inventory-v0"
)


def _report() -> None:
    """``python -m tests.hostile report``: the figures of the config and
    state fuzz, and every failure."""
    import time

    for name, cases in (("config", config_cases()), ("state", state_cases(STATE_TARGETS))):
        start = time.perf_counter()
        results = run(cases)
        print(name, summary(results), f"{time.perf_counter() - start:.1f} s")
        for line in failures(results):
            print("  ", line)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"peak RSS of a child: {peak} MiB (address space limit {MEMORY_LIMIT // 1024**2} MiB)")


if __name__ == "__main__":
    if sys.argv[1:] == ["report"]:
        _report()
    else:
        _child()
