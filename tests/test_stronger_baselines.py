"""The stronger TicketRouting baselines (weighted-sed, lp-sed), the static
planning LP behind lp-sed, and `ferrogym tune`."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.evaluation import make_batch
from ferrogym.policies import make_policy
from ferrogym.policies.stronger import STRONGER, Team, make_stronger, static_plan, tuned, unsquash
from ferrogym.policies.tuning import check_training_seeds, store, team_and_layout

ID = "ferrogym/TicketRouting-v0"
runner = CliRunner()


@pytest.fixture(scope="module")
def specialists() -> tuple[Team, tuple]:  # type: ignore[type-arg]
    return team_and_layout(ID, scenario="specialists")


def test_unsquash__inverts_the_observation_squash() -> None:
    minutes = np.array([0.0, 60.0, 240.0, 1000.0])
    assert unsquash(minutes / (minutes + 240.0)) == pytest.approx(minutes)
    assert unsquash(np.array([1.0]))[0] == np.inf


def test_static_plan__serves_every_type_at_the_lp_utilisation(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, _ = specialists
    used, rho = static_plan(team)
    assert rho == pytest.approx(1.021, abs=0.01)
    n = int(team.config["n_engineers"])
    assert used[:n].any(axis=0).all()
    assert not used[n:].any()


def test_team__refuses_a_team_that_changes_between_episodes() -> None:
    venv = make_batch(ID, 1, scenario="specialists", shuffle_slots=True)
    venv.reset(seed=0)
    with pytest.raises(ValueError, match="shuffle_slots"):
        Team.of(venv)
    venv.close()


def test_team__of_a_single_env_equals_of_a_batch(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    env = gym.make(ID, scenario="specialists")
    env.reset(seed=3)
    assert np.array_equal(Team.of(env).skills, specialists[0].skills)


def test_weighted_sed__without_the_weight_term_is_sed(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, layout = specialists
    env = gym.make(ID, scenario="specialists")
    obs, _ = env.reset(seed=1)
    sed, weighted = make_policy("sed", layout), make_stronger("weighted-sed", layout, team, c=0.0)
    for _ in range(40):
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        action = sed(obs, mask)
        assert weighted(obs, mask) == action
        obs, *_ = env.step(action)


@pytest.mark.parametrize("name", list(STRONGER))
def test_stronger__picks_valid_slots_over_a_batch(name: str, specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, layout = specialists
    policy = make_stronger(name, layout, team)
    venv = make_batch(ID, 4, scenario="specialists")
    obs, _ = venv.reset(seed=0)
    for _ in range(30):
        mask = venv.action_masks()
        actions = np.asarray(policy(obs, mask))
        assert mask[np.arange(4), actions].all()
        obs, *_ = venv.step(actions)
    venv.close()


def test_lp_sed__keeps_to_the_plan_without_slack(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, layout = specialists
    policy = make_stronger("lp-sed", layout, team, slack=float("inf"))
    env = gym.make(ID, scenario="specialists")
    obs, _ = env.reset(seed=2)
    kinds = policy.cols.slice("ticket_type")
    for _ in range(40):
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        action = policy(obs, mask)
        planned = mask[: team.skills.shape[0]] & policy.plan[:, int(np.argmax(kinds.of(obs)))]
        assert planned[action] or not planned.any()
        obs, *_ = env.step(action)


def test_stronger__refuses_unknown_or_negative_knobs(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, layout = specialists
    with pytest.raises(ValueError, match="unknown knobs"):
        make_stronger("lp-sed", layout, team, c=1.0)
    with pytest.raises(ValueError, match=r"invalid c=-1\.0"):
        make_stronger("weighted-sed", layout, team, c=-1.0)
    with pytest.raises(ValueError, match="unknown stronger baseline"):
        make_stronger("nope", layout, team)


def test_tuning__refuses_held_out_seeds() -> None:
    with pytest.raises(ValueError, match="training seeds < 10000"):
        check_training_seeds([9999, 10000])
    result = runner.invoke(app, ["tune", ID, "--seeds", "3", "--seed-start", "9999"])
    assert result.exit_code != 0 and "10000" in result.output


def test_tune__stores_the_best_grid_point_and_its_command(tmp_path: Path) -> None:
    out = tmp_path / "tuned.json"
    result = runner.invoke(
        app, ["tune", ID, "--scenario", "specialists", "-p", "weighted-sed", "--seeds", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    params = data["scenarios"]["specialists"]["weighted-sed"]
    means = data["provenance"]["specialists"]["grid_means"]["weighted-sed"]
    assert params == min(means, key=lambda r: r["weighted_resolution"])["params"]
    assert data["provenance"]["specialists"]["command"].startswith("ferrogym tune")
    assert tuned("weighted-sed", "specialists", out) == params
    store("balanced", {"lp-sed": {"params": {"slack": 1.0}, "grid": []}}, [0, 1], "cmd", out)
    assert tuned("weighted-sed", "specialists", out) == params
    assert tuned("lp-sed", "balanced", out) == {"slack": 1.0}
    assert tuned("lp-sed", "balanced", tmp_path / "missing.json") == {}


def test_sed_hold__without_hold_is_sed(specialists: tuple[Team, tuple]) -> None:  # type: ignore[type-arg]
    team, layout = specialists
    env = gym.make(ID, scenario="specialists")
    obs, _ = env.reset(seed=1)
    sed, hold = make_policy("sed", layout), make_stronger("sed-hold", layout, team, threshold=30.0)
    for _ in range(30):
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        action = sed(obs, mask)
        assert hold(obs, mask) == action
        obs, *_ = env.step(action)


def test_sed_hold__holds_only_for_a_sooner_engineer_and_rules_without_hold_never_hold() -> None:
    team, layout = team_and_layout(ID, scenario="specialists_pull")
    slots = team.skills.shape[0]
    hold_rule = make_stronger("sed-hold", layout, team, threshold=30.0)
    sed = make_policy("sed", layout)
    venv = make_batch(ID, 8, scenario="specialists_pull")
    obs, _ = venv.reset(seed=0)
    held = 0
    for _ in range(40):
        mask = venv.action_masks()
        assert mask.shape[1] == slots + 1
        actions = np.asarray(hold_rule(obs, mask))
        assert mask[np.arange(8), actions].all()
        plain = np.asarray(sed(obs, mask))
        engineers = mask[:, :slots].any(axis=1)
        assert ((plain < slots) == engineers).all()
        holding = actions == slots
        held += int(holding.sum())
        eta = hold_rule.cols.engineer(obs, "eta")
        present = hold_rule.cols.engineer(obs, "present") > 0
        soonest = np.where(present, eta, np.inf).min(axis=1)
        assert (soonest[holding & engineers] < eta[np.arange(8), plain][holding & engineers]).all()
        obs, *_ = venv.step(actions)
    assert held > 0
    venv.close()
