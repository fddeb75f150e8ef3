"""Saved models: list, evaluate beside the heuristics, predict an action."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Path

from ferrogym.web.adapters import transcript
from ferrogym.web.context import MODEL_NAME, Context, ctx
from ferrogym.web.env_factory import action_mask, has_mask, make_env
from ferrogym.web.evaluation import evaluate
from ferrogym.web.jsonable import jsonable
from ferrogym.web.predict import predict as predict_action
from ferrogym.web.schemas import Evaluate, Evaluation, ModelInfo, Predict, Prediction

router = APIRouter(prefix="/api/models", tags=["models"])
Ctx = Annotated[Context, Depends(ctx)]
Name = Annotated[str, Path(pattern=MODEL_NAME)]


@router.get("")
def models(c: Ctx) -> list[ModelInfo]:
    """Lists the saved models."""
    return [ModelInfo(**m) for m in c.list_models()]


@router.post("/{name}/evaluate")
def evaluate_model(name: Name, body: Evaluate, c: Ctx) -> Evaluation:
    """Evaluates a saved model beside the env's heuristics on the same seeds; returns KPI intervals."""
    cap = c.settings.limits.max_eval_episodes
    if body.episodes > cap:
        raise ValueError(f"episodes {body.episodes} is above the cap of {cap}")
    meta = c.model_meta(name)
    config = meta["config"] if body.config is None else body.config
    limits = c.settings.limits
    result = evaluate(
        meta["env_id"],
        config,
        lambda: c.load_policy(name),
        name,
        body.heuristics,
        body.episodes,
        body.seed,
        limits.max_episode_steps,
    )
    return Evaluation(**jsonable(result))


@router.post("/{name}/predict")
def predict(name: Name, body: Predict, c: Ctx) -> Prediction:
    """Returns a model's action for one observation, with its probabilities or Q-values.

    Give exactly one of ``observation`` and ``session`` (the session's current observation and mask).
    """
    if (body.observation is None) == (body.session is None):
        raise ValueError("give exactly one of 'observation' and 'session'")
    policy = c.load_policy(name)
    model = policy.model
    labels = None
    raw_mask = body.action_mask
    if body.session is not None:
        if body.action_mask is not None:
            raise ValueError("'action_mask' comes from the session; do not give it too")
        session = c.sessions.get(body.session)
        with session.lock:
            raw_obs = np.asarray(session.obs, dtype=np.float32).ravel().tolist()
            mask_now = action_mask(session.env)
            raw_mask = mask_now.tolist() if mask_now is not None and has_mask(session.env) else None
            labels = transcript.action_labels(session.env)
            where = f"session {body.session!r} ({session.env_id})"
    else:
        assert body.observation is not None
        raw_obs, where = body.observation, "observation"
    space = model.observation_space
    obs = np.asarray(raw_obs, dtype=np.float32)
    if obs.shape != space.shape:
        raise ValueError(f"{where} has shape {obs.shape}; model {name!r} expects {space.shape}")
    if not np.isfinite(obs).all():
        raise ValueError(f"{where} has NaN or infinite entries")
    mask = None
    if raw_mask is not None:
        n = getattr(model.action_space, "n", None)
        if n is None or len(raw_mask) != n:
            raise ValueError(f"action_mask has {len(raw_mask)} entries; model {name!r} has {n} actions")
        if not any(raw_mask):
            raise ValueError("action_mask allows no action")
        mask = np.asarray(raw_mask, dtype=bool)
    if labels is None:
        labels = _labels(c.model_meta(name))
    result = predict_action(policy, obs, mask)
    return Prediction(
        **jsonable(result),
        action_labels=labels,
        observation=obs.astype(float).tolist(),
        action_mask=None if mask is None else mask.tolist(),
    )


def _labels(meta: dict[str, Any]) -> list[str] | None:
    """The action names of a model's env, when it has them."""
    try:
        env = make_env(meta["env_id"], meta["config"], render=False)
    except (LookupError, ValueError, TypeError):
        return None
    try:
        return transcript.action_labels(env)
    finally:
        env.close()
