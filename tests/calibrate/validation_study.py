"""The figures of docs/calibrate.md, "Validation": how close a calibration's validation can come, and why.

Not a test (pytest does not collect it); run from the repository root::

    PYTHONPATH=python python -m tests.calibrate.validation_study floor ARRIVALS WEEKS
    PYTHONPATH=python python -m tests.calibrate.validation_study roundtrip ARRIVALS WEEKS
    PYTHONPATH=python python -m tests.calibrate.validation_study parts ARRIVALS WEEKS

``ARRIVALS`` is the known scenario's ``arrivals_per_day`` (60: the `specialists` preset's, engineers
busy 85% of their shifts under `sed`; 40: about 50%), ``WEEKS`` the history's length. Every history is
simulated under `sed` (the producing rule) from data seeds 100, 200, ..., 1000 (``parts``: to 1200).

- ``floor``: the true scenario against itself: per seed, a history against an independent history of
  the same length, and against 260 weeks of it (seeds from 100,000); KS and p50/p95 gaps, median and largest.
- ``roundtrip``: per seed, calibrate the history and validate it (`sed`, the default length, seed 5000).
- ``parts``: per seed, the fitted scenario with each fitted part replaced by the truth, simulated 52
  weeks (seed 5000), against 208 weeks of the truth: the mean over seeds of (simulated / true - 1) for
  the mean, p50 and p95, with its standard error. A part whose replacement moves that mean to the
  ``all`` row's carries a bias; the per-seed spread says how much noise each part adds.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from scipy import stats

from ferrogym.calibrate.fit import calibrate
from ferrogym.calibrate.scenario import scenario_config
from ferrogym.calibrate.simulate import logs_to_tickets, policy_factory, simulate_weeks
from ferrogym.calibrate.validation import validate
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig

from .conftest import KNOWN, SKILLS

T = TicketRoutingConfig(scenario="specialists").resolved()
TYPES = list(T.ticket_types or [])
SEEDS = list(range(100, 1001, 100))


def _resolution(logs: list[dict[str, dict[str, Any]]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.concatenate([np.asarray(g["tickets"]["done"]) - np.asarray(g["tickets"]["arrival"]) for g in logs])


def _q(x: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([x.mean(), np.percentile(x, 50), np.percentile(x, 95)])


def _sed(cfg: dict[str, Any], weeks: int, seed: int) -> list[dict[str, dict[str, Any]]]:
    return simulate_weeks(cfg, weeks, policy_factory("sed"), seed=seed)


def floor(true: dict[str, Any], weeks: int) -> None:
    """Prints the true-vs-true gaps at ``weeks`` (against an independent history and against 260 weeks)."""
    long = _resolution(_sed(true, 260, 100_000))
    for label, other in (("independent history", None), ("260 weeks", long)):
        ks, d50, d95, util = [], [], [], []
        for s in SEEDS:
            logs = _sed(true, weeks, s)
            x = _resolution(logs)
            y = other if other is not None else _resolution(_sed(true, weeks, s + 50))
            ks.append(stats.ks_2samp(x, y).statistic)
            d50.append(abs(np.percentile(x, 50) / np.percentile(y, 50) - 1))
            d95.append(abs(np.percentile(x, 95) / np.percentile(y, 95) - 1))
            busy = sum(np.sum(g["engineers"]["busy_minutes"]) for g in logs)
            util.append(busy / sum(np.sum(g["engineers"]["shift_minutes"]) for g in logs))
        ok = np.mean([k <= 0.05 and a <= 0.05 and b <= 0.05 for k, a, b in zip(ks, d50, d95, strict=True)])
        print(
            f"{weeks} weeks vs {label}: busy {np.mean(util):.2f} of shift | KS median {np.median(ks):.3f} "
            f"max {max(ks):.3f} | p50 median {np.median(d50):.1%} max {max(d50):.1%} | p95 median "
            f"{np.median(d95):.1%} max {max(d95):.1%} | all three within the bar: {ok:.0%}"
        )


def roundtrip(true: dict[str, Any], weeks: int) -> None:
    """Prints, per data seed, the validation of the calibrated history."""
    agree = 0
    for s in SEEDS:
        cal = calibrate(logs_to_tickets(_sed(true, weeks, s), TYPES), "study")
        v = validate(cal, scenario_config(cal), policy="sed", seed=5000)
        r = {q: v.simulated[q] / v.observed[q] - 1 for q in ("mean", "p50", "p95")}
        agree += v.agrees()
        print(
            f"seed {s}: {int(v.observed['tickets'])} tickets, {v.weeks} weeks simulated: KS {v.ks:.3f}, "
            f"mean {r['mean']:+.1%}, p50 {r['p50']:+.1%}, p95 {r['p95']:+.1%}, reproduces: {v.agrees()}"
        )
    print(f"reproduces in {agree} of {len(SEEDS)}")


def parts(true: dict[str, Any], weeks: int) -> None:
    """Prints, per fitted part replaced by the truth, the simulated gaps to the truth (mean over seeds)."""
    ref = _q(_resolution(_sed(true, 208, 5000)))
    out: dict[str, list[np.ndarray[Any, np.dtype[np.float64]]]] = {}
    for s in [*SEEDS, 1100, 1200]:
        logs = _sed(true, weeks, s)
        cal = calibrate(logs_to_tickets(logs, TYPES), "study")
        fit = scenario_config(cal)
        k = [TYPES.index(t) for t in cal.mix.types]
        slot = [int(e[3:]) for e in cal.work.engineers]  # the simulator's names: eng00, eng01, ...
        assert T.work_median_minutes and T.work_sigma and T.type_probs and T.priority_probs
        sub = {
            "work": {
                "work_median_minutes": [T.work_median_minutes[i] for i in k],
                "work_sigma": [T.work_sigma[i] for i in k],
            },
            "skills": {"skills": [[SKILLS[e][i] for i in k] for e in slot]},
            "hour profile": {"hour_profile": list(T.hour_profile or [])},
            "daily rates": {
                "arrivals_per_day": true["arrivals_per_day"],
                "weekday_factor": list(T.weekday_factor or []),
            },
            "mix": {
                "type_probs": [T.type_probs[i] for i in k],
                "priority_probs": [T.priority_probs[i] for i in k],
                "tier_probs": list(T.tier_probs or []),
            },
            "shifts": {"shifts": [(T.shifts or [])[e] for e in slot]},
        }
        runs = {
            "history itself": None,
            "fitted": {},
            **sub,
            "work + skills": {**sub["work"], **sub["skills"]},
            "all": {f: v for part in sub.values() for f, v in part.items()},
        }
        for name, replaced in runs.items():
            x = _resolution(logs) if replaced is None else _resolution(_sed({**fit, **replaced}, 52, 5000))
            out.setdefault(name, []).append(np.log(_q(x) / ref))
    print(f"truth, 208 weeks: mean {ref[0]:.0f}, p50 {ref[1]:.0f}, p95 {ref[2]:.0f} minutes")
    for name, v in out.items():
        a = np.array(v)
        m, se, sd = np.expm1(a.mean(0)), a.std(0, ddof=1) / np.sqrt(len(a)), a.std(0, ddof=1)
        cells = " | ".join(f"{m[i]:+.1%} +- {se[i]:.1%} (sd {sd[i]:.0%})" for i in range(3))
        print(f"{name:15s} mean, p50, p95: {cells}")


if __name__ == "__main__":
    what, arrivals, weeks = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    {"floor": floor, "roundtrip": roundtrip, "parts": parts}[what]({**KNOWN, "arrivals_per_day": arrivals}, weeks)
