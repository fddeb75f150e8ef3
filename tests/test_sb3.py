"""The Stable-Baselines3 VecEnv over the Rust batch."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

from ferrogym.integrations.sb3 import FerroVecEnv, learned_timesteps, make_vec_env
from ferrogym.validate.rollout import valid_batch_actions

from .conftest import ENV_IDS


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_sb3__vec_env_matches_dummy_vec_env(env_id: str) -> None:
    n = 4
    ours = FerroVecEnv(env_id, n)
    reference = DummyVecEnv([lambda: gym.make(env_id) for _ in range(n)])
    ours.seed(3)
    reference.seed(3)
    np.testing.assert_array_equal(ours.reset(), reference.reset())
    ours.action_space.seed(0)
    ended = 0
    for _ in range(300):
        actions = valid_batch_actions(ours, np.stack([ours.action_space.sample() for _ in range(n)]))
        o1, r1, d1, i1 = ours.step(actions)
        o2, r2, d2, i2 = reference.step(actions)
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(r1, r2)
        assert r1.dtype == r2.dtype
        np.testing.assert_array_equal(d1, d2)
        for a, b in zip(i1, i2, strict=True):
            assert a["TimeLimit.truncated"] == b["TimeLimit.truncated"]
            assert ("terminal_observation" in a) == ("terminal_observation" in b)
            if "terminal_observation" in a:
                np.testing.assert_array_equal(a["terminal_observation"], b["terminal_observation"])
        ended += int(d1.sum())
    assert ended > 0


def test_sb3__vec_env_methods_and_attributes() -> None:
    venv = FerroVecEnv("ferrogym/GridWorld-v0", 3, render_mode="rgb_array")
    venv.reset()
    assert venv.render_mode == "rgb_array"
    assert venv.get_attr("observation_space")[0] == gym.make("ferrogym/GridWorld-v0").observation_space
    assert venv.get_attr("render_mode", indices=[0, 2]) == ["rgb_array", "rgb_array"]
    assert venv.has_attr("action_masks")
    masks = venv.env_method("action_masks")
    assert len(masks) == 3 and masks[0].tolist() == [True] * 4
    assert venv.env_is_wrapped(gym.Wrapper) == [False, False, False]
    states = venv.env_method("get_state", indices=[1])
    venv.env_method("set_state", states[0], indices=[1])
    with pytest.raises(AttributeError, match="no per-env method"):
        venv.env_method("fly")
    with pytest.raises(AttributeError, match="set_attr"):
        venv.set_attr("slip", 0.5)
    images = venv.get_images()
    assert len(images) == 3 and images[0] is not None and images[0].shape == (224, 224, 3)
    assert venv.action_masks().shape == (3, 4)
    with pytest.raises(RuntimeError, match="step_async"):
        venv.step_wait()
    venv.close()
    plain = FerroVecEnv("ferrogym/GridWorld-v0", 2)
    assert plain.get_images() == [None, None]


def test_sb3__refuses_envs_that_are_not_rust_batches() -> None:
    with pytest.raises(TypeError, match="not a ferrogym Rust env"):
        FerroVecEnv("CartPole-v1", 2)


def test_sb3__make_vec_env_is_monitored_and_seeded() -> None:
    a = make_vec_env("ferrogym/CartPole-v1", n_envs=2, seed=5)
    b = make_vec_env("ferrogym/CartPole-v1", n_envs=2, seed=5)
    assert isinstance(a, VecMonitor)
    np.testing.assert_array_equal(a.reset(), b.reset())
    assert not isinstance(make_vec_env("ferrogym/CartPole-v1", monitor=False), VecMonitor)


@pytest.mark.slow
def test_sb3__ppo_learns_grid_world_open_room() -> None:
    torch = pytest.importorskip("torch")
    from stable_baselines3 import PPO

    torch.set_num_threads(1)
    venv = make_vec_env("ferrogym/GridWorld-v0", n_envs=8, seed=0)
    model = PPO("MlpPolicy", venv, n_steps=128, batch_size=256, learning_rate=3e-3, ent_coef=0.01, seed=0, device="cpu")
    model.learn(15_000)
    env = gym.make("ferrogym/GridWorld-v0")
    successes = 0
    for episode in range(100):
        obs, _ = env.reset(seed=10_000 + episode)
        while True:
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(int(action))
            if terminated or truncated:
                successes += int(terminated and reward > 0)
                break
    assert successes >= 95, f"PPO reached the goal in {successes}/100 evaluation episodes"


def test_sb3__reward_components_reach_infos_and_tensorboard(tmp_path: Path) -> None:
    from stable_baselines3 import PPO
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from ferrogym.integrations.sb3 import RewardComponentsCallback

    venv = make_vec_env("ferrogym/TicketRouting-v0", n_envs=4, seed=0, invalid_action="fallback")
    venv.reset()
    _, _, _, infos = venv.step(np.zeros(4, dtype=np.int64))
    assert set(infos[0]["reward_components"]) >= {"wait", "sla", "burnout"}
    model = PPO(
        "MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu", tensorboard_log=str(tmp_path)
    )
    model.learn(64 * 4 * 3, callback=RewardComponentsCallback())
    events = list(tmp_path.rglob("events.out.tfevents.*"))
    assert events
    acc = EventAccumulator(str(events[0].parent))
    acc.Reload()
    tags = acc.Tags()["scalars"]
    assert "reward_components/wait" in tags
    waits = [e.value for e in acc.Scalars("reward_components/wait")]
    assert waits and all(v < 0 for v in waits)  # waiting always costs


@pytest.mark.parametrize(("algo", "total", "reached"), [("PPO", 100, 128), ("PPO", 128, 128), ("DQN", 100, 104)])
def test_sb3__learned_timesteps_is_where_learn_stops(algo: str, total: int, reached: int) -> None:
    import stable_baselines3

    venv = make_vec_env("ferrogym/CartPole-v1", n_envs=2, seed=0)
    kwargs = {"n_steps": 32, "batch_size": 64} if algo == "PPO" else {"learning_starts": 1_000}
    model = getattr(stable_baselines3, algo)("MlpPolicy", venv, seed=0, device="cpu", **kwargs)
    assert learned_timesteps(model, total) == reached
    model.learn(total)
    assert model.num_timesteps == reached
