#!/usr/bin/env bash
# Installs ferrogym with Stable-Baselines3 and runs the main job:
#  1. the quick start (PPO on the Rust-batched GridWorld; CartPole beside Gymnasium's);
#  2. a short fresh run of rollout policy iteration (`--algo rollout-pi`): the
#     engineer scorer fitted to the rollout planner's labels on TicketRouting's
#     `specialists` scenario (two iterations of 128 training-seed episodes, K=32);
#  3. the KPI report, on 100 held-out seeds, of the learned router shipped in
#     models/specialists-rollout-pi (docs/training.md has the recipe that made it),
#     the fresh run, every dispatch heuristic and the tuned stronger baselines,
#     with paired differences against the best heuristic and against lp-sed
#     (report in runs/ticket-router/eval.json).
# ROUTER_HYPER='{"iterations": 3, "episodes": 256, "samples": 32, "epochs": 40}'
# runs the shipped model's recipe instead (564 s on a loaded 2-core VM).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[sb3,cli]"
"$PY" examples/quickstart.py
"$PY" -m ferrogym.cli train TicketRouting-v0 --algo rollout-pi --policy-arch scorer --scenario specialists \
    --hyper "${ROUTER_HYPER:-{\"iterations\": 2, \"episodes\": 128, \"samples\": 32, \"epochs\": 40\}}" \
    --eval-seeds 0 --out runs/ticket-router
baselines=()
for p in random round-robin least-loaded sed skill-greedy skill-overflow longest-idle gcmu lp-sed weighted-sed; do
    baselines+=(-p "$p")
done
"$PY" -m ferrogym.cli evaluate TicketRouting-v0 --scenario specialists --seeds 100 \
    -p models/specialists-rollout-pi -p runs/ticket-router "${baselines[@]}" --vs lp-sed \
    --json runs/ticket-router/eval.json
