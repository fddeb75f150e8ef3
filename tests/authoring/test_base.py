from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from inventory import InventoryConfig, InventoryEnv

import ferrogym
from ferrogym.errors import ConfigError, HookError, InvalidAction, InvalidActionType, ResetNeeded, StateError


@dataclass
class Pos:
    x: int


class Line(ferrogym.BaseEnvironment[None, Pos]):
    """A tiny env whose hooks a test can break through class attributes."""

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    observation_space = spaces.Box(0, 10, (1,), np.float32)
    action_space = spaces.Discrete(2)
    obs_override: Any = None
    reward_override: Any = None
    done_override: Any = None

    def _reset_state(self, options: dict[str, Any]) -> Pos:
        return Pos(int(self.np_random.integers(0, 5)))

    def _update_state(self, action: Any) -> None:
        self.state.x = min(10, max(0, self.state.x + (1 if action == 1 else -1)))

    def _compute_reward(self, action: Any) -> float:
        return self.reward_override if self.reward_override is not None else float(self.state.x)

    def _check_termination(self) -> Any:
        return self.done_override if self.done_override is not None else self.state.x == 10

    def _get_observation(self) -> Any:
        return self.obs_override if self.obs_override is not None else np.array([self.state.x], np.float32)

    def _render_frame(self, mode: str) -> Any:
        return "x" * self.state.x if mode == "ansi" else np.zeros((4, 4, 3), np.uint8)


def test_base__reset_and_step_are_final() -> None:
    with pytest.raises(TypeError, match="BaseEnvironment keeps final"):

        class Bad(Line):
            def step(self, action: Any) -> Any:
                return None


def test_base__missing_hooks_are_named() -> None:
    class Half(ferrogym.BaseEnvironment[None, int]):
        observation_space = spaces.Discrete(2)
        action_space = spaces.Discrete(2)

    with pytest.raises(TypeError, match="_reset_state, _update_state, _check_termination, _get_observation"):
        Half()


def test_base__missing_spaces_are_a_config_error() -> None:
    class NoSpaces(Line):
        observation_space = None  # type: ignore[assignment]

    with pytest.raises(ConfigError, match="observation_space is not set"):
        NoSpaces()


def test_base__same_seed_same_trajectory() -> None:
    def run() -> list[Any]:
        env = InventoryEnv()
        out = [env.reset(seed=3)[0].tolist()]
        for a in [0, 5, 3, 20, 1]:
            obs, r, *_ = env.step(a)
            out.append((obs.tolist(), r))
        return out

    assert run() == run()


def test_base__reward_components_are_named_weighted_and_sum_to_reward(inventory_env: InventoryEnv) -> None:
    inventory_env.reset(seed=0)
    _, reward, _, _, info = inventory_env.step(4)
    components = info["reward_components"]
    assert set(components) == {"sales", "holding"}
    assert components["holding"] == pytest.approx(-0.05 * inventory_env.state.stock)
    assert reward == pytest.approx(sum(components.values()))
    assert type(reward) is float


def test_base__invalid_action_names_env_value_and_space_and_env_stays_usable(inventory_env: InventoryEnv) -> None:
    inventory_env.reset(seed=0)
    with pytest.raises(InvalidAction, match=r"InventoryEnv: invalid action 99 .*Discrete\(21\).*\[0, 20\]"):
        inventory_env.step(99)
    with pytest.raises(InvalidActionType, match="of type float"):
        inventory_env.step(1.5)
    with pytest.raises(InvalidActionType):
        inventory_env.step("left")
    inventory_env.step(np.int64(2))


def test_base__box_action_errors_distinguish_shape_from_value() -> None:
    class BoxLine(Line):
        action_space = spaces.Box(-1, 1, (2,), np.float32)

    env = BoxLine()
    env.reset(seed=0)
    with pytest.raises(InvalidActionType, match=r"shape \(2,\)"):
        env.step(np.zeros(3, np.float32))
    with pytest.raises(InvalidAction, match="within the bounds"):
        env.step(np.array([5.0, 0.0], np.float32))


def test_base__step_before_reset_and_after_episode_end_need_reset() -> None:
    env = Line(max_episode_steps=2)
    with pytest.raises(ResetNeeded, match="call reset"):
        env.step(0)
    env.reset(seed=0)
    env.step(0)
    _, _, terminated, truncated, _ = env.step(0)
    assert (terminated, truncated) == (False, True)
    with pytest.raises(ResetNeeded, match="episode has ended"):
        env.step(0)


@pytest.mark.parametrize(
    ("obs", "problem"),
    [
        (np.array([1.0]), "dtype float64"),
        (np.array([1.0, 2.0], np.float32), r"shape \(2,\)"),
        (np.array([np.nan], np.float32), "NaN"),
        (np.array([11.0], np.float32), "outside the bounds"),
        ([1.0], "not a numpy array"),
    ],
)
def test_base__debug_mode_names_the_hook_of_a_bad_observation(obs: Any, problem: str) -> None:
    env = Line(debug=True)
    env.obs_override = obs
    with pytest.raises(HookError, match=f"Line: _get_observation returned .*{problem}"):
        env.reset(seed=0)


def test_base__debug_off_does_not_check_observations() -> None:
    env = Line(debug=False)
    env.obs_override = np.array([1.0])
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float64


@pytest.mark.parametrize(("reward", "match"), [(float("nan"), "nan"), ("1", "'1' of type str"), (True, "True")])
def test_base__bad_reward_names_compute_reward(reward: Any, match: str) -> None:
    env = Line()
    env.reward_override = reward
    env.reset(seed=0)
    with pytest.raises(HookError, match=f"_compute_reward returned {match}"):
        env.step(1)


def test_base__non_bool_termination_names_the_hook() -> None:
    env = Line()
    env.done_override = 1
    env.reset(seed=0)
    with pytest.raises(HookError, match="_check_termination returned 1 of type int; expected a bool"):
        env.step(1)


def test_base__render_modes_are_plumbed_once() -> None:
    env = Line(render_mode="ansi")
    env.reset(seed=0)
    assert isinstance(env.render(), str)
    env = Line(render_mode="rgb_array")
    env.reset(seed=0)
    assert env.render().shape == (4, 4, 3)
    with pytest.raises(
        ConfigError, match=r"invalid render_mode 'human'; expected None or one of \['ansi', 'rgb_array'\]"
    ):
        Line(render_mode="human")
    with pytest.warns(UserWarning, match="without specifying any render mode"):
        assert Line().render() is None


def test_base__human_mode_prints_text_frames(capsys: pytest.CaptureFixture[str]) -> None:
    class HumanLine(Line):
        metadata = {"render_modes": ["human"], "render_fps": 4}

        def _render_frame(self, mode: str) -> str:
            return f"at {self.state.x}"

    env = HumanLine(render_mode="human")
    env.reset(seed=0)
    assert env.render() is None
    assert "at " in capsys.readouterr().out


def test_base__state_round_trip_gives_the_same_future(inventory_env: InventoryEnv) -> None:
    inventory_env.reset(seed=1)
    inventory_env.step(3)
    snapshot = inventory_env.get_state()
    first = [inventory_env.step(a)[:2] for a in (1, 2, 3)]
    inventory_env.set_state(snapshot)
    again = [inventory_env.step(a)[:2] for a in (1, 2, 3)]
    assert [(o.tolist(), r) for o, r in first] == [(o.tolist(), r) for o, r in again]


def test_base__set_state_rejects_foreign_snapshots(inventory_env: InventoryEnv) -> None:
    inventory_env.reset(seed=1)
    with pytest.raises(StateError, match="expected a dict from get_state"):
        inventory_env.set_state({"x": 1})
    snapshot = inventory_env.get_state()
    with pytest.raises(StateError, match="this env's state is a Shelf"):
        inventory_env.set_state({**snapshot, "state": Pos(1)})


def test_base__config_from_kwargs_mapping_or_dataclass_and_bad_fields_named() -> None:
    assert InventoryEnv(capacity=5).action_space == spaces.Discrete(6)
    assert InventoryEnv({"capacity": 7}).config.capacity == 7
    assert InventoryEnv(InventoryConfig(capacity=8), max_demand=2).config.max_demand == 2
    with pytest.raises(ConfigError, match=r"unknown config field\(s\) \['capacty'\]"):
        InventoryEnv(capacty=5)
    with pytest.raises(ConfigError, match=r"`capacity` = 0; expected an integer in \[1, 10000\]"):
        InventoryEnv(capacity=0)
    with pytest.raises(ConfigError, match="takes no config"):
        Line(speed=3)
    with pytest.raises(ConfigError, match="max_episode_steps 0"):
        Line(max_episode_steps=0)


def test_base__gym_make_and_time_limit_through_the_registry() -> None:
    env = gym.make("examples/Inventory-v0", capacity=10, max_episode_steps=3)
    env.reset(seed=0)
    flags = [env.step(1)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


def test_base__events_reach_subscribers_and_cost_nothing_without_them(inventory_env: InventoryEnv) -> None:
    assert not inventory_env.events
    seen: list[tuple[str, int, Any]] = []
    unsubscribe = inventory_env.events.subscribe(lambda e: seen.append((e.kind, e.step, e.reward)))
    inventory_env.reset(seed=0)
    inventory_env.step(2)
    unsubscribe()
    inventory_env.step(2)
    inventory_env.close()
    assert [(k, s) for k, s, _ in seen] == [("reset", 0), ("step", 1)]
    assert isinstance(seen[1][2], float)
    with pytest.raises(TypeError, match="must be callable"):
        inventory_env.events.subscribe(3)  # type: ignore[arg-type]


def test_events__observe_wrapper_works_on_rust_envs() -> None:
    env = ferrogym.events.Observe(gym.make("ferrogym/CartPole-v1"))
    kinds: list[str] = []
    env.events.subscribe(lambda e: kinds.append(f"{e.kind}:{e.env_id}"))
    env.reset(seed=0)
    env.step(0)
    env.close()
    assert kinds == ["reset:ferrogym/CartPole-v1", "step:ferrogym/CartPole-v1", "close:ferrogym/CartPole-v1"]
