"""Saved models: list, evaluate beside the heuristics, predict an action."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Path

from ferrogym.web.context import MODEL_NAME, Context, ctx
from ferrogym.web.evaluation import evaluate, model_policy
from ferrogym.web.jsonable import jsonable
from ferrogym.web.schemas import Evaluate, Evaluation, ModelInfo, Predict, Prediction

router = APIRouter(prefix="/api/models", tags=["models"])
Ctx = Annotated[Context, Depends(ctx)]
Name = Annotated[str, Path(pattern=MODEL_NAME)]


@router.get("")
def models(c: Ctx) -> list[ModelInfo]:
    return [ModelInfo(**m) for m in c.list_models()]


@router.post("/{name}/evaluate")
def evaluate_model(name: Name, body: Evaluate, c: Ctx) -> Evaluation:
    cap = c.settings.limits.max_eval_episodes
    if body.episodes > cap:
        raise ValueError(f"episodes {body.episodes} is above the cap of {cap}")
    meta = c.model_meta(name)
    config = meta["config"] if body.config is None else body.config
    result = evaluate(meta["env_id"], config, c.load_model(name), name, body.heuristics, body.episodes, body.seed)
    return Evaluation(**jsonable(result))


@router.post("/{name}/predict")
def predict(name: Name, body: Predict, c: Ctx) -> Prediction:
    model = c.load_model(name)
    space = model.observation_space
    obs = np.asarray(body.observation, dtype=np.float32)
    if obs.shape != space.shape:
        raise ValueError(f"observation has shape {obs.shape}; model {name!r} expects {space.shape}")
    if not np.isfinite(obs).all():
        raise ValueError("observation has NaN or infinite entries")
    mask = None
    if body.action_mask is not None:
        n = getattr(model.action_space, "n", None)
        if n is None or len(body.action_mask) != n:
            raise ValueError(f"action_mask has {len(body.action_mask)} entries; model {name!r} has {n} actions")
        if not any(body.action_mask):
            raise ValueError("action_mask allows no action")
        mask = np.asarray(body.action_mask, dtype=bool)
    action: Any = model_policy(model, mask is not None)(obs, mask)
    return Prediction(action=jsonable(action))
