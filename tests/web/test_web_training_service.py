"""The dashboard and ``ferrogym train`` share the training service: one
algorithm vocabulary, one model format, and web never imports the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.training import ALGORITHMS
from ferrogym.web.schemas import Algo
from tests.web.conftest import TR, MakeClient, create_env

pytest.importorskip("sb3_contrib")


def test_web__speaks_the_training_service_algorithm_names() -> None:
    assert list(typing.get_args(Algo)) == list(ALGORITHMS)


def test_web__never_imports_the_cli(tmp_path: Path) -> None:
    code = (
        "import sys, ferrogym.web.worker, ferrogym.web.routers.models, ferrogym.web.routers.training\n"
        "from pathlib import Path\n"
        "from ferrogym.web import Settings, create_app\n"
        f"root = Path({str(tmp_path)!r})\n"
        "create_app(Settings(models_dir=root / 'm', recordings_dir=root / 'r'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('ferrogym.cli')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_models__a_cli_trained_model_is_listed_evaluated_and_served(tmp_path: Path, make_client: MakeClient) -> None:
    run = tmp_path / "models" / "from-cli"
    hyper = json.dumps({"n_steps": 16, "batch_size": 128, "torch_threads": 1})
    args = ["train", "--algo", "batch-ppo", "--n-envs", "8", "--timesteps", "128", "--hyper", hyper]
    result = CliRunner().invoke(app, [*args, "--scenario", "understaffed", "--out", str(run), "--eval-seeds", "0"])
    assert result.exit_code == 0, result.output
    client = make_client()
    (model,) = client.get("/api/models").json()
    assert model["name"] == "from-cli" and model["algo"] == "batch-ppo" and model["env_id"] == TR
    assert model["config"] == {"scenario": "understaffed"} and model["timesteps"] == 128
    ev = client.post("/api/models/from-cli/evaluate", json={"episodes": 2, "heuristics": ["sed"]})
    assert ev.status_code == 200, ev.text
    assert [r["policy"] for r in ev.json()["results"]] == ["from-cli", "sed"]
    env = create_env(client, TR, seed=0, scenario="understaffed")
    p = client.post("/api/models/from-cli/predict", json={"session": env["session"]})
    assert p.status_code == 200, p.text
    assert env["action_mask"][p.json()["action"]] and sum(p.json()["probabilities"]) == pytest.approx(1.0, abs=1e-5)


def test_models__a_corrupt_model_directory_is_not_listed_and_is_404(tmp_path: Path, make_client: MakeClient) -> None:
    bad = tmp_path / "models" / "broken"
    bad.mkdir(parents=True)
    (bad / "model.zip").write_bytes(b"not a zip")
    (bad / "meta.json").write_text(json.dumps({"algo": "ppo", "env_id": TR, "env_kwargs": {}, "timesteps": 1}))
    client = make_client()
    assert client.get("/api/models").json() == []
    r = client.post("/api/models/broken/evaluate", json={"episodes": 2})
    assert r.status_code == 404 and "not a model archive" in r.json()["detail"]


def test_worker__a_batch_ppo_job_is_a_service_request_on_one_torch_thread() -> None:
    from ferrogym.training import prepare
    from ferrogym.web.worker import request_from_spec

    spec = {"env_id": TR, "algo": "batch-ppo", "config": {}, "total_timesteps": 512, "n_envs": 4, "n_steps": 64}
    request = request_from_spec({**spec, "seed": 0})
    assert request.algo == "batch-ppo" and request.envs == 4 and request.timesteps == 512
    assert request.hyper == {"n_steps": 64, "torch_threads": 1}
    assert prepare(request).algo.masked


def test_models__the_shipped_rollout_pi_router_is_listed_evaluated_and_served(
    tmp_path: Path, make_client: MakeClient
) -> None:
    import shutil

    shipped = Path(__file__).resolve().parents[2] / "models" / "specialists-rollout-pi"
    shutil.copytree(shipped, tmp_path / "models" / "router")
    client = make_client()
    (model,) = client.get("/api/models").json()
    assert model["name"] == "router" and model["algo"] == "rollout-pi" and model["env_id"] == TR
    ev = client.post("/api/models/router/evaluate", json={"episodes": 2, "heuristics": ["sed"]})
    assert ev.status_code == 200, ev.text
    assert [r["policy"] for r in ev.json()["results"]] == ["router", "sed"]
    env = create_env(client, TR, seed=0, scenario="specialists")
    p = client.post("/api/models/router/predict", json={"session": env["session"]})
    assert p.status_code == 200, p.text
    assert env["action_mask"][p.json()["action"]]
