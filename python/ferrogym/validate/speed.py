"""Speed figures: environment steps per second, one env and batched. These
are measurements to print beside a peer, never thresholds to assert."""

from __future__ import annotations

import time

import numpy as np

from ferrogym.validate.rollout import ActionSampler, batch_masks, close_quietly, valid_batch_actions
from ferrogym.validate.target import Target

_CHUNK = 256


def single_steps_per_second(t: Target, seed: int, seconds: float) -> float:
    """Steps/s of the unwrapped env with pre-drawn random actions, resets included."""
    env = t.make_raw()
    try:
        env.reset(seed=seed)
        sample = ActionSampler(env, seed)
        actions = [sample() for _ in range(_CHUNK)]
        steps = 0
        start = time.perf_counter()
        while True:
            for a in actions:
                if sample.masks is not None:
                    a = sample.fix(a)
                _, _, terminated, truncated, _ = env.step(a)
                if terminated or truncated:
                    env.reset()
            steps += len(actions)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return steps / elapsed
    finally:
        close_quietly(env)


def batched_steps_per_second(t: Target, num_envs: int, seed: int, seconds: float, *, sync: bool = False) -> float:
    """Env-steps/s of ``num_envs`` envs stepped together (native batch, or
    Gymnasium's SyncVectorEnv as the peer with ``sync=True``)."""
    envs = t.make_sync_vec(num_envs) if sync else t.make_vec(num_envs)
    try:
        envs.reset(seed=seed)
        envs.action_space.seed(seed)
        actions = [np.asarray(envs.action_space.sample()) for _ in range(16)]
        masked = batch_masks(envs) is not None
        calls = 0
        start = time.perf_counter()
        while True:
            for a in actions:
                envs.step(valid_batch_actions(envs, a) if masked else a)
            calls += len(actions)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return calls * num_envs / elapsed
    finally:
        close_quietly(envs)
