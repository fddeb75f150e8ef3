"""The compatibility matrix file and its printouts: n/a cells carry the reason a test checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.compat import RESULTS_ENV, SHIPPED, Cell, load_results, markdown, merge_results, reasons

runner = CliRunner()


def test_compat__na_reasons_are_listed_once_per_library_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    why = "DQN takes Discrete actions, not Box"
    merge_results(
        path,
        [
            Cell("sb3-DQN", "ferrogym/Pendulum-v1", "single", "n/a", "t1", why),
            Cell("sb3-DQN", "ferrogym/Pendulum-v1", "batched", "n/a", "t2", why),
            Cell("sb3-DQN", "ferrogym/PointMass-v0", "single", "n/a", "t3", why),
            Cell("sb3-DQN", "ferrogym/CartPole-v1", "single", "pass", "t4"),
        ],
    )
    data = load_results(path)
    assert reasons(data) == {"sb3-DQN": [f"Pendulum-v1, PointMass-v0: {why}"]}
    table = markdown(data)
    assert "| sb3-DQN | pass / - | n/a / n/a | n/a / - |" in table
    assert f"- sb3-DQN: Pendulum-v1, PointMass-v0: {why}" in table
    result = runner.invoke(app, ["compat", "--results", str(path)])
    assert result.exit_code == 0, result.output
    assert why in " ".join(result.output.split())
    assert json.loads(path.read_text())["cells"][0]["reason"] == why


def test_compat__without_a_local_run_prints_the_shipped_matrix_and_its_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "none.json"))
    shipped = load_results(SHIPPED)
    result = runner.invoke(app, ["compat"])
    assert result.exit_code == 0, result.output
    assert f"measured {shipped['measured']}" in result.output
    assert "shipped with ferrogym" in result.output
    assert "sb3-PPO" in result.output


def test_compat__the_docs_page_shows_the_shipped_matrix() -> None:
    """The how-to page's table is generated from SHIPPED when the site is built (scripts/mkdocs_hooks.py)."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    assert "<!-- gen:compat-matrix -->" in (root / "docs" / "howto" / "rl_libraries.md").read_text()
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", root / "scripts" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    shipped = load_results(SHIPPED)
    assert hooks.compat_matrix().endswith(markdown(shipped))
    assert f"Measured {shipped['measured']}" in hooks.compat_matrix()
