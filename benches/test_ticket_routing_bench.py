"""TicketRouting speed, each figure beside a peer in the same run:

- batched Rust stepping at N=1024 against the plain-Python reference
  (decisions per second, ratio);
- one `step` through `gym.make` against ferrogym's own CartPole step.

Run: ``pytest benches/test_ticket_routing_bench.py --benchmark-only``. The
ratios are printed and stored in each benchmark's ``extra_info``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.envs.ticket_routing import TicketRoutingVectorEnv
from ferrogym.envs.ticket_routing_config import TicketRoutingConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference.ticket_routing_ref import TicketRoutingRefEnv

N = 1024
STEPS = 50
# Random slots with the fallback: every action is accepted, so the measure is
# the simulator, not a Python policy.
KWARGS: dict[str, Any] = {"scenario": "specialists", "invalid_action": "fallback"}
RESULTS: dict[str, float] = {}


def test_bench_batched_n1024(benchmark: Any) -> None:
    venv = TicketRoutingVectorEnv(N, **KWARGS)
    venv.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, 12, size=(STEPS, N), dtype=np.int64)

    def run() -> None:
        for a in actions:
            venv.step(a)

    benchmark.pedantic(run, rounds=5, warmup_rounds=1)
    RESULTS["batched"] = N * STEPS / benchmark.stats.stats.mean
    benchmark.extra_info["decisions_per_s"] = RESULTS["batched"]


def test_bench_python_reference(benchmark: Any) -> None:
    env = TicketRoutingRefEnv(TicketRoutingConfig(**KWARGS).resolved().to_kwargs())
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, 12, size=500).tolist()

    def run() -> None:
        for a in actions:
            _, _, _, truncated, _ = env.step(a)
            if truncated:
                env.reset()

    benchmark.pedantic(run, rounds=3, warmup_rounds=0)
    RESULTS["reference"] = len(actions) / benchmark.stats.stats.mean
    benchmark.extra_info["decisions_per_s"] = RESULTS["reference"]
    if "batched" in RESULTS:
        ratio = RESULTS["batched"] / RESULTS["reference"]
        benchmark.extra_info["batched_over_reference"] = ratio
        rate, ref = RESULTS["batched"], RESULTS["reference"]
        print(f"\nbatched N={N}: {rate:.3g} decisions/s; reference {ref:.3g}/s; x{ratio:.0f}")


@pytest.mark.parametrize("env_id", ["ferrogym/CartPole-v1", "ferrogym/TicketRouting-v0"])
def test_bench_single_step_gym_make(benchmark: Any, env_id: str) -> None:
    kwargs = {"invalid_action": "fallback"} if "TicketRouting" in env_id else {}
    env = gym.make(env_id, **kwargs)
    env.reset(seed=0)
    n = 2000
    actions = np.random.default_rng(0).integers(0, env.action_space.n, size=n).tolist()  # type: ignore[attr-defined]

    def run() -> None:
        for a in actions:
            _, _, terminated, truncated, _ = env.step(a)
            if terminated or truncated:
                env.reset()

    benchmark.pedantic(run, rounds=5, warmup_rounds=1)
    RESULTS[env_id] = benchmark.stats.stats.mean / n
    benchmark.extra_info["seconds_per_step"] = RESULTS[env_id]
    if len([k for k in RESULTS if k.startswith("ferrogym/")]) == 2:
        ratio = RESULTS["ferrogym/TicketRouting-v0"] / RESULTS["ferrogym/CartPole-v1"]
        benchmark.extra_info["ticket_over_cartpole"] = ratio
        print(f"\nsingle step: TicketRouting / CartPole = {ratio:.2f}")
