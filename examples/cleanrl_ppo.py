"""CleanRL's single-file PPO (ppo.py), ported to Gymnasium 1.x, on a ferrogym Rust batch.

Differences from CleanRL's original: ``gym.make_vec(..., vectorization_mode="vector_entry_point")``
gives the Rust batch; Gymnasium 1.x autoresets on the NEXT step, so the
transition that starts a new episode is masked out of the loss (its action
was ignored by the env); episode stats come from the vector
``RecordEpisodeStatistics`` wrapper's ``infos["episode"]``. Masked envs
(TicketRouting, ConnectFour) get ``invalid_action="fallback"``: this loop samples without masks.
Observations that are not flat vectors (Tuple, or ConnectFour's (2, 6, 7) planes)
go through Gymnasium's vector ``FlattenObservation``: the agent is an MLP.

    python examples/cleanrl_ppo.py --env-id ferrogym/CartPole-v1 --total-timesteps 50000
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical

import ferrogym
from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs


@dataclasses.dataclass
class Args:
    env_id: str = "ferrogym/CartPole-v1"
    seed: int = 1
    num_envs: int = 8
    num_steps: int = 128
    total_timesteps: int = 50_000
    learning_rate: float = 2.5e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    update_epochs: int = 4
    num_minibatches: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5


class Agent(nn.Module):
    def __init__(self, n_obs: int, n_actions: int) -> None:
        super().__init__()
        self.critic = nn.Sequential(nn.Linear(n_obs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
        self.actor = nn.Sequential(
            nn.Linear(n_obs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, n_actions)
        )

    def value(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(x)  # type: ignore[no-any-return]

    def act(self, x: torch.Tensor, action: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        dist = Categorical(logits=self.actor(x))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.critic(x)


def train(args: Args) -> dict[str, Any]:
    assert ferrogym.ENVS  # registers the ids
    torch.manual_seed(args.seed)
    envs = gym.make_vec(
        args.env_id, num_envs=args.num_envs, vectorization_mode="vector_entry_point", **blind_kwargs(args.env_id, {})
    )
    if not isinstance(envs.single_action_space, gym.spaces.Discrete):
        raise UnsupportedSpace(
            f"{args.env_id}: this PPO (CleanRL's ppo.py) samples Discrete actions, not {envs.single_action_space}; "
            "CleanRL's ppo_continuous_action.py is the Box-action variant"
        )
    obs_space = envs.single_observation_space
    if not (isinstance(obs_space, gym.spaces.Box) and len(obs_space.shape) == 1):
        # The MLP takes flat vectors: Blackjack's Tuple one-hot (as for SB3), ConnectFour's planes reshaped.
        envs = gym.wrappers.vector.FlattenObservation(envs)
    envs = gym.wrappers.vector.RecordEpisodeStatistics(envs)
    n_obs = int(np.prod(envs.single_observation_space.shape))  # type: ignore[arg-type]
    agent = Agent(n_obs, int(envs.single_action_space.n))  # type: ignore[attr-defined]
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
    batch_size = args.num_envs * args.num_steps
    minibatch = batch_size // args.num_minibatches
    shape = (args.num_steps, args.num_envs)
    obs_b = torch.zeros((*shape, n_obs))
    act_b, logp_b, rew_b, done_b, val_b = (torch.zeros(shape) for _ in range(5))
    valid_b = torch.ones(shape)  # 0 for the autoreset step of NEXT_STEP mode
    obs_np, _ = envs.reset(seed=args.seed)
    next_obs = torch.as_tensor(obs_np, dtype=torch.float32)
    next_done = torch.zeros(args.num_envs)
    global_step, returns, loss = 0, [], torch.tensor(float("nan"))
    for _ in range(max(1, args.total_timesteps // batch_size)):
        for t in range(args.num_steps):
            global_step += args.num_envs
            obs_b[t], valid_b[t] = next_obs, 1.0 - next_done
            with torch.no_grad():
                action, logp, _, value = agent.act(next_obs)
            act_b[t], logp_b[t], val_b[t] = action, logp, value.flatten()
            obs_np, reward, term, trunc, infos = envs.step(action.numpy())
            rew_b[t] = torch.as_tensor(reward, dtype=torch.float32)
            next_done = torch.as_tensor(np.logical_or(term, trunc), dtype=torch.float32)
            done_b[t] = torch.as_tensor(term, dtype=torch.float32)
            next_obs = torch.as_tensor(obs_np, dtype=torch.float32)
            if "episode" in infos:
                returns += list(infos["episode"]["r"][infos["_episode"]])
        with torch.no_grad():
            adv = torch.zeros(shape)
            last = torch.zeros(args.num_envs)
            next_value = agent.value(next_obs).flatten()
            for t in reversed(range(args.num_steps)):
                nv = next_value if t == args.num_steps - 1 else val_b[t + 1]
                # An episode ending at t (terminated) does not bootstrap; the
                # next row is then an autoreset step, masked out below.
                nonterminal = 1.0 - done_b[t]
                cont = valid_b[t + 1] if t + 1 < args.num_steps else 1.0 - next_done
                delta = rew_b[t] + args.gamma * nv * nonterminal - val_b[t]
                last = delta + args.gamma * args.gae_lambda * nonterminal * cont * last
                adv[t] = last
            ret = adv + val_b
        b = {
            k: v.reshape(batch_size, *v.shape[2:])
            for k, v in dict(obs=obs_b, act=act_b, logp=logp_b, adv=adv, ret=ret, valid=valid_b).items()
        }
        for _ in range(args.update_epochs):
            for idx in torch.randperm(batch_size).split(minibatch):
                _, new_logp, entropy, new_v = agent.act(b["obs"][idx], b["act"][idx].long())
                ratio = (new_logp - b["logp"][idx]).exp()
                a = b["adv"][idx]
                a = (a - a.mean()) / (a.std() + 1e-8)
                w = b["valid"][idx]
                pg = torch.max(-a * ratio, -a * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef))
                v_loss = 0.5 * (new_v.flatten() - b["ret"][idx]) ** 2
                per = pg + args.vf_coef * v_loss - args.ent_coef * entropy
                loss = (per * w).sum() / w.sum().clamp(min=1.0)
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()
    envs.close()
    return {"global_step": global_step, "loss": loss.item(), "episode_returns": [float(r) for r in returns]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for f in dataclasses.fields(Args):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    stats = train(Args(**vars(parser.parse_args())))
    r = stats["episode_returns"]
    print(f"{stats['global_step']} steps, {len(r)} episodes, mean return of the last 20: {np.mean(r[-20:]):.2f}")


if __name__ == "__main__":
    main()
