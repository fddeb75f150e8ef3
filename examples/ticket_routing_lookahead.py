"""How much is there to win over shortest-expected-delay (sed) on TicketRouting?

A one-step lookahead router: at every decision, for each valid engineer, copy
the env (``get_state``/``set_state``), route the ticket there, finish the
episode with ``sed`` and keep the engineer with the lowest weighted open time
(the ``wait`` + ``backlog_end`` reward components, i.e. the KPI
``weighted_resolution``). This is one step of policy improvement over sed.

- ``--mode oracle``: the copies keep the env's random streams, so they see the
  very tickets and work contents that will come (clairvoyant: an upper
  reference, not a policy one could deploy).
- ``--mode sampled``: each copy gets fresh arrival and work streams and the
  ticket being routed a fresh work content (drawn from its type's lognormal),
  ``--samples`` times per engineer with common draws across engineers: a
  deployable model-based planner that knows only the simulator's laws.

Prints weighted resolution (minutes per unit weight) of sed and of the
lookahead on the same seeds with the paired difference::

    python examples/ticket_routing_lookahead.py --scenario specialists --seeds 30 --mode sampled
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import gymnasium as gym
import numpy as np

import ferrogym  # noqa: F401  (registers the envs)
from ferrogym import kpi
from ferrogym.evaluation import HELD_OUT_SEED
from ferrogym.policies import make_policy

OBJECTIVE = ("wait", "backlog_end")


def objective(info: dict[str, Any]) -> float:
    parts = info["reward_components"]
    return -sum(float(parts[k]) for k in OBJECTIVE)


def finish(env: Any, policy: Any, first: int) -> float:
    """Cost (weighted open time, reward units) of routing to ``first`` and then following ``policy``."""
    cost = 0.0
    action = first
    while True:
        obs, _, terminated, truncated, info = env.step(action)
        cost += objective(info)
        if terminated or truncated:
            return cost
        action = int(policy(obs, env.action_masks()))


def fresh_streams(state: dict[str, Any], rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
    """``state`` with new arrival/work streams and a new work content for the ticket being routed."""
    out = dict(state)
    for key in ("arrivals", "work"):
        out[key] = {"s": tuple(int(x) for x in rng.integers(1, 2**63, size=4))}
    current = dict(out["current"])
    k = int(current["kind"])
    current["work"] = float(
        math.exp(math.log(params["work_median_minutes"][k]) + params["work_sigma"][k] * rng.standard_normal())
    )
    out["current"] = current
    return out


def episode(seed: int, scenario: str, mode: str, samples: int) -> tuple[float, float]:
    """(sed, lookahead) weighted resolution on one seed."""
    env = gym.make("ferrogym/TicketRouting-v0", scenario=scenario).unwrapped
    sim = gym.make("ferrogym/TicketRouting-v0", scenario=scenario).unwrapped
    sim.reset(seed=seed)
    params = env.config.kwargs()
    sed = make_policy("sed", env.obs_layout)
    rng = np.random.default_rng(seed)
    results = []
    for planner in (False, True):
        obs, _ = env.reset(seed=seed)
        totals: dict[str, float] = {}
        while True:
            mask = env.action_masks()
            action = int(sed(obs, mask))
            if planner and mask.sum() > 1:
                state = env.get_state()
                draws = [fresh_streams(state, rng, params) for _ in range(samples)] if mode == "sampled" else [state]
                best = math.inf
                for a in np.flatnonzero(mask):
                    cost = 0.0
                    for s in draws:
                        sim.set_state(s)
                        cost += finish(sim, sed, int(a))
                    if cost < best - 1e-9:
                        best, action = cost, int(a)
            obs, _, terminated, truncated, info = env.step(action)
            for k, v in info["reward_components"].items():
                totals[k] = totals.get(k, 0.0) + float(v)
            if terminated or truncated:
                break
        results.append(kpi.episode_kpis(env.episode_log(), totals, params)["weighted_resolution"])
    env.close()
    sim.close()
    return results[0], results[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="specialists")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--seed-start", type=int, default=HELD_OUT_SEED)
    ap.add_argument("--mode", choices=("oracle", "sampled"), default="sampled")
    ap.add_argument("--samples", type=int, default=8)
    args = ap.parse_args()
    start = time.perf_counter()
    pairs = [
        episode(s, args.scenario, args.mode, args.samples) for s in range(args.seed_start, args.seed_start + args.seeds)
    ]
    sed = [p[0] for p in pairs]
    look = [p[1] for p in pairs]
    a, b = kpi.Interval.of(sed), kpi.Interval.of(look)
    d = kpi.Interval.of([y - x for x, y in pairs])
    print(f"{args.scenario}, {args.seeds} seeds from {args.seed_start}, mode={args.mode}, samples={args.samples}")
    print(f"sed        {a.mean:7.1f} ± {a.half_width:.1f}")
    print(f"lookahead  {b.mean:7.1f} ± {b.half_width:.1f}")
    print(f"paired     {d.mean:+7.1f} [{d.low:+.1f}, {d.high:+.1f}] ({100 * d.mean / a.mean:+.1f}%)")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
