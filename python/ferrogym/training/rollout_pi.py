"""Rollout policy iteration (expert iteration) for TicketRouting: a router
learned from many paired comparisons under common random numbers instead of
from noisy episode returns.

Each iteration:

1. **Collect** decision states on training seeds (< 10000) under the current
   policy: iteration 0 follows the tuned base rule (``lp-sed`` by default,
   its knobs from ``ferrogym/policies/tuned.json``), later iterations follow
   the learned engineer scorer (optionally mixing in the base rule's action
   with probability ``beta``), so the labels cover the states the learned
   router itself visits (DAgger). Every iteration's labels are kept.
2. **Label** every state with the rollout planner's action values
   (``TicketRoutingPlanner.values_batch``): for every valid engineer, the mean
   paired cost-to-go difference against the base rule's choice over ``samples``
   re-sampled futures (the same futures for every engineer), each played to
   ``horizon_minutes`` under the base rule, in Rust. Labelling is
   embarrassingly parallel: tasks of ``n_envs`` episodes run on a local
   process pool (``workers``) or on Ray.
3. **Fit** the engineer scorer's logits
   (:mod:`ferrogym.policies.engineer_scorer`) to the labels with a
   cost-weighted cross-entropy: the target is ``softmax(-regret / tau)`` over
   the labelled engineers (``regret``: an engineer's cost above the best one's)
   and each state weighs by its mean regret, so decisions that matter count
   more (``loss="regret"`` minimises the expected regret instead). Episodes of
   every ``val_every``-th seed are held back to pick the epoch with the lowest
   validation regret.

What "policy iteration" means here: the rollouts always follow the base rule
(the scorer does not run in Rust), so each iteration improves on the base
rule's values, one step of policy improvement, while the states come from the
learned policy. Iterations beyond the first widen the state distribution; they
do not compound improvements the way rollouts under the new policy would.

The model saves as any other ``ferrogym train`` run (a MaskablePPO
``model.zip`` holding the scorer, and ``meta.json``); ``labels.npz`` beside it
keeps the labelled states for refitting.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

import numpy as np
import torch as th
from numpy.typing import NDArray

from ferrogym.errors import ConfigError
from ferrogym.evaluation import HELD_OUT_SEED
from ferrogym.training.hyperparams import OwnLoopConfig
from ferrogym.training.service import Prepared, Reporter, _Run

NAME = "rollout-pi"
#: Seconds to wait for a Ray head's port before giving up.
RAY_CONNECT_TIMEOUT = 3.0
#: Key prefix of an episode's reward-component sums beside its KPIs.
REWARD_PREFIX = "reward/"
#: The labelled states of a run, beside its model.
LABELS_FILE = "labels.npz"


@dataclass(frozen=True)
class RolloutPIConfig(OwnLoopConfig):
    """Hyper-parameters of rollout policy iteration (the defaults suit ``specialists``)."""

    algorithm: ClassVar[str] = NAME

    #: Collect-label-fit rounds.
    iterations: int = 3
    #: Training-seed episodes labelled per iteration.
    episodes: int = 256
    #: Re-sampled futures per engineer (K).
    samples: int = 32
    #: Minutes each rollout simulates (inf: to the end of the episode).
    horizon_minutes: float = math.inf
    #: The tuned rule the rollouts follow and iteration 0 plays: a heuristic or a stronger baseline.
    base: str = "lp-sed"
    #: Probability of playing the base rule's action in iterations >= 1 (0: the learned policy only).
    beta: float = 0.0
    #: Target temperature, in the planner's cost units (weighted minutes).
    tau: float = 0.1
    #: "ce" (cost-weighted cross-entropy) or "regret" (expected regret).
    loss: str = "ce"
    #: Passes over the labels per iteration; the best by validation regret is kept.
    epochs: int = 30
    batch_size: int = 1024
    learning_rate: float = 2e-3
    #: Every this many-th training seed is validation (never fitted).
    val_every: int = 5
    #: Width of the engineer scorer's networks.
    scorer_hidden: int = 64
    #: Torch intra-op threads for the fit.
    torch_threads: int = 1

    def __post_init__(self) -> None:
        for name in ("iterations", "episodes", "samples", "epochs", "batch_size", "scorer_hidden", "torch_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{NAME}: {name} must be a positive integer, got {value!r}")
        if not isinstance(self.val_every, int) or isinstance(self.val_every, bool) or self.val_every < 2:
            raise ConfigError(f"{NAME}: val_every must be an integer >= 2, got {self.val_every!r}")
        for name in ("tau", "learning_rate", "horizon_minutes"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or math.isnan(value) or value <= 0:
                raise ConfigError(f"{NAME}: {name} must be a positive number, got {value!r}")
        if not isinstance(self.beta, int | float) or not 0 <= self.beta <= 1:
            raise ConfigError(f"{NAME}: beta must be a probability in [0, 1], got {self.beta!r}")
        if self.loss not in ("ce", "regret"):
            raise ConfigError(f"{NAME}: loss must be 'ce' or 'regret', got {self.loss!r}")
        _base_rule_class(self.base)

    def seeds(self, first: int, iteration: int) -> list[int]:
        """The training seeds of ``iteration``'s episodes (distinct across iterations)."""
        start = first + iteration * self.episodes
        return list(range(start, start + self.episodes))


def _base_rule_class(name: str) -> Any:
    from ferrogym.policies import POLICIES
    from ferrogym.policies.stronger import STRONGER

    bases = ("sed", *STRONGER)
    if name not in bases:
        raise ConfigError(f"{NAME}: base {name!r} cannot be rolled out in Rust; expected one of {', '.join(bases)}")
    return STRONGER.get(name) or POLICIES[name]


def check_seeds(config: RolloutPIConfig, first: int) -> None:
    """A ConfigError unless every labelled episode runs on a training seed (< 10000)."""
    last = config.seeds(first, config.iterations - 1)[-1]
    if first < 0 or last >= HELD_OUT_SEED:
        raise ConfigError(
            f"{NAME}: seeds {first}..{last} ({config.iterations} iterations x {config.episodes} episodes from "
            f"--seed {first}); expected training seeds 0..{HELD_OUT_SEED - 1} (held-out seeds are for evaluation)"
        )


@dataclass
class Labels:
    """Labelled decision states: observations (N, D), masks and action values
    (N, A; NaN where not evaluated), their standard errors, and the seed of the
    episode each state came from."""

    obs: NDArray[np.float32]
    mask: NDArray[np.bool_]
    values: NDArray[np.float64]
    stderr: NDArray[np.float64]
    seed: NDArray[np.int64]
    #: KPIs of the labelled episodes under the policy that played them.
    episodes: list[dict[str, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.obs.shape[0])

    @classmethod
    def concat(cls, parts: Sequence[Labels]) -> Labels:
        """All ``parts`` in one set."""
        return cls(
            np.concatenate([p.obs for p in parts]),
            np.concatenate([p.mask for p in parts]),
            np.concatenate([p.values for p in parts]),
            np.concatenate([p.stderr for p in parts]),
            np.concatenate([p.seed for p in parts]),
            [e for p in parts for e in p.episodes],
        )

    def select(self, rows: NDArray[np.bool_]) -> Labels:
        """The states where ``rows`` is true."""
        return Labels(self.obs[rows], self.mask[rows], self.values[rows], self.stderr[rows], self.seed[rows])

    def regret(self) -> NDArray[np.float64]:
        """Each labelled action's cost above the row's cheapest (NaN where not labelled)."""
        regret: NDArray[np.float64] = self.values - np.nanmin(self.values, axis=1, keepdims=True)
        return regret

    def planner_choice(self, z: float = 1.0) -> NDArray[np.int64]:
        """What the planner plays: the cheapest action if its saving over the base
        choice (value 0) exceeds ``z`` standard errors, the base choice otherwise."""
        clear = np.where(np.isnan(self.values), np.inf, np.where(self.values + z * self.stderr < 0, self.values, 0.0))
        base = np.argmax(self.values == 0, axis=1)
        best = np.argmin(clear, axis=1)
        choice: NDArray[np.int64] = np.where(clear[np.arange(len(self)), best] < 0, best, base).astype(np.int64)
        return choice

    def save(self, path: Path) -> None:
        """Writes the states to ``path`` (``.npz``)."""
        np.savez_compressed(path, obs=self.obs, mask=self.mask, values=self.values, stderr=self.stderr, seed=self.seed)

    @classmethod
    def load(cls, path: Path) -> Labels:
        """The states saved at ``path``."""
        with np.load(path) as f:
            return cls(f["obs"], f["mask"], f["values"], f["stderr"], f["seed"])


@dataclass(frozen=True)
class ScorerSpec:
    """What a worker needs to rebuild the learned scorer: its constructor
    arguments and its weights (plain tensors, picklable)."""

    layout: list[dict[str, Any]]
    obs_dim: int
    hidden: int
    weights: dict[str, Any]


@dataclass(frozen=True)
class LabelTask:
    """One labelling job: play ``seeds`` (one sub-env each) under the base rule
    (``scorer`` None) or the scorer, label every decision."""

    env_id: str
    env_kwargs: dict[str, Any]
    seeds: tuple[int, ...]
    config: RolloutPIConfig
    iteration: int
    scorer: ScorerSpec | None = None


def label_episodes(task: LabelTask) -> Labels:
    """Plays ``task.seeds`` to their ends and labels every decision with the
    planner's action values (all valid engineers, ``samples`` CRN futures each).
    Runs in a worker process or a Ray task as well as in-process."""
    from ferrogym import _core
    from ferrogym.evaluation import EpisodeTally, make_batch
    from ferrogym.policies.engineer_scorer import EngineerScorerNet
    from ferrogym.policies.planner import rollout_rule
    from ferrogym.policies.stronger import STRONGER, Team, make_stronger

    cfg = task.config
    th.set_num_threads(1)
    seeds = list(task.seeds)
    n = len(seeds)
    venv = make_batch(task.env_id, n, **task.env_kwargs)
    try:
        obs, _ = venv.reset(seed=list[int | None](seeds))
        layout = venv.obs_layout
        if cfg.base in STRONGER:
            base: Any = make_stronger(cfg.base, layout, Team.of(venv), seed=seeds[0])
        else:
            base = _base_rule_class(cfg.base)(layout, seed=seeds[0])
        base.reset(n, seed=seeds[0])
        net = None
        if task.scorer is not None:
            spec = task.scorer
            net = EngineerScorerNet(spec.layout, spec.obs_dim, spec.hidden)
            net.load_state_dict(spec.weights)
            net.eval()
        planner = _core.TicketRoutingPlanner(
            cfg.samples, float(cfg.horizon_minutes), 256, 1.0, False, **rollout_rule(base)
        )
        rng = np.random.default_rng([task.iteration, *seeds[:1]])
        futures = [(s + (task.iteration << 32)) % 2**64 for s in seeds]
        tally = EpisodeTally(venv)
        done = tally.done
        parts: list[tuple[Any, ...]] = []
        results: list[dict[str, float]] = [{} for _ in range(n)]
        while not done.all():
            mask = venv.action_masks()
            core: Any = venv._core
            values, stderr = planner.values_batch(core, futures, (~done).tolist())
            rows = ~done & ~np.isnan(values).all(axis=1)
            parts.append((obs[rows], mask[rows], values[rows], stderr[rows], np.asarray(seeds)[rows]))
            actions = np.asarray(base(obs, mask), dtype=np.int64)
            if net is not None:
                with th.no_grad():
                    logits = net.forward_actor(th.as_tensor(obs, dtype=th.float32)).numpy()
                learned = np.argmax(np.where(mask, logits, -np.inf), axis=1)
                actions = np.where(rng.random(n) < cfg.beta, actions, learned)
            obs, _, terminated, truncated, infos = venv.step(actions)
            for i, rewards, kpis in tally.add(infos, terminated, truncated):
                results[i] = {**kpis, **{f"{REWARD_PREFIX}{k}": v for k, v in rewards.items()}}
    finally:
        venv.close()
    obs_all, mask_all, val_all, se_all, seed_all = (np.concatenate(c) for c in zip(*parts, strict=True))
    return Labels(
        obs_all.astype(np.float32),
        mask_all.astype(np.bool_),
        val_all,
        se_all,
        seed_all.astype(np.int64),
        results,
    )


# --- where the labelling runs -------------------------------------------------


def check_ray_address(address: str, timeout: float = RAY_CONNECT_TIMEOUT) -> None:
    """A ConfigError within ``timeout`` seconds when a ``host:port`` or
    ``ray://host:port`` Ray address does not answer ('local' and 'auto' pass)."""
    if address in ("local", "auto"):
        return
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parsed.hostname, parsed.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise ConfigError(f"--ray {address!r}: expected 'local', 'auto', HOST:PORT or ray://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as e:
        raise ConfigError(
            f"--ray {address!r}: no Ray head answers at {host}:{port} within {timeout:g} s ({e}); "
            "start one (`ray start --head`) or use --ray local"
        ) from None


class Labeller:
    """Runs :func:`label_episodes` tasks in-process (``workers`` 1), on a
    local process pool, or on Ray (``ray``: 'local' starts a local instance,
    'auto' or an address joins a running cluster; an instance this process
    already started is reused). Results arrive as tasks finish."""

    def __init__(self, workers: int = 1, ray: str | None = None) -> None:
        if workers < 1:
            raise ConfigError(f"{NAME}: workers must be at least 1, got {workers}")
        self.workers = workers
        self.ray: Any = None
        self.pool: ProcessPoolExecutor | None = None
        self._started_ray = False
        if ray is not None:
            from ferrogym.extras import require

            check_ray_address(ray)
            mod = require("ray", "rllib", f"{NAME} --ray")
            if not mod.is_initialized():
                if ray == "local":
                    mod.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
                else:
                    mod.init(address=ray, log_to_driver=False)
                self._started_ray = True
            self.ray = mod
            self._remote = mod.remote(label_episodes)
        elif workers > 1:
            # Spawned, not forked: the parent's torch thread pool does not survive a fork.
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def run(self, tasks: Sequence[LabelTask]) -> Iterator[Labels]:
        """Each task's labels, in the order they finish."""
        if self.ray is not None:
            pending = [self._remote.remote(t) for t in tasks]
            while pending:
                ready, pending = self.ray.wait(pending, num_returns=1)
                yield self.ray.get(ready[0])
        elif self.pool is not None:
            waiting: set[Future[Labels]] = {self.pool.submit(label_episodes, t) for t in tasks}
            try:
                while waiting:
                    finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                    for f in finished:
                        yield f.result()
            finally:
                for f in waiting:
                    f.cancel()
        else:
            for t in tasks:
                yield label_episodes(t)

    def close(self) -> None:
        """Stops the pool, and the Ray instance if this labeller started it."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        if self.ray is not None and self._started_ray:
            self.ray.shutdown()


# --- the fit --------------------------------------------------------------------


@dataclass
class FitStats:
    """What one fit reports."""

    loss: float
    epochs: int
    best_epoch: int
    #: Mean regret of the learned choice on validation states (cost units; lower is better).
    val_regret: float
    #: The same for the base rule's and the planner's choices (references).
    val_regret_base: float
    val_regret_planner: float
    #: Share of validation states where the learned choice is the planner's.
    val_agreement: float


def _tensors(labels: Labels) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
    """Observations, labelled-action masks and regrets (0 where not labelled)."""
    labelled = ~np.isnan(labels.values)
    regret = np.nan_to_num(labels.regret(), nan=0.0)
    return (
        th.as_tensor(labels.obs, dtype=th.float32),
        th.as_tensor(labelled),
        th.as_tensor(regret, dtype=th.float32),
    )


def choice_regret(logits: th.Tensor, labelled: th.Tensor, regret: th.Tensor) -> th.Tensor:
    """Regret of each row's greedy choice among its labelled actions."""
    choice = logits.masked_fill(~labelled, -th.inf).argmax(dim=1)
    return regret.gather(1, choice[:, None]).squeeze(1)


def scorer_loss(logits: th.Tensor, labelled: th.Tensor, regret: th.Tensor, tau: float, kind: str = "ce") -> th.Tensor:
    """The fit's loss on a minibatch: cost-weighted cross-entropy to
    ``softmax(-regret / tau)`` (``kind="ce"``; each row weighs by its mean
    regret over the labelled actions) or the expected regret (``"regret"``)."""
    logp = th.log_softmax(logits.masked_fill(~labelled, -1e8), dim=1)
    if kind == "regret":
        return (logp.exp() * regret).sum(dim=1).mean()
    target = th.softmax((-regret / tau).masked_fill(~labelled, -1e8), dim=1)
    counts = labelled.sum(dim=1).clamp(min=1)
    weight = regret.sum(dim=1) / counts
    weight = weight / weight.mean().clamp(min=1e-8)
    return -(weight * (target * logp.masked_fill(~labelled, 0.0)).sum(dim=1)).mean()


def fit_scorer(
    policy: Any,
    train: Labels,
    val: Labels,
    config: RolloutPIConfig,
    seed: int = 0,
    keep_going: Callable[[], bool] = lambda: True,
) -> FitStats:
    """Fits ``policy``'s logits (an :class:`EngineerScorerPolicy`) to ``train``
    for up to ``config.epochs`` epochs, keeps the epoch with the lowest
    validation regret and leaves those weights in ``policy``."""
    from ferrogym.training.batch_ppo import torch_threads

    def logits_of(x: th.Tensor) -> th.Tensor:
        # The scorer's logits alone (policy_outputs would also run the critic).
        out: th.Tensor = policy.action_net(policy.mlp_extractor.forward_actor(policy.extract_features(x)))
        return out

    gen = th.Generator().manual_seed(seed)
    obs, labelled, regret = _tensors(train)
    v_obs, v_labelled, v_regret = _tensors(val)
    optimizer = th.optim.Adam(policy.parameters(), lr=config.learning_rate)
    base_choice = th.as_tensor(np.argmax(val.values == 0, axis=1))
    planner = th.as_tensor(val.planner_choice())
    rows = th.arange(len(val))

    def validate() -> tuple[float, float]:
        policy.set_training_mode(False)
        with th.no_grad():
            logits = logits_of(v_obs)
            chosen = logits.masked_fill(~v_labelled, -th.inf).argmax(dim=1)
            return float(v_regret[rows, chosen].mean()), float((chosen == planner).float().mean())

    best_regret, agreement = validate() if len(val) else (math.nan, math.nan)
    best = {k: v.clone() for k, v in policy.state_dict().items()}
    best_epoch, epoch, last_loss = 0, 0, math.nan
    n = len(train)
    with torch_threads(config.torch_threads):
        for epoch in range(1, config.epochs + 1):
            if not keep_going():
                epoch -= 1
                break
            policy.set_training_mode(True)
            order = th.randperm(n, generator=gen)
            total, count = 0.0, 0
            for begin in range(0, n, config.batch_size):
                idx = order[begin : begin + config.batch_size]
                logits = logits_of(obs[idx])
                loss = scorer_loss(logits, labelled[idx], regret[idx], config.tau, config.loss)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()  # type: ignore[no-untyped-call]  # torch's stubs leave it untyped
                th.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
                optimizer.step()
                total += float(loss.detach())
                count += 1
            last_loss = total / max(count, 1)
            if len(val):
                r, a = validate()
                if not r >= best_regret:  # also replaces a NaN start
                    best_regret, agreement, best_epoch = r, a, epoch
                    best = {k: v.clone() for k, v in policy.state_dict().items()}
            else:
                best = {k: v.clone() for k, v in policy.state_dict().items()}
                best_epoch = epoch
    policy.load_state_dict(best)
    policy.set_training_mode(False)
    return FitStats(
        loss=last_loss,
        epochs=epoch,
        best_epoch=best_epoch,
        val_regret=best_regret,
        val_regret_base=float(v_regret[rows, base_choice].mean()) if len(val) else math.nan,
        val_regret_planner=float(v_regret[rows, planner].mean()) if len(val) else math.nan,
        val_agreement=agreement,
    )


def default_workers() -> int:
    """Labelling processes when none are asked for: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def scorer_spec(policy: Any) -> ScorerSpec:
    """The learned scorer of ``policy`` as a :class:`ScorerSpec` for workers."""
    net = policy.scorer_net
    weights = {k: v.detach().clone() for k, v in net.state_dict().items()}
    return ScorerSpec(list(policy.layout), int(policy.features_dim), int(policy.hidden), weights)


@dataclass
class IterationStats:
    """One iteration's record (TensorBoard scalars and ``meta.json``)."""

    iteration: int
    labels: int
    new_labels: int
    label_seconds: float
    fit_seconds: float
    #: Mean weighted resolution of the iteration's training-seed episodes under the policy that played them.
    played_kpi: float
    fit: FitStats | None
    reward_components: dict[str, float]

    def scalars(self) -> dict[str, float]:
        """Flat scalars for TensorBoard or a reporter."""
        out = {
            "labels": float(self.labels),
            "new_labels": float(self.new_labels),
            "label_seconds": self.label_seconds,
            "fit_seconds": self.fit_seconds,
            "played_weighted_resolution": self.played_kpi,
        }
        if self.fit is not None:
            out.update({k: float(v) for k, v in asdict(self.fit).items()})
        return out


def iterate(
    model: Any,
    env_id: str,
    env_kwargs: dict[str, Any],
    config: RolloutPIConfig,
    labeller: Labeller,
    first_seed: int = 0,
    n_envs: int = 8,
    keep_going: Callable[[int], bool] = lambda _: True,
    on_iteration: Callable[[IterationStats], None] = lambda _: None,
    labels_out: Path | None = None,
) -> list[IterationStats]:
    """Rollout policy iteration on ``model``'s scorer policy (trained in
    place); stops early when ``keep_going(labels)`` returns False (the model
    then holds the last completed fit). Returns each iteration's record."""
    from ferrogym import kpi

    check_seeds(config, first_seed)
    parts: list[Labels] = []
    history: list[IterationStats] = []
    total = 0
    for it in range(config.iterations):
        t0 = time.perf_counter()
        seeds = config.seeds(first_seed, it)
        scorer = None if it == 0 else scorer_spec(model.policy)
        tasks = [
            LabelTask(env_id, env_kwargs, tuple(seeds[i : i + n_envs]), config, it, scorer)
            for i in range(0, len(seeds), n_envs)
        ]
        new: list[Labels] = []
        stopped = False
        for labels in labeller.run(tasks):
            new.append(labels)
            total += len(labels)
            model.num_timesteps = total
            if not keep_going(total):
                stopped = True
                break
        if not new:
            break
        new.sort(key=lambda lab: int(lab.seed[0]) if len(lab) else -1)  # the tasks' order, whoever finished first
        fresh = Labels.concat(new)
        parts.append(fresh)
        t1 = time.perf_counter()
        fit = None
        if not stopped:
            data = Labels.concat(parts)
            is_val = data.seed % config.val_every == 0
            fit = fit_scorer(
                model.policy,
                data.select(~is_val),
                data.select(is_val),
                config,
                seed=first_seed + it,
                keep_going=functools.partial(keep_going, total),
            )
            if labels_out is not None:
                data.save(labels_out)
        components = sorted({k for e in fresh.episodes for k in e if k.startswith(REWARD_PREFIX)})
        stats = IterationStats(
            iteration=it,
            labels=total,
            new_labels=len(fresh),
            label_seconds=t1 - t0,
            fit_seconds=time.perf_counter() - t1,
            played_kpi=float(np.mean([e[kpi.PRIMARY] for e in fresh.episodes])),
            fit=fit,
            reward_components={
                k.removeprefix(REWARD_PREFIX): float(np.mean([e.get(k, 0.0) for e in fresh.episodes]))
                for k in components
            },
        )
        history.append(stats)
        on_iteration(stats)
        if stopped or not keep_going(total):
            break
    return history


# --- the training service's run ---------------------------------------------------


class RolloutPIRun(_Run):
    """``ferrogym train --algo rollout-pi``: the service's run of
    :func:`iterate` (TensorBoard scalars per iteration, the iterations'
    record in ``meta.json``, labels in ``labels.npz``)."""

    def __init__(self, prepared: Prepared, out: Path) -> None:
        from ferrogym.evaluation import make_batch
        from ferrogym.policies.stronger import Team
        from ferrogym.training.batch_ppo import BatchPPOConfig, make_model
        from ferrogym.training.service import TENSORBOARD_DIR

        request = prepared.request
        self.prepared = prepared
        self.out = out
        self.config = RolloutPIConfig.from_dict(request.hyper)
        net = BatchPPOConfig(n_envs=1, learning_rate=self.config.learning_rate, scorer_hidden=self.config.scorer_hidden)
        self.model = make_model(request.env_id, net, "scorer", request.seed, **prepared.env_kwargs)
        probe = make_batch(request.env_id, 1, **prepared.env_kwargs)
        try:
            probe.reset(seed=request.seed)
            config = Team.of(probe).config
        finally:
            probe.close()
        self.per_episode = float(config.get("arrivals_per_day", 1)) * float(config.get("episode_days", 1))
        workers = request.workers if request.workers is not None else default_workers()
        self.labeller = Labeller(workers, request.ray)
        self.history: list[IterationStats] = []
        self.writer: Any = None
        if request.tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(out / TENSORBOARD_DIR))

    def learn(self, timesteps: int, keep_going: Any, reporter: Reporter) -> None:
        """Iterates until ``timesteps`` labels, the iterations' end or a stop."""
        request = self.prepared.request

        def on_iteration(stats: IterationStats) -> None:
            self.history.append(stats)
            scalars = stats.scalars()
            reporter.update(stats.labels, scalars)
            reporter.episode(stats.labels, -stats.played_kpi, 0, stats.reward_components)
            if self.writer is not None:
                for k, v in scalars.items():
                    self.writer.add_scalar(f"rollout_pi/{k}", v, stats.iteration)
                for k, v in stats.reward_components.items():
                    self.writer.add_scalar(f"reward_components/{k}", v, stats.iteration)
                self.writer.flush()

        iterate(
            self.model,
            request.env_id,
            self.prepared.env_kwargs,
            self.config,
            self.labeller,
            first_seed=request.seed,
            n_envs=request.envs,
            keep_going=lambda n: bool(n < timesteps and keep_going(n)),
            on_iteration=on_iteration,
            labels_out=self.out / LABELS_FILE,
        )

    def planned(self, timesteps: int) -> int:
        """About the labels the run makes (one per ticket of every episode)."""
        return min(timesteps, math.ceil(self.config.iterations * self.config.episodes * self.per_episode))

    def hyperparameters(self) -> dict[str, Any]:
        """The config, as ``meta.json`` keeps it."""
        return self.config.to_dict()

    def summary(self) -> dict[str, Any]:
        """The iterations' record and where the labels are."""
        return {
            "rollout_pi": [
                {"iteration": s.iteration, **{k: v for k, v in s.scalars().items() if math.isfinite(v)}}
                for s in self.history
            ],
            "labels_file": LABELS_FILE,
        }

    def close(self) -> None:
        """Stops the labelling workers and closes the TensorBoard writer."""
        self.labeller.close()
        if self.writer is not None:
            self.writer.close()
