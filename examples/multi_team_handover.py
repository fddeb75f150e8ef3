"""Does handing tickets over between teams pay? The handover heuristic
(shortest expected delay in the own team, hand over when another team is
faster by a margin) against the same rule without handover, on
MultiTeamTicketRouting. The margin is chosen on tuning seeds, the comparison
is on held-out seeds (paired: both policies see the same tickets). Needs
``pip install 'ferrogym[pettingzoo]'``.

    python examples/multi_team_handover.py --scenario two_desks --seeds 100
"""

from __future__ import annotations

import argparse

from ferrogym.integrations.pettingzoo import MultiTeamTicketRouting
from ferrogym.kpi import Interval, paired, summarize
from ferrogym.policies.handover import HandoverSED, evaluate

TUNING_SEEDS = range(0, 20)
HELD_OUT_START = 10_000
MARGINS = (0.0, 15.0, 30.0, 60.0, 120.0)
KPIS = ("weighted_resolution", "resolution_mean", "resolution_p95", "reward", "handovers")


def fmt(i: Interval) -> str:
    return f"{i.mean:9.2f} ± {i.half_width:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="two_desks", choices=["two_desks", "mirrored"])
    parser.add_argument("--seeds", type=int, default=100, help="held-out seeds")
    args = parser.parse_args()
    env = MultiTeamTicketRouting(scenario=args.scenario, invalid_action="raise")

    def weighted(margin: float) -> float:
        runs = evaluate(env, HandoverSED(env.obs_layout, margin_minutes=margin), TUNING_SEEDS)
        return summarize(runs)["weighted_resolution"].mean

    margin = min(MARGINS, key=weighted)
    seeds = range(HELD_OUT_START, HELD_OUT_START + args.seeds)
    base = evaluate(env, HandoverSED(env.obs_layout, handover=False), seeds)
    ho = evaluate(env, HandoverSED(env.obs_layout, margin_minutes=margin), seeds)
    print(f"scenario {args.scenario}; margin {margin:g} min (tuned on seeds 0-19); held-out seeds {seeds}")
    print(f"{'kpi':22} {'no handover':>18} {'handover':>18} {'paired difference':>18}")
    s_base, s_ho, diff = summarize(base), summarize(ho), paired(ho, base)
    for k in KPIS:
        print(f"{k:22} {fmt(s_base[k]):>18} {fmt(s_ho[k]):>18} {fmt(diff[k]):>18}")
    rel = diff["weighted_resolution"].mean / s_base["weighted_resolution"].mean
    print(f"weighted resolution time: {100 * rel:+.1f}% with handover (95% intervals over seeds)")


if __name__ == "__main__":
    main()
