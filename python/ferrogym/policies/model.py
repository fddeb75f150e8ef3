"""Trained Stable-Baselines3 models behind the dispatch-policy interface.

``ferrogym train`` saves ``model.zip`` beside ``meta.json`` (algorithm, env,
the env arguments it was trained with); :func:`load_model_policy` reads both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ferrogym.policies.base import BoolArray, FloatArray, IntArray

#: Algorithm name -> (module, class); MaskablePPO takes the action masks.
ALGOS: dict[str, tuple[str, str]] = {
    "maskable-ppo": ("sb3_contrib", "MaskablePPO"),
    "ppo": ("stable_baselines3", "PPO"),
    "a2c": ("stable_baselines3", "A2C"),
    "dqn": ("stable_baselines3", "DQN"),
}
MASKED_ALGOS = frozenset({"maskable-ppo"})
META_FILE = "meta.json"
MODEL_FILE = "model.zip"


def algo_class(algo: str) -> Any:
    """The SB3 class of ``algo``; a clear message when the ``sb3`` extra is missing."""
    if algo not in ALGOS:
        raise ValueError(f"unknown algorithm {algo!r}; expected one of {list(ALGOS)}")
    module, cls = ALGOS[algo]
    from ferrogym.extras import require

    return getattr(require(module, "sb3", algo), cls)


class ModelPolicy:
    """An SB3 model as ``policy(obs, mask) -> action`` (deterministic actions).

    Models of algorithms without masking may pick unavailable engineers: run
    them on an env with ``invalid_action="fallback"`` (:attr:`env_overrides`).
    """

    def __init__(self, model: Any, algo: str, name: str) -> None:
        self.model = model
        self.algo = algo
        self.name = name
        self.masked = algo in MASKED_ALGOS
        self.env_overrides: dict[str, Any] = {} if self.masked else {"invalid_action": "fallback"}

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Stateless: nothing to clear."""

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        if self.masked:
            actions, _ = self.model.predict(obs, action_masks=mask, deterministic=True)
        else:
            actions, _ = self.model.predict(obs, deterministic=True)
        return np.asarray(actions, dtype=np.int64).reshape(obs.shape[0])

    def __call__(self, obs: FloatArray, mask: BoolArray) -> int | IntArray:
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim == 1:
            return int(self.act(obs[None, :], np.asarray(mask)[None, :])[0])
        return self.act(obs, np.asarray(mask))


def read_meta(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The model file and its metadata for a run directory or a ``.zip`` path."""
    p = Path(path)
    model = p / MODEL_FILE if p.is_dir() else p
    if not model.exists():
        raise FileNotFoundError(f"no model at {model} (expected a directory from `ferrogym train` or a .zip)")
    meta_path = model.parent / META_FILE
    meta: dict[str, Any] = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return model, meta


def load_model_policy(path: str | Path, algo: str | None = None) -> ModelPolicy:
    """Loads a saved model; ``algo`` defaults to the one in ``meta.json`` (else MaskablePPO)."""
    model_path, meta = read_meta(path)
    algo = algo or str(meta.get("algo", "maskable-ppo"))
    model = algo_class(algo).load(str(model_path), device="cpu")
    return ModelPolicy(
        model, algo, name=f"{algo}:{model_path.parent.name if model_path.name == MODEL_FILE else model_path.stem}"
    )
