"""Benchmarks run ferrogym beside a peer in the same process and gate on the
*ratio*, never on absolute times: `gate(...)` fails when ferrogym falls below
`floor` times its peer. Floors sit well under the measured ratios (see the
notes in README), so machine noise does not trip them but a real regression
does. Results are also written to bench-results/ratios.json."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def single_env_loop(env: Any, actions: list[int]) -> Callable[[], None]:
    """One timed round: ``env.step`` over ``actions``, resetting at episode ends
    (the env must be reset once before)."""

    def run() -> None:
        step, reset = env.step, env.reset
        for a in actions:
            _, _, terminated, truncated, _ = step(a)
            if terminated or truncated:
                reset()

    return run


RESULTS: dict[str, float] = {}
RATIOS: dict[str, dict[str, Any]] = {}
OUT = Path(os.environ.get("FERROGYM_BENCH_OUT", "bench-results"))


def measure(benchmark: Any, key: str, fn: Callable[[], Any], steps_per_call: int) -> None:
    """Benchmarks `fn`, records the median time of one env-step under `key`."""
    benchmark.extra_info["steps_per_call"] = steps_per_call
    benchmark(fn)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        RESULTS[key] = stats.stats.median / steps_per_call


def gate(name: str, ours: str, peer: str, floor: float) -> None:
    """ferrogym's speed (`ours`) over `peer`'s, both measured in this run."""
    if ours not in RESULTS or peer not in RESULTS:
        pytest.skip("benchmarks disabled or a side was not measured")
    ratio = RESULTS[peer] / RESULTS[ours]
    RATIOS[name] = {
        "ours_ns_per_step": RESULTS[ours] * 1e9,
        "peer_ns_per_step": RESULTS[peer] * 1e9,
        "ours_steps_per_s": 1 / RESULTS[ours],
        "peer_steps_per_s": 1 / RESULTS[peer],
        "ratio": ratio,
        "floor": floor,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "ratios.json").write_text(json.dumps(RATIOS, indent=2, sort_keys=True))
    assert ratio >= floor, f"{name}: ferrogym is {ratio:.2f}x its peer, below the floor of {floor}x"
