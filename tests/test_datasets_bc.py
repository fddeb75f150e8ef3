"""Behaviour cloning from a Minari dataset and the ``ferrogym dataset`` command (tiny sizes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.errors import DatasetError
from ferrogym.policies import make_policy

pytest.importorskip("minari")
pytest.importorskip("sb3_contrib")
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.datasets import bc, check_dataset, export_rollouts, replay_dataset
from ferrogym.training import load_policy

TICKET = "ferrogym/TicketRouting-v0"
runner = CliRunner()


def _sed() -> Any:
    return make_policy("sed", gym.make(TICKET).unwrapped.obs_layout)


def test_bc__demonstrations_are_the_datasets_decisions_with_returns_to_go(tmp_path: Path) -> None:
    ds = export_rollouts("tr/sed-v0", TICKET, _sed(), episodes=3, num_envs=3, root=tmp_path)
    demos = bc.demonstrations(ds, gamma=0.5)
    ep = ds[0]
    n = len(ep)
    assert len(demos.actions) == ds.total_steps
    assert np.array_equal(demos.obs[:n], ep.observations[:-1]) and np.array_equal(demos.actions[:n], ep.actions)
    r = ep.rewards
    assert demos.returns[n - 1] == pytest.approx(r[-1]) and demos.returns[n - 2] == pytest.approx(r[-2] + 0.5 * r[-1])
    assert demos.masks[np.arange(len(demos.actions)), demos.actions].all()
    assert len(bc.demonstrations(ds, 0.9, max_decisions=1).actions) == n  # whole episodes


def test_bc__clone_fits_saves_and_compares_with_the_teacher(tmp_path: Path) -> None:
    ds = export_rollouts("tr/sed-v0", TICKET, _sed(), episodes=2, num_envs=2, root=tmp_path)
    result = bc.clone(ds, epochs=1, batch_size=64, hidden=8)
    assert result.teacher == "sed" and 0.0 <= result.fit["accuracy"] <= 1.0
    assert result.fit["samples"] == ds.total_steps
    out = result.save(tmp_path / "bc", "tr/sed-v0")
    reloaded = load_policy(out)
    obs, _ = gym.make(TICKET).reset(seed=3)
    mask = gym.make(TICKET).unwrapped.action_masks()
    assert reloaded(obs, mask) == result.policy(obs, mask)
    report, diff = bc.compare(result.policy, _sed(), [10_000, 10_001, 10_002], result.env_kwargs)
    assert diff.n == 3 and set(report.per_seed) == {"sed", "bc:sed"}
    # A trained model exports like any policy, and its dataset re-simulates.
    student = export_rollouts("tr/bc-v0", TICKET, reloaded, episodes=2, root=tmp_path)
    check_dataset(student)
    assert len(replay_dataset(student)) == 2 and student.storage.metadata["algorithm_name"] == reloaded.name


def test_bc__dataset_of_another_env_is_refused_naming_the_file(tmp_path: Path) -> None:
    cartpole = "ferrogym/CartPole-v1"
    rnd = make_policy("random", ())
    ds = export_rollouts("cp/random-v0", cartpole, rnd, episodes=1, root=tmp_path)
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: dataset 'cp/random-v0' is from ferrogym/CartPole-v1,"):
        bc.demonstrations(ds, 0.99)


def test_cli_dataset__rollout_check_clone(tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    args = ["dataset", "rollout", TICKET, "tr/sed-v0", "--policy", "sed", "--episodes", "3", "--root", root]
    r = runner.invoke(app, [*args, "--set", "scenario=specialists"])
    assert r.exit_code == 0, r.output
    assert "wrote 3 episodes" in r.output
    r = runner.invoke(app, ["dataset", "check", "tr/sed-v0", "--root", root, "--replay", "2"])
    assert r.exit_code == 0, r.output
    assert "passes Minari's checks" in r.output and "re-simulated 2 episode(s) from their seeds: identical" in r.output
    args = ["dataset", "clone", "tr/sed-v0", "--root", root, "--out", str(tmp_path / "bc"), "--epochs", "1"]
    r = runner.invoke(app, [*args, "--hidden", "8", "--batch-size", "64", "--eval-seeds", "2"])
    assert r.exit_code == 0, r.output
    assert "agreement with sed" in r.output and "bc:sed - sed:" in r.output
    assert (tmp_path / "bc" / "model.zip").is_file()


def test_cli_dataset__from_recording_and_errors(tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    run = tmp_path / "g.parquet"
    r = runner.invoke(app, ["record", "ferrogym/CartPole-v1", "-o", str(run), "--episodes", "2"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["dataset", "from-recording", str(run), "cp/rec-v0", "--root", root])
    assert r.exit_code == 0, r.output
    assert "wrote 2 episodes" in r.output
    r = runner.invoke(app, ["dataset", "check", "cp/missing-v0", "--root", root])
    assert r.exit_code == 1 and "no Minari dataset 'cp/missing-v0' there" in r.output
    r = runner.invoke(app, ["dataset", "clone", "cp/rec-v0", "--root", root, "--out", str(tmp_path / "bc")])
    assert r.exit_code == 1 and "is from ferrogym/CartPole-v1, not ferrogym/TicketRouting-v0" in r.output
    r = runner.invoke(app, ["dataset", "from-recording", str(tmp_path / "nope.parquet"), "x/y-v0", "--root", root])
    assert r.exit_code == 1 and "no such recording file" in r.output
    r = runner.invoke(app, ["dataset", "rollout", "ferrogym/CartPole-v1", "cp/rec-v0", "--root", root])
    assert r.exit_code == 1 and "exists there" in r.output
