#!/usr/bin/env bash
# Installs ferrogym with Stable-Baselines3 and runs the main job: train PPO on
# the Rust-batched GridWorld, evaluate it, and measure ferrogym's CartPole
# beside Gymnasium's.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[sb3,cli]"
"$PY" examples/quickstart.py
