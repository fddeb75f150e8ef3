"""A saved model behind the one policy call, ``policy(obs, mask) -> action``
(:class:`ferrogym.evaluation.DispatchPolicy`): a single observation gives an
``int`` (or the action of a continuous space), a batch ``obs[N]`` gives
``actions[N]``; ``mask`` may be ``None`` for an env without action masks.
``ferrogym evaluate``, the dashboard and library users all wrap models with
:func:`load_policy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ferrogym.training.algorithms import ALGORITHMS
from ferrogym.training.model_files import MODEL_FILE, load_model


class ModelPolicy:
    """An SB3 model as ``policy(obs, mask) -> action`` (deterministic actions).

    Models of algorithms without masking may pick unavailable engineers: run
    them on an env with ``invalid_action="fallback"`` (:attr:`env_overrides`).
    """

    def __init__(self, model: Any, algo: str, name: str) -> None:
        self.model = model
        self.algo = algo
        self.name = name
        self.masked = ALGORITHMS[algo].masked
        self.env_overrides: dict[str, Any] = {} if self.masked else {"invalid_action": "fallback"}

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Stateless: nothing to clear."""

    def act(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> NDArray[Any]:
        """Actions for a batch ``obs`` (N, ...)."""
        if self.masked and mask is not None:
            actions, _ = self.model.predict(obs, action_masks=mask, deterministic=True)
        else:
            actions, _ = self.model.predict(obs, deterministic=True)
        out = np.asarray(actions)
        return out.astype(np.int64) if np.issubdtype(out.dtype, np.integer) else out

    def __call__(self, obs: Any, mask: Any = None) -> Any:
        """Returns one action for one observation, or an array of actions for a batch; ``mask`` restricts the choice."""
        obs = np.asarray(obs, dtype=np.float32)
        single = obs.shape == self.model.observation_space.shape
        if single:
            batch_mask = None if mask is None else np.asarray(mask, dtype=np.bool_)[None, :]
            action = self.act(obs[None], batch_mask)[0]
            return int(action) if np.ndim(action) == 0 else action
        return self.act(obs, None if mask is None else np.asarray(mask, dtype=np.bool_))


def load_policy(path: str | Path, name: str | None = None) -> ModelPolicy:
    """The model saved at ``path`` (a run directory or its ``model.zip``) as a
    policy named ``name`` (default ``ALGO:RUN``). A missing, corrupt or
    foreign file raises :class:`~ferrogym.errors.ModelFileError` naming it."""
    model, meta = load_model(path)
    p = Path(path)
    run = p.name if p.is_dir() else (p.parent.name if p.name == MODEL_FILE else p.stem)
    return ModelPolicy(model, meta["algo"], name=name or f"{meta['algo']}:{run}")
