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


def hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Makes ``import MODULE`` fail as if the extra were not installed."""
    import sys

    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


@pytest.mark.parametrize(
    ("argv", "hidden", "extra"),
    [
        (["plot", "{tmp}/run.parquet", "-o", "{tmp}/p.png"], ("matplotlib", "matplotlib.pyplot"), "viz"),
        (["replay", "{tmp}/x.h5"], ("h5py",), "record"),
        (["record", "ferrogym/CartPole-v1", "-o", "{tmp}/r.parquet"], ("pyarrow", "pyarrow.parquet"), "record"),
        (["replay", "{tmp}/run.parquet", "--render", "human"], ("pygame",), "viz"),
    ],
)
def test_cli__a_missing_extra_is_one_line_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    hidden: tuple[str, ...],
    extra: str,
) -> None:
    from ferrogym.cli import main

    assert runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(tmp_path / "run.parquet")]).exit_code == 0
    (tmp_path / "x.h5").write_bytes(b"an HDF5 file would be here")
    hide(monkeypatch, *hidden)
    monkeypatch.setattr("sys.argv", ["ferrogym", *(a.format(tmp=tmp_path) for a in argv)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert f"pip install 'ferrogym[{extra}]'" in err
