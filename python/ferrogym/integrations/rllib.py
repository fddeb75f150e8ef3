"""RLlib (new API stack) over ferrogym envs; ``pip install 'ferrogym[rllib]'``.

Two ways in, both stepping the Rust batch inside every env runner:

- by Gymnasium id, nothing to register::

      PPOConfig().environment("ferrogym:ferrogym/TicketRouting-v0", env_config={...})
          .env_runners(gym_env_vectorize_mode="vector_entry_point", num_envs_per_env_runner=8)

  (the ``ferrogym:`` prefix makes every runner import ferrogym; ``env_config``
  becomes keyword arguments of the env);
- by RLlib's registry after :func:`register_envs`: ``.environment("ferrogym/TicketRouting-v0")``.
  RLlib then calls :func:`make_env` with its single config dict, and with
  ``num_envs`` in it for the vector entry point, whatever the vectorize mode.

Masked envs (TicketRouting) get ``invalid_action="fallback"`` unless the config
says otherwise: RLlib's default modules sample without masks.

:func:`train` is the recipe ``ferrogym train --library rllib`` calls.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym.errors import ConfigError
from ferrogym.integrations import blind_kwargs, require, vector_class

require("rllib")

import ray  # noqa: E402
from ray.rllib.algorithms.algorithm import Algorithm  # noqa: E402
from ray.rllib.algorithms.ppo import PPOConfig  # noqa: E402
from ray.tune.registry import register_env  # noqa: E402

#: Where, inside an algorithm checkpoint, RLlib keeps the (single-agent) module.
MODULE_PATH = ("learner_group", "learner", "rl_module", "default_policy")
#: Keys of RLlib's env config that are not env arguments.
_RLLIB_KEYS = ("env_id",)


def make_env(config: Mapping[str, Any]) -> gym.Env[Any, Any] | gym.vector.VectorEnv[Any, Any, Any]:
    """RLlib's env creator: one config dict in, an env out.

    ``config["env_id"]`` names the ferrogym env; with ``config["num_envs"]``
    (RLlib's vector entry point) the result is the Rust batch in Gymnasium's
    NEXT_STEP autoreset mode (RLlib's convention), else a single env from
    ``gym.make``. Everything else is passed to the env.
    """
    cfg = dict(config)  # an EnvContext is a dict subclass carrying worker_index
    env_id = cfg.pop("env_id", None)
    if not isinstance(env_id, str):
        raise ValueError(f"ferrogym's RLlib env creator needs config['env_id'], got {env_id!r}")
    num_envs = cfg.pop("num_envs", None)
    kwargs = blind_kwargs(env_id, cfg)
    if num_envs is None:
        return gym.make(env_id, **kwargs)
    spec = gym.spec(env_id)
    if spec.max_episode_steps is not None:
        kwargs.setdefault("max_episode_steps", spec.max_episode_steps)
    cls = vector_class(env_id)
    env: gym.vector.VectorEnv[Any, Any, Any] = cls(int(num_envs), **kwargs)
    return env


def register_envs(env_ids: list[str] | None = None) -> list[str]:
    """Registers ferrogym ids with RLlib (``PPOConfig().environment(id)``)."""
    from ferrogym.envs import ENVS

    ids = env_ids if env_ids is not None else [e.id for e in ENVS]
    for env_id in ids:
        register_env(env_id, _Creator(env_id))
    return ids


class _Creator:
    """A picklable ``config -> env`` for one id (RLlib ships creators to runners)."""

    def __init__(self, env_id: str) -> None:
        self.env_id = env_id

    def __call__(self, config: Mapping[str, Any]) -> gym.Env[Any, Any] | gym.vector.VectorEnv[Any, Any, Any]:
        return make_env({**config, "env_id": self.env_id})


def ppo_config(
    env_id: str,
    *,
    num_env_runners: int = 2,
    num_envs_per_env_runner: int = 8,
    rollout_fragment_length: int = 64,
    env_config: Mapping[str, Any] | None = None,
    vectorize_mode: str = "vector_entry_point",
    train_batch_size: int | None = None,
    minibatch_size: int = 256,
    num_epochs: int = 4,
    seed: int | None = 0,
    overrides: Mapping[str, Any] | None = None,
) -> PPOConfig:
    """PPO on the new API stack, CPU only, stepping ferrogym's Rust batch in each runner.

    ``overrides`` are hyper-parameters by name (:func:`hyperparameter_names`),
    applied last (``ferrogym train --config``)."""
    cfg = blind_kwargs(env_id, dict(env_config or {}))
    batch = train_batch_size or max(1, num_env_runners) * num_envs_per_env_runner * rollout_fragment_length
    config = (
        PPOConfig()  # type: ignore[no-untyped-call]
        .environment(f"ferrogym:{env_id}", env_config=cfg)
        .env_runners(
            num_env_runners=num_env_runners,
            num_envs_per_env_runner=num_envs_per_env_runner,
            gym_env_vectorize_mode=vectorize_mode,
            rollout_fragment_length=rollout_fragment_length,
        )
        .learners(num_learners=0, num_gpus_per_learner=0)
        .training(train_batch_size_per_learner=batch, minibatch_size=min(minibatch_size, batch), num_epochs=num_epochs)
        .debugging(seed=seed)
    )
    return apply_overrides(config, overrides or {})


#: PPOConfig methods whose keyword arguments ``--config`` files may set.
CONFIG_METHODS = ("training", "env_runners")
#: ``rl_module(model_config=...)``: the network (``fcnet_hiddens``...).
MODEL_CONFIG = "model_config"


def _method_keys(name: str) -> set[str]:
    """Keyword arguments of ``PPOConfig.<name>``, following ``**kwargs`` up the MRO
    (``PPOConfig.training(**kwargs)`` passes ``lr``, ``gamma``... to AlgorithmConfig)."""
    keys: set[str] = set()
    for cls in PPOConfig.__mro__:
        method = cls.__dict__.get(name)
        if method is None:
            continue
        params = inspect.signature(method).parameters.values()
        keys |= {p.name for p in params if p.kind is not p.VAR_KEYWORD and p.name != "self"}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return keys


def hyperparameter_names() -> dict[str, set[str]]:
    """The settable hyper-parameters, by the PPOConfig method that takes them."""
    return {**{m: _method_keys(m) for m in CONFIG_METHODS}, "rl_module": {MODEL_CONFIG}}


def apply_overrides(config: PPOConfig, overrides: Mapping[str, Any]) -> PPOConfig:
    """Calls the PPOConfig method that takes each key; unknown keys -> ConfigError."""
    names = hyperparameter_names()
    for key, value in overrides.items():
        method = next((m for m, keys in names.items() if key in keys), None)
        if method is None:
            valid = sorted(set().union(*names.values()))
            raise ConfigError(f"RLlib PPO has no hyper-parameter {key!r}; valid keys: {', '.join(valid)}")
        getattr(config, method)(**{key: value})
    return config


@dataclass
class TrainResult:
    """What an RLlib training run did: runners, iterations, env steps, time, returns and checkpoint."""

    env_id: str
    num_env_runners: int
    num_envs_per_env_runner: int
    iterations: int
    env_steps: int
    seconds: float
    #: Mean episode return per iteration (NaN before the first finished episode).
    returns: list[float] = field(default_factory=list)
    checkpoint: str | None = None
    #: Time the driver waited for the runners' samples (RLlib's env_runner_sampling_timer).
    sample_seconds: float = 0.0

    @property
    def env_steps_per_s(self) -> float:
        """Env steps per second of training (sampling and learning)."""
        return self.env_steps / self.seconds if self.seconds > 0 else 0.0

    @property
    def sample_steps_per_s(self) -> float:
        """Env steps per second of sampling alone (runners in parallel)."""
        return self.env_steps / self.sample_seconds if self.sample_seconds > 0 else 0.0


def train(
    env_id: str,
    *,
    iterations: int = 10,
    num_env_runners: int = 2,
    num_envs_per_env_runner: int = 8,
    env_config: Mapping[str, Any] | None = None,
    address: str | None = None,
    checkpoint_dir: str | Path | None = None,
    on_iteration: Callable[[int, dict[str, Any]], None] | None = None,
    vectorize_mode: str = "vector_entry_point",
    timesteps: int | None = None,
    max_seconds: float = math.inf,
    tensorboard_dir: str | Path | None = None,
    **ppo_kwargs: Any,
) -> tuple[TrainResult, Algorithm]:
    """Trains PPO with RLlib and returns the figures and the algorithm (stop it
    with ``algo.stop()``; :class:`ModulePolicy` turns it into a policy for
    ferrogym's evaluation). Starts a local Ray instance unless ``address``
    names a running cluster (``"auto"`` or ``"ray://host:10001"``); a Ray
    instance started here is shut down before returning only if training fails.

    Training stops after ``iterations``, or once ``timesteps`` env steps are
    sampled when given (then ``iterations`` is ignored), or after the first
    iteration that ends past ``max_seconds`` of training.
    ``on_iteration(i, result)`` is called after every iteration (a progress bar).
    With ``tensorboard_dir``, every result is written there as TensorBoard
    scalars under the tags Tune's TBXLoggerCallback uses (``ray/tune/...``,
    step = env steps sampled): an Algorithm run outside Tune logs nothing itself.
    Throughput counts env steps sampled over the wall time of the ``train()``
    calls (sampling and learning; algorithm build excluded).
    """
    started = False
    if not ray.is_initialized():
        if address is None:
            ray.init(num_cpus=max(2, num_env_runners + 1), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
        started = True
    try:
        config = ppo_config(
            env_id,
            num_env_runners=num_env_runners,
            num_envs_per_env_runner=num_envs_per_env_runner,
            env_config=env_config,
            vectorize_mode=vectorize_mode,
            **ppo_kwargs,
        )
        algo = config.build_algo()
        result = TrainResult(env_id, num_env_runners, num_envs_per_env_runner, 0, 0, 0.0)
        writer = _TensorBoard(tensorboard_dir) if tensorboard_dir is not None else None
        i = 0
        while (result.env_steps < timesteps if timesteps is not None else i < iterations) and (
            result.seconds < max_seconds
        ):
            t0 = time.perf_counter()
            out = algo.train()  # type: ignore[no-untyped-call]
            result.seconds += time.perf_counter() - t0
            runners = out.get("env_runners", {})
            result.env_steps = int(runners.get("num_env_steps_sampled_lifetime", 0))
            result.returns.append(float(runners.get("episode_return_mean", np.nan)))
            result.sample_seconds += float(out.get("timers", {}).get("env_runner_sampling_timer", 0.0))
            result.iterations = i = i + 1
            if writer is not None:
                writer.write(out, result.env_steps)
            if on_iteration is not None:
                on_iteration(i - 1, out)
        if writer is not None:
            writer.close()
        if checkpoint_dir is not None:
            path = Path(checkpoint_dir).resolve()
            path.mkdir(parents=True, exist_ok=True)
            algo.save_to_path(str(path))
            result.checkpoint = str(path)
        return result, algo
    except BaseException:
        if started:
            ray.shutdown()
        raise


class _TensorBoard:
    """Training results as TensorBoard scalars (tensorboardX: an rllib-extra dependency)."""

    def __init__(self, logdir: str | Path) -> None:
        from tensorboardX import SummaryWriter  # type: ignore[import-untyped]

        self.writer = SummaryWriter(str(logdir))

    def write(self, result: Mapping[str, Any], step: int) -> None:
        from ray.tune.utils import flatten_dict

        for key, value in flatten_dict(dict(result), delimiter="/").items():
            number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
            if number and math.isfinite(float(value)):
                self.writer.add_scalar(f"ray/tune/{key}", float(value), global_step=step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class ModulePolicy:
    """A trained RLlib module behind ferrogym's ``policy(obs, mask) -> action``
    interface (:mod:`ferrogym.evaluation`, ``ferrogym train --library rllib``).

    Deterministic: the most likely action among those the mask allows (the
    module was trained blind, with ``invalid_action="fallback"``; at evaluation
    it never picks a forbidden action). One observation gives an ``int``, a
    batch ``obs[N], mask[N]`` gives ``actions[N]``.
    """

    def __init__(self, module: Any, name: str = "rllib-ppo") -> None:
        self.module = module
        self.name = name
        #: The env the evaluation builds: the one the module was trained on.
        self.env_overrides: dict[str, Any] = {"invalid_action": "fallback"}

    @classmethod
    def from_algorithm(cls, algo: Algorithm, name: str = "rllib-ppo") -> ModulePolicy:
        """Returns the policy of ``algo``'s module on the driver.

        Raises:
            RuntimeError: the algorithm has no module on the driver.
        """
        module = algo.get_module()
        if module is None:
            raise RuntimeError("the algorithm has no RLModule on the driver (set create_env_on_local_worker)")
        return cls(module, name)

    @classmethod
    def from_checkpoint(cls, checkpoint: str | Path, name: str = "rllib-ppo") -> ModulePolicy:
        """The module of an ``Algorithm.save_to_path`` checkpoint, loaded without Ray running."""
        from ray.rllib.core.rl_module.rl_module import RLModule

        path = Path(checkpoint).resolve().joinpath(*MODULE_PATH)
        if not path.is_dir():
            raise FileNotFoundError(
                f"no RLlib module at {path} (expected a checkpoint from `ferrogym train --library rllib`)"
            )
        return cls(RLModule.from_checkpoint(str(path)), name)

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Stateless (an MLP module): nothing to clear."""

    def act(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        """Returns the most likely action per row of ``obs``, among those ``mask`` allows when given."""
        import torch

        with torch.no_grad():
            out = self.module.forward_inference({"obs": torch.as_tensor(np.asarray(obs), dtype=torch.float32)})
        logits: NDArray[np.float32] = out["action_dist_inputs"].numpy()
        if mask is not None:
            logits = np.where(np.asarray(mask, dtype=np.bool_), logits, -np.inf)
        actions: NDArray[np.int64] = np.argmax(logits, axis=-1).astype(np.int64)
        return actions

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_] | None = None) -> int | NDArray[np.int64]:
        """Returns one action (``int``) for one observation, or an array of actions for a batch."""
        obs = np.asarray(obs)
        if obs.ndim == 1:
            return int(self.act(obs[None], None if mask is None else np.asarray(mask)[None])[0])
        return self.act(obs, mask)
