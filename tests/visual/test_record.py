"""Recording round trips, vector recording, replay, and bad files."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

import ferrogym
from ferrogym.errors import ConfigError, NondeterminismError, RecordingError
from ferrogym.record import Recorder, Recording, VectorRecorder, replay_episode, write_video
from tests.conftest import sample_action

pytest.importorskip("pyarrow")
FORMATS = ["run.parquet", "run.h5"]


def play(env: gym.Env[Any, Any], episodes: int, seed: int = 0) -> list[dict[str, Any]]:
    """Plays seeded random episodes; returns what the agent saw."""
    seen = []
    env.action_space.seed(seed)
    for k in range(episodes):
        obs, _ = env.reset(seed=seed + k)
        ep: dict[str, Any] = {"obs": [obs], "actions": [], "rewards": [], "term": [], "trunc": [], "comps": []}
        done = False
        while not done:
            a = sample_action(env)
            obs, r, term, trunc, info = env.step(a)
            ep["obs"].append(obs)
            ep["actions"].append(a)
            ep["rewards"].append(r)
            ep["term"].append(term)
            ep["trunc"].append(trunc)
            ep["comps"].append(info.get("reward_components"))
            done = term or trunc
        seen.append(ep)
    return seen


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("env_id", ["ferrogym/CartPole-v1", "ferrogym/TicketRouting-v0"])
def test_recording__round_trips_identical_arrays(tmp_path: Path, name: str, env_id: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    with Recorder(gym.make(env_id), path, chunk_rows=17) as env:
        seen = play(env, 2)
    rec = Recording(path)
    assert rec.meta.env_id == env_id
    assert rec.episodes().tolist() == [0, 1]
    for k, want in enumerate(seen):
        ep = rec.episode(k)
        assert ep.seed == k
        np.testing.assert_array_equal(ep.observations, np.stack(want["obs"]))
        np.testing.assert_array_equal(ep.actions, np.array(want["actions"]))
        np.testing.assert_array_equal(ep.rewards, np.array(want["rewards"]))
        np.testing.assert_array_equal(ep.terminated, np.array(want["term"]))
        np.testing.assert_array_equal(ep.truncated, np.array(want["trunc"]))
        if want["comps"][0] is not None:
            for c in rec.meta.components:
                np.testing.assert_array_equal(ep.components[c], [d[c] for d in want["comps"]])
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        assert pq.ParquetFile(path).metadata.num_row_groups > 1, "chunks were not streamed"


def test_recording__ticket_routing_keeps_info_states_and_episode_log(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    with Recorder(gym.make("ferrogym/TicketRouting-v0"), path) as env:
        play(env, 1)
    ep = Recording(path).episode(0)
    assert ep.states[0] is not None and all(s is None for s in ep.states[1:])
    assert "minutes" in ep.infos[1]["sim"]
    assert ep.episode_log is not None and len(ep.episode_log["tickets"]["priority"]) > 0


@pytest.mark.parametrize("env_id", ["ferrogym/CartPole-v1", "ferrogym/GridWorld-v0", "ferrogym/TicketRouting-v0"])
def test_replay__reproduces_recorded_observations_exactly(tmp_path: Path, env_id: str) -> None:
    path = tmp_path / "run.parquet"
    kwargs = {"slip": 0.3} if "Grid" in env_id else {}
    with Recorder(gym.make(env_id, **kwargs), path) as env:
        play(env, 2, seed=3)
    rec = Recording(path)
    for k in (0, 1):
        r = replay_episode(rec, k, render_mode="rgb_array")
        assert r.source == "state"
        np.testing.assert_array_equal(r.observations, rec.episode(k).observations)
        assert len(r.frames) == len(rec.episode(k)) + 1


def test_replay__from_seed_when_no_state_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path, states="none") as env:
        play(env, 1)
    r = replay_episode(path, 0, render_mode=None)
    assert r.source == "seed"
    np.testing.assert_array_equal(r.observations, Recording(path).episode(0).observations)


def test_replay__from_every_recorded_state(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array"), path, states="all") as env:
        env.reset(seed=0)
        want = [env.render()]
        for a in (2, 2, 1):
            env.step(a)
            want.append(env.render())
    r = replay_episode(path, 0)
    assert r.source == "states"
    # The replay env has its own (fresh) visit heat, so compare the Rust picture.
    assert len(r.frames) == 4
    for got, frame in zip(r.frames, want, strict=True):
        assert (got == frame).all(axis=-1).mean() > 0.9


def test_replay__a_mismatch_is_reported_as_nondeterminism(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        play(env, 1)
    table = pq.read_table(path)
    obs = table.column("observation").combine_chunks()
    flat = obs.flatten().to_numpy().copy()
    flat[4 * 3 + 1] += 1e-3  # step 3, velocity
    bad = table.set_column(
        table.schema.get_field_index("observation"), "observation", pa.FixedSizeListArray.from_arrays(flat, 4)
    )
    tampered = tmp_path / "tampered.parquet"
    pq.write_table(bad.replace_schema_metadata(table.schema.metadata), tampered)
    with pytest.raises(NondeterminismError, match=r"diverged at step 3 of .*observation\[1\]"):
        replay_episode(tampered, 0, render_mode=None)


def test_replay__without_state_or_seed_says_why(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path, states="none") as env:
        env.reset()
        env.step(0)
    with pytest.raises(RecordingError, match="neither a recorded state nor a reset seed"):
        replay_episode(path, 0)


@pytest.mark.parametrize("mode", ["NextStep", "SameStep"])
def test_vector_recorder__records_every_sub_env_and_replays(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "vec.parquet"
    n = 3
    envs = gym.make_vec("ferrogym/GridWorld-v0", num_envs=n, autoreset_mode=mode, slip=0.3)
    rng = np.random.default_rng(0)
    with_rec = VectorRecorder(envs, path, chunk_rows=50)
    with_rec.reset(seed=10)
    for _ in range(150):
        with_rec.step(rng.integers(0, 4, size=n))
    with_rec.close()
    rec = Recording(path)
    assert rec.meta.num_envs == n
    cols = rec.columns(["env_index", "step"])
    assert set(cols["env_index"].tolist()) == {0, 1, 2}
    finished = 0
    for k in rec.episodes():
        ep = rec.episode(int(k))
        if k < n:
            assert ep.seed == 10 + ep.env_index
        if not (ep.terminated.any() or ep.truncated.any()):
            continue
        assert ep.terminated[-1] or ep.truncated[-1]
        r = replay_episode(rec, int(k), render_mode=None)
        np.testing.assert_array_equal(r.observations, ep.observations)
        finished += 1
    assert finished >= n


def test_vector_recorder__ticket_routing_components_per_env(tmp_path: Path) -> None:
    from ferrogym.validate.rollout import valid_batch_actions

    path = tmp_path / "vec.parquet"
    envs = gym.make_vec("ferrogym/TicketRouting-v0", num_envs=2)
    with VectorRecorderCtx(envs, path) as v:
        v.reset(seed=0)
        for _ in range(5):
            v.step(valid_batch_actions(envs, np.zeros(2, dtype=np.int64)))
    ep = Recording(path).episode(0)
    assert len(ep) == 5 and set(ep.components) >= {"wait", "sla"}
    assert np.isfinite(ep.components["wait"]).all()


class VectorRecorderCtx(VectorRecorder):
    def __enter__(self) -> VectorRecorderCtx:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Walk(ferrogym.BaseEnvironment[None, dict[str, int]]):
    observation_space = spaces.Box(0, 5, (1,), np.float32)
    action_space = spaces.Discrete(2)

    def _reset_state(self, options: dict[str, Any]) -> dict[str, int]:
        return {"x": int(self.np_random.integers(0, 3))}

    def _update_state(self, action: Any) -> None:
        self.state["x"] = min(5, self.state["x"] + int(action))

    def _compute_reward(self, action: Any) -> float:
        return float(self.state["x"])

    def _check_termination(self) -> bool:
        return self.state["x"] == 5

    def _get_observation(self) -> Any:
        return np.array([self.state["x"]], np.float32)


def test_recorder__subscribes_to_base_environment_events(tmp_path: Path) -> None:
    env = Walk(max_episode_steps=3)
    path = tmp_path / "walk.parquet"
    rec_env = Recorder(env, path, env_id="Walk", env_kwargs={})
    assert len(env.events) == 1
    rec_env.reset(seed=0)
    env.step(0)  # even a step on the env itself is seen through its events
    rec_env.step(0)
    rec_env.step(0)
    rec_env.close()
    assert len(env.events) == 0
    ep = Recording(path).episode(0)
    assert len(ep) == 3 and ep.truncated[-1]


def test_recording__existing_file_is_refused_or_appended(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        play(env, 1)
    before = path.read_bytes()
    with pytest.raises(RecordingError, match="the file exists; pass append=True"):
        Recorder(gym.make("ferrogym/CartPole-v1"), path)
    assert path.read_bytes() == before
    first = Recording(path).episode(0)
    with Recorder(gym.make("ferrogym/CartPole-v1"), path, append=True, chunk_rows=5) as env:
        play(env, 2, seed=7)
    rec = Recording(path)
    assert rec.episodes().tolist() == [0, 1, 2]
    np.testing.assert_array_equal(rec.episode(0).observations, first.observations)
    assert rec.episode(2).seed == 8
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


@pytest.mark.parametrize("name", FORMATS)
def test_recording__appending_another_env_is_refused(tmp_path: Path, name: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        play(env, 1)
    before = path.read_bytes()
    with pytest.raises(RecordingError, match=r"holds a recording of ferrogym/CartPole-v1.*cannot append ferrogym/Grid"):
        Recorder(gym.make("ferrogym/GridWorld-v0"), path, append=True)
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", FORMATS)
def test_recording__truncated_or_corrupt_files_raise_clear_errors(tmp_path: Path, name: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        play(env, 1)
    data = path.read_bytes()
    cut = tmp_path / ("cut" + path.suffix)
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordingError, match="corrupt or truncated"):
        Recording(cut).episode(0)
    junk = tmp_path / ("junk" + path.suffix)
    junk.write_bytes(b"not a recording at all" * 10)
    with pytest.raises(RecordingError, match="corrupt or truncated"):
        Recording(junk)
    with pytest.raises(RecordingError, match="no such recording file"):
        Recording(tmp_path / "missing.parquet")


def test_recording__other_parquet_files_and_bad_episodes(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), other)
    with pytest.raises(RecordingError, match="not a ferrogym recording"):
        Recording(other)
    path = tmp_path / "run.parquet"
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        play(env, 2)
    rec = Recording(path)
    for bad in (5, -1, "0", True):
        with pytest.raises(RecordingError, match=r"no episode .*holds episodes 0\.\.1 \(2 in all\)"):
            rec.episode(bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="invalid states 'some'"):
        Recorder(gym.make("ferrogym/CartPole-v1"), tmp_path / "x.parquet", states="some")  # type: ignore[arg-type]


def test_video__writes_gif_and_mp4_and_never_overwrites(tmp_path: Path) -> None:
    env = gym.make("ferrogym/GridWorld-v0", render_mode="rgb_array")
    env.reset(seed=0)
    frames = [env.render()]
    for a in (2, 1, 2):
        env.step(a)
        frames.append(env.render())
    gif = write_video(frames, tmp_path / "a.gif", fps=4)
    from PIL import Image

    with Image.open(gif) as im:
        assert im.n_frames == 4 and im.size == (224, 224)
    pytest.importorskip("imageio_ffmpeg")
    odd = [f[:-1, :-1] for f in frames]  # odd sizes are padded for H.264
    mp4 = write_video(odd, tmp_path / "a.mp4", fps=4)
    assert mp4.stat().st_size > 0
    with pytest.raises(RecordingError, match="the file exists"):
        write_video(frames, gif)
    with pytest.raises(ConfigError, match=r"\.mp4 or \.gif"):
        write_video(frames, tmp_path / "a.avi")
    with pytest.raises(ConfigError, match="no frames"):
        write_video([], tmp_path / "b.gif")


def test_vector_recorder__same_step_returns_the_new_episodes_first_observations(tmp_path: Path) -> None:
    def batch() -> Any:
        return gym.make_vec(
            "ferrogym/CartPole-v1", num_envs=3, vectorization_mode="vector_entry_point", autoreset_mode="SameStep"
        )

    plain, recorded = batch(), VectorRecorder(batch(), tmp_path / "run.parquet")
    plain.reset(seed=4)
    recorded.reset(seed=4)
    ended = 0
    for t in range(60):
        actions = np.full(3, t % 2)
        a, *_ = plain.step(actions)
        b, _, terminated, truncated, _ = recorded.step(actions)
        np.testing.assert_array_equal(a, b)  # not the terminal observations the rows hold
        ended += int((terminated | truncated).sum())
    assert ended > 0
    recorded.close()


def test_replay__restores_a_dataclass_state_from_its_recorded_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # examples/inventory.py registers examples/Inventory-v0: a BaseEnvironment whose state is a dataclass.
    monkeypatch.syspath_prepend(str(Path(__file__).parents[2] / "examples"))
    inventory = importlib.import_module("inventory")
    path = tmp_path / "shelf.parquet"
    with Recorder(gym.make("examples/Inventory-v0"), path, states="all") as env:
        env.reset(seed=3)
        for a in (1, 0, 2, 1):
            env.step(a)
    replayed = replay_episode(path, 0, render_mode=None)
    assert replayed.source == "states" and len(replayed.observations) == 5
    shelf = inventory.InventoryEnv()
    shelf.reset(seed=0)
    state = shelf.get_state()
    with pytest.raises(ferrogym.errors.StateError, match=r"state has keys \['stock'\]; expected the fields of Shelf"):
        shelf.set_state({**state, "state": {"stock": 1}})
    shelf.set_state({**state, "state": {"stock": 4, "sold": 1}})
    assert shelf.state == inventory.Shelf(stock=4, sold=1)
