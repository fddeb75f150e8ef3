"""Curriculum: promotion, demotion, replay, per-env levels in a Rust batch, the SB3 callback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.curriculum import Curriculum, CurriculumError, Level, VecCurriculum, success_from_infos
from ferrogym.errors import ConfigError

ENV_ID = "ferrogym/CustomerSupport-v0"
LEVELS = [
    Level("calm_retail", {"industries": ["retail"], "upset_share": 0.0, "patience": 2.0}),
    Level("some_upset", {"upset_share": 0.2, "patience": 1.5}),
    Level("full", {}),
]


def test_curriculum__promotes_after_enough_successes_and_demotes_on_failures() -> None:
    cur = Curriculum(LEVELS, promote_at=0.8, demote_below=0.3, window=10, min_episodes=10, replay_share=0.0)
    for _ in range(9):
        cur.record(0, success=True)
    assert cur.level == 0  # not enough episodes yet
    cur.record(0, success=True)
    assert cur.level_name == "some_upset"
    for _ in range(10):
        cur.record(1, success=False)
    assert cur.level == 0
    assert cur.history == [(0, 0), (10, 1), (20, 0)]


def test_curriculum__replays_earlier_levels_at_the_configured_share() -> None:
    cur = Curriculum(LEVELS, replay_share=0.25, min_episodes=1, window=1, promote_at=0.5, seed=1)
    cur.record(0, True)
    cur.record(1, True)
    assert cur.level == 2
    draws = np.array([cur.sample_level() for _ in range(4000)])
    assert abs((draws < 2).mean() - 0.25) < 0.03
    assert set(draws.tolist()) == {0, 1, 2}
    cur.record(0, False)  # a replayed episode does not move the curriculum
    assert cur.level == 2 and cur.episodes == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"levels": []}, "levels"),
        ({"levels": [Level("a"), Level("a")]}, "unique"),
        ({"promote_at": 1.5}, "promote_at"),
        ({"promote_at": float("nan")}, "promote_at"),
        ({"demote_below": 0.9, "promote_at": 0.8}, "demote_below"),
        ({"window": 0}, "window"),
        ({"min_episodes": 500, "window": 100}, "min_episodes"),
        ({"replay_share": 1.0}, "replay_share"),
        ({"replay_share": True}, "replay_share"),
    ],
)
def test_curriculum__invalid_settings_are_rejected_with_a_message(kwargs: dict[str, Any], match: str) -> None:
    levels = kwargs.pop("levels", LEVELS)
    with pytest.raises(CurriculumError, match=match) as info:
        Curriculum(levels, **kwargs)
    assert isinstance(info.value, ConfigError)


def test_vec_curriculum__sets_levels_per_sub_env_and_learns_from_outcomes() -> None:
    n = 8
    envs = gym.make_vec(ENV_ID, num_envs=n, vectorization_mode="vector_entry_point")
    cur = Curriculum(LEVELS, promote_at=0.6, min_episodes=20, window=40, replay_share=0.3)
    driver = VecCurriculum(cur, envs.set_config, n)  # type: ignore[attr-defined]
    driver.start()
    obs, _ = envs.reset(seed=0)
    assert (obs[:, 1] == 1.0).all()  # level 0: retail only
    rng = np.random.default_rng(0)
    for _ in range(3000):
        # Quick resolution to calm customers resolves most conversations.
        actions = np.where(rng.random(n) < 0.8, 6, 3)
        obs, _, terminated, truncated, infos = envs.step(actions)
        driver.update(terminated, truncated, infos)
    assert cur.level >= 1 and cur.episodes > 100
    assert any(level >= 1 for _, level in cur.history)


def test_vec_curriculum__same_step_mode_tracks_the_level_each_episode_really_has() -> None:
    seen: list[tuple[int, dict[str, Any]]] = []
    cur = Curriculum(LEVELS, replay_share=0.0, min_episodes=1, window=1, promote_at=0.5)
    driver = VecCurriculum(cur, lambda i, k: seen.append((i, k)), 1, same_step=True)
    driver.start()
    assert driver.running == [0]
    driver.episode_ended(0, True)  # promoted to 1; the episode already running is still level 0
    assert cur.level == 1 and driver.running == [0]
    driver.episode_ended(0, True)  # a level-0 episode: replay, no move
    assert cur.level == 1 and driver.running == [1]
    assert seen[-1] == (0, LEVELS[1].knobs)


def test_vec_curriculum__missing_success_flag_is_an_error() -> None:
    driver = VecCurriculum(Curriculum(LEVELS), lambda i, k: None, 1)
    with pytest.raises(CurriculumError, match="success flag"):
        driver.update(np.array([True]), np.array([False]), {})
    assert success_from_infos({"outcome": {"resolved": np.array([1.0])}}, 0, ("outcome", "resolved")) is True


def test_curriculum_callback__moves_levels_during_sb3_training_and_logs_them() -> None:
    pytest.importorskip("stable_baselines3")
    from stable_baselines3 import PPO
    from stable_baselines3.common.logger import Logger

    from ferrogym.curriculum_sb3 import CurriculumCallback
    from ferrogym.integrations.sb3 import make_vec_env

    class Capture(Logger):
        def __init__(self) -> None:
            super().__init__(folder=None, output_formats=[])
            self.levels: list[float] = []

        def record(self, key: str, value: Any, exclude: Any = None) -> None:
            if key == "curriculum/level":
                self.levels.append(value)
            super().record(key, value, exclude)

    venv = make_vec_env(ENV_ID, n_envs=4, seed=0, invalid_action="fallback")
    cur = Curriculum(LEVELS, promote_at=0.05, demote_below=0.0, min_episodes=5, window=5, replay_share=0.2)
    callback = CurriculumCallback(cur)
    model = PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")
    logger = Capture()
    model.set_logger(logger)
    model.learn(256 * 3, callback=callback)
    assert cur.level >= 1
    assert logger.levels and callback.timeline[-1][1] == cur.level
    with pytest.raises(ConfigError, match="does not support"):
        make_vec_env("ferrogym/CartPole-v1", n_envs=2).env_method("set_config", {}, indices=[0])


@pytest.mark.parametrize("mode", ["NextStep", "SameStep"])
def test_vec_curriculum__recorder_logs_the_level_each_episode_was_played_at(tmp_path: Path, mode: str) -> None:
    pytest.importorskip("pyarrow")
    from ferrogym.record import Recording, VectorRecorder

    # Each level allows one industry, which the observation's one-hot shows: the
    # recorded level must match what every step of the episode saw.
    levels = [Level("retail", {"industries": ["retail"]}), Level("tech", {"industries": ["tech"]})]
    n = 3
    batch = gym.make_vec(ENV_ID, num_envs=n, vectorization_mode="vector_entry_point", autoreset_mode=mode)
    cur = Curriculum(levels, promote_at=0.01, demote_below=0.0, min_episodes=1, window=1, replay_share=0.5)
    driver = VecCurriculum(cur, batch.set_config, n, same_step=mode == "SameStep")  # type: ignore[attr-defined]
    path = tmp_path / "run.parquet"
    envs = VectorRecorder(batch, path, curriculum=driver)
    driver.start()
    envs.reset(seed=0)
    for _ in range(120):
        _, _, terminated, truncated, infos = envs.step(np.full(n, 6))
        driver.update(terminated, truncated, infos)
    envs.close()
    rec = Recording(path)
    played = {0: 0, 1: 0}
    for k in rec.episodes():
        ep = rec.episode(int(k))
        assert ep.curriculum_level is not None
        level, name = ep.curriculum_level
        industry = {"retail": 1, "tech": 2}[name]
        assert (ep.observations[:, industry] == 1.0).all(), (k, name)
        played[level] += 1
    assert played[0] > 1 and played[1] > 1  # promoted, and earlier levels replayed


def test_vector_recorder__curriculum_for_another_batch_size_is_refused(tmp_path: Path) -> None:
    from ferrogym.record import VectorRecorder

    batch = gym.make_vec(ENV_ID, num_envs=2, vectorization_mode="vector_entry_point")
    driver = VecCurriculum(Curriculum(LEVELS), lambda i, k: None, 3)
    with pytest.raises(ConfigError, match="drives 3 sub-envs, the env has 2"):
        VectorRecorder(batch, tmp_path / "r.parquet", curriculum=driver)
