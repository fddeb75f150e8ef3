"""The training service: one way to train, stop and save a model, whoever asks
(``ferrogym train``, the dashboard's worker, a script).

:func:`prepare` checks a :class:`TrainRequest` (the algorithm fits the env,
the hyper-parameters are the algorithm's) before anything is built;
:func:`train` builds the model, optionally imitates a heuristic first, trains
while a :class:`Reporter` watches (and may stop it), and always saves the last
model with its ``meta.json`` (:mod:`ferrogym.training.model_files`), also when
the run is cut short by the reporter, the deadline or Ctrl-C. TensorBoard
logs, with the reward components, go to ``RUN_DIR/tb`` unless turned off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from ferrogym.errors import ConfigError
from ferrogym.training import hyperparams
from ferrogym.training.algorithms import ALGORITHMS, Algorithm, check_fits
from ferrogym.training.model_files import MODEL_FILE, write_meta

#: Sub-envs when the request gives none: batch-ppo wants hundreds.
DEFAULT_N_ENVS = {"batch-ppo": 512, "rollout-pi": 8}
DEFAULT_N_ENVS_OTHERS = 16
#: TensorBoard's folder inside a run directory.
TENSORBOARD_DIR = "tb"


@dataclass
class TrainRequest:
    """What to train. ``hyper``: hyper-parameters over the algorithm's
    defaults (``learning_rate_end`` decays the rate linearly to it);
    ``warm_start``: imitate this heuristic on ``warm_episodes`` episodes first
    (masked algorithms); ``resume``: continue the model in that run directory."""

    env_id: str
    algo: str = "maskable-ppo"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    timesteps: int = 200_000
    n_envs: int | None = None
    seed: int = 0
    arch: str = "mlp"
    hyper: dict[str, Any] = field(default_factory=dict)
    warm_start: str | None = None
    warm_episodes: int = 256
    max_minutes: float = math.inf
    resume: Path | None = None
    tensorboard: bool = True
    #: rollout-pi: labelling processes (None: the machine's cores, at most 4).
    workers: int | None = None
    #: rollout-pi: label on Ray ('local', 'auto' or an address) instead of a local pool.
    ray: str | None = None

    @property
    def envs(self) -> int:
        """Parallel envs to train with: ``n_envs``, or the algorithm's default."""
        return self.n_envs or DEFAULT_N_ENVS.get(self.algo, DEFAULT_N_ENVS_OTHERS)


class Reporter:
    """Watches a run; every method may be overridden. :meth:`progress`
    returning False stops the run (it is then saved as any other)."""

    def started(self, model: Any, total: int) -> None:
        """Training begins: ``total`` decisions to consume."""

    def progress(self, timesteps: int) -> bool:
        """Called at least once per update; False stops training."""
        return True

    def episode(self, timesteps: int, episode_return: float, length: int, components: dict[str, float]) -> None:
        """An episode ended (batch-ppo: the mean of those that ended in an update)."""

    def update(self, timesteps: int, stats: dict[str, float]) -> None:
        """Losses and speed after an update (batch-ppo)."""


@dataclass
class TrainResult:
    """A finished training run: the model, its metadata, its run directory and why it stopped early, if it did."""

    model: Any
    meta: dict[str, Any]
    out: Path
    #: Why the run ended before its timesteps: "deadline", "stopped", "interrupted"; None if it did not.
    stopped: str | None

    @property
    def model_path(self) -> Path:
        """The saved model file in the run directory."""
        return self.out / MODEL_FILE


@dataclass
class Prepared:
    """A checked request: the algorithm, the env arguments and the observation layout to build the model with."""

    request: TrainRequest
    algo: Algorithm
    env_kwargs: dict[str, Any]
    layout: Any


def probe_env(env_id: str, env_kwargs: dict[str, Any], seed: int = 0) -> tuple[gym.Space[Any], bool, Any]:
    """The env's action space, whether it masks actions, and its ``obs_layout`` (or None)."""
    from ferrogym.evaluation import env_id as full_id

    try:
        env = gym.make(full_id(env_id), disable_env_checker=True, **env_kwargs)
    except gym.error.Error as e:
        raise ConfigError(f"{env_id}: {e}") from None
    except TypeError as e:  # an unknown keyword argument
        raise ConfigError(f"{env_id}: invalid env argument: {e}") from None
    try:
        return env.action_space, _masks_actions(env, seed), getattr(env.unwrapped, "obs_layout", None)
    finally:
        env.close()


#: Steps of a random rollout that look for a masked action.
MASK_PROBE_STEPS = 256


def _masks_actions(env: gym.Env[Any, Any], seed: int) -> bool:
    """Whether the env ever masks an action: some envs mask from the first
    state (TicketRouting's absent engineers), others only later in an episode
    (CustomerSupport's full escalation queue), and Rust envs without masks
    report all-true masks. A short random rollout of valid actions tells."""
    masks = getattr(env.unwrapped, "action_masks", None)
    if masks is None or not isinstance(env.action_space, gym.spaces.Discrete):
        return False
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    for _ in range(MASK_PROBE_STEPS):
        try:
            mask = np.asarray(masks(), dtype=bool)
        except NotImplementedError:
            return False
        if mask.size == 0 or not mask.any():
            return False
        if not mask.all():
            return True
        _, _, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
        if terminated or truncated:
            env.reset()
    return False


def prepare(request: TrainRequest) -> Prepared:
    """Checks the request before anything is trained: a ConfigError says what
    is wrong (an unknown algorithm or one that does not fit the env, with the
    choices; an unknown hyper-parameter, with the valid keys)."""
    from ferrogym.evaluation import env_id as full_id

    request.env_id = full_id(request.env_id)
    algo = ALGORITHMS.get(request.algo)
    if algo is None:
        check_fits(request.algo, gym.spaces.Discrete(1), False, request.env_id)  # raises, listing the choices
        raise AssertionError("unreachable")
    space, masked, layout = probe_env(request.env_id, request.env_kwargs, request.seed)
    fallback = request.env_kwargs.get("invalid_action") == "fallback"
    algo = check_fits(request.algo, space, masked, request.env_id, request.arch, fallback)
    if request.arch == "scorer":
        _check_scorer_fits(space, layout, request.env_id)
    if request.warm_start is not None:
        from ferrogym.policies import POLICIES

        if not algo.masked:
            raise ConfigError(f"--warm-start needs a masked algorithm, not {algo.name}")
        if request.warm_start not in POLICIES:
            raise ConfigError(
                f"--warm-start {request.warm_start!r} is not a heuristic; expected one of {list(POLICIES)}"
            )
    if request.timesteps < 1:
        raise ConfigError(f"timesteps must be at least 1, got {request.timesteps}")
    if algo.name == "rollout-pi":
        _prepare_rollout_pi(request)
    elif request.workers is not None or request.ray is not None:
        raise ConfigError(f"workers and ray are rollout-pi options, not {algo.name}'s")
    if request.resume is None:
        valid = valid_keys(algo)
        hyperparams.check(request.hyper, "sb3", valid | {"learning_rate_end"}, "hyper-parameters")
    return Prepared(request, algo, dict(request.env_kwargs), layout)


def _prepare_rollout_pi(request: TrainRequest) -> None:
    """rollout-pi's own checks: a fresh run (no resume or warm start), valid
    hyper-parameters on training seeds only, and a Ray address that answers."""
    from ferrogym.training.rollout_pi import RolloutPIConfig, check_ray_address, check_seeds

    if request.resume is not None or request.warm_start is not None:
        raise ConfigError("rollout-pi starts from its base rule: --resume and --warm-start do not apply")
    check_seeds(RolloutPIConfig.from_dict(request.hyper), request.seed)
    if request.workers is not None and request.workers < 1:
        raise ConfigError(f"workers must be at least 1, got {request.workers}")
    if request.ray is not None:
        check_ray_address(request.ray)


def _check_scorer_fits(space: gym.Space[Any], layout: Any, env_id: str) -> None:
    """The engineer scorer gives one logit per engineer row: a ConfigError
    when the env has no such rows or another action count (e.g. hold)."""
    from ferrogym.policies.engineer_scorer import ROWS

    rows = next((s for s in layout or () if getattr(s, "name", None) == ROWS), None)
    n = int(space.n) if isinstance(space, gym.spaces.Discrete) else -1
    if rows is None or int(rows.shape[0]) != n:
        found = "no engineer rows" if rows is None else f"{rows.shape[0]} engineer rows and {n} actions"
        raise ConfigError(
            f"the scorer architecture needs one action per engineer row; {env_id} has {found} "
            "(holding adds an action: use --policy-arch mlp)"
        )


def valid_keys(algo: Algorithm) -> set[str]:
    """The hyper-parameters ``algo`` takes (read from its class or config)."""
    if algo.name == "batch-ppo":
        return hyperparams.batch_ppo_keys()
    if algo.name == "rollout-pi":
        return hyperparams.rollout_pi_keys()
    return hyperparams.sb3_keys(algo.model_class())


def train(
    request: TrainRequest, out: Path, reporter: Reporter | None = None, callbacks: Sequence[Any] = ()
) -> TrainResult:
    """Trains, saves ``out/model.zip`` and ``out/meta.json`` and returns them.
    ``callbacks``: extra SB3 callbacks (SB3 algorithms only, e.g. a curriculum).
    Ctrl-C saves the model, then raises KeyboardInterrupt again."""
    prepared = prepare(request)
    reporter = reporter or Reporter()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    deadline = start + 60 * request.max_minutes if math.isfinite(request.max_minutes) else math.inf
    stop = _StopFlag()

    def keep_going(timesteps: int) -> bool:
        if time.perf_counter() >= deadline:
            stop.reason = "deadline"
            return False
        if not reporter.progress(timesteps):
            stop.reason = "stopped"
            return False
        return True

    interrupted = False
    if prepared.algo.name == "batch-ppo":
        runner: _Run = _BatchRun(prepared, out)
    elif prepared.algo.name == "rollout-pi":
        from ferrogym.training.rollout_pi import RolloutPIRun

        runner = RolloutPIRun(prepared, out)
    else:
        runner = _SB3Run(prepared, out, list(callbacks))
    try:
        if request.warm_start is not None:
            runner.warm_start()
        reporter.started(runner.model, runner.planned(request.timesteps))
        runner.learn(request.timesteps, keep_going, reporter)
    except KeyboardInterrupt:
        interrupted = True
        stop.reason = "interrupted"
    finally:
        runner.close()
    model = runner.model
    model.save(str(out / MODEL_FILE))
    done = int(model.num_timesteps)
    meta: dict[str, Any] = {
        "algo": prepared.algo.name,
        "env_id": request.env_id,
        "env_kwargs": prepared.env_kwargs,
        "timesteps": done,
        "policy_arch": request.arch,
        "n_envs": request.envs,
        "seed": request.seed,
        "hyperparameters": runner.hyperparameters(),
        "warm_start": request.warm_start and {"policy": request.warm_start, "episodes": request.warm_episodes},
        "train_seconds": round(time.perf_counter() - start, 1),
        "stopped": stop.reason,
        **runner.summary(),
    }
    if request.tensorboard:
        meta["tensorboard"] = str(out / TENSORBOARD_DIR)
    if request.resume is not None:
        previous = runner.previous
        meta["warm_start"] = previous.get("warm_start")
        steps_before = {"from": str(request.resume), "steps_before": previous["timesteps"]}
        meta["resumed"] = [*previous.get("resumed", []), steps_before]
    write_meta(out, meta)
    if interrupted:
        raise KeyboardInterrupt
    return TrainResult(model, meta, out, stop.reason)


@dataclass
class _StopFlag:
    reason: str | None = None


class _Run:
    model: Any
    #: The meta.json of the run a resumed run continues.
    previous: dict[str, Any]

    def warm_start(self) -> None:
        raise NotImplementedError

    def learn(self, timesteps: int, keep_going: Any, reporter: Reporter) -> None:
        raise NotImplementedError

    def planned(self, timesteps: int) -> int:
        """The steps ``learn(timesteps)`` really runs (whole rollouts), so
        progress never reads "4096 / 4000"."""
        raise NotImplementedError

    def hyperparameters(self) -> dict[str, Any]:
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        """Extra ``meta.json`` keys (the run's own record)."""
        return {}

    def close(self) -> None:
        raise NotImplementedError


def _imitate(model: Any, prepared: Prepared, first: int, gamma: float, scale: float = 1.0) -> dict[str, float]:
    """Fits ``model``'s policy to the warm-start heuristic on episodes seeded from ``first``."""
    from ferrogym.policies import make_policy
    from ferrogym.policies.warm_start import demonstrations, imitate

    request = prepared.request
    name = request.warm_start
    assert name is not None
    teacher = make_policy(name, prepared.layout, seed=first)
    seeds = list(range(first, first + request.warm_episodes))
    demos = demonstrations(teacher, request.env_id, seeds, gamma, **prepared.env_kwargs)
    demos.returns = demos.returns * np.float32(scale)
    return imitate(model, demos, seed=first)


class _BatchRun(_Run):
    def __init__(self, prepared: Prepared, out: Path) -> None:
        from ferrogym.training.batch_ppo import BatchPPO, BatchPPOConfig, make_model

        request = prepared.request
        self.prepared = prepared
        self.out = out
        if request.resume is not None:
            from ferrogym.training.model_files import load_model

            self.model, self.previous = load_model(request.resume)
            params = {k: v for k, v in self.previous["hyperparameters"].items() if k != "n_envs"}
            self.config = BatchPPOConfig.from_dict({**params, "n_envs": request.envs})
        else:
            self.config = BatchPPOConfig.from_dict({**request.hyper, "n_envs": request.envs})
            self.model = make_model(request.env_id, self.config, request.arch, request.seed, **prepared.env_kwargs)
        self.ppo = BatchPPO(self.model, request.env_id, self.config, request.seed, **prepared.env_kwargs)
        self.writer: Any = None
        if request.tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(out / TENSORBOARD_DIR))

    def warm_start(self) -> None:
        from ferrogym.training.batch_ppo import torch_threads

        request = self.prepared.request
        first = request.seed + request.envs
        with torch_threads(self.config.torch_threads):
            _imitate(self.model, self.prepared, first, self.config.gamma, self.config.reward_scale)

    def learn(self, timesteps: int, keep_going: Any, reporter: Reporter) -> None:
        from ferrogym.training.batch_ppo import UpdateStats

        base = int(self.model.num_timesteps)

        def on_update(stats: UpdateStats) -> bool:
            now = base + stats.timesteps
            scalars = {
                "policy_loss": stats.policy_loss,
                "value_loss": stats.value_loss,
                "entropy": stats.entropy,
                "approx_kl": stats.approx_kl,
                "clip_fraction": stats.clip_fraction,
                "learning_rate": stats.learning_rate,
                "decisions_per_second": stats.decisions_per_second,
            }
            if stats.episodes:
                reporter.episode(now, stats.episode_return, 0, stats.reward_components)
            reporter.update(now, scalars)
            if self.writer is not None:
                for k, v in scalars.items():
                    self.writer.add_scalar(f"train/{k}", v, now)
                if stats.episodes:
                    self.writer.add_scalar("rollout/ep_rew_mean", stats.episode_return, now)
                    for k, v in stats.reward_components.items():
                        self.writer.add_scalar(f"reward_components/{k}", v, now)
            return bool(keep_going(now))

        if keep_going(base):
            self.ppo.learn(timesteps, on_update)

    def planned(self, timesteps: int) -> int:
        per_update = self.config.n_envs * self.config.n_steps
        return max(1, math.ceil(timesteps / per_update)) * per_update

    def hyperparameters(self) -> dict[str, Any]:
        return self.config.to_dict()

    def close(self) -> None:
        self.ppo.close()
        if self.writer is not None:
            self.writer.close()


def _linear(start: float, end: float) -> Any:
    """SB3 schedule from ``start`` to ``end`` over training (progress goes 1 -> 0)."""

    def schedule(progress_remaining: float) -> float:
        return end + (start - end) * progress_remaining

    return schedule


class EpisodeComponents:
    """Per-episode sums of each sub-env's ``reward_components`` (which
    FerroVecEnv puts in SB3's per-env infos, terminal steps included)."""

    def __init__(self) -> None:
        self._running: dict[int, dict[str, float]] = {}

    def add(self, i: int, info: dict[str, Any], done: bool) -> dict[str, float] | None:
        """Adds one step; returns the episode's sums when it ended."""
        sums = self._running.setdefault(i, {})
        for name, value in info.get("reward_components", {}).items():
            sums[name] = sums.get(name, 0.0) + float(value)
        return self._running.pop(i) if done else None


class _SB3Run(_Run):
    def __init__(self, prepared: Prepared, out: Path, callbacks: list[Any]) -> None:
        from ferrogym.integrations.sb3 import make_vec_env

        request = prepared.request
        self.prepared = prepared
        self.callbacks = callbacks
        cls = prepared.algo.model_class()
        self.venv = make_vec_env(request.env_id, n_envs=request.envs, seed=request.seed, **prepared.env_kwargs)
        tb = str(out / TENSORBOARD_DIR) if request.tensorboard else None
        if request.resume is not None:
            from ferrogym.training.model_files import read_meta

            path, self.previous = read_meta(request.resume)
            self.params = dict(self.previous.get("hyperparameters", {}))
            self.model = cls.load(str(path), env=self.venv, device="cpu", tensorboard_log=tb)
            return
        params = {**hyperparams.DEFAULTS[prepared.algo.name], **request.hyper}
        self.params = dict(params)
        if "learning_rate_end" in params:
            params["learning_rate"] = _linear(float(params["learning_rate"]), float(params.pop("learning_rate_end")))
        if "batch_size" in params and prepared.algo.name != "dqn":
            params["batch_size"] = min(params["batch_size"], params.get("n_steps", 2048) * request.envs)
        policy: Any = "MlpPolicy"
        if request.arch == "scorer":
            from ferrogym.policies.engineer_scorer import EngineerScorerPolicy, scorer_policy_kwargs

            policy = EngineerScorerPolicy
            extra = {k: v for k, v in params.get("policy_kwargs", {}).items() if k != "net_arch"}
            params["policy_kwargs"] = {**scorer_policy_kwargs(prepared.layout), **extra}
        self.model = cls(policy, self.venv, seed=request.seed, device="cpu", verbose=0, tensorboard_log=tb, **params)
        self.params["policy_kwargs"] = {k: v for k, v in self.model.policy_kwargs.items() if k != "layout"}

    def warm_start(self) -> None:
        request = self.prepared.request
        _imitate(self.model, self.prepared, request.seed + request.envs, float(self.model.gamma))

    def learn(self, timesteps: int, keep_going: Any, reporter: Reporter) -> None:
        from stable_baselines3.common.callbacks import BaseCallback, CallbackList

        from ferrogym.integrations.sb3 import RewardComponentsCallback

        components = EpisodeComponents()

        class Report(BaseCallback):
            def _on_step(self) -> bool:
                dones = self.locals.get("dones", ())
                for i, info in enumerate(self.locals.get("infos", [])):
                    sums = components.add(i, info, bool(dones[i]) if len(dones) else False)
                    if "episode" in info:
                        ep = info["episode"]
                        reporter.episode(self.num_timesteps, float(ep["r"]), int(ep["l"]), sums or {})
                return bool(keep_going(self.num_timesteps))

        callbacks = [*self.callbacks, RewardComponentsCallback(), Report()]
        resumed = self.prepared.request.resume is not None
        self.model.learn(total_timesteps=timesteps, callback=CallbackList(callbacks), reset_num_timesteps=not resumed)

    def planned(self, timesteps: int) -> int:
        from ferrogym.integrations.sb3 import learned_timesteps

        return learned_timesteps(self.model, timesteps)

    def hyperparameters(self) -> dict[str, Any]:
        return self.params

    def close(self) -> None:
        self.venv.close()
