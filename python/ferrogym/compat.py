"""The compatibility matrix: library x env x single/batched -> pass/fail/not supported.

tests/compat writes the results file (see :func:`results_path`) with the
versions it ran with and the date, and refreshes :data:`SHIPPED`, the last
measured matrix that ships in the package; ``ferrogym compat`` prints the
results file, or the shipped matrix when there is none, ``--markdown`` as the
README table.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS_ENV = "FERROGYM_COMPAT_RESULTS"
#: The matrix of the last tests/compat run in the source tree, shipped in the package.
SHIPPED = Path(__file__).with_name("compat_matrix.json")
#: Distributions whose versions a results file records.
VERSIONED = (
    "gymnasium",
    "numpy",
    "torch",
    "stable-baselines3",
    "sb3-contrib",
    "ray",
    "torchrl",
    "tensordict",
    "tianshou",
    "skrl",
    "pettingzoo",
)
#: Matrix rows, in print order.
LIBRARIES = (
    "sb3-PPO",
    "sb3-A2C",
    "sb3-DQN",
    "sb3-SAC",
    "sb3-contrib-MaskablePPO",
    "gymnasium-vector-wrappers",
    "cleanrl-ppo",
    "rllib-PPO",
    "torchrl",
    "tianshou-DQN",
    "skrl-PPO",
    "pettingzoo",
)
MODES = ("single", "batched")
#: Cells that cannot exist, with the reason (shown by ``ferrogym compat``).
NOT_SUPPORTED: dict[tuple[str, str], str] = {
    ("pettingzoo", "single"): "PettingZoo takes multi-agent envs only (ferrogym/MultiTeamTicketRouting)",
    ("pettingzoo", "batched"): "PettingZoo has no batched API",
    ("cleanrl-ppo", "single"): "CleanRL loops take a vector env",
    ("gymnasium-vector-wrappers", "single"): "vector wrappers take a vector env",
}


@dataclass
class Cell:
    """One cell of the compatibility matrix: a library, an env and a mode, its status and the test behind it."""

    library: str
    env: str
    mode: str
    status: str  # pass | fail | skip | n/a
    test: str = ""
    #: Why the library cannot take this env (n/a cells: a test checked the refusal).
    reason: str = ""


def results_path() -> Path:
    """Returns where the compatibility tests write their results (the environment variable, or the default)."""
    return Path(os.environ.get(RESULTS_ENV, "compat-results/matrix.json"))


def installed_versions() -> dict[str, str | None]:
    """Returns the installed version of Python and of every RL library in the matrix (None when absent)."""
    import importlib.metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def load_results(path: Path) -> dict[str, Any]:
    """Returns the recorded results at ``path``; no versions and no cells when the file does not exist."""
    if not path.exists():
        return {"versions": {}, "cells": []}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def merge_results(path: Path, cells: list[Cell]) -> None:
    """Writes ``cells`` over the file's cells of the same library (a partial
    run keeps the other libraries' results) with the versions installed now."""
    data = load_results(path)
    ran = {c.library for c in cells}
    kept = [c for c in data.get("cells", []) if c["library"] not in ran]
    data["cells"] = kept + [asdict(c) for c in cells]
    data["versions"] = {**data.get("versions", {}), **installed_versions()}
    data["measured"] = datetime.now(timezone.utc).date().isoformat()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def reasons(data: dict[str, Any]) -> dict[str, list[str]]:
    """Why cells are n/a: per library, each distinct reason (with its envs) once."""
    by: dict[tuple[str, str], list[str]] = {}
    for c in data.get("cells", []):
        if c["status"] == "n/a" and c.get("reason"):
            envs = by.setdefault((c["library"], c["reason"]), [])
            short = c["env"].split("/")[-1]
            if short not in envs:
                envs.append(short)
    out: dict[str, list[str]] = {}
    for (lib, why), envs in by.items():
        out.setdefault(lib, []).append(f"{', '.join(sorted(envs))}: {why}")
    return out


def matrix(data: dict[str, Any]) -> tuple[list[str], list[str], dict[tuple[str, str, str], str]]:
    """(libraries, envs, {(library, env, mode): status}) with "n/a" where not supported."""
    status: dict[tuple[str, str, str], str] = {}
    envs: list[str] = []
    libs = list(LIBRARIES)
    for c in data.get("cells", []):
        status[(c["library"], c["env"], c["mode"])] = c["status"]
        if c["env"] not in envs:
            envs.append(c["env"])
        if c["library"] not in libs:
            libs.append(c["library"])
    for lib in libs:
        for env in envs:
            for mode in MODES:
                if (lib, mode) in NOT_SUPPORTED and (lib, env, mode) not in status:
                    status[(lib, env, mode)] = "n/a"
    return libs, sorted(envs), status


SYMBOL = {"pass": "pass", "fail": "FAIL", "skip": "skipped", "n/a": "n/a"}


def markdown(data: dict[str, Any]) -> str:
    """The README table (library rows, env columns, ``single / batched`` cells) and the versions."""
    libs, envs, status = matrix(data)
    short = [e.split("/")[-1] for e in envs]
    lines = ["| library | " + " | ".join(short) + " |", "|---|" + "---|" * len(envs)]
    for lib in libs:
        cells = []
        for env in envs:
            pair = [SYMBOL.get(status.get((lib, env, m), ""), "-") for m in MODES]
            cells.append(" / ".join(pair))
        if any(c != "- / -" for c in cells):
            lines.append(f"| {lib} | " + " | ".join(cells) + " |")
    versions = ", ".join(f"{k} {v}" for k, v in sorted(data.get("versions", {}).items()) if v)
    lines += ["", "Cells: single / batched. Run with " + versions + "."]
    why = reasons(data)
    if why:
        lines += ["", "Not supported (n/a), each refusal checked by a test:", ""]
        lines += [f"- {lib}: {r}" for lib in libs for r in why.get(lib, [])]
    return "\n".join(lines)
