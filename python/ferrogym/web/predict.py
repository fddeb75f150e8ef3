"""What a saved model would do for one observation: its chosen action and,
for a discrete action space, the probability it gives each action (policy
gradient models) or each action's Q-value (DQN)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def action_scores(model: Any, obs: NDArray[np.float32], mask: NDArray[np.bool_] | None) -> dict[str, list[float]]:
    """``{"probabilities": [...]}`` or ``{"q_values": [...]}``; empty for continuous actions."""
    import torch

    if not hasattr(model.action_space, "n"):
        return {}
    tensor, _ = model.policy.obs_to_tensor(obs)
    with torch.no_grad():
        if hasattr(model, "q_net"):  # DQN
            return {"q_values": model.q_net(tensor)[0].cpu().numpy().astype(float).tolist()}
        if mask is not None and "Maskable" in type(model).__name__:
            dist = model.policy.get_distribution(tensor, action_masks=mask[None, :])
        else:
            dist = model.policy.get_distribution(tensor)
        probs = dist.distribution.probs[0].cpu().numpy().astype(float)
    if mask is not None:
        # Masked actions are never played (the env refuses them): show them at 0.
        probs = np.where(mask, probs, 0.0)
        total = probs.sum()
        probs = probs / total if total > 0 else probs
    return {"probabilities": probs.tolist()}


def predict(policy: Any, obs: NDArray[np.float32], mask: NDArray[np.bool_] | None) -> dict[str, Any]:
    """``policy``: a :class:`ferrogym.training.ModelPolicy`."""
    model = policy.model
    action = policy(obs, mask)
    if mask is not None and np.ndim(action) == 0 and not mask[int(action)]:
        # A model trained without masking may still pick a masked action: say so.
        return {"action": action, "masked_choice": True, **action_scores(model, obs, mask)}
    return {"action": action, "masked_choice": False, **action_scores(model, obs, mask)}
