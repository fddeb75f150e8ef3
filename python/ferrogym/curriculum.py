"""Curriculum learning over an env's difficulty knobs.

A :class:`Curriculum` holds ordered levels (each a dict of config knobs),
promotes when the rolling success rate at the current level passes
``promote_at`` over at least ``min_episodes`` episodes, demotes below
``demote_below``, and replays a share of episodes from earlier levels so that
nothing is forgotten. It works with any env whose config can change after
construction (``set_config``; the Rust ``Env::reconfigure`` hook) and sets
levels per sub-env of a Rust batch: :class:`VecCurriculum` for a plain loop
over a :class:`~ferrogym.vector.RustVectorEnv`, and
``ferrogym.curriculum_sb3.CurriculumCallback`` for Stable-Baselines3.

>>> levels = [Level("easy", {"upset_share": 0.0}), Level("full", {})]
>>> cur = Curriculum(levels, promote_at=0.8, min_episodes=5, window=5)
>>> for _ in range(5):
...     cur.record(cur.level, success=True)
>>> cur.level_name
'full'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ferrogym.errors import ConfigError


class CurriculumError(ConfigError):
    """Invalid curriculum settings."""


@dataclass(frozen=True)
class Level:
    """One difficulty level: a name and the config knobs it sets."""

    name: str
    knobs: Mapping[str, Any] = field(default_factory=dict)


class Curriculum:
    """Levels with promotion, demotion and replay; the state of one learner."""

    def __init__(
        self,
        levels: Sequence[Level],
        *,
        promote_at: float = 0.7,
        demote_below: float = 0.2,
        window: int = 200,
        min_episodes: int = 100,
        replay_share: float = 0.2,
        seed: int | None = 0,
    ) -> None:
        if not levels or not all(isinstance(lv, Level) for lv in levels):
            raise CurriculumError(f"Curriculum: invalid levels {levels!r}; expected a non-empty sequence of Level")
        names = [lv.name for lv in levels]
        if len(set(names)) != len(names):
            raise CurriculumError(f"Curriculum: invalid levels {names}; expected unique names")

        def check(name: str, value: Any, ok: bool, expected: str) -> None:
            if isinstance(value, bool) or not ok:
                raise CurriculumError(f"Curriculum: invalid {name} {value!r}; expected {expected}")

        def number(v: Any) -> bool:
            return isinstance(v, (int, float)) and bool(np.isfinite(v))

        check("promote_at", promote_at, number(promote_at) and 0 < promote_at <= 1, "a number in (0, 1]")
        check(
            "demote_below",
            demote_below,
            number(demote_below) and 0 <= demote_below < promote_at,
            f"a number in [0, promote_at={promote_at})",
        )
        check("window", window, isinstance(window, int) and window >= 1, "an integer >= 1")
        check(
            "min_episodes",
            min_episodes,
            isinstance(min_episodes, int) and 1 <= min_episodes <= window,
            f"an integer in [1, window={window}]",
        )
        check("replay_share", replay_share, number(replay_share) and 0 <= replay_share < 1, "a number in [0, 1)")
        self.levels = tuple(levels)
        self.promote_at, self.demote_below = float(promote_at), float(demote_below)
        self.min_episodes, self.replay_share = min_episodes, float(replay_share)
        self.level = 0
        self.episodes = 0
        #: (episodes so far, level) at the start and at every level change.
        self.history: list[tuple[int, int]] = [(0, 0)]
        self._window: deque[bool] = deque(maxlen=window)
        self._rng = np.random.default_rng(seed)

    @property
    def level_name(self) -> str:
        """The name of the current level."""
        return self.levels[self.level].name

    @property
    def success_rate(self) -> float:
        """Rolling success rate at the current level (nan before any episode)."""
        return float(np.mean(self._window)) if self._window else float("nan")

    def knobs(self, level: int) -> dict[str, Any]:
        """Returns the config fields level ``level`` sets."""
        return dict(self.levels[level].knobs)

    def sample_level(self) -> int:
        """The level of the next episode: the current one, or with
        probability ``replay_share`` an earlier one drawn uniformly."""
        if self.level > 0 and self._rng.random() < self.replay_share:
            return int(self._rng.integers(0, self.level))
        return self.level

    def record(self, level: int, success: bool) -> None:
        """Counts one finished episode played at ``level``. Only episodes at
        the current level move the curriculum (replays keep skills fresh)."""
        self.episodes += 1
        if level != self.level:
            return
        self._window.append(bool(success))
        if len(self._window) < self.min_episodes:
            return
        rate = self.success_rate
        if rate >= self.promote_at and self.level < len(self.levels) - 1:
            self._move(self.level + 1)
        elif rate < self.demote_below and self.level > 0:
            self._move(self.level - 1)

    def _move(self, level: int) -> None:
        self.level = level
        self._window.clear()
        self.history.append((self.episodes, level))


def success_from_infos(infos: Mapping[str, Any], index: int, key: tuple[str, str]) -> bool | None:
    """Success of sub-env ``index`` from Gymnasium vector infos
    (``infos[group][name][index]``, or under ``final_info`` in SAME_STEP
    mode); None when the infos do not carry it."""
    for source in (infos.get("final_info", {}), infos):
        group = source.get(key[0])
        if isinstance(group, Mapping) and key[1] in group and group.get(f"_{key[1]}", np.ones(index + 1))[index]:
            return bool(group[key[1]][index] > 0)
    return None


class VecCurriculum:
    """Drives a :class:`Curriculum` over the sub-envs of a batch.

    ``set_config(i, knobs)`` must apply from sub-env ``i``'s next reset (as
    ``RustVectorEnv.set_config`` does). With SAME_STEP autoreset
    (``same_step=True``, Stable-Baselines3's convention) an env has already
    started its next episode when the last one's end is seen, so the level
    chosen then applies one episode later; the driver keeps track of which
    level each running episode really has.
    """

    def __init__(
        self,
        curriculum: Curriculum,
        set_config: Callable[[int, dict[str, Any]], None],
        num_envs: int,
        *,
        same_step: bool = False,
    ) -> None:
        self.curriculum = curriculum
        self._set = set_config
        self.num_envs = num_envs
        self.same_step = same_step
        #: Level of the episode each sub-env is playing (None: not set by us).
        self.running: list[int | None] = [None] * num_envs
        self._pending: list[int | None] = [None] * num_envs

    def start(self, *, before_reset: bool = True) -> None:
        """Assigns a first level to every sub-env; call it before the
        batch's first reset (or with ``before_reset=False`` after it)."""
        for i in range(self.num_envs):
            level = self.curriculum.sample_level()
            self._set(i, self.curriculum.knobs(level))
            self._pending[i] = level
            self.running[i] = level if before_reset else None

    def pending(self, index: int) -> int | None:
        """The level set for sub-env ``index``'s next reset (what a SAME_STEP
        autoreset starts with, before :meth:`update` sees the ended episode)."""
        return self._pending[index]

    def episode_ended(self, index: int, success: bool) -> None:
        """Records sub-env ``index``'s finished episode and moves it to a newly sampled level.

        Under SAME_STEP autoreset the next episode has already started, so it counts for the level set before.
        """
        played = self.running[index]
        if played is not None:
            self.curriculum.record(played, success)
        level = self.curriculum.sample_level()
        self._set(index, self.curriculum.knobs(level))
        if self.same_step:
            self.running[index] = self._pending[index]
        else:
            self.running[index] = level
        self._pending[index] = level

    def update(
        self,
        terminated: Sequence[bool] | np.ndarray,
        truncated: Sequence[bool] | np.ndarray,
        infos: Mapping[str, Any],
        key: tuple[str, str] = ("outcome", "resolved"),
    ) -> None:
        """Call after every batched ``step`` with its flags and infos;
        success is read from ``infos[key[0]][key[1]]``."""
        done = np.asarray(terminated) | np.asarray(truncated)
        for i in np.flatnonzero(done):
            success = success_from_infos(infos, int(i), key)
            if success is None:
                raise CurriculumError(f"Curriculum: the step infos have no {key[0]!r}/{key[1]!r} success flag")
            self.episode_ended(int(i), success)
