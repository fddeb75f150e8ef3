"""Evaluate a saved model beside heuristics: the same seeds for every policy
(TicketRouting draws arrivals from their own streams, so each policy sees the
same tickets per seed), KPIs per episode, mean and 95% t interval over seeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

import gymnasium as gym

from ferrogym.web.adapters import kpi, policies
from ferrogym.web.env_factory import action_mask, has_mask, make_env
from ferrogym.web.jsonable import jsonable

#: Steps one evaluation episode may take before it is cut (guards endless envs).
MAX_EPISODE_STEPS = 100_000


def _resolved_config(env: gym.Env[Any, Any]) -> dict[str, Any] | None:
    config = getattr(env.unwrapped, "config", None)
    return asdict(config) if is_dataclass(config) and not isinstance(config, type) else None


def run_episode(env: gym.Env[Any, Any], policy: policies.PolicyFn, seed: int) -> dict[str, float]:
    """Runs ``policy`` for one episode from ``reset(seed=seed)``; returns the episode's KPIs (``ferrogym.kpi``)."""
    obs, _ = env.reset(seed=seed)
    policies.start_episode(policy)
    masked = has_mask(env)
    components: dict[str, float] = {}
    total, steps, done = 0.0, 0, False
    while not done and steps < MAX_EPISODE_STEPS:
        obs, reward, terminated, truncated, info = env.step(policy(obs, action_mask(env) if masked else None))
        total += float(reward)
        steps += 1
        done = bool(terminated or truncated)
        for k, v in info.get("reward_components", {}).items():
            components[k] = components.get(k, 0.0) + float(v)
    log_fn = getattr(env.unwrapped, "episode_log", None)
    log = log_fn() if log_fn is not None else None
    return kpi.episode_kpis(log, components, total, steps, _resolved_config(env))


def evaluate(
    env_id: str,
    config: dict[str, Any],
    load_model: Callable[[], policies.PolicyFn],
    model_name: str,
    heuristics: list[str] | None,
    episodes: int,
    seed: int,
    max_episode_steps: int,
) -> dict[str, Any]:
    """``load_model`` is called once the env has accepted ``config``: a refused
    config costs no model load."""
    env = make_env(env_id, config, render=False, max_episode_steps=max_episode_steps)
    try:
        model = load_model()
        env.reset(seed=seed)
        available = policies.heuristic_names(env)
        chosen = available if heuristics is None else heuristics
        unknown = [h for h in chosen if h not in available]
        if unknown:
            raise ValueError(f"unknown heuristics {unknown} for {env_id}; expected some of {available}")
        runs: list[tuple[str, str, policies.PolicyFn]] = [("model", model_name, model)]
        runs += [("heuristic", h, policies.make_policy(h, env, seed=seed)) for h in chosen]
        results = []
        for kind, name, policy in runs:
            per_seed = [run_episode(env, policy, seed + i) for i in range(episodes)]
            results.append({"policy": name, "kind": kind, "kpis": kpi.summarize(per_seed)})
    finally:
        env.close()
    # NaN KPIs (nothing to measure, e.g. no critical ticket) become null.
    report: dict[str, Any] = jsonable(
        {"env_id": env_id, "episodes": episodes, "seed": seed, "kpi_source": kpi.source(), "results": results}
    )
    return report
