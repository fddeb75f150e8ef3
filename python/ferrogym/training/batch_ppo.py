"""Large-batch masked PPO over the Rust batch: hundreds of sub-envs stepped in
one call, tens of thousands of decisions per update, minibatches of thousands.

Why our own loop and not Stable-Baselines3's: SB3 (and sb3-contrib's
MaskablePPO) steps through a ``VecEnv`` and a ``RolloutBuffer`` whose costs are
per step and per sub-env in Python: per-env info dicts, episode bookkeeping,
callbacks, buffer copies, and a small default minibatch (64) so that the
optimiser runs thousands of tiny steps. With 512 sub-envs the Rust batch makes
a decision in well under a microsecond; SB3's overhead then decides the speed.
Here a rollout is one preallocated tensor per field, one batched forward per
step (no gradients) and one ``step`` call into Rust; the update is a few large
minibatches, so the optimiser (torch, on ``torch_threads`` threads) is the cost.

The network is SB3's own policy object (``MlpPolicy`` or the engineer scorer
of :mod:`ferrogym.policies.engineer_scorer`) inside a ``MaskablePPO`` model that
is never asked to learn: the trained model saves to the same ``model.zip`` as
any other ``ferrogym train`` run, loads with ``MaskablePPO.load``, and the warm
start (:mod:`ferrogym.policies.warm_start`) fits it as it fits MaskablePPO.

Episode ends (termination or the horizon's truncation) are not bootstrapped:
TicketRouting charges its open backlog at the horizon, which makes the
truncation the episode's real end (as the warm start also treats it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch as th
from gymnasium.vector import AutoresetMode
from numpy.typing import NDArray

from ferrogym.errors import ConfigError
from ferrogym.training.hyperparams import OwnLoopConfig


@dataclass(frozen=True)
class BatchPPOConfig(OwnLoopConfig):
    """Hyper-parameters of :class:`BatchPPO` (the defaults suit TicketRouting).

    One update consumes ``n_envs * n_steps`` decisions and runs ``epochs``
    passes over them in minibatches of ``batch_size``.
    """

    algorithm: ClassVar[str] = "batch-ppo"

    n_envs: int = 512
    n_steps: int = 64
    epochs: int = 4
    batch_size: int = 8192
    #: Few optimiser steps per decision (large minibatches): a larger rate than
    #: SB3's 3e-4, which barely moved the policy in 262k decisions on specialists.
    learning_rate: float = 1e-3
    #: Decay the learning rate linearly to this value over the run (None: constant).
    learning_rate_end: float | None = None
    #: The episode is about 60 decisions whose costs run for hours: a long horizon.
    gamma: float = 0.995
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.003
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    #: Rewards are multiplied by this before GAE and the value loss: TicketRouting's
    #: returns (tens) would otherwise make the value gradient swamp the policy's
    #: under the shared gradient-norm clip.
    reward_scale: float = 0.1
    #: Torch intra-op threads while training: two use both cores of a 2-core machine
    #: (measured: 1.5-1.7x one, docs/howto/performance.md), which pays unless another
    #: process holds a core.
    torch_threads: int = 2
    #: Hidden layers of the MLP policy (separate policy and value networks, as SB3's MlpPolicy).
    net_arch: list[int] = field(default_factory=lambda: [128, 128])
    #: Width of the engineer scorer's networks.
    scorer_hidden: int = 64

    def __post_init__(self) -> None:
        for name in ("n_envs", "n_steps", "epochs", "batch_size", "torch_threads", "scorer_hidden"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"batch-ppo: {name} must be a positive integer, got {value!r}")
        for name in ("learning_rate", "gamma", "gae_lambda", "clip_range", "max_grad_norm", "reward_scale"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"batch-ppo: {name} must be a positive number, got {value!r}")
        for name in ("gamma", "gae_lambda"):
            if getattr(self, name) > 1:
                raise ConfigError(f"batch-ppo: {name} must be at most 1, got {getattr(self, name)!r}")


@dataclass
class UpdateStats:
    """What one update reports (to a progress bar, TensorBoard or MLflow)."""

    timesteps: int
    updates: int
    seconds: float
    rollout_seconds: float
    learn_seconds: float
    policy_loss: float
    value_loss: float
    entropy: float
    approx_kl: float
    clip_fraction: float
    learning_rate: float
    #: Mean return of the episodes that ended during the rollout (NaN if none).
    episode_return: float
    episodes: int
    #: Mean per-episode sum of each reward component over those episodes.
    reward_components: dict[str, float]

    @property
    def decisions_per_second(self) -> float:
        """Decisions trained on per second of wall time."""
        return self.timesteps / max(self.seconds, 1e-9)


#: Called after every update; returning False stops training (a deadline, Ctrl-C, a stop button).
Callback = Callable[[UpdateStats], bool]


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Runs the block with ``n`` torch intra-op threads, then restores the previous count."""
    before = th.get_num_threads()
    th.set_num_threads(n)
    try:
        yield
    finally:
        th.set_num_threads(before)


def policy_outputs(policy: Any, obs: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
    """Logits (B, A) and values (B,) of an SB3 actor-critic policy, without its distribution objects."""
    features = policy.extract_features(obs)
    latent_pi, latent_vf = policy.mlp_extractor(features)
    logits: th.Tensor = policy.action_net(latent_pi)
    values: th.Tensor = policy.value_net(latent_vf).squeeze(-1)
    return logits, values


def masked_log_probs(logits: th.Tensor, masks: th.Tensor) -> th.Tensor:
    """Log-probabilities with masked actions at (numerically) zero probability."""
    return th.log_softmax(logits.masked_fill(~masks, -1e8), dim=-1)


class BatchPPO:
    """Masked PPO for ``model`` (an sb3-contrib ``MaskablePPO``, whose policy is
    trained in place) on ``n_envs`` sub-envs of ``env_id``'s Rust batch.

    >>> ppo = BatchPPO(model, "ferrogym/TicketRouting-v0", BatchPPOConfig(), seed=0)  # doctest: +SKIP
    >>> ppo.learn(1_000_000)                                                        # doctest: +SKIP
    """

    def __init__(self, model: Any, env_id: str, config: BatchPPOConfig, seed: int = 0, **env_kwargs: Any) -> None:
        self.model = model
        self.policy = model.policy
        self.config = config
        self.seed = seed
        self.venv: Any = gym.make_vec(
            env_id,
            num_envs=config.n_envs,
            vectorization_mode="vector_entry_point",
            autoreset_mode=AutoresetMode.SAME_STEP,
            **env_kwargs,
        )
        space = self.venv.single_action_space
        if not isinstance(space, gym.spaces.Discrete):
            self.venv.close()
            raise ConfigError(f"batch-ppo needs a Discrete action space; {env_id} has {space}")
        self.n_actions = int(space.n)
        self.obs_dim = int(np.prod(self.venv.single_observation_space.shape or ()))
        self.generator = th.Generator().manual_seed(seed)
        self._obs: NDArray[np.float32] | None = None
        self._returns = np.zeros(config.n_envs)
        self._components: dict[str, NDArray[np.float64]] = {}

    def close(self) -> None:
        """Closes the training batch."""
        self.venv.close()

    def _lr(self, done: int, total: int) -> float:
        start, end = self.config.learning_rate, self.config.learning_rate_end
        if end is None:
            return start
        return end + (start - end) * max(0.0, 1.0 - done / max(total, 1))

    def learn(self, total_timesteps: int, callback: Callback | None = None) -> int:
        """Trains for about ``total_timesteps`` decisions (whole updates; at least
        one), stopping early when ``callback`` returns False. Returns the
        decisions consumed; ``model.num_timesteps`` advances by as many."""
        cfg = self.config
        per_update = cfg.n_envs * cfg.n_steps
        updates = max(1, math.ceil(total_timesteps / per_update))
        start = time.perf_counter()
        done = 0
        with torch_threads(cfg.torch_threads):
            if self._obs is None:
                obs, _ = self.venv.reset(seed=self.seed)
                self._obs = np.asarray(obs, dtype=np.float32)
            for update in range(1, updates + 1):
                lr = self._lr(done, updates * per_update)
                t0 = time.perf_counter()
                batch, episodes = self._rollout()
                t1 = time.perf_counter()
                losses = self._update(batch, lr)
                t2 = time.perf_counter()
                done += per_update
                self.model.num_timesteps += per_update
                returns = [e[0] for e in episodes]
                names = list(episodes[0][1]) if episodes else []
                stats = UpdateStats(
                    timesteps=done,
                    updates=update,
                    seconds=t2 - start,
                    rollout_seconds=t1 - t0,
                    learn_seconds=t2 - t1,
                    learning_rate=lr,
                    episode_return=float(np.mean(returns)) if returns else math.nan,
                    episodes=len(returns),
                    reward_components={n: float(np.mean([e[1][n] for e in episodes])) for n in names},
                    **losses,
                )
                if callback is not None and not callback(stats):
                    break
        return done

    def _rollout(self) -> tuple[dict[str, th.Tensor], list[tuple[float, dict[str, float]]]]:
        """``n_steps`` batched steps with the current policy: the update's
        tensors (advantages and returns by GAE) and the episodes that ended."""
        cfg = self.config
        n, t_max = cfg.n_envs, cfg.n_steps
        obs_buf = th.empty((t_max, n, self.obs_dim))
        mask_buf = th.empty((t_max, n, self.n_actions), dtype=th.bool)
        act_buf = th.empty((t_max, n), dtype=th.long)
        logp_buf = th.empty((t_max, n))
        val_buf = th.empty((t_max + 1, n))
        rew_buf = th.empty((t_max, n))
        done_buf = th.empty((t_max, n))
        episodes: list[tuple[float, dict[str, float]]] = []
        assert self._obs is not None
        obs_np = self._obs
        self.policy.set_training_mode(False)
        with th.no_grad():
            for t in range(t_max):
                obs = th.from_numpy(obs_np)
                masks = th.from_numpy(self.venv.action_masks())
                logits, values = policy_outputs(self.policy, obs)
                logp_all = masked_log_probs(logits, masks)
                actions = th.multinomial(logp_all.exp(), 1, generator=self.generator).squeeze(-1)
                obs_buf[t], mask_buf[t], act_buf[t], val_buf[t] = obs, masks, actions, values
                logp_buf[t] = logp_all.gather(1, actions[:, None]).squeeze(-1)
                nxt, rewards, terminated, truncated, infos = self.venv.step(actions.numpy())
                ended = terminated | truncated
                rew_buf[t] = th.from_numpy(np.asarray(rewards, dtype=np.float32)) * cfg.reward_scale
                done_buf[t] = th.from_numpy(ended.astype(np.float32))
                episodes += self._track(np.asarray(rewards, dtype=np.float64), ended, infos)
                obs_np = np.asarray(nxt, dtype=np.float32)
            val_buf[t_max] = policy_outputs(self.policy, th.from_numpy(obs_np))[1]
        self._obs = obs_np
        adv = th.empty((t_max, n))
        last = th.zeros(n)
        for t in reversed(range(t_max)):
            live = 1.0 - done_buf[t]
            delta = rew_buf[t] + cfg.gamma * val_buf[t + 1] * live - val_buf[t]
            last = delta + cfg.gamma * cfg.gae_lambda * live * last
            adv[t] = last
        batch = {
            "obs": obs_buf.reshape(t_max * n, -1),
            "masks": mask_buf.reshape(t_max * n, -1),
            "actions": act_buf.reshape(-1),
            "logp": logp_buf.reshape(-1),
            "adv": adv.reshape(-1),
            "returns": (adv + val_buf[:t_max]).reshape(-1),
        }
        return batch, episodes

    def _track(
        self, rewards: NDArray[np.float64], ended: NDArray[np.bool_], infos: dict[str, Any]
    ) -> list[tuple[float, dict[str, float]]]:
        """Accumulates returns and reward components per sub-env; the episodes that just ended."""
        self._returns += rewards
        group = infos.get("reward_components")
        if isinstance(group, dict):
            present = infos.get("_reward_components", True)
            for name, values in group.items():
                if not name.startswith("_"):
                    sums = self._components.setdefault(name, np.zeros(len(rewards)))
                    sums += np.where(present, np.asarray(values, dtype=np.float64), 0.0)
        ended_idx = np.flatnonzero(ended)
        out = [(float(self._returns[i]), {k: float(v[i]) for k, v in self._components.items()}) for i in ended_idx]
        self._returns[ended_idx] = 0.0
        for v in self._components.values():
            v[ended_idx] = 0.0
        return out

    def _update(self, batch: dict[str, th.Tensor], lr: float) -> dict[str, float]:
        cfg = self.config
        optimizer = self.policy.optimizer
        for group in optimizer.param_groups:
            group["lr"] = lr
        self.policy.set_training_mode(True)
        total = batch["obs"].shape[0]
        size = min(cfg.batch_size, total)
        sums = {"policy_loss": 0.0, "value_loss": 0.0, "entropy": 0.0, "approx_kl": 0.0, "clip_fraction": 0.0}
        count = 0
        for _ in range(cfg.epochs):
            order = th.randperm(total, generator=self.generator)
            for begin in range(0, total - size + 1, size):
                idx = order[begin : begin + size]
                logits, values = policy_outputs(self.policy, batch["obs"][idx])
                logp_all = masked_log_probs(logits, batch["masks"][idx])
                logp = logp_all.gather(1, batch["actions"][idx, None]).squeeze(-1)
                adv = batch["adv"][idx]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                log_ratio = logp - batch["logp"][idx]
                ratio = log_ratio.exp()
                clipped = th.clamp(ratio, 1 - cfg.clip_range, 1 + cfg.clip_range)
                policy_loss = -th.min(ratio * adv, clipped * adv).mean()
                value_loss = th.nn.functional.mse_loss(values, batch["returns"][idx])
                probs = logp_all.exp()
                entropy = -(probs * logp_all).sum(-1).mean()
                loss = policy_loss + cfg.vf_coef * value_loss - cfg.ent_coef * entropy
                optimizer.zero_grad(set_to_none=True)
                loss.backward()  # type: ignore[no-untyped-call]  # torch's stubs leave it untyped
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.max_grad_norm)
                optimizer.step()
                with th.no_grad():
                    sums["policy_loss"] += float(policy_loss)
                    sums["value_loss"] += float(value_loss)
                    sums["entropy"] += float(entropy)
                    sums["approx_kl"] += float(((ratio - 1) - log_ratio).mean())
                    sums["clip_fraction"] += float(((ratio - 1).abs() > cfg.clip_range).float().mean())
                count += 1
        self.policy.set_training_mode(False)
        return {k: v / max(count, 1) for k, v in sums.items()}


def make_model(env_id: str, config: BatchPPOConfig, arch: str = "mlp", seed: int = 0, **env_kwargs: Any) -> Any:
    """A ``MaskablePPO`` holding the network :class:`BatchPPO` trains: SB3's
    ``MlpPolicy`` (``arch="mlp"``) or the engineer scorer (``arch="scorer"``).
    Its own env (one sub-env) only gives SB3 the spaces; it is closed at once."""
    from sb3_contrib import MaskablePPO

    from ferrogym.integrations.sb3 import make_vec_env

    probe = make_vec_env(env_id, n_envs=1, seed=seed, monitor=False, **env_kwargs)
    try:
        policy: Any = "MlpPolicy"
        policy_kwargs: dict[str, Any] = {"net_arch": list(config.net_arch)}
        if arch == "scorer":
            from ferrogym.policies.engineer_scorer import EngineerScorerPolicy, scorer_policy_kwargs

            policy = EngineerScorerPolicy
            policy_kwargs = scorer_policy_kwargs(probe.get_attr("obs_layout")[0], hidden=config.scorer_hidden)
        elif arch != "mlp":
            raise ConfigError(f"batch-ppo: unknown policy architecture {arch!r}; expected 'mlp' or 'scorer'")
        model = MaskablePPO(
            policy,
            probe,
            learning_rate=config.learning_rate,
            n_steps=config.n_steps,
            batch_size=config.batch_size,
            n_epochs=config.epochs,
            gamma=config.gamma,
            gae_lambda=config.gae_lambda,
            clip_range=config.clip_range,
            ent_coef=config.ent_coef,
            vf_coef=config.vf_coef,
            max_grad_norm=config.max_grad_norm,
            policy_kwargs=policy_kwargs,
            seed=seed,
            device="cpu",
            verbose=0,
        )
    finally:
        probe.close()
    return model
