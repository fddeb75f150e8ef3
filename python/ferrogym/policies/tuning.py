"""Tunes the knobs of the stronger baselines (:mod:`ferrogym.policies.stronger`)
on training seeds and stores them where the policies read them.

A grid search per policy (its ``grid``), one episode per seed for every grid
point, common random numbers; the point with the best mean weighted
resolution wins. Seeds at or above the held-out start (10000) are refused, so
the held-out evaluation never sees a seed the knobs were chosen on.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ferrogym import kpi
from ferrogym.evaluation import HELD_OUT_SEED, make_batch, run_policy
from ferrogym.policies.stronger import STRONGER, TUNED_PATH, Team, make_stronger


def check_training_seeds(seeds: Sequence[int]) -> None:
    """Checks that tuning uses only training seeds.

    Raises:
        ValueError: a seed is at or above ``HELD_OUT_SEED`` (those are kept for evaluation).
    """
    held_out = [s for s in seeds if s >= HELD_OUT_SEED]
    if held_out:
        raise ValueError(
            f"tuning seeds must be training seeds < {HELD_OUT_SEED} (held out for evaluation); got {held_out[0]}"
        )


def team_and_layout(env: str, **env_kwargs: Any) -> tuple[Team, Any]:
    """The team of ``env`` (after a reset) and its observation layout."""
    probe = make_batch(env, 1, **env_kwargs)
    try:
        probe.reset(seed=0)
        return Team.of(probe), probe.obs_layout
    finally:
        probe.close()


def tune(
    env: str,
    seeds: Sequence[int],
    names: Sequence[str] = tuple(STRONGER),
    progress: Callable[[str], None] | None = None,
    **env_kwargs: Any,
) -> dict[str, dict[str, Any]]:
    """For each policy, the best grid point: ``{name: {"params", "weighted_resolution", "grid"}}``."""
    check_training_seeds(seeds)
    team, layout = team_and_layout(env, **env_kwargs)
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        grid = STRONGER[name].grid
        results: list[dict[str, Any]] = []
        for values in itertools.product(*grid.values()):
            params: dict[str, float] = dict(zip(grid, values, strict=True))
            if progress is not None:
                progress(f"{name} {params}")
            policy = make_stronger(name, layout, team, None, **params)
            rows = run_policy(policy, seeds, env, **env_kwargs)
            mean = kpi.Interval.of([r[kpi.PRIMARY] for r in rows]).mean
            results.append({"params": params, kpi.PRIMARY: mean})
        best = min(results, key=lambda r: float(r[kpi.PRIMARY]))
        out[name] = {"params": best["params"], kpi.PRIMARY: best[kpi.PRIMARY], "grid": results}
    return out


def store(
    scenario: str, tuned: dict[str, dict[str, Any]], seeds: Sequence[int], command: str, path: Path = TUNED_PATH
) -> None:
    """Writes the tuned knobs of ``scenario`` into ``path`` (other scenarios kept)."""
    data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    data.setdefault("scenarios", {})[scenario] = {name: t["params"] for name, t in tuned.items()}
    data.setdefault("provenance", {})[scenario] = {
        "command": command,
        "seeds": [min(seeds), max(seeds)],
        "kpi": kpi.PRIMARY,
        "grid_means": {name: t["grid"] for name, t in tuned.items()},
    }
    path.write_text(json.dumps(data, indent=1, allow_nan=True) + "\n")
