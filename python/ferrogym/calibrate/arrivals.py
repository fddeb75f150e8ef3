"""Arrivals: a non-homogeneous Poisson process by hour x weekday, and its trend.

The model is TicketRouting's own: ``rate(weekday w, hour h) = arrivals_per_day
/ 24 * hour_profile[h] * weekday_factor[w]`` (profile mean 1). Its maximum
likelihood fit is separable: each weekday's daily rate is its count over the
days of that weekday in the period, each hour's share is its count over the
total. The hourly counts are smoothed toward the mean of their two
neighbouring hours with the weight of one day of data (a gamma prior centred
there), so a week of history gets a smooth profile and eight weeks keep
their peaks. Intervals are exact Poisson (Garwood). The trend is a Poisson
regression of daily counts on time with one level per weekday.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import optimize

from ferrogym.calibrate.stats import Estimate, Z, poisson_rate

#: Pseudo-days of data the neighbouring hours weigh in the smoothed profile.
SMOOTH_DAYS = 1.0
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class ArrivalFit:
    """The fitted arrival process and what it was fitted on.

    Attributes:
        days: days in the period (first to last creation date, inclusive).
        exposure: days of each weekday in the period (Monday first).
        counts: observed tickets per weekday x hour, shape (7, 24).
        daily: per weekday, arrivals per day with its interval.
        hourly: per hour, arrivals per day in that hour (all weekdays pooled) with its interval.
        arrivals_per_day: the config's ``arrivals_per_day`` (mean over weekdays).
        hour_profile: the config's ``hour_profile`` (smoothed, mean 1).
        weekday_factor: the config's ``weekday_factor`` (mean 1).
        trend_per_4_weeks: relative change of the daily rate over 28 days, with its interval.
        daily_counts: tickets per day of the period, in order.
    """

    days: int
    exposure: list[int]
    counts: F64
    daily: list[Estimate]
    hourly: list[Estimate]
    arrivals_per_day: float
    hour_profile: list[float]
    weekday_factor: list[float]
    trend_per_4_weeks: Estimate
    daily_counts: list[int]

    def fitted_rate(self) -> F64:
        """The fitted arrivals per hour, by weekday x hour (7, 24)."""
        hp = np.asarray(self.hour_profile)
        wf = np.asarray(self.weekday_factor)
        return np.asarray(self.arrivals_per_day / 24 * wf[:, None] * hp[None, :], dtype=np.float64)


def fit_arrivals(created: pl.Series, first_day: np.datetime64, days: int) -> ArrivalFit:
    """The arrival process of tickets created at ``created`` over ``days`` days from ``first_day``.

    Args:
        created: creation times (naive Datetime).
        first_day: the first day of the period (midnight).
        days: the period's length in days (>= 1).

    Returns:
        The :class:`ArrivalFit`.
    """
    c = created.cast(pl.Datetime("us"))
    weekday = (c.dt.weekday() - 1).to_numpy()  # polars: Monday = 1
    hour = c.dt.hour().to_numpy()
    counts = np.zeros((7, 24))
    np.add.at(counts, (weekday, hour), 1.0)
    day_of = (c.dt.date().cast(pl.Int64) - int(first_day.astype("datetime64[D]").astype(np.int64))).to_numpy()
    daily_counts = np.bincount(day_of, minlength=days)[:days]
    first_weekday = int((first_day.astype("datetime64[D]").astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    day_weekday = (first_weekday + np.arange(days)) % 7
    exposure = np.bincount(day_weekday, minlength=7)
    per_weekday = counts.sum(axis=1)
    rate, lo, hi = poisson_rate(per_weekday, np.maximum(exposure, 1))
    daily = [Estimate(float(r), float(a), float(b)) for r, a, b in zip(rate, lo, hi, strict=True)]
    per_hour = counts.sum(axis=0)
    hrate, hlo, hhi = poisson_rate(per_hour, days)
    hourly = [Estimate(float(r), float(a), float(b)) for r, a, b in zip(hrate, hlo, hhi, strict=True)]
    neighbours = (np.roll(hrate, 1) + np.roll(hrate, -1)) / 2
    smoothed = (per_hour + SMOOTH_DAYS * neighbours) / (days + SMOOTH_DAYS)
    profile = 24 * smoothed / smoothed.sum()
    seen = exposure > 0
    apd = float(rate[seen].mean())
    factor = np.where(seen, rate / apd, 0.0)
    return ArrivalFit(
        days=days,
        exposure=[int(x) for x in exposure],
        counts=counts,
        daily=daily,
        hourly=hourly,
        arrivals_per_day=apd,
        hour_profile=[float(x) for x in profile],
        weekday_factor=[float(x) for x in factor],
        trend_per_4_weeks=_trend(daily_counts.astype(np.float64), day_weekday),
        daily_counts=[int(x) for x in daily_counts],
    )


def _trend(n: F64, weekday: NDArray[np.int64]) -> Estimate:
    """Relative change over 28 days of the Poisson rate ``n_d ~ exp(a_w(d) + b t_d)``, by maximum likelihood."""
    levels = [w for w in range(7) if n[weekday == w].sum() > 0]
    if len(n) < 2 or not levels:
        return Estimate(0.0, float("nan"), float("nan"))
    keep = np.isin(weekday, levels)
    n, wd = n[keep], weekday[keep]
    t = np.flatnonzero(keep).astype(np.float64)
    t = (t - t.mean()) / 28.0
    x = np.column_stack([(wd == w).astype(np.float64) for w in levels] + [t])

    def nll(beta: F64) -> tuple[float, F64]:
        eta = x @ beta
        mu = np.exp(eta)
        return float(mu.sum() - n @ eta), x.T @ (mu - n)

    start = np.array([np.log(n[wd == w].mean()) for w in levels] + [0.0])
    res = optimize.minimize(nll, start, jac=True, method="BFGS")
    mu = np.exp(x @ res.x)
    cov = np.linalg.pinv(x.T @ (x * mu[:, None]))
    b, se = float(res.x[-1]), float(np.sqrt(max(cov[-1, -1], 0.0)))
    return Estimate(float(np.expm1(b)), float(np.expm1(b - Z * se)), float(np.expm1(b + Z * se)))
