"""The rollout planner's cost per decision beside its peer, `sed`'s cost per
decision (the Python policy over the same batch), on `specialists` at
mid-morning states. The ratio says how many sed decisions one planned
decision costs."""

from __future__ import annotations

from typing import Any

import numpy as np

from ferrogym.envs.ticket_routing import TicketRoutingVectorEnv
from ferrogym.policies import make_policy
from ferrogym.policies.planner import RolloutPlanner

from .conftest import gate, measure

N = 8
WARMUP_DECISIONS = 20


def _batch_at_midday() -> tuple[TicketRoutingVectorEnv, Any]:
    venv = TicketRoutingVectorEnv(N, scenario="specialists")
    obs, _ = venv.reset(seed=0)
    sed = make_policy("sed", venv.obs_layout)
    for _ in range(WARMUP_DECISIONS):
        obs, *_ = venv.step(np.asarray(sed(obs, venv.action_masks())))
    return venv, obs


def test_ticket_planner_decision(benchmark: Any) -> None:
    venv, obs = _batch_at_midday()
    planner = RolloutPlanner(venv.obs_layout, seed=0, samples=16)
    planner.bind(venv)
    masks = venv.action_masks()
    measure(benchmark, "ticket/planner-k16-decision", lambda: planner(obs, masks), N)


def test_ticket_sed_decision(benchmark: Any) -> None:
    venv, obs = _batch_at_midday()
    sed = make_policy("sed", venv.obs_layout)
    masks = venv.action_masks()
    measure(benchmark, "ticket/sed-decision", lambda: sed(obs, masks), N)


def test_gate_ticket_planner_cost() -> None:
    # A planned decision runs ~5 candidates x 16 samples of rollouts to the end
    # of the day (thousands of simulated decisions), so it costs some
    # thousands of sed decisions; the floor only catches a gross regression.
    gate("ticket planner (K=16) decision vs sed decision (inverse cost)", "ticket/planner-k16-decision",
         "ticket/sed-decision", floor=1e-5)  # fmt: skip
