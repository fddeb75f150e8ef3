"""`ferrogym evaluate --headroom --merge`: one headroom report from parts
evaluated on disjoint seeds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ferrogym import kpi
from ferrogym.cli import app
from ferrogym.errors import ConfigError
from ferrogym.headroom import merge_headroom

ID = "ferrogym/TicketRouting-v0"
runner = CliRunner()
HEADROOM = ["evaluate", ID, "--scenario", "specialists", "--headroom", "--seeds", "2", "--planner-samples", "2"]


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = []
    for start in (10_000, 10_002):
        path = tmp_path_factory.mktemp("parts") / f"part_{start}.json"
        result = runner.invoke(app, [*HEADROOM, "--seed-start", str(start), "--json", str(path)])
        assert result.exit_code == 0, result.output
        out.append(path)
    return out


def _docs(parts: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text())) for p in parts]


def test_headroom_merge__pools_the_per_seed_kpis_of_every_part(parts: list[Path]) -> None:
    docs = _docs(parts)
    h = merge_headroom(docs)
    assert h.report.seeds == [10_000, 10_001, 10_002, 10_003]
    planner = [r for d in docs for r in d[1]["report"]["per_seed"]["planner"]]
    base = [r for d in docs for r in d[1]["report"]["per_seed"][h.best_stronger]]
    row = next(r for r in h.table() if r["policy"] == "planner")
    assert row["weighted_resolution_diff"] == kpi.paired(planner, base)["weighted_resolution"].as_dict()
    assert row["weighted_resolution_diff"]["n"] == 4


def test_headroom_merge__keeps_the_policies_every_part_evaluated(parts: list[Path]) -> None:
    (a, doc_a), (b, doc_b) = _docs(parts)
    doc_b = copy.deepcopy(doc_b)
    del doc_b["report"]["per_seed"]["random"]
    h = merge_headroom([(a, doc_a), (b, doc_b)])
    assert "random" not in h.report.per_seed
    assert all(len(v) == 4 for v in h.report.per_seed.values())


def test_evaluate_headroom_merge__prints_80_columns_and_writes_json(parts: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    args = ["evaluate", ID, "--headroom", "--merge", str(parts[0]), "--merge", str(parts[1]), "--json", str(out)]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "…" not in result.output  # nothing truncated
    data = json.loads(out.read_text())
    assert data["n_seeds"] == 4 and data["seeds"] == [10_000, 10_003]
    wide = runner.invoke(app, [*args[:-2], "--wide"], env={"COLUMNS": "250"})
    assert wide.exit_code == 0 and "best tuned stronger baseline" in wide.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["planner"].update(samples=4.0), "planner"),
        (lambda d: d.update(env_kwargs={"scenario": "balanced"}), "env_kwargs"),
        (lambda d: d["report"].update(seeds=[10_000, 10_001]), "seed 10000 is in both"),
        (lambda d: d.pop("headroom"), "not a headroom report"),
        (lambda d: d["report"]["per_seed"]["sed"].pop(), "per-seed KPIs do not match"),
        (lambda d: d["report"]["per_seed"].pop("planner"), "no per-seed KPIs of"),
    ],
)
def test_headroom_merge__refuses_parts_of_different_evaluations(parts: list[Path], change: Any, message: str) -> None:
    (a, doc_a), (b, doc_b) = _docs(parts)
    doc_b = copy.deepcopy(doc_b)
    change(doc_b)
    with pytest.raises(ConfigError, match=message):
        merge_headroom([(a, doc_a), (b, doc_b)])


def test_evaluate_headroom_merge__bad_files_are_usage_errors(parts: list[Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    for extra, message in (
        (["--merge", str(junk)], "junk.json"),
        (["--merge", str(tmp_path / "missing.json")], "missing.json"),
    ):
        result = runner.invoke(app, ["evaluate", ID, "--headroom", *extra], env={"COLUMNS": "250"})
        assert result.exit_code == 2 and message in result.output, result.output
    other = runner.invoke(
        app, ["evaluate", "ferrogym/MultiTeamTicketRouting-v0", "--headroom", "--merge", str(parts[0])]
    )
    assert other.exit_code == 2
    no_headroom = runner.invoke(app, ["evaluate", ID, "--merge", str(parts[0])])
    assert no_headroom.exit_code == 2 and "--headroom" in no_headroom.output
    with pytest.raises(ConfigError, match="no parts"):
        merge_headroom([])
