"""The environment checker: ``ferrogym.validate.check(env)`` and ``ferrogym check``.

    report = ferrogym.validate.check("ferrogym/CartPole-v1")
    print(report.to_text()); report.ok; report.to_json()

One report, one item per check (pass/fail/skip, reason, hint). The checker
never raises because of the env: whatever the env does wrong becomes a failed
item, and when the env cannot even be built the remaining checks are skipped.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from ferrogym.validate import checks, fuzz
from ferrogym.validate.checks import CheckFn, Options
from ferrogym.validate.report import CheckResult, Report
from ferrogym.validate.rollout import Fail, Skip
from ferrogym.validate.target import Target, TargetError, resolve


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFn
    hint: str


CHECKS: tuple[Check, ...] = (
    Check("construct", checks.check_construct, "the env must build with its default arguments and reset(seed=...)"),
    Check(
        "gymnasium_check_env",
        checks.check_gymnasium,
        "read Gymnasium's message; common causes: reset ignores seed, obs dtype differs from the space, "
        "the same array returned twice (return fresh arrays)",
    ),
    Check(
        "gymnasium_passive_checker",
        checks.check_passive,
        "return (obs, info) from reset and (obs, reward, terminated, truncated, info) from step, obs in the space",
    ),
    Check(
        "sb3_check_env",
        checks.check_sb3,
        "Stable-Baselines3 wants Python float rewards, Python bool flags and spaces it supports",
    ),
    Check(
        "determinism",
        checks.check_determinism,
        "draw all randomness from self.np_random (seeded by super().reset(seed=seed)), never np.random or random",
    ),
    Check(
        "reset_independence",
        checks.check_reset_independence,
        "reset must rebuild the whole state; do not carry counters or buffers over from the last episode",
    ),
    Check(
        "observations_in_space",
        checks.check_observations,
        "make the observation's dtype, shape and bounds match observation_space (e.g. np.float32, clip)",
    ),
    Check("rewards_finite", checks.check_rewards, "return a finite float reward and bool terminated/truncated"),
    Check(
        "time_limit",
        checks.check_time_limit,
        "time limits end episodes with truncated=True, not terminated=True: register max_episode_steps "
        "(or pass it to BaseEnvironment) instead of counting steps in _check_termination",
    ),
    Check(
        "render_modes",
        checks.check_render,
        "declare in metadata['render_modes'] only modes render() supports: ansi -> str, "
        "rgb_array -> uint8 (H, W, 3), human -> None",
    ),
    Check(
        "fuzz_valid_actions",
        fuzz.check_fuzz_valid,
        "every action in action_space must give a well-formed transition; see the falsifying example",
    ),
    Check(
        "fuzz_invalid_actions",
        fuzz.check_fuzz_invalid,
        "check actions against action_space and raise ferrogym.errors.InvalidAction (BaseEnvironment does it)",
    ),
    Check(
        "state_round_trip",
        checks.check_state_round_trip,
        "keep everything that decides the future (the generator too) in the state get_state returns",
    ),
    Check(
        "vector_env",
        checks.check_vector,
        "the batched env must equal SyncVectorEnv of single envs (sub-env i seeded seed + i)",
    ),
    Check("speed", checks.check_speed, "profile the step hooks; move hot loops to numpy or Rust"),
)

CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)


def run_check(check: Check, target: Target, options: Options) -> CheckResult:
    """Runs one check; the env's warnings become notes (never noise, never errors)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _run_check(check, target, options)
    seen = {n for n in result.notes}
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen and len(seen) < 8:
            seen.add(text)
            result.notes.append(text)
    return result


def _run_check(check: Check, target: Target, options: Options) -> CheckResult:
    start = time.perf_counter()
    try:
        found = check.run(target, options)
    except Skip as s:
        return CheckResult(check.name, "skip", str(s), seconds=time.perf_counter() - start)
    except gym.error.DependencyNotInstalled as e:  # an optional extra (pygame...) is missing: not the env's fault
        return CheckResult(check.name, "skip", f"not checked: {e}", seconds=time.perf_counter() - start)
    except Fail as f:
        return CheckResult(check.name, "fail", str(f), check.hint, time.perf_counter() - start)
    except (Exception, SystemExit) as e:  # the env's own exceptions are findings, not crashes
        reason = f"raised {type(e).__name__}: {e}"
        return CheckResult(check.name, "fail", reason, check.hint, time.perf_counter() - start)
    return CheckResult(
        check.name, "pass", found.reason, seconds=time.perf_counter() - start, notes=found.notes, metrics=found.metrics
    )


def check(
    env: Any,
    *,
    options: Options | None = None,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
) -> Report:
    """Checks an env id, ``module:Class``, ``file.py:Class``, env file, class or instance."""
    options = options or Options()
    selected = set(CHECK_NAMES if only is None else only) - set(skip)
    unknown = selected - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"unknown check(s) {sorted(unknown)}; checks are {list(CHECK_NAMES)}")
    label = env if isinstance(env, str) else repr(env)
    try:
        target = resolve(env)
    except (Exception, SystemExit) as e:
        reason = str(e) if isinstance(e, TargetError) else f"loading it raised {type(e).__name__}: {e}"
        return Report(str(label), None, [CheckResult("load", "fail", reason, "check the id, module path and class")])
    report = Report(target.label, target.env_id)
    for c in CHECKS:
        if c.name not in selected:
            continue
        result = run_check(c, target, options)
        report.results.append(result)
        if c.name == "construct" and result.status == "fail":
            for rest in CHECKS:
                if rest.name in selected and rest.name != "construct":
                    report.results.append(CheckResult(rest.name, "skip", "the env could not be built"))
            break
    return report


__all__ = ["CHECKS", "CHECK_NAMES", "CheckResult", "Options", "Report", "Target", "check", "resolve"]
