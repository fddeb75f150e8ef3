"""How much of the planner's gap over a baseline a learned router closes, on
the same seeds: reads a ``ferrogym evaluate --json`` report (the router and
the baseline) and one or more ``ferrogym evaluate --headroom --json`` reports
(the planner and the same baseline), pools the headroom reports' seeds, and
prints the paired gaps and the share closed (the ratio of the mean paired
gaps, with a 95% paired-bootstrap interval over seeds).

python scripts/planner_gap_closed.py runs/eval.json docs/results/ticket_routing_headroom_specialists.json \
    docs/results/ticket_routing_headroom_specialists_seeds_10100.json --router rollout-pi:specialists-rollout-pi
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

KPI = "weighted_resolution"


def per_seed(report: dict[str, Any], policy: str) -> dict[int, float]:
    """``policy``'s primary KPI by seed in a report (or a headroom report's ``report``)."""
    report = report.get("report", report)
    return {int(s): float(r[KPI]) for s, r in zip(report["seeds"], report["per_seed"][policy], strict=True)}


def main() -> None:
    """Prints the router's and the planner's paired gaps over the baseline and the share closed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("evaluation", type=Path)
    parser.add_argument("headroom", type=Path, nargs="+")
    parser.add_argument("--router", required=True)
    parser.add_argument("--baseline", default="lp-sed")
    parser.add_argument("--bootstrap", type=int, default=10_000)
    args = parser.parse_args()
    ev = json.loads(args.evaluation.read_text())
    router, base = per_seed(ev, args.router), per_seed(ev, args.baseline)
    planner: dict[int, float] = {}
    planner_base: dict[int, float] = {}
    for path in args.headroom:
        hr = json.loads(path.read_text())
        planner.update(per_seed(hr, "planner"))
        planner_base.update(per_seed(hr, args.baseline))
    seeds = sorted(set(router) & set(planner))
    mismatch = [s for s in seeds if not np.isclose(base[s], planner_base[s])]
    if mismatch:
        raise SystemExit(f"{args.baseline} differs between the reports on seeds {mismatch[:5]}: not the same episodes")
    r = np.array([router[s] - base[s] for s in seeds])
    p = np.array([planner[s] - base[s] for s in seeds])
    mean_base = float(np.mean([base[s] for s in seeds]))
    ci = stats.bootstrap(
        (r, p),
        lambda a, b, axis: a.mean(axis=axis) / b.mean(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=args.bootstrap,
        method="percentile",
        rng=np.random.default_rng(0),
    ).confidence_interval
    low, high = ci.low, ci.high
    print(f"{len(seeds)} seeds {seeds[0]}..{seeds[-1]}; {args.baseline} mean {KPI} {mean_base:.1f}")
    print(f"router  - {args.baseline}: {r.mean():+.1f} ({100 * r.mean() / mean_base:+.1f}%)")
    print(f"planner - {args.baseline}: {p.mean():+.1f} ({100 * p.mean() / mean_base:+.1f}%)")
    print(f"share of the planner's gap closed: {100 * r.mean() / p.mean():.0f}% [{100 * low:.0f}, {100 * high:.0f}]")


if __name__ == "__main__":
    main()
