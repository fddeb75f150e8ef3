from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

import ferrogym
from conftest import EXAMPLES, FAST
from ferrogym.envs.catalogue import env_ids
from ferrogym.validate import CHECK_NAMES, check

BROKEN = f"{EXAMPLES / 'broken_env.py'}:BrokenWalkEnv"


@pytest.mark.parametrize("env_id", env_ids())
def test_check__every_registered_env_passes(env_id: str) -> None:
    report = check(env_id, options=FAST)
    assert report.ok, report.to_text()
    assert [r.name for r in report.results] == list(CHECK_NAMES)
    assert report["speed"].metrics["single_steps_per_s"] > 0


def test_check__rust_envs_are_batched_and_pass_the_vector_parity_check() -> None:
    for e in ferrogym.ENVS:
        report = check(e.id, options=FAST, only=["vector_env"])
        assert report["vector_env"].status == "pass", report.to_text()


def test_check__finds_every_planted_mistake_in_the_broken_env() -> None:
    np.random.seed(0)  # noqa: NPY002  the broken env uses the global generator: pin it for this test
    report = check(BROKEN, options=FAST)
    failed = {r.name for r in report.failures}
    assert failed >= {
        "gymnasium_check_env",
        "gymnasium_passive_checker",
        "sb3_check_env",
        "determinism",
        "observations_in_space",
        "rewards_finite",
        "time_limit",
        "render_modes",
        "fuzz_invalid_actions",
    }
    assert "float64" in report["observations_in_space"].reason
    assert "time limit reported as termination" in report["time_limit"].reason
    assert "was accepted" in report["fuzz_invalid_actions"].reason
    assert all(r.hint for r in report.failures)
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert data["counts"]["fail"] == len(report.failures)


def test_check__unknown_target_is_a_failed_report_not_a_crash() -> None:
    for target in (
        "ferrogym/Nope-v0",
        "no_such_module:Env",
        "examples/none.py:Env",
        f"{EXAMPLES / 'inventory.py'}:Nope",
    ):
        report = check(target)
        assert not report.ok
        assert report.results[0].name == "load"


def test_check__constructor_that_raises_skips_the_rest() -> None:
    class Exploding(ferrogym.BaseEnvironment[None, int]):
        def __init__(self, render_mode: str | None = None) -> None:
            raise RuntimeError("boom")

    report = check(Exploding, options=FAST)
    assert report["construct"].status == "fail"
    assert "RuntimeError: boom" in report["construct"].reason
    assert {r.status for r in report.results[1:]} == {"skip"}


class Leaky(ferrogym.BaseEnvironment[None, dict[str, Any]]):
    """Keeps part of its state (``hidden``) outside self.state."""

    observation_space = spaces.Box(0, 100, (1,), np.float32)
    action_space = spaces.Discrete(2)

    def _reset_state(self, options: dict[str, Any]) -> dict[str, Any]:
        self.hidden = 0
        return {"t": np.zeros(1)}

    def _update_state(self, action: Any) -> None:
        self.state["t"] += 1
        self.hidden += 1

    def _compute_reward(self, action: Any) -> float:
        return float(self.hidden)

    def _check_termination(self) -> bool:
        return bool(self.state["t"][0] >= 50)

    def _get_observation(self) -> Any:
        return self.state["t"].astype(np.float32)


class Crashy(Leaky):
    def _update_state(self, action: Any) -> None:
        super()._update_state(action)
        if self.hidden > 3 and action == 1:
            raise RuntimeError("hook bug")


def test_check__state_kept_outside_get_state_is_reported() -> None:
    report = check(Leaky(), options=FAST, only=["state_round_trip"])
    assert "different future" in report["state_round_trip"].reason


def test_check__a_hook_that_crashes_is_reported_with_the_falsifying_example() -> None:
    report = check(Crashy, options=FAST, skip=["sb3_check_env", "speed"])
    assert "RuntimeError: hook bug" in report["fuzz_valid_actions"].reason
    assert "falsifying example: actions=[" in report["fuzz_valid_actions"].reason
    assert report["construct"].status == "pass"
    assert not report.ok


def test_check__instances_classes_and_env_files_are_targets(tmp_path: Path) -> None:
    import inventory

    path = tmp_path / "env.yaml"
    path.write_text("id: examples/Inventory-v0\nconfig: {capacity: 6}\n")
    for target in (inventory.InventoryEnv(capacity=5), inventory.InventoryEnv, str(path)):
        report = check(target, options=FAST, only=["construct", "determinism"])
        assert report.ok, report.to_text()
    assert check(str(path), only=["construct"]).env_id == "examples/Inventory-v0"


def test_check__unknown_check_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        check("ferrogym/CartPole-v1", only=["nope"])


class Drift(ferrogym.BaseEnvironment[None, dict[str, Any]]):
    """A Box-action env: the fuzzers draw float arrays and NaN/out-of-bounds ones."""

    observation_space = spaces.Box(-100, 100, (2,), np.float32)
    action_space = spaces.Box(-1, 1, (2,), np.float32)

    def _reset_state(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"x": self.np_random.uniform(-1, 1, 2).astype(np.float32)}

    def _update_state(self, action: Any) -> None:
        self.state["x"] = np.clip(self.state["x"] + action, -100, 100).astype(np.float32)

    def _compute_reward(self, action: Any) -> float:
        return -float(np.abs(self.state["x"]).sum())

    def _check_termination(self) -> bool:
        return False

    def _get_observation(self) -> Any:
        return self.state["x"].copy()


def test_check__box_action_env_on_base_environment_passes_and_reports_as_text() -> None:
    report = check(Drift, options=FAST, skip=["speed"])
    assert report.ok, report.to_text()
    text = report.to_text()
    assert "PASS  fuzz_invalid_actions" in text
    assert text.endswith("OK")
    # The broken env's float64 observations always fail (its +inf reward
    # appears only when its unseeded walk reaches the target).
    broken = check(BROKEN, options=FAST, only=["observations_in_space"]).to_text()
    assert "hint:" in broken
    assert "FAILED (1 of 1 checks)" in broken


def test_check__a_check_needing_a_missing_extra_is_skipped_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pygame", None)  # as after `pip install '.[sb3,cli]'`
    monkeypatch.setitem(sys.modules, "stable_baselines3.common.env_checker", None)  # and without sb3
    only = ["construct", "gymnasium_check_env", "render_modes", "sb3_check_env"]
    report = check("ferrogym/TicketRouting-v0", only=only)
    status = {r.name: r for r in report.results}
    assert report.ok, report.to_text()
    assert status["construct"].status == "pass"
    for name, extra in (("gymnasium_check_env", "viz"), ("render_modes", "viz"), ("sb3_check_env", "sb3")):
        assert status[name].status == "skip"
        assert f"pip install 'ferrogym[{extra}]'" in status[name].reason
