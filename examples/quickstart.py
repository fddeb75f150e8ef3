"""ferrogym in one file: a Gymnasium env, a Rust batch, SB3 training, a speed check.

Run: python examples/quickstart.py   (needs the sb3 extra)
"""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np

import ferrogym  # noqa: F401  (registers the ferrogym/ ids)
from ferrogym.integrations.sb3 import make_vec_env


def steps_per_second(env_id: str, seconds: float = 1.0) -> float:
    env = gym.make(env_id)
    env.reset(seed=0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            _, _, terminated, truncated, _ = env.step(steps % 2)
            steps += 1
            if terminated or truncated:
                env.reset()
    return steps / (time.perf_counter() - start)


def main() -> None:
    import torch
    from stable_baselines3 import PPO

    torch.set_num_threads(1)
    print("Training PPO on ferrogym/GridWorld-v0 (open room), 8 sub-envs stepped in Rust ...")
    venv = make_vec_env("ferrogym/GridWorld-v0", n_envs=8, seed=0)
    model = PPO("MlpPolicy", venv, n_steps=128, batch_size=256, learning_rate=3e-3, ent_coef=0.01, seed=0)
    model.learn(15_000)

    env = gym.make("ferrogym/GridWorld-v0", render_mode="ansi")
    successes, lengths = 0, []
    for episode in range(100):
        obs, _ = env.reset(seed=10_000 + episode)
        for t in range(1, 101):
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(int(action))
            if terminated or truncated:
                successes += int(terminated and reward > 0)
                lengths.append(t)
                break
    print(f"Success over 100 held-out episodes: {successes}%, mean length {np.mean(lengths):.1f} (optimal 8)")
    print(env.render())

    ours = steps_per_second("ferrogym/CartPole-v1")
    theirs = steps_per_second("CartPole-v1")
    print(
        f"CartPole via gym.make: ferrogym {ours:,.0f} steps/s, Gymnasium {theirs:,.0f} steps/s ({ours / theirs:.1f}x)"
    )


if __name__ == "__main__":
    main()
