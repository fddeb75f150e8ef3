"""The calibration report: PNG figures and a Markdown page embedding them (and an HTML copy).

Figures: observed against fitted arrivals by hour and weekday, QQ plots of
work per type, skills with intervals, volume over time with the fitted
trend, and the validation's resolution-time distributions. Every number on
the page is read from the fits; nothing is typed in.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ferrogym.calibrate.fit import Calibration
from ferrogym.calibrate.stats import LEVEL
from ferrogym.calibrate.tickets import PRIORITIES, TIERS
from ferrogym.calibrate.validation import Validation
from ferrogym.extras import require

#: Most points a curve of the report draws (quantiles of larger samples): a figure, not a data dump.
MAX_POINTS = 2000
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: The figure files of a report, in page order.
FIGURES = ("arrivals.png", "volume.png", "work_qq.png", "skills.png", "validation.png")


def _figure(nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Any, Any]:
    """A matplotlib Figure (no pyplot state: safe in servers and tests) and its axes."""
    mfig = require("matplotlib.figure", "calibrate", "the calibration report")
    fig = mfig.Figure(layout="constrained", **kw)
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def plot_arrivals(cal: Calibration, path: Path) -> None:
    """Observed arrivals per day by hour and by weekday (with intervals) against the fitted rates."""
    a = cal.arrivals
    fig, ax = _figure(1, 2, figsize=(11, 3.6))
    hours = np.arange(24)
    obs = np.array([e.value for e in a.hourly])
    err = np.array([[e.value - e.low for e in a.hourly], [e.high - e.value for e in a.hourly]])
    exposure = np.asarray(a.exposure, dtype=np.float64)
    fitted_hour = (a.fitted_rate() * exposure[:, None]).sum(axis=0) / a.days
    ax[0, 0].errorbar(hours + 0.5, obs, yerr=err, fmt="o", ms=3, label=f"observed ({LEVEL:.0%} interval)")
    ax[0, 0].step(np.r_[hours, 24], np.r_[fitted_hour, fitted_hour[-1]], where="post", label="fitted")
    ax[0, 0].set(xlabel="hour of day", ylabel="arrivals per day in that hour", xlim=(0, 24))
    ax[0, 0].legend(fontsize=8, loc="upper left")
    days = np.arange(7)
    dobs = np.array([e.value for e in a.daily])
    derr = np.array([[e.value - e.low for e in a.daily], [e.high - e.value for e in a.daily]])
    ax[0, 1].errorbar(days, dobs, yerr=derr, fmt="o", label="observed")
    ax[0, 1].bar(days, a.arrivals_per_day * np.asarray(a.weekday_factor), alpha=0.3, label="fitted")
    ax[0, 1].set(xticks=days, xticklabels=WEEKDAYS, ylabel="arrivals per day")
    ax[0, 1].legend(fontsize=8, loc="upper right")
    fig.savefig(path, dpi=90)


def plot_volume(cal: Calibration, path: Path) -> None:
    """Tickets per day over the period, their 7-day mean and the fitted trend."""
    a = cal.arrivals
    n = np.asarray(a.daily_counts, dtype=np.float64)
    day = np.arange(len(n))
    fig, ax = _figure(figsize=(11, 3.2))
    ax[0, 0].bar(day, n, color="#9ab", label="tickets per day")
    if len(n) >= 7:
        ax[0, 0].plot(day[6:], np.convolve(n, np.ones(7) / 7, mode="valid"), color="k", label="7-day mean")
    t = a.trend_per_4_weeks
    if not math.isnan(t.low):
        mean = n.mean()
        centre = (len(n) - 1) / 2
        ax[0, 0].plot(
            day, mean * (1 + t.value) ** ((day - centre) / 28), "r--", label=f"trend {t.value:+.1%} / 4 weeks"
        )
    ax[0, 0].set(xlabel=f"day since {cal.first_day}", ylabel="tickets")
    ax[0, 0].legend(fontsize=8, loc="upper left")
    fig.savefig(path, dpi=90)


def plot_work_qq(cal: Calibration, path: Path) -> None:
    """QQ plot per type: standardised log handling-time residuals against a normal (a lognormal fits on the line)."""
    fitted = [(t, w) for t, w in cal.work.types.items() if w is not None]
    cols = min(4, max(1, len(fitted)))
    rows = max(1, math.ceil(len(fitted) / cols))
    fig, ax = _figure(rows, cols, figsize=(3 * cols, 2.8 * rows))
    for i, (name, w) in enumerate(fitted):
        a = ax[i // cols, i % cols]
        r = _thin(np.asarray(w.residuals))
        q = stats.norm.ppf((np.arange(1, len(r) + 1) - 0.5) / len(r))
        a.plot(q, r, ".", ms=2)
        a.plot([-3, 3], [-3, 3], "k--", lw=0.8)
        a.set_title(f"{name} (KS {w.ks:.3f})", fontsize=9)
    for j in range(len(fitted), rows * cols):
        ax[j // cols, j % cols].set_axis_off()
    fig.supxlabel("normal quantile")
    fig.supylabel("standardised log handling time")
    fig.savefig(path, dpi=90)


def plot_skills(cal: Calibration, path: Path) -> None:
    """Each engineer's relative skill per type with its interval (shrunk toward the team)."""
    w = cal.work
    types = cal.mix.types
    fig, ax = _figure(1, 1, figsize=(max(6, 1.4 * len(types) + 2), 3.6))
    if not w.engineers:
        ax[0, 0].text(
            0.5, 0.5, "no engineers in the input: skills not fitted", ha="center", transform=ax[0, 0].transAxes
        )
        fig.savefig(path, dpi=90)
        return
    n = len(w.engineers)
    width = 0.8 / n
    for e, name in enumerate(w.engineers):
        x = np.arange(len(types)) - 0.4 + width * (e + 0.5)
        v = np.array([s.value for s in w.skills[e]])
        lo = np.array([s.low for s in w.skills[e]])
        hi = np.minimum([s.high for s in w.skills[e]], 2.0)
        ax[0, 0].errorbar(x, v, yerr=[np.maximum(v - lo, 0), np.maximum(hi - v, 0)], fmt="o", ms=3, label=name)
    ax[0, 0].set(xticks=np.arange(len(types)), xticklabels=types, ylabel="relative skill (best = 1)")
    if n <= 12:
        ax[0, 0].legend(fontsize=7, ncols=2, loc="upper right")
    fig.savefig(path, dpi=90)


def plot_validation(v: Validation, path: Path) -> None:
    """Empirical distribution functions of observed and simulated resolution times."""
    fig, ax = _figure(figsize=(7, 3.4))
    for x, label in ((v.observed_minutes, "observed"), (v.simulated_minutes, f"simulated ({v.policy})")):
        if len(x):
            s = _thin(np.sort(np.maximum(x, 1e-3)) / 60)
            ax[0, 0].step(s, np.arange(1, len(s) + 1) / len(s), where="post", label=label)
    ax[0, 0].set(xscale="log", xlabel="resolution time (hours)", ylabel="share of tickets resolved")
    ax[0, 0].set_title(f"KS distance {v.ks:.3f}", fontsize=9)
    ax[0, 0].legend(fontsize=8, loc="lower right")
    fig.savefig(path, dpi=90)


def _thin(sorted_values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """At most :data:`MAX_POINTS` evenly spaced order statistics of a sorted sample (all of a small one)."""
    n = len(sorted_values)
    if n <= MAX_POINTS:
        return sorted_values
    return sorted_values[np.linspace(0, n - 1, MAX_POINTS).round().astype(np.int64)]


def write_report(cal: Calibration, validation: Validation | None, out: Path, source: str) -> Path:
    """Writes the figures, ``report.md`` and ``report.html`` into ``out``; returns the Markdown page's path."""
    out.mkdir(parents=True, exist_ok=True)
    plot_arrivals(cal, out / FIGURES[0])
    plot_volume(cal, out / FIGURES[1])
    plot_work_qq(cal, out / FIGURES[2])
    plot_skills(cal, out / FIGURES[3])
    if validation is not None:
        plot_validation(validation, out / FIGURES[4])
    page = out / "report.md"
    text = markdown(cal, validation, source)
    page.write_text(text)
    (out / "report.html").write_text(_html(text))
    return page


#: A table of the report: its header and its rows, as the page prints them.
Table = tuple[list[str], list[list[str]]]


def counted_table(cal: Calibration) -> Table:
    """What reading counted (dropped, censored, reopened...): label and tickets."""
    return ["counted", "tickets"], [[k, str(n)] for k, n in cal.notes.counts.items()] or [["nothing", "0"]]


def arrivals_table(cal: Calibration) -> Table:
    """Arrivals per weekday with their intervals, and the days of each weekday seen."""
    a = cal.arrivals
    return ["weekday", "days seen", "arrivals per day"], [
        [d, str(x), _iv(e)] for d, x, e in zip(WEEKDAYS, a.exposure, a.daily, strict=True)
    ]


def work_table(cal: Calibration) -> Table:
    """The lognormal work fit per type: tickets, censored, median and sigma with intervals, KS fit."""
    head = ["type", "tickets", "in progress (censored)", "median minutes", "sigma", "KS distance", "KS p-value"]
    rows = [
        [t, str(f.tickets), str(f.censored), _iv(f.median), _iv(f.sigma, 3), f"{f.ks:.3f}", f"{f.ks_pvalue:.3f}"]
        if f is not None
        else [t, "0", "0", "-", "-", "-", "-"]
        for t, f in cal.work.types.items()
    ]
    return head, rows


def skills_table(cal: Calibration) -> Table:
    """Each engineer's inferred shift, tickets and skill per type (no rows when the input names no engineers)."""
    w = cal.work
    return ["engineer", "shift", "tickets", *cal.mix.types], [
        [e, f"{s[0]:g}-{s[1]:g} h", str(sum(n)), *(f"{x.value:.2f}" for x in row)]
        for e, s, n, row in zip(w.engineers, w.shifts, w.tickets, w.skills, strict=True)
    ]


def validation_table(v: Validation) -> Table:
    """Observed against simulated resolution times: tickets, mean, p50, p95."""
    return ["resolution time (minutes)", "observed", "simulated"], [
        [k, f"{v.observed[k]:.0f}", f"{v.simulated[k]:.0f}"] for k in ("tickets", "mean", "p50", "p95")
    ]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in rows), ""]


def _ks(distance: float, pvalue: float) -> list[str]:
    return [f"{distance:.3f}", f"{pvalue:.3f}"]


def _iv(e: Any, digits: int = 1) -> str:
    return f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def markdown(cal: Calibration, v: Validation | None, source: str) -> str:
    """The report page in Markdown (figures by relative path)."""
    a, m, w = cal.arrivals, cal.mix, cal.work
    lines = [
        f"# Calibration of {source}",
        "",
        f"{cal.tickets.height} tickets created over {cal.days} days from {cal.first_day}. Intervals are {LEVEL:.0%}.",
        "",
        "## What the input allowed",
        "",
    ]
    lines += [f"- {s}" for s in cal.notes.not_fitted] or ["- every part of the scenario was fitted"]
    lines += [
        "",
        *_table(*counted_table(cal)),
    ]
    t = a.trend_per_4_weeks
    trend = "not estimable" if math.isnan(t.low) else f"{t.value:+.1%} [{t.low:+.1%}, {t.high:+.1%}] per 4 weeks"
    lines += [
        "## Arrivals",
        "",
        f"A Poisson process by hour x weekday: {a.arrivals_per_day:.1f} arrivals per day on average over the week; "
        f"trend {trend}.",
        "",
        "![arrivals](arrivals.png)",
        "",
        *_table(*arrivals_table(cal)),
        "![volume](volume.png)",
        "",
        "## Mix",
        "",
        *_table(
            ["type", "share", *("P(" + p + ")" for p in PRIORITIES)],
            [
                [t_, _iv(e, 3), *(f"{x:.2f}" for x in row)]
                for t_, e, row in zip(m.types, m.type_probs, m.priority_probs, strict=True)
            ],
        ),
    ]
    if m.tier_probs is not None:
        lines += _table(
            ["tier", "share"],
            [[n, _iv(e, 3)] for n, e in zip(TIERS, m.tier_probs, strict=True)],
        )
    lines += [
        "## Work per type",
        "",
        f"Handling time measured as: {w.handling_source}. Lognormal by maximum likelihood, one mean per engineer; "
        "the median is for a skill-1 engineer.",
        "",
        *_table(*work_table(cal)),
        "![work QQ plots](work_qq.png)",
        "",
        "## Engineers",
        "",
        "![skills](skills.png)",
        "",
    ]
    if w.engineers:
        lines += _table(*skills_table(cal))
    lines += [
        "## SLA targets (minutes)",
        "",
        *_table(list(PRIORITIES), [[f"{x:g}" for x in cal.sla_minutes]]),
    ]
    if v is not None:
        lines += [
            "## Validation",
            "",
            f"The fitted scenario simulated for {v.weeks} weeks under `{v.policy}`, the routing whose assignment "
            "shares come closest to the team's (distance per candidate: "
            + ", ".join(f"{k} {d:.3f}" for k, d in v.share_distance.items())
            + ").",
            "",
            *_table(*validation_table(v)),
            f"KS distance {v.ks:.3f} (p = {v.ks_pvalue:.3g}).",
            "",
            f"**{v.verdict}**",
            "",
            "![validation](validation.png)",
            "",
        ]
    return "\n".join(lines)


def _html(md: str) -> str:
    """A self-contained HTML copy of the page: headings, lists, tables, figures and paragraphs."""
    body: list[str] = []
    rows: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            if not line.startswith("|---"):
                cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
                tag = "th" if not rows else "td"
                rows.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
            continue
        if rows:
            body.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("!["):
            alt, src = line[2:].split("](")
            body.append(f'<p><img src="{html.escape(src.rstrip(")"))}" alt="{html.escape(alt)}"></p>')
        elif line.startswith("- "):
            body.append(f"<ul><li>{html.escape(line[2:])}</li></ul>")
        elif line.strip():
            body.append(f"<p>{html.escape(line.replace('**', '').replace('`', ''))}</p>")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:auto}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
    )
    head = f"<head><meta charset='utf-8'><style>{style}</style></head>"
    return f"<!doctype html><html>{head}<body>{''.join(body)}</body></html>"
