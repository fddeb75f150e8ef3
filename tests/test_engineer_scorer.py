"""The permutation-equivariant engineer scorer (ferrogym.policies.engineer_scorer):
shapes, masking, equivariance, save/load, and `ferrogym train --policy-arch scorer`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch as th
from typer.testing import CliRunner

from ferrogym.cli import app
from ferrogym.policies import make_policy
from ferrogym.policies.engineer_scorer import EngineerScorerPolicy, scorer_policy_kwargs
from ferrogym.policies.warm_start import demonstrations, imitate
from ferrogym.spaces import ObsSlice
from ferrogym.training import load_policy

pytest.importorskip("sb3_contrib")
from sb3_contrib import MaskablePPO

ID = "ferrogym/TicketRouting-v0"
runner = CliRunner()


def _env(**kwargs: Any) -> Any:
    return gym.make(ID, scenario="specialists", **kwargs).unwrapped


def _observations(env: Any, n: int, seed: int = 3) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``n`` observations and masks from one episode (first valid engineer each step)."""
    obs, _ = env.reset(seed=seed)
    out, masks = [], []
    for _ in range(n):
        mask = env.action_masks()
        out.append(obs)
        masks.append(mask)
        obs, _, _, truncated, _ = env.step(int(np.flatnonzero(mask)[0]))
        if truncated:
            obs, _ = env.reset()
    return np.asarray(out, dtype=np.float32), np.asarray(masks)


def _policy(env: Any, hidden: int = 16) -> EngineerScorerPolicy:
    policy = EngineerScorerPolicy(
        env.observation_space, env.action_space, lambda _: 1e-3, **scorer_policy_kwargs(env.obs_layout, hidden)
    )
    # Random (not near-zero) output weights, so that the logits differ between slots.
    last = policy.scorer_net.scorer[-1]
    assert isinstance(last, th.nn.Linear)
    th.nn.init.normal_(last.weight)
    return policy


def _permute_rows(layout: tuple[ObsSlice, ...], obs: np.ndarray[Any, Any], perm: list[int]) -> np.ndarray[Any, Any]:
    rows = next(s for s in layout if s.name == "engineers")
    out = obs.copy()
    out[:, rows.start : rows.stop] = rows.of(obs)[:, perm, :].reshape(len(obs), -1)
    return out


def _logits_and_values(policy: EngineerScorerPolicy, obs: np.ndarray[Any, Any]) -> tuple[Any, Any]:
    with th.no_grad():
        t = th.as_tensor(obs)
        logits = policy.action_net(policy.scorer_net.forward_actor(t)).numpy()
        values = policy.predict_values(t).numpy()
    return logits, values


def test_engineer_scorer__one_logit_per_slot_and_one_value_per_observation() -> None:
    env = _env()
    policy = _policy(env)
    obs, _ = _observations(env, 7)
    logits, values = _logits_and_values(policy, obs)
    assert logits.shape == (7, env.action_space.n)
    assert values.shape == (7, 1)
    assert np.isfinite(logits).all() and np.isfinite(values).all()


def test_engineer_scorer__permuting_engineer_rows_permutes_logits_and_keeps_the_value() -> None:
    env = _env()
    policy = _policy(env)
    obs, _ = _observations(env, 5)
    perm = list(np.random.default_rng(0).permutation(env.action_space.n))
    logits, values = _logits_and_values(policy, obs)
    logits_p, values_p = _logits_and_values(policy, _permute_rows(env.obs_layout, obs, perm))
    np.testing.assert_allclose(logits_p, logits[:, perm], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(values_p, values, rtol=1e-5, atol=1e-5)
    assert not np.allclose(logits[:, perm], logits, atol=1e-3)  # the check above is not vacuous


def test_engineer_scorer__absent_slots_do_not_change_the_present_ones() -> None:
    env = _env()
    policy = _policy(env)
    obs, _ = _observations(env, 3)
    rows = next(s for s in env.obs_layout if s.name == "engineers")
    absent = ~rows.of(obs)[..., 0].astype(bool)
    assert absent.any(), "the specialists team leaves some slots empty"
    noisy = obs.copy()
    block = rows.of(noisy)
    block[absent] = 0.0
    noisy[:, rows.start : rows.stop] = block.reshape(len(obs), -1)
    logits, values = _logits_and_values(policy, obs)
    logits_n, values_n = _logits_and_values(policy, noisy)
    np.testing.assert_allclose(logits_n[~absent], logits[~absent], rtol=1e-6)
    np.testing.assert_allclose(values_n, values, rtol=1e-6)


def test_engineer_scorer__masked_predictions_pick_only_valid_engineers() -> None:
    env = _env()
    model = MaskablePPO(
        EngineerScorerPolicy, env, n_steps=64, batch_size=64, policy_kwargs=scorer_policy_kwargs(env.obs_layout, 16)
    )
    obs, masks = _observations(env, 40)
    assert (~masks).any(), "some engineers are unavailable in these steps"
    for deterministic in (True, False):
        actions, _ = model.predict(obs, action_masks=masks, deterministic=deterministic)
        assert masks[np.arange(len(obs)), actions].all()


def test_engineer_scorer__layout_without_engineer_rows_is_rejected() -> None:
    env = _env()
    layout = [s for s in scorer_policy_kwargs(env.obs_layout)["layout"] if s["name"] != "engineers"]
    with pytest.raises(ValueError, match="needs a 2-D 'engineers' slice"):
        EngineerScorerPolicy(env.observation_space, env.action_space, lambda _: 1e-3, layout=layout)
    cartpole = gym.make("ferrogym/CartPole-v1")
    with pytest.raises(ValueError, match="'engineers'"):
        EngineerScorerPolicy(cartpole.observation_space, cartpole.action_space, lambda _: 1e-3, layout=[], hidden=8)


def test_cli_train__scorer_arch_trains_saves_and_reloads_for_evaluate(tmp_path: Path) -> None:
    out = tmp_path / "scorer"
    args = ["train", "--policy-arch", "scorer", "--scenario", "specialists", "--timesteps", "300", "--n-envs", "2"]
    args += ["--warm-start", "sed", "--warm-start-episodes", "3"]
    result = runner.invoke(
        app, [*args, "--hyper", '{"n_steps": 64, "n_epochs": 2}', "--out", str(out), "--eval-seeds", "2"]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["policy_arch"] == "scorer" and meta["hyperparameters"]["n_steps"] == 64
    assert meta["warm_start"] == {"policy": "sed", "episodes": 3}
    assert "imitated sed" in result.output
    assert meta["timesteps"] >= 300
    policy = load_policy(out)
    assert isinstance(policy.model.policy, EngineerScorerPolicy)
    env = _env()
    obs, masks = _observations(env, 20)
    actions = policy(obs, masks)
    assert masks[np.arange(len(obs)), actions].all()
    ev = runner.invoke(app, ["evaluate", "--policy", str(out), "--scenario", "specialists", "--seeds", "2"])
    assert ev.exit_code == 0, ev.output


def test_cli_train__scorer_needs_a_masked_algo_and_bad_hyper_is_a_usage_error(tmp_path: Path) -> None:
    base = ["train", "--timesteps", "10", "--out", str(tmp_path), "--eval-seeds", "0"]
    for extra, message in (
        (["--policy-arch", "scorer", "--algo", "ppo"], "needs a masked algorithm"),
        (["--policy-arch", "transformer"], "unknown policy architecture"),
        (["--hyper", "{n_steps: 5}"], "is not JSON"),
        (["--hyper", "[1]"], "must be a JSON object"),
        (["--warm-start", "oracle"], "is not a heuristic"),
        (["--warm-start", "sed", "--algo", "dqn"], "needs a masked algorithm"),
    ):
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.output.replace("\n", " "), (extra, result.output)


def test_warm_start__demonstrations_are_the_heuristic_episodes_with_their_returns() -> None:
    env = _env()
    sed = make_policy("sed", env.obs_layout)
    demos = demonstrations(sed, ID, [4, 5], gamma=1.0, scenario="specialists")
    lengths, totals = [], []
    for seed in (4, 5):
        obs, _ = env.reset(seed=seed)
        n, total, truncated = 0, 0.0, False
        while not truncated:
            obs, reward, _, truncated, _ = env.step(int(sed(obs, env.action_masks())))
            n, total = n + 1, total + float(reward)
        lengths.append(n)
        totals.append(total)
    assert len(demos.actions) == len(demos.obs) == len(demos.masks) == len(demos.returns) == sum(lengths)
    assert demos.masks[np.arange(len(demos.actions)), demos.actions].all()
    # Decisions are interleaved over the two seeds: both episodes start in the first two rows.
    np.testing.assert_allclose(sorted(demos.returns[:2]), sorted(totals), rtol=1e-4)


def test_warm_start__imitation_makes_the_scorer_agree_with_the_teacher() -> None:
    env = _env()
    model = MaskablePPO(
        EngineerScorerPolicy, env, n_steps=64, batch_size=64, policy_kwargs=scorer_policy_kwargs(env.obs_layout, 32)
    )
    demos = demonstrations(make_policy("sed", env.obs_layout), ID, list(range(6)), gamma=0.98, scenario="specialists")
    with th.no_grad():
        before, _ = model.predict(demos.obs, action_masks=demos.masks, deterministic=True)
    fit = imitate(model, demos, epochs=30)
    after, _ = model.predict(demos.obs, action_masks=demos.masks, deterministic=True)
    assert fit["accuracy"] == pytest.approx(float((after == demos.actions).mean()))
    # Near-uniform at first; mostly the teacher's choice after (~95% with the 256 episodes `train` uses).
    assert fit["accuracy"] > 0.6 > 0.5 > float((before == demos.actions).mean())


def test_cli_train__resume_continues_the_saved_model(tmp_path: Path) -> None:
    first = tmp_path / "first"
    args = ["train", "--policy-arch", "scorer", "--scenario", "specialists", "--timesteps", "128", "--n-envs", "2"]
    hyper = ["--hyper", '{"n_steps": 64, "n_epochs": 1, "learning_rate": 1e-3, "learning_rate_end": 1e-4}']
    assert runner.invoke(app, [*args, *hyper, "--out", str(first), "--eval-seeds", "0"]).exit_code == 0
    before = load_policy(first).model.policy.state_dict()
    more = tmp_path / "more"
    result = runner.invoke(
        app, ["train", "--resume", str(first), "--timesteps", "128", "--out", str(more), "--eval-seeds", "2"]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((more / "meta.json").read_text())
    assert meta["timesteps"] >= 256 and meta["policy_arch"] == "scorer" and meta["n_envs"] == 2
    assert meta["env_kwargs"] == {"scenario": "specialists"} and meta["hyperparameters"]["n_steps"] == 64
    assert meta["resumed"] == [{"from": str(first), "steps_before": 128}]
    after = load_policy(more).model
    assert isinstance(after.policy, EngineerScorerPolicy) and after.num_timesteps == meta["timesteps"]
    # The learning rate schedule runs on: below its start after the first run's steps.
    assert after.lr_schedule(after._current_progress_remaining) < 1e-3
    assert any(not th.equal(v, after.policy.state_dict()[k]) for k, v in before.items())


def test_cli_train__resume_refuses_options_the_saved_model_fixes(tmp_path: Path) -> None:
    base = ["train", "--resume", str(tmp_path), "--timesteps", "10", "--eval-seeds", "0"]
    for extra, message in (
        ([], "no readable meta.json"),
        (["--warm-start", "sed"], "drop --warm-start"),
        (["--set", "cap=3"], "--learning-rate and --set"),
        (["--library", "rllib"], "continues an SB3 model"),
    ):
        result = runner.invoke(app, [*base, *extra])
        # rich wraps the message in a box: compare the words only.
        words = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2 and message in words, result.output
