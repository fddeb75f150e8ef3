"""``ferrogym evaluate CustomerSupport-v0``: the baselines (random,
quick_resolution, rule, greedy_oracle) and trained SB3 models on the same
customers, by named scenario or on held-out random customers: outcome shares
(resolved / abandoned / escalated), return and turns with 95% intervals, as a
rich table and ``--json`` / ``--csv`` (the TicketRouting report's shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ferrogym import kpi
from ferrogym.envs.customer_support import SCENARIOS
from ferrogym.policies.customer_support import BASELINES, Episode, ModelPolicy, Policy, make_env, run_episode

ENV_ID = "ferrogym/CustomerSupport-v0"
#: Random customers from the env's defaults (no named scenario).
RANDOM = "random_customers"
#: Per-episode figures summarised in the report, in table order.
METRICS = ("resolved", "abandoned", "escalated", "return", "turns")


def episode_row(e: Episode) -> dict[str, float]:
    """Returns one conversation's figures: its outcome as 0/1 flags, its return and its length."""
    return {
        "resolved": float(e.outcome == "resolved"),
        "abandoned": float(e.outcome == "abandoned"),
        "escalated": float(e.outcome == "escalated"),
        "return": e.total_reward,
        "turns": float(len(e.turns)),
    }


@dataclass
class SupportReport:
    """Per scenario and policy, one row of figures per seed."""

    seeds: list[int]
    per_seed: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, dict[str, kpi.Interval]]]:
        """Per scenario and policy, each metric's mean with its 95% confidence interval."""
        return {
            scenario: {
                policy: {m: kpi.Interval.of([r[m] for r in rows]) for m in METRICS} for policy, rows in by.items()
            }
            for scenario, by in self.per_seed.items()
        }

    def to_json(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data: the summary and the per-seed rows."""
        return {
            "env": ENV_ID,
            "seeds": self.seeds,
            "summary": {
                s: {p: {m: iv.as_dict() for m, iv in ms.items()} for p, ms in by.items()}
                for s, by in self.summary().items()
            },
            "per_seed": self.per_seed,
        }

    def rows(self) -> list[dict[str, Any]]:
        """Returns the summary as flat rows (scenario, policy, metric, mean, CI), one per CSV line."""
        return [
            {"scenario": s, "policy": p, "metric": m, "mean": iv.mean, "ci_low": iv.low, "ci_high": iv.high, "n": iv.n}
            for s, by in self.summary().items()
            for p, ms in by.items()
            for m, iv in ms.items()
        ]


def build_policies(names: Sequence[str], seed: int) -> dict[str, Policy]:
    """Baselines by name, or SB3 models from a `ferrogym train` directory or a .zip."""
    out: dict[str, Policy] = {}
    for name in names:
        if name == "random":
            from ferrogym.policies.customer_support import RandomPolicy

            out[name] = RandomPolicy(seed)
        elif name in BASELINES:
            out[name] = BASELINES[name]()
        elif Path(name).exists():
            from ferrogym.training import ALGORITHMS, load_model
            from ferrogym.training.model_files import model_file

            model, meta = load_model(name)
            path, algo = model_file(name), str(meta["algo"])
            label = f"{algo}:{path.parent.name if path.name == 'model.zip' else path.stem}"
            out[label] = ModelPolicy(model, label, masked=ALGORITHMS[algo].masked)
        else:
            raise ValueError(f"{name!r} is neither a baseline ({', '.join(BASELINES)}) nor a model path")
    return out


def scenarios_for(scenario: str | None) -> list[str]:
    """``None`` -> random customers; ``all`` -> every named conversation; else that one."""
    if scenario is None or scenario == RANDOM:
        return [RANDOM]
    if scenario == "all":
        return list(SCENARIOS)
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown CustomerSupport scenario {scenario!r}; expected one of {list(SCENARIOS)} or 'all'")
    return [scenario]


def evaluate(policies: dict[str, Policy], scenarios: Sequence[str], seeds: Sequence[int]) -> SupportReport:
    """Every policy on every scenario, one conversation per seed (the same customers for every policy)."""
    report = SupportReport(seeds=list(seeds))
    for scenario in scenarios:
        env = make_env() if scenario == RANDOM else make_env(scenario=scenario)
        by = report.per_seed.setdefault(scenario, {})
        for name, policy in policies.items():
            by[name] = [{"seed": s, **episode_row(run_episode(env, policy, s))} for s in seeds]
        env.close()
    return report


def _cell(iv: kpi.Interval, share: bool) -> str:
    if share:
        return f"{100 * iv.mean:.0f}%" + ("" if iv.n < 2 else f"±{100 * iv.half_width:.0f}")
    return f"{iv.mean:.2f}" + ("" if iv.n < 2 else f"±{iv.half_width:.2f}")


def print_report(console: Console, report: SupportReport) -> None:
    """Prints one table per scenario: each policy's metrics, mean ± 95% CI."""
    for scenario, by in report.summary().items():
        table = Table(title=f"{ENV_ID} {scenario}: {len(report.seeds)} seeds, mean ± 95% CI", title_justify="left")
        table.add_column("policy")
        for m in METRICS:
            table.add_column(m, justify="right")
        for policy, ms in by.items():
            table.add_row(policy, *(_cell(ms[m], m in METRICS[:3]) for m in METRICS))
        console.print(table)
