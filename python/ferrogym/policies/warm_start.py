"""Warm start for MaskablePPO on TicketRouting: imitate a dispatch heuristic
before reinforcement learning.

PPO's early updates on this env mostly relearn what shortest-expected-delay
already knows. :func:`imitate` runs a heuristic on training seeds, fits the
policy's logits to its choices (masked cross-entropy) and its value head to
the discounted returns it obtained, so that PPO starts from the heuristic and
spends its steps on improving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch as th
from numpy.typing import NDArray

from ferrogym.evaluation import DispatchPolicy, make_batch


@dataclass
class Demonstrations:
    """A policy's decisions: observations, masks, actions and each decision's discounted return-to-go."""

    obs: NDArray[np.float32]
    masks: NDArray[np.bool_]
    actions: NDArray[np.int64]
    returns: NDArray[np.float32]


def demonstrations(
    policy: DispatchPolicy, env: str, seeds: list[int], gamma: float, **env_kwargs: Any
) -> Demonstrations:
    """One episode of ``policy`` per seed (one batched run): every decision
    and its discounted return-to-go (truncation at the horizon is the episode
    end, as the terminal backlog charge makes it)."""
    venv = make_batch(env, len(seeds), **env_kwargs)
    try:
        obs, _ = venv.reset(seed=list[int | None](seeds))
        policy.reset(len(seeds), seed=seeds[0])
        n = len(seeds)
        live = np.ones(n, dtype=np.bool_)
        steps: list[tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]] = []
        while live.any():
            masks = venv.action_masks()
            actions = np.asarray(policy(obs, masks), dtype=np.int64)
            nxt, rewards, terminated, truncated, _ = venv.step(actions)
            steps.append((obs, masks, actions, np.asarray(rewards, dtype=np.float64), live.copy()))
            live &= ~(terminated | truncated)
            obs = nxt
    finally:
        venv.close()
    ret = np.zeros(n)
    returns = []
    for _, _, _, r, alive in reversed(steps):
        ret = np.where(alive, r + gamma * ret, 0.0)
        returns.append(ret.copy())
    returns.reverse()
    keep = [s[4] for s in steps]
    return Demonstrations(
        obs=np.concatenate([s[0][k] for s, k in zip(steps, keep, strict=True)]).astype(np.float32),
        masks=np.concatenate([s[1][k] for s, k in zip(steps, keep, strict=True)]),
        actions=np.concatenate([s[2][k] for s, k in zip(steps, keep, strict=True)]),
        returns=np.concatenate([r[k] for r, k in zip(returns, keep, strict=True)]).astype(np.float32),
    )


def imitate(
    model: Any, demos: Demonstrations, epochs: int = 20, batch_size: int = 256, lr: float = 1e-3, seed: int = 0
) -> dict[str, float]:
    """Fits ``model.policy`` (a MaskablePPO policy) to ``demos``: masked
    cross-entropy on the actions plus mean squared error of the value on the
    returns. Returns the final action accuracy and value loss."""
    policy = model.policy
    obs = th.as_tensor(demos.obs)
    masks = th.as_tensor(demos.masks)
    actions = th.as_tensor(demos.actions)
    returns = th.as_tensor(demos.returns)
    optimizer = th.optim.Adam(policy.parameters(), lr=lr)
    gen = th.Generator().manual_seed(seed)
    n = len(obs)
    policy.set_training_mode(True)
    for _ in range(epochs):
        order = th.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            features = policy.extract_features(obs[idx])
            latent_pi, latent_vf = policy.mlp_extractor(features)
            logits = policy.action_net(latent_pi).masked_fill(~masks[idx], -1e8)
            values = policy.value_net(latent_vf).squeeze(-1)
            loss = th.nn.functional.cross_entropy(logits, actions[idx])
            loss = loss + th.nn.functional.mse_loss(values, returns[idx])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]  # torch's stubs leave it untyped
            optimizer.step()
    policy.set_training_mode(False)
    correct, squared = 0.0, 0.0
    with th.no_grad():
        # Minibatch by minibatch: on a million decisions one pass at once
        # holds every row's activations (gigabytes).
        for start in range(0, n, batch_size):
            part = slice(start, start + batch_size)
            features = policy.extract_features(obs[part])
            latent_pi, latent_vf = policy.mlp_extractor(features)
            logits = policy.action_net(latent_pi).masked_fill(~masks[part], -1e8)
            correct += float((logits.argmax(-1) == actions[part]).sum())
            squared += float(((policy.value_net(latent_vf).squeeze(-1) - returns[part]) ** 2).sum())
    return {"accuracy": correct / n, "value_mse": squared / n, "samples": float(n)}
