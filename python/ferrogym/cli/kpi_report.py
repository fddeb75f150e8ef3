"""The KPI report in a terminal: policies as rows, the headline KPIs as
columns, narrow enough for 80 columns; then the paired difference of each
policy from the best heuristic in the same layout. ``--wide`` shows every KPI
(KPIs as rows, one column per policy); JSON and CSV always hold everything.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table

from ferrogym import kpi
from ferrogym.evaluation import Report


def _minutes(iv: kpi.Interval, signed: bool) -> str:
    return _cell(iv, 1.0, 0, "", signed)


def _percent(iv: kpi.Interval, signed: bool) -> str:
    return _cell(iv, 100.0, 0, "%", signed)


def _count(iv: kpi.Interval, signed: bool) -> str:
    return _cell(iv, 1.0, 1, "", signed)


def _cell(iv: kpi.Interval, scale: float, digits: int, unit: str, signed: bool) -> str:
    if math.isnan(iv.mean):
        return "-"
    sign = "+" if signed else ""
    mean = f"{iv.mean * scale:{sign}.{digits}f}{unit}"
    return mean if math.isnan(iv.low) else f"{mean}±{iv.half_width * scale:.{digits}f}"


#: The headline columns: (KPI, header, cell format). Minutes as integers,
#: shares as percent, counts with one decimal: six columns fit 80.
COLUMNS: tuple[tuple[str, str, Callable[[kpi.Interval, bool], str]], ...] = (
    ("weighted_resolution", "weighted\nmin", _minutes),
    ("resolution_mean", "mean\nmin", _minutes),
    ("resolution_p95", "p95\nmin", _minutes),
    ("sla_critical", "critical\nSLA", _percent),
    ("util_spread", "util\nspread", _percent),
    ("open_at_end", "open\nat end", _count),
)
#: Widest policy name shown whole (longer names wrap).
NAME_WIDTH = 18


def _headline_table(title: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("policy", max_width=NAME_WIDTH, overflow="fold")
    for _, header, _ in COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    return table


def print_headline(console: Console, report: Report) -> None:
    """The 80-column report: means ± 95% CI, then paired differences vs the best heuristic."""
    summary = report.summary
    kw = ", ".join(f"{k}={v}" for k, v in report.env_kwargs.items())
    title = f"{report.env} ({kw}), {len(report.seeds)} seeds, mean ± 95% CI; resolution in minutes"
    table = _headline_table(title)
    for name, stats in summary.items():
        table.add_row(name, *(fmt(stats[k], False) if k in stats else "-" for k, _, fmt in COLUMNS))
    console.print(table)
    best = report.best_heuristic()
    if best is not None:
        _paired_table(
            console, report, best, f"paired difference vs the best heuristic, {best} (same seeds); green: better"
        )
    for ref in report.compare_with:
        if ref != best:
            _paired_table(console, report, ref, f"paired difference vs {ref} (same seeds); green: better")


def _paired_table(console: Console, report: Report, reference: str, title: str) -> None:
    diffs = report.paired_vs(reference)
    if not diffs:
        return
    t2 = _headline_table(title)
    for name, stats in diffs.items():
        cells = []
        for key, _, fmt in COLUMNS:
            iv = stats.get(key)
            if iv is None:
                cells.append("-")
                continue
            cell = fmt(iv, True)
            significant = not math.isnan(iv.low) and (iv.low > 0 or iv.high < 0)
            if significant and iv.mean != 0:
                cell = f"[green]{cell}[/]" if kpi.better(key, iv.mean, 0.0) else f"[red]{cell}[/]"
            cells.append(cell)
        t2.add_row(name, *cells)
    console.print(t2)
