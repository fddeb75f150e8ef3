"""``ferrogym record / replay / plot`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app

pytest.importorskip("pyarrow")
runner = CliRunner()


def test_cli__record_replay_plot(tmp_path: Path) -> None:
    run = tmp_path / "g.parquet"
    r = runner.invoke(
        app,
        [
            "record",
            "ferrogym/GridWorld-v0",
            "-o",
            str(run),
            "--episodes",
            "2",
            "--video",
            str(tmp_path / "g.gif"),
            "--kwargs",
            '{"slip": 0.1}',
        ],
    )
    assert r.exit_code == 0, r.output
    assert "recorded 2 episode(s)" in r.output and (tmp_path / "g.gif").stat().st_size > 0
    r = runner.invoke(app, ["replay", str(run), "--list"])
    assert r.exit_code == 0 and "episode 1: env 0" in r.output
    r = runner.invoke(app, ["replay", str(run), "--episode", "1", "--render", "video", "-o", str(tmp_path / "r.gif")])
    assert r.exit_code == 0, r.output
    assert "matches the recording" in r.output
    r = runner.invoke(app, ["replay", str(run), "--episode", "0", "--render", "ansi"])
    assert r.exit_code == 0 and "-- step 0" in r.output
    r = runner.invoke(app, ["replay", str(run), "--render", "rgb_array"])
    assert r.exit_code == 0 and "frames of (224, 224, 3)" in r.output
    r = runner.invoke(app, ["plot", str(run), "--kind", "heatmap", "-o", str(tmp_path / "h.png")])
    assert r.exit_code == 0 and (tmp_path / "h.png").exists()
    r = runner.invoke(app, ["plot", str(run), str(run), "--kind", "compare", "-o", str(tmp_path / "c.png")])
    assert r.exit_code == 0, r.output


def test_cli__errors_exit_1_and_never_overwrite(tmp_path: Path) -> None:
    run = tmp_path / "c.parquet"
    assert runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(run)]).exit_code == 0
    before = run.read_bytes()
    r = runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(run)])
    assert r.exit_code == 1 and "the file exists" in r.output and run.read_bytes() == before
    r = runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(run), "--append", "--episodes", "2"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["replay", str(run), "--episode", "9"])
    assert r.exit_code == 1 and "no episode 9" in r.output
    r = runner.invoke(app, ["replay", str(run), "--render", "video"])
    assert r.exit_code != 0
    r = runner.invoke(app, ["replay", str(run), "--render", "bogus"])
    assert r.exit_code != 0
    r = runner.invoke(app, ["plot", str(run), "--kind", "heatmap", "-o", str(tmp_path / "x.png")])
    assert r.exit_code == 1 and "not grid positions" in r.output
    (tmp_path / "y.png").write_bytes(b"keep")
    r = runner.invoke(app, ["plot", str(run), "-o", str(tmp_path / "y.png")])
    assert r.exit_code == 1 and (tmp_path / "y.png").read_bytes() == b"keep"
    r = runner.invoke(app, ["plot", str(run), str(run), "--kind", "returns", "-o", str(tmp_path / "z.png")])
    assert r.exit_code != 0
    r = runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(tmp_path / "k.parquet"), "--kwargs", "[1]"])
    assert r.exit_code != 0
    r = runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(tmp_path / "p.parquet"), "--policy", "nope"])
    assert r.exit_code == 1 and "invalid policy" in r.output
