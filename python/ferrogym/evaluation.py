"""Runs dispatch policies on TicketRouting over the same seeds and reports KPIs.

Every seed is one sub-env of a Rust batch, so one ``step`` call advances all
seeds; the episode of sub-env ``i`` is the episode
``gym.make(...).reset(seed=seeds[i])`` gives, for every policy (common random
numbers: paired comparisons). A sub-env's log is read on the step its episode
ends (NEXT_STEP autoreset resets it only on the following step, whose new
episode is ignored).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from ferrogym import kpi
from ferrogym.vector import RustVectorEnv

DEFAULT_ENV = "ferrogym/TicketRouting-v0"
#: Evaluation seeds start here; `ferrogym train` trains from seed 0, so the
#: default evaluation episodes are held out from training.
HELD_OUT_SEED = 10_000


class DispatchPolicy(Protocol):
    """What the evaluation runs: a named ``policy(obs, mask) -> actions`` over a batch, reset per run."""

    @property
    def name(self) -> str:
        """The name the report shows."""

    def reset(self, num_envs: int = 1, seed: int | None = None) -> None:
        """Prepares for a run of ``num_envs`` episodes at once, seeded with ``seed``."""

    def __call__(self, obs: NDArray[Any], mask: NDArray[np.bool_]) -> Any:
        """Returns one action per row of ``obs`` (N, obs_dim), among those ``mask`` allows."""


def env_id(name: str) -> str:
    """``TicketRouting-v0`` -> ``ferrogym/TicketRouting-v0`` (ids with a namespace unchanged)."""
    return name if "/" in name or ":" in name else f"ferrogym/{name}"


def make_batch(env: str, num_envs: int, **env_kwargs: Any) -> RustVectorEnv:
    """Returns a Rust batch of ``num_envs`` copies of ``env`` (NEXT_STEP autoreset) built with ``env_kwargs``.

    Raises:
        TypeError: ``env`` is not a ferrogym Rust env with an episode log.
    """
    venv = gym.make_vec(
        env_id(env), num_envs=num_envs, vectorization_mode="vector_entry_point", autoreset_mode="NextStep", **env_kwargs
    )
    if not isinstance(venv, RustVectorEnv):
        raise TypeError(f"{env} is not a ferrogym Rust env with an episode log")
    return venv


class EpisodeTally:
    """Sums each sub-env's reward components over its one episode and reads its
    KPIs when it ends (``done`` marks the sub-envs whose episode is over).

    Args:
        venv: the batch (NEXT_STEP autoreset), reset with one seed per sub-env.
    """

    def __init__(self, venv: RustVectorEnv) -> None:
        self.venv = venv
        self.config = venv.config.kwargs()  # type: ignore[attr-defined]
        self.done = np.zeros(venv.num_envs, dtype=np.bool_)
        self.totals: dict[str, NDArray[np.float64]] = {}

    def add(
        self, infos: dict[str, Any], terminated: NDArray[np.bool_], truncated: NDArray[np.bool_]
    ) -> list[tuple[int, dict[str, float], dict[str, float]]]:
        """Adds one step's reward components of the sub-envs still playing.

        Returns:
            ``(sub-env, reward component sums, KPIs)`` of each episode that ended on this step.
        """
        live = ~self.done
        n = self.venv.num_envs
        for name, values in infos["reward_components"].items():
            if not name.startswith("_"):
                self.totals.setdefault(name, np.zeros(n))[live] += np.asarray(values)[live]
        ended = []
        for i in np.flatnonzero(live & (terminated | truncated)):
            rewards = {k: float(v[i]) for k, v in self.totals.items()}
            ended.append((int(i), rewards, kpi.episode_kpis(self.venv.episode_log(int(i)), rewards, self.config)))
            self.done[i] = True
        return ended


def run_policy(
    policy: DispatchPolicy, seeds: Sequence[int], env: str = DEFAULT_ENV, **env_kwargs: Any
) -> list[dict[str, float]]:
    """One episode per seed; the KPIs of each (in seed order)."""
    venv = make_batch(env, len(seeds), **{**getattr(policy, "env_overrides", {}), **env_kwargs})
    try:
        obs, _ = venv.reset(seed=list(seeds))
        policy.reset(len(seeds), seed=seeds[0] if seeds else None)
        bind = getattr(policy, "bind", None)
        if bind is not None:
            # Planners branch the env's state, not only the observation.
            bind(venv)
        tally = EpisodeTally(venv)
        results: list[dict[str, float]] = [{} for _ in seeds]
        while not tally.done.all():
            actions = np.asarray(policy(obs, venv.action_masks()), dtype=np.int64)
            obs, _, terminated, truncated, infos = venv.step(actions)
            for i, _, kpis in tally.add(infos, terminated, truncated):
                results[i] = kpis
        return results
    finally:
        venv.close()


@dataclass
class Report:
    """KPIs of several policies on the same seeds."""

    env: str
    seeds: list[int]
    env_kwargs: dict[str, Any]
    per_seed: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    #: Heuristic names (candidates for "best heuristic").
    heuristics: list[str] = field(default_factory=list)
    #: Policies every other one is also compared with, paired (``ferrogym evaluate --vs``).
    compare_with: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, dict[str, kpi.Interval]]:
        """Per policy, each KPI's mean with its 95% confidence interval."""
        return {name: kpi.summarize(rows) for name, rows in self.per_seed.items()}

    def best_heuristic(self, by: str = kpi.PRIMARY) -> str | None:
        """The heuristic (other than random) with the best mean ``by``."""
        candidates = [h for h in self.heuristics if h != "random" and h in self.per_seed]
        if not candidates:
            return None
        means = {h: kpi.Interval.of([r[by] for r in self.per_seed[h]]).mean for h in candidates}
        best = candidates[0]
        for h in candidates[1:]:
            if kpi.better(by, means[h], means[best]):
                best = h
        return best

    def paired_vs(self, reference: str) -> dict[str, dict[str, kpi.Interval]]:
        """Per policy other than ``reference``, each KPI's paired difference to it (same seeds), with its CI."""
        base = self.per_seed[reference]
        return {name: kpi.paired(rows, base) for name, rows in self.per_seed.items() if name != reference}

    def to_json(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data: summary, paired differences to the best heuristic, per-seed rows."""
        best = self.best_heuristic()
        return {
            "env": self.env,
            "env_kwargs": self.env_kwargs,
            "seeds": self.seeds,
            "primary_kpi": kpi.PRIMARY,
            "best_heuristic": best,
            "summary": {p: {k: v.as_dict() for k, v in s.items()} for p, s in self.summary.items()},
            "paired_vs_best": (
                {p: {k: v.as_dict() for k, v in s.items()} for p, s in self.paired_vs(best).items()} if best else {}
            ),
            "paired_vs": {ref: self.paired_percent(ref) for ref in self.compare_with},
            "per_seed": self.per_seed,
        }

    def paired_percent(self, reference: str) -> dict[str, dict[str, dict[str, float]]]:
        """Paired differences against ``reference`` of every other policy, per
        KPI: the interval in the KPI's units and in percent of the reference's mean."""
        means = self.summary[reference]
        out: dict[str, dict[str, dict[str, float]]] = {}
        for name, stats in self.paired_vs(reference).items():
            out[name] = {}
            for key, iv in stats.items():
                row = iv.as_dict()
                base = means[key].mean
                if base:
                    row.update(
                        {
                            f"{k}_pct": 100 * iv_v / base
                            for k, iv_v in (("mean", iv.mean), ("low", iv.low), ("high", iv.high))
                        }
                    )
                out[name][key] = row
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Long-format rows (policy, kpi, mean, interval, paired difference vs the best heuristic) for CSV."""
        best = self.best_heuristic()
        diffs = self.paired_vs(best) if best else {}
        out: list[dict[str, Any]] = []
        for policy, stats in self.summary.items():
            for name, iv in stats.items():
                d = diffs.get(policy, {}).get(name)
                out.append(
                    {
                        "policy": policy,
                        "kpi": name,
                        "mean": iv.mean,
                        "ci_low": iv.low,
                        "ci_high": iv.high,
                        "n": iv.n,
                        "vs": best or "",
                        "diff_mean": d.mean if d else math.nan,
                        "diff_ci_low": d.low if d else math.nan,
                        "diff_ci_high": d.high if d else math.nan,
                    }
                )
        return out


def evaluate(
    policies: Mapping[str, DispatchPolicy],
    seeds: Sequence[int],
    env: str = DEFAULT_ENV,
    heuristics: Sequence[str] = (),
    progress: Any = None,
    **env_kwargs: Any,
) -> Report:
    """Runs every policy on the same seeds. ``progress(name)`` is called before each."""
    report = Report(env=env_id(env), seeds=list(seeds), env_kwargs=dict(env_kwargs), heuristics=list(heuristics))
    for name, policy in policies.items():
        if progress is not None:
            progress(name)
        report.per_seed[name] = run_policy(policy, seeds, env, **env_kwargs)
    return report
