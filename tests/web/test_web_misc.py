"""The shipped front end, the serve command, and the adapters' fallbacks."""

from __future__ import annotations

import math
import re
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ferrogym.cli import app as cli_app
from ferrogym.web import assets
from ferrogym.web.adapters import kpi, policies
from ferrogym.web.jsonable import jsonable

WEB = Path(__file__).resolve().parents[2] / "web"


def test_assets__the_built_front_end_matches_its_sources() -> None:
    if not WEB.is_dir():
        pytest.skip("no web/ sources (installed package)")
    assert assets.built_hash() == assets.source_hash(WEB), (
        "python/ferrogym/web/static is older than web/: run scripts/build_web.sh and commit the result"
    )


def test_assets__index_references_files_that_ship(client: TestClient) -> None:
    index = client.get("/").text
    refs = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)
    assert refs
    for ref in refs:
        assert client.get(ref).status_code == 200


def test_serve__refuses_a_public_bind_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERROGYM_TOKEN", raising=False)
    r = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code != 0 and "--token" in r.output


def test_serve__starts_uvicorn_with_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    r = CliRunner().invoke(cli_app, ["serve", "--port", "9999", "--runs", str(tmp_path), "--token", "t"])
    assert r.exit_code == 0, r.output
    assert seen["port"] == 9999 and seen["host"] == "127.0.0.1"
    assert "?token=t" in r.output
    settings = seen["app"].state.ctx.settings  # type: ignore[attr-defined]
    assert settings.models_dir == tmp_path / "models" and settings.token == "t"
    assert settings.recordings_dir == tmp_path / "recordings"


def test_serve__lists_recordings_from_a_chosen_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    args = ["serve", "--runs", str(tmp_path / "runs"), "--recordings", str(tmp_path / "parquet")]
    r = CliRunner().invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    settings = seen["app"].state.ctx.settings  # type: ignore[attr-defined]
    assert settings.recordings_dir == tmp_path / "parquet" and settings.models_dir == tmp_path / "runs" / "models"


def test_jsonable__numpy_nan_and_batch_masks() -> None:
    value = {"a": np.float32(1.5), "b": np.array([1, 2]), "_b": np.array([True]), "c": math.inf, "d": (object,)}
    out = jsonable(value)
    assert out["a"] == 1.5 and out["b"] == [1, 2] and out["c"] is None and "_b" not in out
    assert isinstance(out["d"][0], str)


def test_kpi__summaries_are_ferrogym_kpi_intervals_as_dicts() -> None:
    out = kpi.summarize([{"reward": 1.0}, {"reward": 3.0}])
    assert out["reward"]["mean"] == 2.0 and out["reward"]["n"] == 2
    assert out["reward"]["high"] - 2.0 == pytest.approx(12.7062047 * math.sqrt(2) / math.sqrt(2))
    assert kpi.source() == "ferrogym.kpi"


def test_policies__dispatch_heuristics_pick_valid_slots() -> None:
    env = gym.make("ferrogym/TicketRouting-v0", disable_env_checker=True)
    obs, _ = env.reset(seed=0)
    mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
    for name in policies.policy_names(env):
        act = policies.make_policy(name, env, seed=0)
        for _ in range(5):
            assert mask[act(obs, mask)]
    assert policies.source() == "ferrogym.policies"
    # Without a mask every slot counts as valid.
    assert 0 <= policies.make_policy("least-loaded", env)(obs, None) < env.action_space.n  # type: ignore[attr-defined]
    env.close()


def test_policies__random_on_unmasked_spaces() -> None:
    for env_id in ("ferrogym/CartPole-v1", "ferrogym/GridWorld-v0"):
        env = gym.make(env_id, disable_env_checker=True)
        act = policies.make_policy("random", env, seed=1)
        assert env.action_space.contains(act(np.zeros(1), None))
        with pytest.raises(ValueError, match="unknown policy"):
            policies.make_policy("least-loaded", env)
        env.close()
