"""Learner throughput: env decisions consumed per second of training (rollout
plus update), ferrogym's large-batch masked PPO (:mod:`ferrogym.training.batch_ppo`,
512 sub-envs, 32,768 decisions per update, minibatches of 8,192) beside
sb3-contrib's MaskablePPO with its default hyper-parameters on 8 sub-envs of
the same Rust batch (``ferrogym.integrations.sb3.make_vec_env``), both on
TicketRouting ``specialists`` with the same torch thread count, in one run.

A round is whole updates: one MaskablePPO ``learn`` of 8 x 2,048 decisions
(its default rollout, 10 epochs of minibatches of 64; one round) and one
update of ours (three rounds after a warm-up): 131,072 + 16,384 decisions.
"""

from __future__ import annotations

from typing import Any

import torch

import ferrogym  # noqa: F401
from ferrogym.training.batch_ppo import BatchPPO, BatchPPOConfig, make_model

from .conftest import RESULTS, gate

ENV = "ferrogym/TicketRouting-v0"
KWARGS: dict[str, Any] = {"scenario": "specialists"}
#: Torch threads for both learners (ours sets it itself; SB3 runs under it).
THREADS = 2
OURS = BatchPPOConfig(n_envs=512, n_steps=64, batch_size=8192, torch_threads=THREADS)
SB3_ENVS = 8


def _record(benchmark: Any, key: str, decisions_per_round: int) -> None:
    benchmark.extra_info["decisions_per_round"] = decisions_per_round
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        RESULTS[key] = stats.stats.median / decisions_per_round


def test_learner_batch_ppo(benchmark: Any) -> None:
    model = make_model(ENV, OURS, seed=0, **KWARGS)
    ppo = BatchPPO(model, ENV, OURS, seed=0, **KWARGS)
    per_update = OURS.n_envs * OURS.n_steps
    try:
        benchmark.pedantic(lambda: ppo.learn(per_update), rounds=3, iterations=1, warmup_rounds=1)
    finally:
        ppo.close()
    _record(benchmark, "learner/batch-ppo", per_update)


def test_learner_sb3_maskable_ppo(benchmark: Any) -> None:
    from sb3_contrib import MaskablePPO

    from ferrogym.integrations.sb3 import make_vec_env

    venv = make_vec_env(ENV, n_envs=SB3_ENVS, seed=0, **KWARGS)
    before = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    try:
        model = MaskablePPO("MlpPolicy", venv, seed=0, device="cpu", verbose=0)
        per_round = model.n_steps * SB3_ENVS

        def one_update() -> None:
            model.learn(per_round, reset_num_timesteps=False)

        benchmark.pedantic(one_update, rounds=1, iterations=1)
    finally:
        torch.set_num_threads(before)
        venv.close()
    _record(benchmark, "learner/sb3-maskable-ppo", per_round)


def test_gate_learner_throughput() -> None:
    # Measured 23-29x on the 2-core VM under load (docs/training.md); the
    # floor leaves room for noise, which hits two torch threads hardest.
    gate("batch PPO learner vs SB3 MaskablePPO (decisions/s)", "learner/batch-ppo", "learner/sb3-maskable-ppo", 10.0)
