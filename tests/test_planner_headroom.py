"""The rollout planner and information oracle as policies, and
`ferrogym evaluate --headroom`."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from typer.testing import CliRunner

from ferrogym import _core
from ferrogym.cli import app
from ferrogym.errors import ConfigError
from ferrogym.evaluation import make_batch, run_policy
from ferrogym.headroom import headroom
from ferrogym.policies import make_policy
from ferrogym.policies.planner import InformationOracle, RolloutPlanner
from ferrogym.policies.stronger import make_stronger
from ferrogym.policies.tuning import team_and_layout

ID = "ferrogym/TicketRouting-v0"
runner = CliRunner()


@pytest.fixture(scope="module")
def layout() -> tuple:  # type: ignore[type-arg]
    venv = make_batch(ID, 1, scenario="specialists")
    out = venv.obs_layout
    venv.close()
    return out


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"samples": 0}, "planner.samples"),
        ({"samples": -3}, "planner.samples"),
        ({"horizon_minutes": 0.0}, "planner.horizon_minutes"),
        ({"horizon_minutes": -5.0}, "planner.horizon_minutes"),
        ({"candidates": 0}, "planner.candidates"),
        ({"z": float("nan")}, "planner.z"),
    ],
)
def test_planner__bad_knobs_raise_config_error_naming_the_field(
    knobs: dict[str, float],
    field: str,
    layout: tuple,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(ConfigError, match=field):
        RolloutPlanner(layout, **knobs)  # type: ignore[arg-type]


def test_planner__non_integer_samples_raise_config_error(layout: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match="samples"):
        RolloutPlanner(layout, samples=2.5)  # type: ignore[arg-type]


def test_planner__needs_a_bound_ticket_routing_env(layout: tuple) -> None:  # type: ignore[type-arg]
    planner = RolloutPlanner(layout, samples=2)
    env = gym.make(ID, scenario="specialists")
    obs, _ = env.reset(seed=0)
    with pytest.raises(RuntimeError, match="bind"):
        planner(obs, env.unwrapped.action_masks())  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="TicketRouting"):
        planner.bind(gym.make("ferrogym/CartPole-v1"))


def test_planner__single_env_picks_valid_slots_and_leaves_the_env_as_it_was(layout: tuple) -> None:  # type: ignore[type-arg]
    env = gym.make(ID, scenario="specialists")
    obs, _ = env.reset(seed=4)
    planner = RolloutPlanner(layout, seed=0, samples=3)
    planner.bind(env)
    for _ in range(15):
        state = env.unwrapped.get_state()  # type: ignore[attr-defined]
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        action = planner(obs, mask)
        assert mask[action]
        assert env.unwrapped.get_state() == state  # type: ignore[attr-defined]
        obs, *_ = env.step(action)


def test_planner__one_candidate_is_sed(layout: tuple) -> None:  # type: ignore[type-arg]
    seeds = [1, 2]
    sed = run_policy(make_policy("sed", layout), seeds, ID, scenario="specialists")
    one = run_policy(RolloutPlanner(layout, samples=2, candidates=1), seeds, ID, scenario="specialists")
    assert [r["weighted_resolution"] for r in one] == [r["weighted_resolution"] for r in sed]


def test_planner__batch_equals_single_envs_and_is_seeded(layout: tuple) -> None:  # type: ignore[type-arg]
    seeds = [3, 8]
    batched = run_policy(RolloutPlanner(layout, seed=3, samples=2), seeds, ID, scenario="specialists")
    again = run_policy(RolloutPlanner(layout, seed=3, samples=2), seeds, ID, scenario="specialists")
    assert batched == again
    for i, seed in enumerate(seeds):
        single = run_policy(RolloutPlanner(layout, seed=3 + i, samples=2), [seed], ID, scenario="specialists")
        assert single[0]["weighted_resolution"] == batched[i]["weighted_resolution"]


def test_planner__batch_size_must_match_the_bound_batch(layout: tuple) -> None:  # type: ignore[type-arg]
    venv = make_batch(ID, 2, scenario="specialists")
    obs, _ = venv.reset(seed=0)
    planner = RolloutPlanner(layout, samples=2)
    planner.bind(venv)
    with pytest.raises(ValueError, match="bound batch has 2"):
        planner(obs[:1], venv.action_masks()[:1])
    with pytest.raises(ValueError, match="one per sub-env"):
        _core.TicketRoutingPlanner().decide_batch(venv._core, [1])  # type: ignore[attr-defined]
    venv.close()


def test_oracle__differs_from_the_planner_only_in_what_it_knows(layout: tuple) -> None:  # type: ignore[type-arg]
    oracle = InformationOracle(layout, samples=2)
    assert oracle.reveal_work and not RolloutPlanner.reveal_work
    rows = run_policy(oracle, [0], ID, scenario="specialists")
    assert rows[0]["resolved"] > 0


def test_headroom__reports_four_rungs_paired_on_the_same_seeds() -> None:
    h = headroom(ID, [10_000, 10_001], {"samples": 2}, scenario="specialists")
    table = h.table()
    assert [r["role"] for r in table] == [
        "best heuristic",
        "best tuned stronger baseline",
        "planner",
        "oracle",
    ]
    assert table[0]["policy"] == h.best_heuristic != "random"
    assert table[2]["vs"] == h.best_stronger == table[1]["policy"]
    means = h.report.summary
    assert means[h.best_stronger]["weighted_resolution"].mean <= means[h.best_heuristic]["weighted_resolution"].mean
    diff = table[2]["weighted_resolution_diff"]["mean"]
    per_seed = [
        a["weighted_resolution"] - b["weighted_resolution"]
        for a, b in zip(h.report.per_seed["planner"], h.report.per_seed[h.best_stronger], strict=True)
    ]
    assert diff == pytest.approx(np.mean(per_seed))


def test_evaluate_headroom__writes_json(tmp_path: Path) -> None:
    out = tmp_path / "headroom.json"
    args = ["evaluate", ID, "--scenario", "specialists", "--headroom", "--seeds", "2", "--planner-samples", "2"]
    result = runner.invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["n_seeds"] == 2 and data["seeds"] == [10_000, 10_001]
    assert data["planner"]["samples"] == 2.0
    assert {r["policy"] for r in data["headroom"]} >= {"planner", "oracle"}


def test_evaluate_headroom__bad_planner_knob_is_a_usage_error() -> None:
    args = ["evaluate", ID, "--scenario", "specialists", "--headroom", "--seeds", "2", "--planner-horizon", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "horizon_minutes" in result.output


@pytest.mark.parametrize(("name", "knobs"), [("lp-sed", {"slack": 30.0}), ("weighted-sed", {"c": 4.0})])
def test_planner__one_candidate_plays_its_base_rule(name: str, knobs: dict[str, float], layout: tuple) -> None:  # type: ignore[type-arg]
    team, _ = team_and_layout(ID, scenario="specialists")
    base = make_stronger(name, layout, team, **knobs)
    seeds = [5, 6]
    rule = run_policy(base, seeds, ID, scenario="specialists")
    one = run_policy(RolloutPlanner(layout, samples=2, candidates=1, base=base), seeds, ID, scenario="specialists")
    assert [r["weighted_resolution"] for r in one] == [r["weighted_resolution"] for r in rule]


def test_planner__refuses_a_base_rule_it_cannot_roll_out(layout: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match="no rollout rule for base policy 'gcmu'"):
        RolloutPlanner(layout, base=make_policy("gcmu", layout))
    with pytest.raises(ConfigError, match=r"planner\.base\.slack"):
        _core.TicketRoutingPlanner(slack=-1.0)
    planner = _core.TicketRoutingPlanner(plan=[True] * 3)
    env = gym.make(ID, scenario="specialists")
    env.reset(seed=0)
    with pytest.raises(ConfigError, match=r"planner\.base\.plan"):
        planner.decide(env.unwrapped._core, 0)  # type: ignore[attr-defined]


def test_planner__with_hold_tries_holding_and_picks_valid_actions() -> None:
    team, layout = team_and_layout(ID, scenario="specialists_pull")
    base = make_stronger("sed-hold", layout, team, threshold=30.0)
    venv = make_batch(ID, 3, scenario="specialists_pull")
    obs, _ = venv.reset(seed=0)
    planner = RolloutPlanner(layout, seed=0, samples=2, base=base)
    planner.bind(venv)
    for _ in range(20):
        mask = venv.action_masks()
        actions = np.asarray(planner(obs, mask))
        assert mask[np.arange(3), actions].all()
        obs, *_ = venv.step(actions)
    venv.close()


def test_planner_values__base_choice_is_zero_invalid_actions_nan_and_decide_agrees() -> None:
    venv = make_batch(ID, 3, scenario="specialists")
    try:
        venv.reset(seed=[5, 6, 7])
        for _ in range(12):
            venv.step(np.argmax(venv.action_masks(), axis=1))
        planner = _core.TicketRoutingPlanner(samples=4, candidates=64, z=1.0)
        values, stderr = planner.values_batch(venv._core, [1, 2, 3])
        mask = venv.action_masks()
        assert values.shape == stderr.shape == mask.shape and values.dtype == np.float64
        np.testing.assert_array_equal(~np.isnan(values), mask)  # every valid engineer is a candidate
        assert ((values == 0).sum(axis=1) >= 1).all()
        chosen = planner.decide_batch(venv._core, [1, 2, 3])
        for i, a in enumerate(chosen):
            clear = values[i] + stderr[i] < 0
            assert values[i, a] == 0 or clear[a]  # decide leaves the base choice only for a clear saving
        skipped, _ = planner.values_batch(venv._core, [1, 2, 3], active=[True, False, True])
        assert np.isnan(skipped[1]).all()
        np.testing.assert_array_equal(skipped[0], values[0])
        with pytest.raises(ValueError, match="active"):
            planner.values_batch(venv._core, [1, 2, 3], active=[True])
    finally:
        venv.close()
