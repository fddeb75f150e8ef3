"""Dispatch heuristics: valid under masks on every scenario, single and batched,
and each rule does what its name says on a hand-made observation."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.envs.ticket_routing import TicketRoutingEnv
from ferrogym.envs.ticket_routing_config import SCENARIOS
from ferrogym.evaluation import make_batch
from ferrogym.policies import POLICIES, MissingColumnError, Policy, make_policy
from ferrogym.spaces import ObsSlice

ID = "ferrogym/TicketRouting-v0"


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", list(POLICIES))
def test_policy__single_env_actions_are_always_valid(scenario: str, name: str) -> None:
    env = gym.make(ID, scenario=scenario, shuffle_slots=True)
    obs, _ = env.reset(seed=3)
    policy = make_policy(name, env.unwrapped.obs_layout, seed=0)  # type: ignore[attr-defined]
    truncated = False
    steps = 0
    while not truncated:
        mask = env.unwrapped.action_masks()  # type: ignore[attr-defined]
        action = policy(obs, mask)
        assert isinstance(action, int)
        assert mask[action], (name, steps)
        obs, _, _, truncated, _ = env.step(action)  # raises on a masked action
        steps += 1
    assert steps > 10


@pytest.mark.parametrize("service", ["fifo", "processor_sharing"])
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", list(POLICIES))
def test_policy__batched_actions_are_valid_and_match_single_calls(scenario: str, name: str, service: str) -> None:
    venv = make_batch(ID, 6, scenario=scenario, service=service)
    obs, _ = venv.reset(seed=11)
    policy = make_policy(name, venv.obs_layout, seed=0)
    policy.reset(6)
    for _ in range(150):
        mask = venv.action_masks()
        actions = policy(obs, mask)
        assert isinstance(actions, np.ndarray)
        assert actions.shape == (6,)
        assert mask[np.arange(6), actions].all()
        if name not in ("random", "round-robin"):  # stateless rules: row by row gives the same answer
            assert [policy(o, m) for o, m in zip(obs, mask, strict=True)] == actions.tolist()
        obs, *_ = venv.step(actions)
    venv.close()


def engineer_obs(layout: tuple[ObsSlice, ...], rows: dict[str, list[float]]) -> np.ndarray:
    """An observation whose engineer rows have the given columns (others 0)."""
    obs = np.zeros(max(s.stop for s in layout), dtype=np.float32)
    eng = next(s for s in layout if s.name == "engineers")
    view = eng.of(obs)
    for col, values in rows.items():
        view[: len(values), eng.labels.index(col)] = values
    return obs


@pytest.fixture(scope="module")
def layout() -> tuple[ObsSlice, ...]:
    return TicketRoutingEnv().obs_layout


# Four engineers; slot 3 is masked out and would win every rule.
ROWS = {
    "load": [0.4, 0.2, 0.6, 0.0],
    "busy": [0.3, 0.2, 0.0, 0.0],
    "skill": [0.9, 0.5, 0.6, 1.0],
    "eta": [0.5, 0.35, 0.4, 0.1],
    "idle": [0.2, 0.6, 0.3, 0.9],
}
EXPECTED = {
    "least-loaded": 1,  # fewest open tickets
    "sed": 1,  # shortest expected completion
    "skill-greedy": 0,  # most skilled
    "skill-overflow": 1,  # the only idle engineer (2) has 0.6 < 0.8 x 0.9: overflow to SED
    "longest-idle": 2,  # the only one without work
    "gcmu": 2,  # idle first (skill 0.6), before 0.9 x (1 - 0.3)
    "round-robin": 0,  # first valid slot after none
}


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_policy__rule_picks_the_engineer_its_definition_names(
    layout: tuple[ObsSlice, ...], name: str, expected: int
) -> None:
    mask = np.zeros(12, dtype=bool)
    mask[:3] = True
    obs = engineer_obs(layout, ROWS)
    assert make_policy(name, layout)(obs, mask) == expected


def test_skill_overflow__prefers_an_idle_skilled_engineer(layout: tuple[ObsSlice, ...]) -> None:
    rows = {**ROWS, "busy": [0.0, 0.2, 0.0, 0.0]}
    mask = np.zeros(12, dtype=bool)
    mask[:3] = True
    assert make_policy("skill-overflow", layout)(engineer_obs(layout, rows), mask) == 0


def test_round_robin__cycles_over_valid_slots_per_env(layout: tuple[ObsSlice, ...]) -> None:
    policy = make_policy("round-robin", layout)
    mask = np.zeros((2, 12), dtype=bool)
    mask[:, [1, 4, 7]] = True
    mask[1, 4] = False
    obs = np.zeros((2, max(s.stop for s in layout)), dtype=np.float32)
    picks = [policy(obs, mask).tolist() for _ in range(4)]  # type: ignore[union-attr]
    assert picks == [[1, 1], [4, 7], [7, 1], [1, 7]]
    policy.reset(2)
    assert policy(obs, mask).tolist() == [1, 1]  # type: ignore[union-attr]


def test_random__is_seeded_and_spreads_over_valid_slots(layout: tuple[ObsSlice, ...]) -> None:
    mask = np.zeros((500, 12), dtype=bool)
    mask[:, [2, 5, 9]] = True
    obs = np.zeros((500, max(s.stop for s in layout)), dtype=np.float32)
    a = make_policy("random", layout, seed=1)(obs, mask)
    b = make_policy("random", layout, seed=1)(obs, mask)
    assert np.array_equal(a, b)  # type: ignore[arg-type]
    assert set(np.unique(a)) == {2, 5, 9}  # type: ignore[arg-type]


def test_policy__missing_column_is_named(layout: tuple[ObsSlice, ...]) -> None:
    no_skill = tuple(
        ObsSlice(s.name, s.start, s.shape, s.low, s.high, tuple("x" if x == "skill" else x for x in s.labels), s.doc)
        for s in layout
    )
    obs = np.zeros(max(s.stop for s in layout), dtype=np.float32)
    with pytest.raises(MissingColumnError, match="'skill'"):
        make_policy("skill-greedy", no_skill)(obs, np.ones(12, dtype=bool))
    with pytest.raises(MissingColumnError, match="'engineers'"):
        make_policy("sed", layout[:1])(obs, np.ones(12, dtype=bool))


def test_make_policy__unknown_name_lists_the_choices(layout: tuple[ObsSlice, ...]) -> None:
    with pytest.raises(ValueError, match=r"unknown policy 'fifo'.*'sed'"):
        make_policy("fifo", layout)


def test_policy__batch_and_mask_counts_must_agree(layout: tuple[ObsSlice, ...]) -> None:
    obs = np.zeros((3, max(s.stop for s in layout)), dtype=np.float32)
    with pytest.raises(ValueError, match="3 observations but 2 masks"):
        make_policy("sed", layout)(obs, np.ones((2, 12), dtype=bool))


def test_policy__base_class_has_no_rule(layout: tuple[ObsSlice, ...]) -> None:
    obs: Any = np.zeros(max(s.stop for s in layout), dtype=np.float32)
    with pytest.raises(NotImplementedError):
        Policy(layout)(obs, np.ones(12, dtype=bool))
