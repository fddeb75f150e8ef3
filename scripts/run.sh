#!/usr/bin/env bash
# Installs ferrogym with Stable-Baselines3 and runs the main job:
#  1. the quick start (PPO on the Rust-batched GridWorld; CartPole beside Gymnasium's);
#  2. trains a MaskablePPO ticket router on TicketRouting's `specialists`
#     scenario and prints its KPI report against every dispatch heuristic on
#     30 held-out seeds (model and report in runs/ticket-router/).
# TIMESTEPS=1000000 reproduces the figures in docs/ticket_routing_evaluation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[sb3,cli]"
"$PY" examples/quickstart.py
"$PY" -m ferrogym.cli train TicketRouting-v0 --algo maskable-ppo --scenario specialists \
    --timesteps "${TIMESTEPS:-300000}" --out runs/ticket-router
