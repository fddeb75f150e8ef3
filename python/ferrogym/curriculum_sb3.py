"""Stable-Baselines3 callback that runs a :class:`~ferrogym.curriculum.Curriculum`
over a ferrogym Rust batch (``ferrogym.integrations.sb3.make_vec_env``) and logs the level
to SB3's logger (TensorBoard with ``tensorboard_log=``)."""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from stable_baselines3.common.callbacks import BaseCallback
except ImportError:  # pragma: no cover - exercised only without the extra
    from ferrogym.extras import missing

    raise missing("stable_baselines3", "sb3", "ferrogym.curriculum_sb3") from None

from ferrogym.curriculum import Curriculum, CurriculumError, VecCurriculum


class CurriculumCallback(BaseCallback):
    """Sets each sub-env's level through ``env_method("set_config", ...)``
    and promotes/demotes from the success flag ``info[key[0]][key[1]]`` of
    finished episodes. Logs ``curriculum/level``, ``curriculum/success_rate``
    and ``curriculum/episodes`` at the end of every rollout."""

    def __init__(self, curriculum: Curriculum, key: tuple[str, str] = ("outcome", "resolved"), verbose: int = 0):
        super().__init__(verbose)
        self.curriculum = curriculum
        self.key = key
        self.driver: VecCurriculum | None = None
        #: (timesteps, level) after every rollout, for plots.
        self.timeline: list[tuple[int, int]] = []

    def _on_training_start(self) -> None:
        env = self.training_env

        def set_config(i: int, knobs: dict[str, Any]) -> None:
            env.env_method("set_config", knobs, indices=[i])

        # SB3 has reset the batch already; ferrogym's SB3 VecEnv autoresets in SAME_STEP mode.
        self.driver = VecCurriculum(self.curriculum, set_config, env.num_envs, same_step=True)
        self.driver.start(before_reset=False)

    def _on_step(self) -> bool:
        assert self.driver is not None
        dones = self.locals["dones"]
        infos = self.locals["infos"]
        for i in np.flatnonzero(dones):
            group = infos[i].get(self.key[0])
            if group is None or self.key[1] not in group:
                raise CurriculumError(
                    f"Curriculum: episode infos have no {self.key[0]!r}/{self.key[1]!r} success flag "
                    "(use ferrogym.integrations.sb3.make_vec_env, which passes the env's final infos through)"
                )
            level_before = self.curriculum.level
            self.driver.episode_ended(int(i), bool(group[self.key[1]] > 0))
            if self.verbose and self.curriculum.level != level_before:
                print(f"curriculum: level {self.curriculum.level_name} after {self.curriculum.episodes} episodes")
        return True

    def _on_rollout_end(self) -> None:
        self.logger.record("curriculum/level", self.curriculum.level)
        rate = self.curriculum.success_rate
        if not np.isnan(rate):
            self.logger.record("curriculum/success_rate", rate)
        self.logger.record("curriculum/episodes", self.curriculum.episodes)
        self.timeline.append((self.num_timesteps, self.curriculum.level))
