"""Shifts, on-shift handling time, work content per type and engineers' skills.

TicketRouting serves a ticket of type k in ``work / skill[e, k]`` on-shift
minutes, ``work`` lognormal with median ``work_median_minutes[k]`` and
``work_sigma[k]``. So ``log(handling) = log(median_k) - log(skill_ek) +
sigma_k * normal``: per type, a normal model of log handling time with one
mean per engineer. The engineer means are shrunk toward their precision-weighted
mean by their ticket counts (empirical Bayes: the between-engineer variance by
the method of moments), the best engineer of a type gets skill 1 and the others
``exp(best mean - their mean)``.

Handling time is ``effort_minutes`` where the export records it; otherwise
the on-shift minutes of the assignee between ``assigned`` and ``resolved``
(an upper bound: it includes on-shift minutes spent on other tickets while
this one waited in the engineer's queue; exact for a FIFO engineer when
``assigned`` is the start of work); without ``assigned``, between ``created``
and ``resolved`` (a looser bound, said in the report).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from ferrogym.calibrate.inputs import Notes
from ferrogym.calibrate.stats import Estimate, Z

#: Fewest activity events (assignments + resolutions) to infer an engineer's own shift.
MIN_SHIFT_EVENTS = 10
#: Fewest tickets of an engineer before their skills rest mostly on their own data (reported below it).
FEW_TICKETS = 5
#: Activity-hour quantiles taken as the shift's start and end (robust to a few late resolutions).
SHIFT_QUANTILES = (0.02, 0.98)
#: Tickets still open at export and created within this many days of its end are censored observations
#: of work (in progress, at least as long as so far); older open tickets are taken as parked and left out.
CENSOR_DAYS = 7
#: EM iterations of the censored fit (it converges in a few when few tickets are censored).
EM_ITERATIONS = 50
#: Smallest skill written to a scenario (TicketRouting needs skills in (0, 1]).
MIN_SKILL = 0.02
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class TypeWork:
    """The work model of one ticket type.

    Attributes:
        tickets: handling times the fit used (censored ones included).
        censored: of those, tickets still in progress at export (right-censored).
        median: work median for a skill-1 engineer (minutes), with its interval.
        sigma: the lognormal sigma (within engineer), with its interval.
        ks: Kolmogorov-Smirnov distance of the standardised residuals from a normal.
        ks_pvalue: its p-value.
        residuals: the standardised residuals, sorted (for the QQ plot).
    """

    tickets: int
    censored: int
    median: Estimate
    sigma: Estimate
    ks: float
    ks_pvalue: float
    residuals: list[float]


@dataclass(frozen=True)
class WorkFit:
    """Work per type, skills and shifts.

    Attributes:
        engineers: names, in slot order.
        shifts: per engineer, ``[start_hour, end_hour]``.
        types: per type, its :class:`TypeWork` (``None`` when it had no usable handling time).
        skills: per engineer, per type, the relative skill with its interval.
        tickets: per engineer, per type, the tickets the fit used.
        handling_source: how handling time was measured (a sentence for the report).
    """

    engineers: list[str]
    shifts: list[list[float]]
    types: dict[str, TypeWork | None]
    skills: list[list[Estimate]]
    tickets: list[list[int]]
    handling_source: str


def infer_shifts(df: pl.DataFrame, engineers: list[str], notes: Notes) -> list[list[float]]:
    """Each engineer's daily ``[start, end]`` hours from when they assign or resolve tickets.

    The start is the floor of the 2% quantile of their activity hours, the end
    the ceiling of the 98% quantile. An engineer with fewer than
    :data:`MIN_SHIFT_EVENTS` events gets the team's median shift (counted in ``notes``).
    """
    ev = pl.concat(
        [
            df.select(pl.col("assignee"), pl.col("assigned").alias("t")),
            df.select(pl.col("assignee"), pl.col("resolved").alias("t")),
        ]
    ).drop_nulls()
    hours = ev.with_columns(h=pl.col("t").dt.hour() + pl.col("t").dt.minute() / 60 + pl.col("t").dt.second() / 3600)
    found: dict[str, list[float]] = {}
    for name, group in hours.group_by("assignee"):
        h = group.get_column("h").to_numpy()
        if len(h) < MIN_SHIFT_EVENTS:
            continue
        lo, hi = np.quantile(h, SHIFT_QUANTILES)
        start = float(np.floor(lo))
        end = float(min(24.0, max(np.ceil(hi), start + 1)))
        found[str(name[0])] = [start, end]
    if found:
        default = [float(np.median([s[0] for s in found.values()])), float(np.median([s[1] for s in found.values()]))]
        if default[1] <= default[0]:
            default = [default[0], min(24.0, default[0] + 8)]
    else:
        default = [9.0, 17.0]
    missing = [e for e in engineers if e not in found]
    notes.count(f"engineers with fewer than {MIN_SHIFT_EVENTS} events (team median shift used)", len(missing))
    return [found.get(e, default) for e in engineers]


def on_shift_minutes(start: pl.Expr, end: pl.Expr, shift_start: pl.Expr, shift_end: pl.Expr) -> pl.Expr:
    """On-shift minutes between ``start`` and ``end`` for a daily shift ``[shift_start, shift_end)`` hours."""

    def clock(t: pl.Expr) -> pl.Expr:
        # On-shift minutes from the epoch to t: whole days, then today's part.
        day = t.dt.epoch("d").cast(pl.Float64)
        minute = (t - t.dt.truncate("1d")).dt.total_microseconds().cast(pl.Float64) / 60e6
        length = (shift_end - shift_start) * 60
        return day * length + (minute - shift_start * 60).clip(0.0, None).clip(None, length)

    return clock(end) - clock(start)


def handling_times(df: pl.DataFrame, engineers: list[str], shifts: list[list[float]], notes: Notes) -> pl.DataFrame:
    """Per ticket with a measurable handling time: its type, assignee, minutes and whether it is censored.

    Resolved tickets give their handling time; tickets in progress at export
    (assigned, created within :data:`CENSOR_DAYS` of the export's end) give a
    lower bound, flagged ``censored``. Zero times are left out and counted.

    Returns:
        Columns ``type``, ``assignee``, ``minutes``, ``censored`` and ``source`` (how it was measured).
    """
    table = pl.DataFrame(
        {"assignee": engineers, "s0": [s[0] for s in shifts], "s1": [s[1] for s in shifts]},
        schema={"assignee": pl.Utf8, "s0": pl.Float64, "s1": pl.Float64},
    )
    end = df.select(pl.max_horizontal(pl.col("created").max(), pl.col("assigned").max(), pl.col("resolved").max()))
    export_end = end.item()
    still_open = pl.col("resolved").is_null()
    recent = pl.col("created") >= pl.lit(export_end) - pl.duration(days=CENSOR_DAYS)
    notes.count(
        f"open tickets created more than {CENSOR_DAYS} days before the export's end (parked: left out of the work fit)",
        df.filter(still_open & ~recent).height,
    )
    rows = df.filter(~still_open | (recent & pl.col("assigned").is_not_null())).join(table, on="assignee", how="left")
    stop = pl.coalesce("resolved", pl.lit(export_end))
    begin = pl.coalesce("assigned", "created")
    wall = (stop - begin).dt.total_microseconds().cast(pl.Float64) / 60e6
    out = rows.select(
        "type",
        "assignee",
        minutes=pl.when(pl.col("effort_minutes").is_not_null())
        .then(pl.col("effort_minutes"))
        .when(pl.col("s0").is_not_null())
        .then(on_shift_minutes(begin, stop, pl.col("s0"), pl.col("s1")))
        .otherwise(wall),
        censored=pl.col("resolved").is_null(),
        source=pl.when(pl.col("effort_minutes").is_not_null())
        .then(pl.lit("effort"))
        .when(pl.col("s0").is_not_null() & pl.col("assigned").is_not_null())
        .then(pl.lit("on-shift assigned->resolved"))
        .when(pl.col("s0").is_not_null())
        .then(pl.lit("on-shift created->resolved"))
        .otherwise(pl.lit("wall-clock")),
    )
    zero = pl.col("minutes") <= 0
    notes.count(
        "resolved tickets with zero handling time (left out of the work fit)",
        out.filter(zero & ~pl.col("censored")).height,
    )
    notes.count(
        "tickets in progress at export (censored in the work fit)", out.filter(~zero & pl.col("censored")).height
    )
    return out.filter(~zero)


def fit_work(
    df: pl.DataFrame, types: list[str], engineers: list[str], shifts: list[list[float]], notes: Notes
) -> WorkFit:
    """Work per type, skills per engineer and type, from the ticket table.

    Args:
        df: the ticket table (types already mapped to ``types``).
        types: ticket types, in config order.
        engineers: engineer names in slot order (empty: no resources in the input).
        shifts: their shifts (:func:`infer_shifts`).
        notes: where tolerated problems are counted.

    Returns:
        The :class:`WorkFit`.
    """
    h = handling_times(df, engineers, shifts, notes)
    sources = h.group_by("source").len().sort("len", descending=True)
    handling_source = ", ".join(f"{s} ({n})" for s, n in sources.iter_rows())
    if h.filter(pl.col("source") == "on-shift created->resolved").height:
        notes.cannot(
            "no assignment time: handling time is the assignee's on-shift minutes from creation to resolution, "
            "an upper bound that includes queueing"
        )
    if h.filter(pl.col("source") == "wall-clock").height:
        notes.cannot("no assignee: handling time is wall-clock time to resolution, which includes waiting")
    slots = engineers or ["(team)"]
    index = {e: i for i, e in enumerate(slots)}
    n_e = len(slots)
    skills = [[Estimate(1.0, 1.0, 1.0) for _ in types] for _ in slots]
    counts = [[0 for _ in types] for _ in slots]
    fits: dict[str, TypeWork | None] = {}
    for k, name in enumerate(types):
        rows = h.filter(pl.col("type") == name)
        if rows.height < 2:
            fits[name] = None
            continue
        y = np.log(rows.get_column("minutes").to_numpy())
        censored = rows.get_column("censored").to_numpy()
        who = (
            rows.get_column("assignee").replace_strict(index, default=0, return_dtype=pl.Int64).to_numpy()
            if engineers
            else np.zeros(rows.height, dtype=np.int64)
        )
        fit, post, sd, n = _shrunk_means(y, who, n_e, censored)
        fits[name] = fit
        best = int(np.argmin(np.where(n > 0, post, np.inf)))
        for e in range(n_e):
            counts[e][k] = int(n[e])
            # The interval of a difference of two estimates: the best engineer's uncertainty counts too.
            d = post[best] - post[e]
            half = Z * (float(np.hypot(sd[e], sd[best])) if e != best else 0.0)
            skills[e][k] = Estimate(max(float(np.exp(d)), MIN_SKILL), float(np.exp(d - half)), float(np.exp(d + half)))
    missing = [t for t, f in fits.items() if f is None]
    if missing:
        notes.cannot(f"fewer than 2 resolved tickets of type(s) {missing}: their work is the team's median")
    if engineers:
        few = sum(1 for e in range(n_e) if sum(counts[e]) < FEW_TICKETS)
        notes.count(f"engineers with fewer than {FEW_TICKETS} resolved tickets (skills mostly the team mean)", few)
    return WorkFit(
        engineers=engineers,
        shifts=shifts,
        types=fits,
        skills=skills[: len(engineers)] if engineers else [],
        tickets=counts[: len(engineers)] if engineers else [],
        handling_source=handling_source or "no resolved tickets",
    )


def _group_moments(z: F64, z2: F64, who: NDArray[np.int64], n: F64, dof: int) -> tuple[F64, float]:
    """Per-group means of ``z`` and the pooled within-group variance, from ``z`` and ``z2`` (its squares'
    expectations): ``sum(z2) - sum(n_e mean_e^2)`` over ``dof``."""
    sums = np.bincount(who, weights=z, minlength=len(n))
    ybar = np.where(n > 0, sums / np.maximum(n, 1), 0.0)
    within = float(z2.sum() - (n * ybar**2).sum())
    sigma2 = within / dof if dof > 0 else float(np.var(z))
    return ybar, max(sigma2, 1e-8)


def _shrunk_means(
    y: F64, who: NDArray[np.int64], n_e: int, censored: NDArray[np.bool_]
) -> tuple[TypeWork, F64, F64, F64]:
    """Empirical-Bayes engineer means of ``y`` (log minutes; ``censored`` ones are lower bounds)
    and the type's :class:`TypeWork`.

    The per-engineer normal model is fitted by EM over the censored values
    (their expected value and square given that they exceed the bound), then
    the completed data are shrunk as uncensored ones would be.
    """
    n = np.bincount(who, minlength=n_e).astype(np.float64)
    seen = n > 0
    groups = int(seen.sum())
    dof = len(y) - groups
    z, z2 = y.copy(), y**2
    ybar, sigma2 = _group_moments(z, z2, who, n, dof)
    if censored.any():
        bound = y[censored]
        for _ in range(EM_ITERATIONS):
            mu = ybar[who[censored]]
            sd0 = np.sqrt(sigma2)
            alpha = (bound - mu) / sd0
            mills = np.exp(stats.norm.logpdf(alpha) - stats.norm.logsf(alpha))  # E-step: inverse Mills ratio
            z[censored] = mu + sd0 * mills
            z2[censored] = mu**2 + sigma2 + sd0 * (mu + bound) * mills
            ybar, sigma2 = _group_moments(z, z2, who, n, dof)
    y = z
    # The target is the mean of the engineers' means, each weighted by its precision, not the mean of
    # all tickets: a routing that sends a type to its best engineers makes the ticket mean theirs, and
    # shrinking toward it would make the others look as fast (and the simulation too fast).
    if groups >= 2:
        between = float(np.var(ybar[seen], ddof=1))
        tau2 = max(between - float(np.mean(sigma2 / n[seen])), 1e-6)
    else:
        tau2 = 1e-6
    weight = np.where(seen, 1 / (tau2 + sigma2 / np.maximum(n, 1)), 0.0)
    m = float(weight @ ybar / weight.sum())
    b = np.where(seen, tau2 / (tau2 + sigma2 / np.maximum(n, 1)), 0.0)
    post = m + b * (ybar - m)
    # The team mean is estimated too (Morris' correction): without it, an engineer shrunk all the way
    # would get the interval of a known mean.
    var_m = 1 / float(weight.sum())
    var = np.where(seen, 1 / (n / sigma2 + 1 / tau2), tau2) + (1 - b) ** 2 * var_m
    sd = np.sqrt(var)
    best = int(np.argmin(np.where(seen, post, np.inf)))
    std = ((y - post[who]) / np.sqrt(sigma2))[~censored]  # the check is on observed times only
    ks = stats.kstest(std, "norm") if len(std) else stats.kstest([0.0], "norm")
    a = 1 - 0.95
    sigma = np.sqrt(sigma2)
    # A censored time carries less than an observed one: the interval counts the observed ones only.
    dof_seen = int((~censored).sum()) - groups
    sig_lo = sigma * np.sqrt(dof_seen / stats.chi2.ppf(1 - a / 2, dof_seen)) if dof_seen > 0 else float("nan")
    sig_hi = sigma * np.sqrt(dof_seen / stats.chi2.ppf(a / 2, dof_seen)) if dof_seen > 0 else float("nan")
    fit = TypeWork(
        tickets=len(y),
        censored=int(censored.sum()),
        median=Estimate(
            float(np.exp(post[best])),
            float(np.exp(post[best] - Z * sd[best])),
            float(np.exp(post[best] + Z * sd[best])),
        ),
        sigma=Estimate(float(sigma), float(sig_lo), float(sig_hi)),
        ks=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        residuals=[float(x) for x in np.sort(std)],
    )
    return fit, post, sd, n
