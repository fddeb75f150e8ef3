"""Scenarios: run a named scenario with a chosen policy, step by step (the
returned session is stepped through /api/envs) or to the end."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ferrogym.web.adapters import policies
from ferrogym.web.adapters import scenarios as scenario_table
from ferrogym.web.context import Context, client_of, ctx
from ferrogym.web.env_factory import make_env
from ferrogym.web.exceptions import NotFound
from ferrogym.web.schemas import EnvState, RunScenario, ScenarioInfo

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])
Ctx = Annotated[Context, Depends(ctx)]


@functools.cache
def _policy_names(env_id: str) -> tuple[str, ...]:
    env = make_env(env_id, {}, render=False)
    try:
        return tuple(policies.policy_names(env))
    finally:
        env.close()


@router.get("")
def scenarios() -> list[ScenarioInfo]:
    """Lists the ready-made scenarios and the policies that can run them."""
    return [ScenarioInfo(**asdict(s), policies=list(_policy_names(s.env_id))) for s in scenario_table.scenarios()]


@router.post("/{name}/run", status_code=201)
def run(name: str, body: RunScenario, c: Ctx, request: Request) -> EnvState:
    """Opens a session on a scenario and takes its first step with the given policy."""
    scenario = scenario_table.get(name)
    if scenario is None:
        raise NotFound(f"no scenario {name!r}; expected one of {[s.name for s in scenario_table.scenarios()]}")
    session = c.sessions.create(scenario.env_id, dict(scenario.config), body.seed, client_of(request))
    with session.lock:
        try:
            session.act_with(body.policy)  # validates the policy name and takes the first step
        except Exception:
            c.sessions.close(session.id)
            raise
        steps = 1
        while body.to_end and not session.done and steps < c.settings.limits.max_run_steps:
            session.act_with(body.policy)
            steps += 1
        return EnvState(**session.view())
