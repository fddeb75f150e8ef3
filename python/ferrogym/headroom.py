"""How much better than the best rule can a TicketRouting router be? The
headroom report runs, on the same held-out seeds (common random numbers):

- the 8 dispatch heuristics, of which the best by mean weighted resolution;
- the stronger baselines with their tuned knobs, and the best of them
  (the best heuristic counts as a candidate too, so it is never weaker);
- the rollout planner, which sees no more than a router can, rolling out the
  best tuned stronger baseline and departing from its choice;
- the information oracle (the planner knowing every ticket's true work).

Each of the last three is compared with the best rule before it by paired
differences over seeds with 95% t intervals, in minutes and in percent of the
reference's mean; critical-SLA attainment and tickets resolved are the
guardrails reported beside the headline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ferrogym import kpi
from ferrogym.errors import ConfigError
from ferrogym.evaluation import DispatchPolicy, Report, env_id, evaluate, make_batch
from ferrogym.policies import POLICIES, make_policy
from ferrogym.policies.planner import InformationOracle, RolloutPlanner
from ferrogym.policies.stronger import STRONGER, Team, make_stronger

#: KPIs compared at each rung: the headline, then the guardrails.
HEADROOM_KPIS = (kpi.PRIMARY, "sla_critical", "resolved")


@dataclass
class Headroom:
    """How far above the best heuristic a router can go: best heuristic, tuned stronger baseline, planner, oracle."""

    report: Report
    best_heuristic: str
    best_stronger: str
    planner_knobs: dict[str, float]
    #: The rule the planner and the oracle roll out and depart from.
    planner_base: str

    def rungs(self) -> list[tuple[str, str, str]]:
        """(role, policy, compared with)."""
        return [
            ("best heuristic", self.best_heuristic, ""),
            ("best tuned stronger baseline", self.best_stronger, self.best_heuristic),
            ("planner", RolloutPlanner.name, self.best_stronger),
            ("oracle", InformationOracle.name, self.best_stronger),
        ]

    def table(self) -> list[dict[str, Any]]:
        """Returns one row per rung: its KPIs and their paired difference to the rung it is compared with."""
        summary = self.report.summary
        rows = []
        for role, name, ref in self.rungs():
            row: dict[str, Any] = {"role": role, "policy": name, "vs": ref}
            for key in HEADROOM_KPIS:
                row[key] = summary[name][key].as_dict()
                if ref:
                    diff = kpi.paired(self.report.per_seed[name], self.report.per_seed[ref])[key]
                    base = summary[ref][key].mean
                    row[f"{key}_diff"] = diff.as_dict()
                    row[f"{key}_diff_pct"] = {
                        "mean": 100 * diff.mean / base,
                        "low": 100 * diff.low / base,
                        "high": 100 * diff.high / base,
                    }
            rows.append(row)
        return rows

    def to_json(self) -> dict[str, Any]:
        """Returns the ladder, the planner settings and the full report as JSON-ready data."""
        return {
            "env": self.report.env,
            "env_kwargs": self.report.env_kwargs,
            "seeds": [min(self.report.seeds), max(self.report.seeds)],
            "n_seeds": len(self.report.seeds),
            "primary_kpi": kpi.PRIMARY,
            "planner": {**self.planner_knobs, "base": self.planner_base},
            "headroom": self.table(),
            "report": self.report.to_json(),
        }

    def rows(self) -> list[dict[str, Any]]:
        """Returns the underlying report's per-policy rows, for CSV."""
        return self.report.rows()


def headroom(
    env: str,
    seeds: Sequence[int],
    planner_knobs: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    **env_kwargs: Any,
) -> Headroom:
    """The rungs on ``seeds``; the planner and the oracle roll out, and
    depart from, the best tuned stronger baseline (``sed`` when the best rule
    is another heuristic)."""
    knobs = dict(planner_knobs or {})
    probe = make_batch(env, 1, **env_kwargs)
    try:
        probe.reset(seed=0)
        team, layout = Team.of(probe), probe.obs_layout
    finally:
        probe.close()
    seed = seeds[0]
    rules: dict[str, DispatchPolicy] = {n: make_policy(n, layout, seed=seed) for n in POLICIES}
    for name in STRONGER:
        rules[name] = make_stronger(name, layout, team, seed)
    # Build the planners first: bad knobs fail before any episode runs.
    RolloutPlanner(layout, seed=seed, **knobs)
    report = evaluate(rules, seeds, env_id(env), heuristics=list(POLICIES), progress=progress, **env_kwargs)
    best_heuristic = report.best_heuristic()
    assert best_heuristic is not None
    means = {n: kpi.Interval.of([r[kpi.PRIMARY] for r in report.per_seed[n]]).mean for n in report.per_seed}
    best_stronger = best_heuristic
    for name in STRONGER:
        if kpi.better(kpi.PRIMARY, means[name], means[best_stronger]):
            best_stronger = name
    base = rules[best_stronger] if best_stronger in STRONGER or best_stronger == "sed" else None
    planners: dict[str, DispatchPolicy] = {
        cls.name: cls(layout, seed=seed, base=base, **knobs)  # type: ignore[arg-type]
        for cls in (RolloutPlanner, InformationOracle)
    }
    more = evaluate(planners, seeds, env_id(env), progress=progress, **env_kwargs)
    report.per_seed.update(more.per_seed)
    planner_info = {k: float(v) for k, v in knobs.items()}
    return Headroom(report, best_heuristic, best_stronger, planner_info, base.name if base is not None else "sed")


#: The fields that must agree between parts of one headroom evaluation.
_SAME_IN_PARTS = ("env", "env_kwargs", "planner", "best_stronger")


def merge_headroom(parts: Sequence[tuple[str, Mapping[str, Any]]]) -> Headroom:
    """One headroom report from several written by ``--headroom --json`` on
    disjoint seeds (a long evaluation split across processes or machines).

    Args:
        parts: ``(name, json_document)`` pairs; ``name`` (a file name) only labels errors.

    Returns:
        The report over the union of the seeds, its paired intervals computed
        from the per-seed KPIs of every part (not averaged from the parts'
        intervals), of the policies every part evaluated.

    Raises:
        ConfigError: naming the part, when a document is not a headroom report,
            when parts differ in env, config, planner knobs or baseline, or when
            their seeds overlap.
    """
    if not parts:
        raise ConfigError("headroom merge: no parts given; expected at least one headroom JSON")
    seen: dict[int, str] = {}
    first: dict[str, Any] = {}
    per_seed: dict[str, list[dict[str, float]]] = {}
    seeds: list[int] = []
    for name, doc in parts:
        try:
            report = doc["report"]
            fields = {
                "env": doc["env"],
                "env_kwargs": doc["env_kwargs"],
                "planner": doc["planner"],
                "best_stronger": next(
                    r["policy"] for r in doc["headroom"] if r["role"] == "best tuned stronger baseline"
                ),
            }
            part_seeds = [int(x) for x in report["seeds"]]
            rows = {str(p): [dict(r) for r in v] for p, v in report["per_seed"].items()}
        except (KeyError, TypeError, ValueError, StopIteration) as e:
            raise ConfigError(
                f"headroom merge: {name} is not a headroom report written by --headroom --json ({e!r} missing or bad)"
            ) from None
        if any(len(v) != len(part_seeds) for v in rows.values()):
            raise ConfigError(f"headroom merge: {name}: per-seed KPIs do not match its {len(part_seeds)} seeds")
        if not first:
            first = fields
        for key in _SAME_IN_PARTS:
            if fields[key] != first[key]:
                raise ConfigError(
                    f"headroom merge: {name} has {key}={fields[key]!r} but the first part has {first[key]!r}; "
                    "expected parts of one evaluation (same env, config, planner and baseline)"
                )
        missing = {fields["best_stronger"], RolloutPlanner.name, InformationOracle.name} - set(rows)
        if missing:
            raise ConfigError(f"headroom merge: {name} has no per-seed KPIs of {sorted(missing)}")
        for seed in part_seeds:
            if seed in seen:
                raise ConfigError(f"headroom merge: seed {seed} is in both {seen[seed]} and {name}; expected disjoint")
            seen[seed] = name
        # A policy some part did not evaluate (one added to the ladder later) is left out.
        common = set(rows) if not seeds else set(rows) & set(per_seed)
        per_seed = {p: v + rows[p] for p, v in per_seed.items() if p in common} if seeds else rows
        seeds += part_seeds
    report_all = Report(str(first["env"]), seeds, dict(first["env_kwargs"]), per_seed, heuristics=list(POLICIES))
    best_heuristic = report_all.best_heuristic()
    if best_heuristic is None:
        raise ConfigError("headroom merge: the parts hold no heuristic's KPIs")
    planner = dict(first["planner"])
    base = str(planner.pop("base"))
    knobs = {k: float(v) for k, v in planner.items()}
    return Headroom(report_all, best_heuristic, str(first["best_stronger"]), knobs, base)
