"""The training service (ferrogym.training) and its large-batch PPO: it
learns, saves the one model format, stops cleanly and refuses bad input
before training."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch as th

from ferrogym.errors import ConfigError, ModelFileError
from ferrogym.evaluation import evaluate
from ferrogym.policies import make_policy
from ferrogym.training import Reporter, TrainRequest, list_models, load_policy, prepare, train
from ferrogym.training.batch_ppo import BatchPPO, BatchPPOConfig, UpdateStats, make_model

pytest.importorskip("sb3_contrib")

TR = "ferrogym/TicketRouting-v0"
SPECIALISTS = {"scenario": "specialists"}
#: A small batch for tests: 64 sub-envs x 32 steps per update, one torch thread.
SMALL = {"n_steps": 32, "batch_size": 512, "learning_rate": 3e-3, "torch_threads": 1}


def _request(**kwargs: Any) -> TrainRequest:
    base: dict[str, Any] = {
        "env_id": TR,
        "algo": "batch-ppo",
        "env_kwargs": dict(SPECIALISTS),
        "timesteps": 2048,
        "n_envs": 64,
        "hyper": dict(SMALL),
        "tensorboard": False,
    }
    return TrainRequest(**{**base, **kwargs})


def test_batch_ppo__short_run_on_specialists_beats_random(tmp_path: Path) -> None:
    result = train(_request(timesteps=16_384, tensorboard=True, arch="scorer"), tmp_path / "run")
    assert result.stopped is None and result.meta["timesteps"] == 16_384
    assert any((tmp_path / "run" / "tb").iterdir())  # TensorBoard events by default
    policy = load_policy(tmp_path / "run")
    assert policy.masked and policy.name == "batch-ppo:run"
    seeds = list(range(10_000, 10_032))
    from ferrogym.evaluation import make_batch

    probe = make_batch(TR, 1, **SPECIALISTS)
    rnd = make_policy("random", probe.obs_layout, seed=0)
    probe.close()
    report = evaluate({"trained": policy, "random": rnd}, seeds, TR, **SPECIALISTS)
    trained = np.array([r["weighted_resolution"] for r in report.per_seed["trained"]])
    random = np.array([r["weighted_resolution"] for r in report.per_seed["random"]])
    # Paired over the same tickets (the engineer scorer: one network over the engineer rows).
    assert (trained - random).mean() < 0, (trained.mean(), random.mean())


def test_batch_ppo__saves_a_maskable_ppo_model_that_every_loader_reads(tmp_path: Path) -> None:
    result = train(_request(), tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["algo"] == "batch-ppo" and meta["env_id"] == TR and meta["env_kwargs"] == SPECIALISTS
    assert meta["hyperparameters"]["n_envs"] == 64 and meta["hyperparameters"]["learning_rate"] == 3e-3
    from sb3_contrib import MaskablePPO

    model = MaskablePPO.load(str(tmp_path / "m" / "model.zip"), device="cpu")
    assert model.num_timesteps == result.meta["timesteps"] == 2048
    assert [m["name"] for m in list_models(tmp_path)] == ["m"]
    obs = np.zeros((3, *model.observation_space.shape), dtype=np.float32)
    mask = np.zeros((3, 12), dtype=bool)
    mask[:, 5] = True
    assert load_policy(tmp_path / "m")(obs, mask).tolist() == [5, 5, 5]
    assert load_policy(tmp_path / "m" / "model.zip")(obs[0], mask[0]) == 5


def test_batch_ppo__scorer_with_sed_warm_start_starts_from_the_teacher(tmp_path: Path) -> None:
    request = _request(arch="scorer", warm_start="sed", warm_episodes=12, timesteps=1, n_envs=8)
    result = train(request, tmp_path / "s", reporter=_Stopper(after=0))
    assert result.stopped == "stopped" and result.meta["timesteps"] == 0
    assert result.meta["warm_start"] == {"policy": "sed", "episodes": 12}
    from ferrogym.evaluation import make_batch
    from ferrogym.policies.engineer_scorer import EngineerScorerPolicy

    policy = load_policy(tmp_path / "s")
    assert isinstance(policy.model.policy, EngineerScorerPolicy)
    venv = make_batch(TR, 8, **SPECIALISTS)
    obs, _ = venv.reset(seed=list(range(500, 508)))
    masks = venv.action_masks()
    sed = make_policy("sed", venv.obs_layout)
    venv.close()
    agree = (np.asarray(policy(obs, masks)) == np.asarray(sed(obs, masks))).mean()
    assert agree >= 0.75


class _Stopper(Reporter):
    def __init__(self, after: int) -> None:
        self.after, self.seen = after, []  # type: ignore[var-annotated]

    def progress(self, timesteps: int) -> bool:
        self.seen.append(timesteps)
        return timesteps < self.after


class _Interrupt(Reporter):
    def progress(self, timesteps: int) -> bool:
        if timesteps > 0:
            raise KeyboardInterrupt
        return True


def test_train__a_stop_or_ctrl_c_still_saves_the_last_model(tmp_path: Path) -> None:
    stopper = _Stopper(after=2048)
    result = train(_request(timesteps=20_000), tmp_path / "stop", reporter=stopper)
    assert result.stopped == "stopped" and result.meta["timesteps"] == 2048
    assert json.loads((tmp_path / "stop" / "meta.json").read_text())["stopped"] == "stopped"
    with pytest.raises(KeyboardInterrupt):
        train(_request(algo="maskable-ppo", n_envs=2, hyper={"n_steps": 64}), tmp_path / "int", reporter=_Interrupt())
    meta = json.loads((tmp_path / "int" / "meta.json").read_text())
    assert meta["stopped"] == "interrupted" and 0 < meta["timesteps"] < 2048
    assert load_policy(tmp_path / "int").algo == "maskable-ppo"


def test_train__max_minutes_zero_saves_an_untrained_model_and_says_deadline(tmp_path: Path) -> None:
    result = train(_request(max_minutes=0.0), tmp_path / "d")
    assert result.stopped == "deadline" and result.meta["timesteps"] == 0
    assert (tmp_path / "d" / "model.zip").is_file()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algo": "sac"}, "unknown algorithm 'sac'; expected one of batch-ppo, maskable-ppo, ppo, a2c, dqn"),
        (
            {"algo": "maskable-ppo", "env_id": "ferrogym/CartPole-v1", "env_kwargs": {}},
            "maskable-ppo needs an env that masks actions; ferrogym/CartPole-v1 does not; "
            "algorithms that fit ferrogym/CartPole-v1: ppo, a2c, dqn",
        ),
        ({"algo": "ppo"}, "masks actions and ppo takes no masks"),
        ({"algo": "ppo", "arch": "scorer", "env_kwargs": {"invalid_action": "fallback"}}, "needs a masked algorithm"),
        ({"arch": "transformer"}, "unknown policy architecture 'transformer'"),
        ({"hyper": {"lerning_rate": 1.0}}, "unknown hyper-parameter 'lerning_rate' (did you mean 'learning_rate'?)"),
        ({"warm_start": "oracle"}, "is not a heuristic"),
        ({"env_kwargs": {"cap": -1}}, "cap"),
    ],
)
def test_prepare__bad_requests_are_config_errors_naming_the_choices(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        prepare(_request(**kwargs))
    assert message in str(info.value)


def _zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no model at"),
        ({"model.zip": b"PK not a zip"}, "no meta.json beside it"),
        ({"model.zip": b"x", "meta.json": b"{not json"}, "is not readable JSON"),
        ({"model.zip": b"x", "meta.json": b'{"hello": 1}'}, "is not ferrogym model metadata"),
        (
            {"model.zip": b"x", "meta.json": b'{"algo": "sac", "env_id": "e", "env_kwargs": {}, "timesteps": 1}'},
            "unknown algorithm 'sac'",
        ),
        (
            {"model.zip": b"garbage", "meta.json": b'{"algo": "ppo", "env_id": "e", "env_kwargs": {}, "timesteps": 1}'},
            "is not a model archive (not a zip file)",
        ),
        (
            {
                "model.zip": _zip_of({"hello.txt": b"hi"}),
                "meta.json": b'{"algo": "ppo", "env_id": "e", "env_kwargs": {}, "timesteps": 1}',
            },
            "is not a readable ppo model",
        ),
    ],
)
def test_load_policy__missing_corrupt_or_foreign_files_name_the_file(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    run = tmp_path / "bad"
    run.mkdir()
    for name, data in files.items():
        (run / name).write_bytes(data)
    with pytest.raises(ModelFileError, match="bad") as info:
        load_policy(run)
    assert message in str(info.value)
    listed = [m["name"] for m in list_models(tmp_path)]
    assert listed == (["bad"] if "readable ppo" in message else [])  # listing reads no archive


def test_batch_ppo_config__unknown_keys_and_bad_values_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"unknown hyper-parameter.*'n_epochs'.*valid keys: n_envs"):
        BatchPPOConfig.from_dict({"n_epochs": 3})
    for key, value in (("n_envs", 0), ("batch_size", 1.5), ("gamma", 1.5), ("learning_rate", float("nan"))):
        with pytest.raises(ConfigError, match=key):
            BatchPPOConfig.from_dict({key: value})


def test_batch_ppo__runs_whole_updates_sets_torch_threads_and_restores_them() -> None:
    config = BatchPPOConfig(n_envs=16, n_steps=8, batch_size=64, torch_threads=1)
    model = make_model(TR, config, seed=0, **SPECIALISTS)
    ppo = BatchPPO(model, TR, config, seed=0, **SPECIALISTS)
    seen: list[tuple[UpdateStats, int]] = []
    before = th.get_num_threads()
    try:
        done = ppo.learn(200, lambda s: seen.append((s, th.get_num_threads())) is None and s.updates < 1)
    finally:
        ppo.close()
    assert th.get_num_threads() == before
    assert done == 128 and model.num_timesteps == 128 and len(seen) == 1  # stopped after the first update
    stats, threads = seen[0]
    assert threads == 1 and stats.timesteps == 128 and np.isfinite(stats.policy_loss)
    assert 0 <= stats.clip_fraction <= 1 and stats.entropy > 0


def test_batch_ppo__resume_continues_the_saved_model_and_its_hyperparameters(tmp_path: Path) -> None:
    train(_request(), tmp_path / "first")
    before = load_policy(tmp_path / "first").model.policy.state_dict()
    result = train(_request(hyper={}, resume=tmp_path / "first"), tmp_path / "more")
    meta = result.meta
    assert meta["timesteps"] == 4096 and meta["hyperparameters"]["learning_rate"] == 3e-3
    assert meta["resumed"] == [{"from": str(tmp_path / "first"), "steps_before": 2048}]
    after = load_policy(tmp_path / "more").model.policy.state_dict()
    assert any(not th.equal(v, after[k]) for k, v in before.items())
