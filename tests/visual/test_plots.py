"""Plots built from recordings (Agg backend), one checked pixel by pixel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import matplotlib
import numpy as np
import pytest

from ferrogym import plots
from ferrogym.errors import ConfigError, RecordingError
from ferrogym.record import Recorder
from ferrogym.record.policies import least_loaded, load_policy
from tests.conftest import sample_action

matplotlib.use("Agg")
pytest.importorskip("pyarrow")


def record(path: Path, env_id: str, episodes: int, policy: Any = None, **kwargs: Any) -> Path:
    with Recorder(gym.make(env_id, **kwargs), path) as env:
        env.action_space.seed(0)
        for k in range(episodes):
            obs, _ = env.reset(seed=k)
            done = False
            while not done:
                a = policy(obs, env) if policy else sample_action(env)
                obs, _, term, trunc, _ = env.step(a)
                done = term or trunc
    return path


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("t") / "t.parquet", "ferrogym/TicketRouting-v0", 2, least_loaded)


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("g") / "g.parquet", "ferrogym/GridWorld-v0", 3)


def pixels(fig: Any) -> np.ndarray[Any, Any]:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


def test_plot_actions__bar_heights_match_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        env.reset(seed=0)
        for a in (0, 0, 0, 1):
            env.step(a)
    fig = plots.plot_actions(path)
    img = pixels(fig).astype(int)
    blue = np.abs(img - [31, 119, 180]).sum(axis=-1) < 10  # matplotlib's C0
    cols = np.flatnonzero(blue.any(axis=0))
    # Two bars: split the blue columns at their gap and measure each bar's height.
    gap = np.flatnonzero(np.diff(cols) > 1)
    assert len(gap) == 1
    left, right = cols[: gap[0] + 1], cols[gap[0] + 1 :]
    h_left = blue[:, left].sum(axis=0).max()
    h_right = blue[:, right].sum(axis=0).max()
    assert h_left / h_right == pytest.approx(3.0, rel=0.03)


def test_plot_heatmap__counts_every_visit(grid: Path) -> None:
    counts = plots.visit_counts(grid)
    from ferrogym.record import Recording

    assert counts.sum() == len(Recording(grid).columns(["step"])["step"])
    assert counts[1, 1] >= 3  # every episode starts there
    fig = plots.plot_heatmap(grid)
    assert fig.axes[0].images[0].get_array().shape == counts.shape


@pytest.mark.parametrize("kind", ["returns", "components", "actions", "tickets"])
def test_plot__ticket_routing_kinds_render(tickets: Path, kind: str, tmp_path: Path) -> None:
    fig = plots.plot(tickets, kind)
    out = tmp_path / f"{kind}.png"
    fig.savefig(out)
    img = pixels(fig)
    assert out.stat().st_size > 1000 and len(np.unique(img.reshape(-1, 3), axis=0)) > 10


def test_plot_returns__rolling_mean_of_episode_returns(grid: Path) -> None:
    _, returns, _ = plots.episode_returns(grid)
    fig = plots.plot_returns(grid, window=2)
    line = fig.axes[0].lines[1]
    np.testing.assert_allclose(line.get_ydata(), np.convolve(returns, [0.5, 0.5], mode="valid"))


def test_plot_tickets__resolution_times_per_priority(tickets: Path) -> None:
    times = plots.resolution_times(tickets)
    assert set(times) == set(plots.PRIORITIES)
    assert sum(len(v) for v in times.values()) > 10 and all((v > 0).all() for v in times.values())


def test_plot_comparison__policies_side_by_side(tickets: Path, tmp_path: Path) -> None:
    other = record(tmp_path / "first.parquet", "ferrogym/TicketRouting-v0", 2, load_policy("first_valid"))
    fig = plots.plot_comparison({"least_loaded": tickets, "first_valid": other})
    assert len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["least_loaded", "first_valid"]


def test_plot__wrong_kind_or_env_is_a_clear_error(grid: Path) -> None:
    with pytest.raises(ConfigError, match="invalid plot kind 'pie'"):
        plots.plot(grid, "pie")
    with pytest.raises(RecordingError, match="reports no reward components"):
        plots.plot(grid, "components")
    with pytest.raises(RecordingError, match="is not TicketRouting"):
        plots.plot(grid, "tickets")
    with pytest.raises(ConfigError, match="at least one"):
        plots.plot_comparison({})


def test_plot_heatmap__non_grid_env_is_refused(tickets: Path) -> None:
    with pytest.raises(RecordingError, match="not grid positions"):
        plots.plot_heatmap(tickets)


def test_policies__names_and_module_attrs(tmp_path: Path) -> None:
    assert load_policy("first_valid") is not None
    assert callable(load_policy("numpy:argmax"))
    for bad, msg in (("nope", "expected 'random'"), ("numpy:nothing_here", "invalid policy"), ("math:pi", "neither")):
        with pytest.raises(ConfigError, match=msg):
            load_policy(bad)
    env = gym.make("ferrogym/CartPole-v1")
    obs, _ = env.reset(seed=0)
    with pytest.raises(ConfigError, match="engineers"):
        least_loaded(obs, env)
    assert load_policy("random", 0)(obs, env) in (0, 1)
