"""`ferrogym calibrate` end to end on the shipped sample export, then evaluate and train on its scenario."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from ferrogym.calibrate.report import FIGURES
from ferrogym.calibrate.tickets import read_tickets
from ferrogym.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).parents[2] / "examples" / "data" / "zendesk_sample.csv"


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calibration")
    args = ["calibrate", str(SAMPLE), "--preset", "zendesk", "--out", str(out), "--sla", "critical=120"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "249 tickets over 14 days, 3 types, 5 engineers" in result.output
    assert "not fitted:" in result.output and "validation (" in result.output
    return out


def test_cli_calibrate__writes_tickets_scenario_and_report(calibrated: Path) -> None:
    tickets = read_tickets(calibrated / "tickets.parquet")
    assert tickets.height == pl.read_csv(SAMPLE).height
    doc = yaml.safe_load((calibrated / "scenario.yaml").read_text())
    assert doc["ferrogym_scenario"] == 1
    assert doc["engineers"] == sorted(tickets.get_column("assignee").drop_nulls().unique().to_list())
    assert doc["config"]["sla_minutes"][0] == 120
    assert "--preset zendesk" in doc["provenance"]["command"]
    for name in FIGURES:
        png = (calibrated / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5000, name
    page = (calibrated / "report.md").read_text()
    for name in FIGURES:
        assert f"({name})" in page
    assert f"{doc['config']['arrivals_per_day']:.1f} arrivals per day" in page
    assert "## Validation" in page and "KS distance" in page
    html = (calibrated / "report.html").read_text()
    assert "<table>" in html and 'src="skills.png"' in html


def test_cli_evaluate__runs_policies_on_the_scenario_file(calibrated: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    scenario = str(calibrated / "scenario.yaml")
    args = ["evaluate", "--config", scenario, "-p", "sed", "--seeds", "2", "--set", "cap=3", "--json", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["env_kwargs"] == {"config": scenario, "cap": 3}
    assert set(report["summary"]) == {"sed"}


def test_cli_train__takes_a_scenario_file_as_config(calibrated: Path, tmp_path: Path) -> None:
    args = ["train", "--config", str(calibrated / "scenario.yaml"), "--timesteps", "64", "--n-envs", "2"]
    result = runner.invoke(app, [*args, "--max-minutes", "0", "--eval-seeds", "0", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["env_kwargs"]["n_engineers"] == 5
    assert meta["env_kwargs"]["ticket_types"] == ["incident", "question", "problem"]


def test_cli_calibrate__event_log_with_only_case_activity_timestamp(tmp_path: Path) -> None:
    t = pl.read_csv(SAMPLE)
    events = pl.concat(
        [
            t.select(
                pl.col("Id").alias("case"), pl.lit("New").alias("activity"), pl.col("Created at").alias("timestamp")
            ),
            t.filter(pl.col("Solved at").is_not_null()).select(
                pl.col("Id").alias("case"), pl.lit("Solved").alias("activity"), pl.col("Solved at").alias("timestamp")
            ),
        ]
    )
    events.write_csv(tmp_path / "log.csv")
    args = ["calibrate", str(tmp_path / "log.csv"), "--event-log", "--resolved-activity", "Solved"]
    result = runner.invoke(
        app, [*args, "--out", str(tmp_path / "out"), "--engineers", "5", "--validate-policy", "none"]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "no resource column" in said and "(given by --engineers)" in said
    doc = yaml.safe_load((tmp_path / "out" / "scenario.yaml").read_text())
    assert doc["config"]["ticket_types"] == ["unknown"] and doc["config"]["n_engineers"] == 5
    assert not (tmp_path / "out" / "validation.png").exists()


def test_cli_calibrate__bad_input_exits_2_with_the_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calibrate", str(SAMPLE), "--map", "ticket_id=Id", "--map", "created=Opened"])
    assert result.exit_code == 2
    assert "no column 'Opened', which --map maps to 'created'" in " ".join(result.output.split())
    result = runner.invoke(app, ["calibrate", str(SAMPLE), "--preset", "zendesk", "--sla", "critical"])
    assert result.exit_code == 2 and "PRIORITY=MINUTES" in result.output


def test_sample_export__is_what_its_script_generates() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_export", SAMPLE.with_name("make_sample_export.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = pl.read_csv(SAMPLE, infer_schema=False)
    assert module.sample_export().equals(shipped)
