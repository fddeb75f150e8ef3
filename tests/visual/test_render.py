"""Renderers: frames of the right size whose pixels follow the state, in every declared mode."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym
from ferrogym.errors import ConfigError
from ferrogym.render import make_renderer
from ferrogym.render.array import ArrayRenderer
from ferrogym.render.grid import FLOOR, heat_overlay
from tests.conftest import sample_action

pygame = pytest.importorskip("pygame")

SIZES = {
    "ferrogym/CartPole-v1": (400, 600),
    "ferrogym/GridWorld-v0": (7 * 32, 7 * 32),
    "ferrogym/TicketRouting-v0": (70 + 26 * 12 + 4, 480),
}


def frames_until_change(env: gym.Env[Any, Any], seed: int = 0, steps: int = 40) -> tuple[Any, Any]:
    """The first frame and the first later frame of a different state."""
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    first = env.render()
    for _ in range(steps):
        new, _, terminated, truncated, _ = env.step(sample_action(env))
        if not np.array_equal(new, obs):
            return first, env.render()
        if terminated or truncated:
            obs, _ = env.reset()
    raise AssertionError("the state never changed")


@pytest.mark.parametrize("env_id", [e.id for e in ferrogym.ENVS])
def test_render__rgb_frame_is_sized_and_follows_the_state(env_id: str) -> None:
    env = gym.make(env_id, render_mode="rgb_array")
    a, b = frames_until_change(env)
    assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3
    if env_id in SIZES:
        assert a.shape[:2] == SIZES[env_id]
    assert a.shape == b.shape
    assert len(np.unique(a.reshape(-1, 3), axis=0)) > 1, "a blank frame"
    assert (a != b).any(axis=-1).sum() > 0, "the frame did not change with the state"


@pytest.mark.parametrize("env_id", [e.id for e in ferrogym.ENVS])
def test_render__ansi_frame_follows_the_state(env_id: str) -> None:
    env = gym.make(env_id, render_mode="ansi")
    a, b = frames_until_change(env)
    assert isinstance(a, str) and a.strip()
    assert a != b


@pytest.mark.parametrize("env_id", [e.id for e in ferrogym.ENVS])
def test_render__human_window_shows_the_rgb_frame(env_id: str) -> None:
    env = gym.make(env_id, render_mode="human")
    env.unwrapped.metadata = {**env.unwrapped.metadata, "render_fps": 1000}
    env.reset(seed=1)
    assert env.render() is None
    window = env.unwrapped._window
    assert window is not None
    rgb = env.unwrapped._frame()
    assert np.array_equal(window.screen_pixels(), rgb)
    env.step(sample_action(env))  # human mode draws on every step by itself
    assert np.array_equal(window.screen_pixels(), env.unwrapped._frame())
    env.close()
    env.close()
    assert env.unwrapped._window is None


def test_render__off_means_no_per_step_work() -> None:
    env = gym.make("ferrogym/GridWorld-v0")
    # Without a render mode the instance keeps the class's plain `step`.
    assert "step" not in vars(env.unwrapped)
    assert "step" in vars(gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array").unwrapped)
    env.reset(seed=0)
    env.step(1)
    assert env.unwrapped.visits.sum() == 0


def test_grid_world__visited_cells_are_tinted_by_count() -> None:
    env = gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array", map="#####\n#S..#\n#..G#\n#####")
    env.reset(seed=0)
    env.step(1)  # right
    env.step(3)  # left, back to the start: two visits there, one next door
    frame = env.render()
    visits = env.unwrapped.visits
    assert visits[1, 1] == 2 and visits[1, 2] == 1 and visits.sum() == 3
    px = 32
    start, right, unvisited = (
        frame[1 * px + 2, 1 * px + 2],
        frame[1 * px + 2, 2 * px + 2],
        frame[1 * px + 2, 3 * px + 2],
    )
    assert np.array_equal(unvisited, FLOOR)
    assert not np.array_equal(start, FLOOR) and not np.array_equal(right, FLOOR)
    assert start[1] < right[1], "the more visited cell is redder"
    env.reset(seed=0)
    assert env.unwrapped.visits.sum() == 1


def test_grid_world__heat_follows_image_observations() -> None:
    env = gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array", observation="image")
    env.reset(seed=0)
    env.step(2)
    assert env.unwrapped.visits[1, 1] == 1 and env.unwrapped.visits[2, 1] == 1


def test_heat_overlay__no_visits_leaves_the_frame() -> None:
    frame = np.full((4, 4, 3), 235, np.uint8)
    assert heat_overlay(frame, np.zeros((2, 2), np.int64)) is frame


def test_ticket_routing__frame_marks_where_the_ticket_went() -> None:
    env = gym.make("ferrogym/TicketRouting-v0", render_mode="rgb_array", scenario="specialists")
    env.reset(seed=0)
    masks = env.unwrapped.action_masks()
    slot = int(np.flatnonzero(masks)[-1])
    before = env.render()
    env.step(slot)
    after = env.render()
    lane = slice(70 + 26 * slot, 70 + 26 * (slot + 1))
    # The marker triangle at the left of the routed lane is dark.
    assert (after[lane, 2:10] < 60).all(axis=-1).any()
    assert not (before[lane, 2:10] < 60).all(axis=-1).any()
    # Priority colours of the Rust frame appear for queued tickets.
    colors = {tuple(c) for c in after.reshape(-1, 3)}
    assert colors & {(205, 40, 40), (240, 135, 30), (225, 195, 50), (110, 150, 200)}


def test_renderers__backends_show_frames() -> None:
    frame = np.zeros((6, 8, 3), np.uint8)
    frame[2, 3] = [255, 0, 0]
    keep = make_renderer("rgb_array")
    keep.show(frame)
    assert isinstance(keep, ArrayRenderer) and np.array_equal(keep.frames[0], frame)
    with pytest.raises(ValueError, match="takes RGB frames"):
        keep.show("text")
    with pytest.raises(ValueError, match=r"uint8 array of shape \(H, W, 3\)"):
        keep.show(np.zeros((2, 2), np.float32))  # type: ignore[arg-type]
    fig = make_renderer("matplotlib")
    fig.show(frame)
    assert np.array_equal(fig._image.get_array(), frame)  # type: ignore[attr-defined]
    fig.show("hello")
    fig.close()
    window = make_renderer("human", fps=0)
    window.show(frame)
    assert np.array_equal(window.screen_pixels(), frame)  # type: ignore[attr-defined]
    window.show("two\nlines")
    window.close()
    with pytest.raises(ConfigError, match="invalid renderer backend 'web'"):
        make_renderer("web")


def test_renderers__text_backend_writes_frames(capsys: pytest.CaptureFixture[str]) -> None:
    r = make_renderer("ansi")
    r.show("a grid")
    r.show(np.zeros((3, 5, 3), np.uint8))
    r.close()
    assert capsys.readouterr().out == "a grid\n<rgb frame 5x3>\n"


def test_viewer__keys_step_jump_and_change_speed() -> None:
    from ferrogym.render.window import Viewer

    frames = [np.full((4, 4, 3), i, np.uint8) for i in range(20)]
    v = Viewer(frames, fps=100)

    def key(k: int) -> None:
        v.handle(pygame.event.Event(pygame.KEYDOWN, key=k))

    v.tick()
    assert v.index == 1 and v.playing
    key(pygame.K_SPACE)
    v.tick()
    assert v.index == 1 and not v.playing
    key(pygame.K_RIGHT)
    key(pygame.K_RIGHT)
    key(pygame.K_LEFT)
    assert v.index == 2
    key(pygame.K_1)
    key(pygame.K_5)
    key(pygame.K_RETURN)
    assert v.index == 15
    key(pygame.K_END)
    assert v.index == 19
    key(pygame.K_HOME)
    assert v.index == 0
    key(pygame.K_DOWN)
    assert v.fps == 50
    key(pygame.K_UP)
    assert v.fps == 100
    v.tick()
    assert np.array_equal(v.window.screen_pixels(), frames[0])
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q))
    v.run(max_ticks=5)
    assert not v.running
    with pytest.raises(ValueError, match="no frames"):
        Viewer([])
