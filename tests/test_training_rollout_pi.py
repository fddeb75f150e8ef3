"""Rollout policy iteration (``--algo rollout-pi``): planner labels under
common random numbers, the cost-weighted fit of the engineer scorer, the one
model format, and its refusals before any training. Tiny sizes: K=2, a few
episodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch as th
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.errors import ConfigError
from ferrogym.evaluation import evaluate
from ferrogym.training import Reporter, TrainRequest, load_policy, prepare, train
from ferrogym.training.rollout_pi import (
    LABELS_FILE,
    Labeller,
    Labels,
    LabelTask,
    RolloutPIConfig,
    check_ray_address,
    choice_regret,
    label_episodes,
    scorer_loss,
)

pytest.importorskip("sb3_contrib")

TR = "ferrogym/TicketRouting-v0"
SPECIALISTS = {"scenario": "specialists"}
#: Two iterations of three episodes, two futures per engineer, two epochs.
TINY = {"iterations": 2, "episodes": 3, "samples": 2, "epochs": 2, "val_every": 3, "torch_threads": 1}
runner = CliRunner()


def _request(**kwargs: Any) -> TrainRequest:
    base: dict[str, Any] = {
        "env_id": TR,
        "algo": "rollout-pi",
        "arch": "scorer",
        "env_kwargs": dict(SPECIALISTS),
        "n_envs": 3,
        "hyper": dict(TINY),
        "workers": 1,
        "tensorboard": False,
    }
    return TrainRequest(**{**base, **kwargs})


def test_rollout_pi__labels_every_valid_engineer_of_every_decision() -> None:
    cfg = RolloutPIConfig(**{**TINY, "base": "sed"})  # type: ignore[arg-type]
    labels = label_episodes(LabelTask(TR, SPECIALISTS, (1, 2), cfg, 0))
    assert len(labels) > 50 and set(labels.seed.tolist()) == {1, 2}
    np.testing.assert_array_equal(~np.isnan(labels.values), labels.mask)
    assert (np.nanmin(labels.regret(), axis=1) == 0).all()
    assert ((labels.values == 0).sum(axis=1) >= 1).all()  # the base rule's choice
    assert len(labels.episodes) == 2 and all(e["weighted_resolution"] > 0 for e in labels.episodes)


def test_rollout_pi__planner_choice_leaves_the_base_only_for_a_clear_saving() -> None:
    nan = np.nan
    values = np.array([[0.0, -1.0, 0.5, nan], [0.0, -0.1, 0.2, nan]])
    stderr = np.array([[0.0, 0.2, 0.1, nan], [0.0, 0.5, 0.1, nan]])
    labels = Labels(np.zeros((2, 3), np.float32), ~np.isnan(values), values, stderr, np.zeros(2, np.int64))
    assert labels.planner_choice().tolist() == [1, 0]
    np.testing.assert_allclose(labels.regret()[0, :3], [1.0, 0.0, 1.5])


@pytest.mark.parametrize("kind", ["ce", "regret"])
def test_rollout_pi__loss_drives_the_choice_to_the_cheapest_labelled_engineer(kind: str) -> None:
    gen = th.Generator().manual_seed(0)
    regret = th.rand((64, 5), generator=gen)
    labelled = th.rand((64, 5), generator=gen) > 0.3
    labelled[:, 0] = True
    regret = th.where(labelled, regret, th.zeros(()))
    best = regret.masked_fill(~labelled, th.inf).amin(dim=1, keepdim=True)
    regret = th.where(labelled, regret - best, th.zeros(()))
    logits = th.zeros((64, 5), requires_grad=True)
    opt = th.optim.Adam([logits], lr=0.1)
    for _ in range(300):
        loss = scorer_loss(logits, labelled, regret, tau=0.05, kind=kind)
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
    assert float(choice_regret(logits.detach(), labelled, regret).max()) == 0.0


def test_rollout_pi__trains_saves_one_model_file_for_evaluate_and_load_policy(tmp_path: Path) -> None:
    result = train(_request(tensorboard=True), tmp_path / "run")
    meta = json.loads((tmp_path / "run" / "meta.json").read_text())
    assert meta["algo"] == "rollout-pi" and meta["policy_arch"] == "scorer" and meta["stopped"] is None
    record = meta["rollout_pi"]
    assert [r["iteration"] for r in record] == [0, 1]
    assert record[1]["labels"] > record[0]["labels"] > 0 and 0 <= record[1]["val_agreement"] <= 1
    assert meta["timesteps"] == record[1]["labels"]
    assert len(Labels.load(tmp_path / "run" / LABELS_FILE)) == record[1]["labels"]
    assert any((tmp_path / "run" / "tb").iterdir())
    policy = load_policy(tmp_path / "run")
    report = evaluate({"learned": policy}, [10_000, 10_001], TR, **SPECIALISTS)
    assert report.per_seed["learned"][0]["resolved"] > 0
    out = runner.invoke(
        app, ["evaluate", "TicketRouting-v0", "--scenario", "specialists", "-p", str(tmp_path / "run"), "--seeds", "2"]
    )
    assert out.exit_code == 0, out.output
    assert "rollout-pi:run" in out.output
    assert result.model.policy.__class__.__name__ == "EngineerScorerPolicy"


def test_rollout_pi__deadline_saves_the_last_model_and_says_so(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        [
            "train",
            "TicketRouting-v0",
            "--algo",
            "rollout-pi",
            "--policy-arch",
            "scorer",
            "--scenario",
            "specialists",
            "--hyper",
            json.dumps({**TINY, "iterations": 1}),
            "--n-envs",
            "3",
            "--workers",
            "1",
            "--max-minutes",
            "0",
            "--eval-seeds",
            "0",
            "--out",
            str(tmp_path / "cut"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "stopped at" in out.output and (tmp_path / "cut" / "model.zip").is_file()
    assert json.loads((tmp_path / "cut" / "meta.json").read_text())["stopped"] == "deadline"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"env_id": "ferrogym/CartPole-v1", "env_kwargs": {}}, "trains only ferrogym/TicketRouting-v0"),
        ({"arch": "mlp"}, "scorer architecture"),
        ({"hyper": {"episodes": 4000}}, "training seeds"),
        ({"hyper": {"tau": 0}}, "tau"),
        ({"hyper": {"base": "fifo"}}, "cannot be rolled out"),
        ({"hyper": {"shots": 3}}, "unknown hyper-parameter"),
        ({"warm_start": "sed"}, "--warm-start"),
        ({"ray": "127.0.0.1:1"}, "no Ray head answers"),
        ({"ray": "nonsense"}, "HOST:PORT"),
        ({"env_kwargs": {"scenario": "specialists_pull"}}, "one action per engineer row"),
    ],
)
def test_rollout_pi__bad_request_is_refused_before_training(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        prepare(_request(**kwargs))


def test_rollout_pi__other_env_lists_the_algorithms_that_fit() -> None:
    with pytest.raises(ConfigError, match="algorithms that fit ferrogym/CartPole-v1: ppo, a2c, dqn"):
        prepare(_request(env_id="ferrogym/CartPole-v1", env_kwargs={}, arch="mlp"))


def test_rollout_pi__workers_and_ray_are_refused_for_other_algorithms() -> None:
    with pytest.raises(ConfigError, match="rollout-pi options"):
        prepare(_request(algo="maskable-ppo", hyper={}, workers=2))


def test_rollout_pi__ray_address_check_passes_local_and_auto() -> None:
    check_ray_address("local")
    check_ray_address("auto")


def test_rollout_pi__process_pool_labels_as_in_process() -> None:
    cfg = RolloutPIConfig(**TINY)  # type: ignore[arg-type]
    tasks = [LabelTask(TR, SPECIALISTS, (s,), cfg, 0) for s in (3, 4)]
    labeller = Labeller(workers=2)
    try:
        pooled = sorted(labeller.run(tasks), key=lambda lab: int(lab.seed[0]))
    finally:
        labeller.close()
    alone = label_episodes(tasks[0])
    np.testing.assert_array_equal(pooled[0].values, alone.values)
    np.testing.assert_array_equal(pooled[0].obs, alone.obs)


@pytest.mark.ray
def test_rollout_pi__labels_on_a_local_ray_instance() -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        cfg = RolloutPIConfig(**TINY)  # type: ignore[arg-type]
        labeller = Labeller(workers=1, ray="auto")  # joins the running instance
        labels = list(labeller.run([LabelTask(TR, SPECIALISTS, (5,), cfg, 0)]))
        labeller.close()
        assert ray.is_initialized()  # not ours to stop
        np.testing.assert_array_equal(labels[0].values, label_episodes(LabelTask(TR, SPECIALISTS, (5,), cfg, 0)).values)
    finally:
        ray.shutdown()


SHIPPED = Path(__file__).resolve().parents[1] / "models" / "specialists-rollout-pi"


def test_rollout_pi__shipped_router_loads_and_routes_to_valid_engineers() -> None:
    policy = load_policy(SHIPPED)
    assert policy.algo == "rollout-pi"
    report = evaluate({"shipped": policy}, [10_000, 10_001], TR, **SPECIALISTS)
    assert all(row["resolved"] > 0 for row in report.per_seed["shipped"])


def test_rollout_pi__shipped_recipe_first_iteration_runs_at_tiny_size(tmp_path: Path) -> None:
    meta = json.loads((SHIPPED / "meta.json").read_text())
    assert (meta["algo"], meta["policy_arch"], meta["env_kwargs"]) == ("rollout-pi", "scorer", SPECIALISTS)
    hyper = {**meta["hyperparameters"], "iterations": 1, "episodes": 3, "samples": 2, "epochs": 1, "val_every": 3}
    args = ["train", "TicketRouting-v0", "--algo", "rollout-pi", "--policy-arch", "scorer", "--scenario"]
    args += ["specialists", "--hyper", json.dumps(hyper), "--n-envs", "3", "--workers", "1", "--eval-seeds", "0"]
    out = runner.invoke(app, [*args, "--out", str(tmp_path / "recipe")])
    assert out.exit_code == 0, out.output
    made = json.loads((tmp_path / "recipe" / "meta.json").read_text())
    assert made["hyperparameters"] == hyper and len(made["rollout_pi"]) == 1
    assert made["rollout_pi"][0]["labels"] > 0


def test_rollout_pi__ctrl_c_saves_the_last_model_and_says_why(tmp_path: Path) -> None:
    class CtrlC(Reporter):
        def progress(self, timesteps: int) -> bool:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(_request(), tmp_path / "cut", CtrlC())
    assert json.loads((tmp_path / "cut" / "meta.json").read_text())["stopped"] == "interrupted"
    assert load_policy(tmp_path / "cut").algo == "rollout-pi"
