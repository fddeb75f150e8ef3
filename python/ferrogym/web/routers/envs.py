"""Environments: the registry, and live sessions stepped by hand or by a policy."""

from __future__ import annotations

from typing import Annotated, Any

import gymnasium as gym
from fastapi import APIRouter, Depends, Request

from ferrogym.envs.catalogue import describe_env, env_ids
from ferrogym.web.adapters.scenarios import scenarios
from ferrogym.web.context import Context, client_of, ctx
from ferrogym.web.env_factory import has_mask, make_env
from ferrogym.web.schemas import CreateEnv, EnvInfo, EnvState, ResetEnv, RunEnv, StepEnv

router = APIRouter(prefix="/api/envs", tags=["environments"])
Ctx = Annotated[Context, Depends(ctx)]


def env_info(env_id: str) -> EnvInfo:
    """Returns a registered env's spaces, backend, step limit and scenarios."""
    row = describe_env(env_id)
    env = make_env(env_id, {}, render=False)
    try:
        masked = has_mask(env) if _resettable(env) else False
    finally:
        env.close()
    return EnvInfo(
        id=env_id,
        backend=row["backend"],
        batched=row["batched"],
        observation_space=row["observation_space"],
        action_space=row["action_space"],
        max_episode_steps=row["max_episode_steps"],
        masked=masked,
        scenarios=[s.config["scenario"] for s in scenarios() if s.env_id == env_id],
    )


def _resettable(env: gym.Env[Any, Any]) -> bool:
    env.reset(seed=0)
    return True


@router.get("/registry")
def registry() -> list[EnvInfo]:
    """Lists every registered env with its spaces and scenarios."""
    return [env_info(i) for i in env_ids()]


@router.post("", status_code=201)
def create(body: CreateEnv, c: Ctx, request: Request) -> EnvState:
    """Opens an env session (capped per client) and resets it with the given seed."""
    return EnvState(**c.sessions.create(body.env_id, body.config, body.seed, client_of(request)).view())


@router.get("")
def sessions(c: Ctx) -> list[EnvState]:
    """Lists the open env sessions."""
    return [EnvState(**s.view()) for s in list(c.sessions.sessions.values())]


@router.get("/{session}")
def state(session: str, c: Ctx) -> EnvState:
    """Returns a session's current state and frame."""
    return EnvState(**c.sessions.get(session).view())


@router.post("/{session}/reset")
def reset(session: str, body: ResetEnv, c: Ctx) -> EnvState:
    """Resets a session's env, with the given seed."""
    s = c.sessions.get(session)
    with s.lock:
        s.reset(body.seed)
        return EnvState(**s.view())


@router.post("/{session}/step")
def step(session: str, body: StepEnv, c: Ctx) -> EnvState:
    """Steps a session's env with either an action or a named policy (exactly one)."""
    if (body.action is None) == (body.policy is None):
        raise ValueError("give exactly one of 'action' and 'policy'")
    s = c.sessions.get(session)
    with s.lock:
        if body.policy is not None:
            s.act_with(body.policy)
        else:
            s.act_from_client(body.action)
        return EnvState(**s.view())


@router.post("/{session}/run")
def run(session: str, body: RunEnv, c: Ctx) -> EnvState:
    """Steps with ``policy`` until the episode ends or ``max_steps`` (capped)."""
    cap = c.settings.limits.max_run_steps
    if body.max_steps > cap:
        raise ValueError(f"max_steps {body.max_steps} is above the cap of {cap}")
    s = c.sessions.get(session)
    with s.lock:
        for _ in range(body.max_steps):
            if s.done:
                break
            s.act_with(body.policy)
        return EnvState(**s.view())


@router.delete("/{session}", status_code=204)
def close(session: str, c: Ctx) -> None:
    """Closes a session and its env."""
    c.sessions.close(session)
