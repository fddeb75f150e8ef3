"""Validation: the fitted scenario simulated under the team's own routing, against the data.

The team's routing is approximated by the registered dispatch rule whose
simulated assignment shares (per type, per engineer) come closest to the
data's, or on request by :class:`ObservedSharesPolicy`: each ticket goes to
an engineer drawn with the probability that engineer took tickets of its
type in the data, among the engineers the env allows (it ignores load, so a
team that balances load looks slower under it than it was). Resolution times
(created to resolved, resolved tickets only, in both) are compared by mean,
median and 95th percentile and by the two-sample Kolmogorov-Smirnov distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from ferrogym.calibrate.fit import Calibration
from ferrogym.calibrate.simulate import PolicyFactory, policy_factory, simulate_weeks
from ferrogym.errors import ConfigError
from ferrogym.policies import POLICIES
from ferrogym.policies.base import BoolArray, FloatArray, IntArray, Policy, first_by_keys
from ferrogym.spaces import ObsSlice

#: The policy that routes by the observed shares.
OBSERVED = "observed-shares"
#: The default: the registered rule whose simulated assignment shares are closest to the data's
#: (OBSERVED matches the shares by construction, so it is no candidate; it has to be asked for).
AUTO = "auto"
#: Agreement thresholds of the verdict: KS distance, and relative error of p50 and p95.
KS_GOOD, KS_FAIR, QUANTILE_TOLERANCE = 0.05, 0.10, 0.05
#: Weeks the validation simulates: this many times the data's (so that the comparison carries the
#: data's noise, not the simulation's too), within these bounds...
SIM_FACTOR = 4
WEEKS = (8, 208)
#: ... and within a budget of simulated tickets (each one a policy call in Python): for the final run,
#: and for each candidate rule when choosing the closest one.
SIM_TICKETS, SELECT_TICKETS = 20_000, 3_000
F64 = NDArray[np.float64]


class ObservedSharesPolicy(Policy):
    """Routes each ticket to engineer ``e`` with probability ``shares[type, e]`` among the valid ones
    (uniformly when none of the valid ones took that type in the data)."""

    name = OBSERVED
    summary = "each type to engineers in the proportions the team routed it"

    def __init__(self, layout: Sequence[ObsSlice], shares: F64, seed: int | None = None) -> None:
        """Args: ``layout``: the env's observation layout; ``shares``: (types, engineer slots) rows of shares."""
        self.shares = np.asarray(shares, dtype=np.float64)
        super().__init__(layout, seed)

    def act(self, obs: FloatArray, mask: BoolArray) -> IntArray:
        """One engineer per row of ``obs``, drawn by the observed shares among the valid ones."""
        kind = np.argmax(self.cols.field(obs, "ticket_type"), axis=-1)
        w = np.zeros(mask.shape)
        m = min(mask.shape[-1], self.shares.shape[1])
        w[:, :m] = self.shares[kind, :m]
        w = np.where(mask, w, 0.0)
        w = np.where((w.sum(axis=1) > 0)[:, None], w, mask.astype(np.float64))
        # Gumbel-free sampling: the first valid slot whose cumulative share passes a uniform draw.
        cum = np.cumsum(w, axis=1) / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        u = self.rng.random((mask.shape[0], 1))
        past = (cum < u) | ~mask
        return first_by_keys(mask, past.astype(np.int64))


def assignment_shares(cal: Calibration) -> F64:
    """Per type (config order), each engineer's share of the tickets of that type they took."""
    eng = {e: i for i, e in enumerate(cal.work.engineers)}
    counts = np.zeros((len(cal.mix.types), max(len(eng), 1)))
    if eng:
        per = cal.tickets.filter(pl.col("assignee").is_not_null()).group_by("type", "assignee").len()
        types = {t: k for k, t in enumerate(cal.mix.types)}
        for t, a, n in per.iter_rows():
            counts[types[t], eng[a]] += n
    totals = counts.sum(axis=1, keepdims=True)
    return np.where(totals > 0, counts / np.maximum(totals, 1), 1.0 / counts.shape[1])


@dataclass(frozen=True)
class Validation:
    """Simulated against observed resolution times.

    Attributes:
        policy: the routing simulated.
        share_distance: per candidate policy, the mean total-variation distance between its
            simulated assignment shares and the data's (weighted by type frequency).
        weeks: weeks simulated.
        observed, simulated: ``{"tickets", "mean", "p50", "p95"}`` in minutes.
        ks: two-sample Kolmogorov-Smirnov distance; ``ks_pvalue`` its p-value.
        verdict: the plain sentence.
        observed_minutes, simulated_minutes: the samples (for the figure).
    """

    policy: str
    share_distance: dict[str, float]
    weeks: int
    observed: dict[str, float]
    simulated: dict[str, float]
    ks: float
    ks_pvalue: float
    verdict: str
    observed_minutes: F64
    simulated_minutes: F64

    def agrees(self) -> bool:
        """KS distance and both quantiles within the thresholds of a good fit."""
        return self.ks <= KS_GOOD and all(
            abs(self.simulated[q] - self.observed[q]) <= QUANTILE_TOLERANCE * self.observed[q] for q in ("p50", "p95")
        )


def validate(
    cal: Calibration, config: dict[str, Any], policy: str = AUTO, weeks: int | None = None, seed: int = 0
) -> Validation:
    """Simulates ``config`` (the fitted scenario) under ``policy`` and compares resolution times with the data.

    Args:
        cal: the calibration (its tickets are the data).
        config: the fitted TicketRouting config.
        policy: :data:`AUTO`, :data:`OBSERVED` or a registered dispatch rule.
        weeks: weeks to simulate (default: :data:`SIM_FACTOR` times the data's, within :data:`WEEKS`
            and :data:`SIM_TICKETS`).
        seed: the first episode's seed.

    Raises:
        ConfigError: an unknown policy or a refused config.
    """
    if policy not in (AUTO, OBSERVED) and policy not in POLICIES:
        raise ConfigError(f"validation policy {policy!r}: expected {AUTO}, {OBSERVED} or one of {list(POLICIES)}")
    weekly = max(7 * cal.arrivals.arrivals_per_day, 1.0)
    data_weeks = SIM_FACTOR * np.ceil(cal.days / 7)
    n_weeks = weeks or int(min(max(data_weeks, WEEKS[0]), WEEKS[1], max(SIM_TICKETS // weekly, 1)))
    shares = assignment_shares(cal)
    weight = np.array([e.value for e in cal.mix.type_probs])
    distance = {}
    if policy == AUTO:
        # A large desk is sampled on its first days (Monday on) rather than whole weeks.
        short = int(min(n_weeks, max(SELECT_TICKETS // weekly, 1)))
        days = int(min(7, max(1, 7 * SELECT_TICKETS // weekly)))
        for name in POLICIES:
            run = simulate_weeks(config, short, _factory(name, shares), seed + 10_000, days)
            distance[name] = _share_distance(_simulated_shares(run, shares.shape), shares, weight)
    chosen = min(distance, key=lambda n: distance[n]) if distance else policy
    logs = simulate_weeks(config, n_weeks, _factory(chosen, shares), seed)
    if not distance:
        distance[chosen] = _share_distance(_simulated_shares(logs, shares.shape), shares, weight)
    sim = np.concatenate(
        [np.asarray(g["tickets"]["done"], dtype=np.float64) - np.asarray(g["tickets"]["arrival"]) for g in logs]
    )
    obs = (
        cal.tickets.filter(pl.col("resolved").is_not_null())
        .select(((pl.col("resolved") - pl.col("created")).dt.total_microseconds() / 60e6).alias("m"))
        .get_column("m")
        .to_numpy()
    )
    o, s = _summary(obs), _summary(sim)
    if len(obs) and len(sim):
        ks = stats.ks_2samp(obs, sim)
        d, p = float(ks.statistic), float(ks.pvalue)
    else:
        d, p = 1.0, 0.0
    v = Validation(chosen, distance, n_weeks, o, s, d, p, "", obs, sim)
    return Validation(chosen, distance, n_weeks, o, s, d, p, _verdict(v), obs, sim)


def _factory(name: str, shares: F64) -> PolicyFactory:
    if name == OBSERVED:
        return lambda layout, seed: ObservedSharesPolicy(layout, shares, seed=seed)
    return policy_factory(name)


def _share_distance(simulated: F64, observed: F64, weight: F64) -> float:
    """Total variation between simulated and observed shares per type, weighted by type frequency."""
    return float(weight @ (0.5 * np.abs(simulated - observed).sum(axis=1)))


def _simulated_shares(logs: list[dict[str, dict[str, Any]]], shape: tuple[int, ...]) -> F64:
    """Per type, each engineer slot's share of the tickets routed in ``logs`` (same layout as the data's)."""
    counts = np.zeros(shape)
    for g in logs:
        for table in (g["tickets"], g["open"]):
            kind = np.asarray(table["kind"], dtype=np.int64)
            eng = np.asarray(table["engineer"], dtype=np.int64)
            ok = (eng >= 0) & (eng < shape[1])
            np.add.at(counts, (kind[ok], eng[ok]), 1.0)
    totals = counts.sum(axis=1, keepdims=True)
    return np.where(totals > 0, counts / np.maximum(totals, 1), 1.0 / shape[1])


def _summary(x: F64) -> dict[str, float]:
    if not len(x):
        return {"tickets": 0.0, "mean": float("nan"), "p50": float("nan"), "p95": float("nan")}
    return {
        "tickets": float(len(x)),
        "mean": float(x.mean()),
        "p50": float(np.percentile(x, 50)),
        "p95": float(np.percentile(x, 95)),
    }


def _verdict(v: Validation) -> str:
    rel = {q: (v.simulated[q] - v.observed[q]) / v.observed[q] for q in ("p50", "p95") if v.observed[q] > 0}
    gaps = ", ".join(f"{q} {r:+.0%}" for q, r in rel.items())
    if v.agrees():
        return (
            f"The fitted scenario reproduces the observed resolution times: KS distance {v.ks:.3f} "
            f"(<= {KS_GOOD}), simulated vs observed {gaps} (within {QUANTILE_TOLERANCE:.0%})."
        )
    if v.ks <= KS_FAIR:
        return (
            f"The fitted scenario roughly reproduces the observed resolution times: KS distance {v.ks:.3f}, "
            f"simulated vs observed {gaps}; use it for comparisons between policies, not for absolute figures."
        )
    return (
        f"The fitted scenario does NOT reproduce the observed resolution times: KS distance {v.ks:.3f}, "
        f"simulated vs observed {gaps}; the team's routing or working pattern differs from what the "
        "simulation assumes (see what could not be fitted)."
    )
