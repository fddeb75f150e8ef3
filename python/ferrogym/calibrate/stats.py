"""The interval estimates every fit uses (SciPy's distributions, one home for each)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

#: Two-sided confidence level of every interval in a calibration.
LEVEL = 0.95
Z = float(stats.norm.ppf(0.5 + LEVEL / 2))


@dataclass(frozen=True)
class Estimate:
    """A fitted value and its interval at :data:`LEVEL`."""

    value: float
    low: float
    high: float

    def covers(self, x: float) -> bool:
        """Whether ``x`` lies inside the interval (ends included)."""
        return self.low <= x <= self.high

    def as_list(self) -> list[float]:
        """``[value, low, high]``, rounded for files."""
        return [round(self.value, 6), round(self.low, 6), round(self.high, 6)]


def poisson_rate(count: NDArray[np.float64], exposure: NDArray[np.float64] | float) -> tuple[NDArray[np.float64], ...]:
    """Rates ``count / exposure`` and their exact (Garwood) Poisson intervals.

    Returns:
        ``(rate, low, high)`` arrays, each ``count``'s shape.
    """
    c = np.asarray(count, dtype=np.float64)
    a = 1 - LEVEL
    low = np.where(c > 0, stats.chi2.ppf(a / 2, 2 * c) / 2, 0.0)
    high = stats.chi2.ppf(1 - a / 2, 2 * c + 2) / 2
    e = np.asarray(exposure, dtype=np.float64)
    return c / e, low / e, high / e


def proportions(counts: NDArray[np.float64]) -> list[Estimate]:
    """Each category's share of ``counts`` with its Wilson score interval."""
    c = np.asarray(counts, dtype=np.int64)
    n = int(c.sum())
    out = []
    for k in c:
        ci = stats.binomtest(int(k), n).proportion_ci(confidence_level=LEVEL, method="wilson")
        out.append(Estimate(float(k) / n, float(ci.low), float(ci.high)))
    return out
