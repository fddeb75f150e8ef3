"""A recording process killed with SIGKILL keeps every episode it finished."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

from ferrogym.record import Recorder, Recording, replay_episode
from ferrogym.record.parts import parts_dir

pytest.importorskip("pyarrow")
ROOT = Path(__file__).resolve().parents[2]
FINISHED = 3

# Plays seeded CartPole episodes forever; prints an episode's id once the
# recorder has returned from its last step (the episode is on disk by then).
CHILD = """
import sys
import gymnasium as gym
from ferrogym.record import Recorder

path, first = sys.argv[1], int(sys.argv[2])
env = Recorder(gym.make("ferrogym/CartPole-v1"), path, append=first > 0, chunk_rows=64)
env.action_space.seed(first)
k = first
while True:
    env.reset(seed=k)
    done = False
    while not done:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        done = terminated or truncated
    print(k, flush=True)
    k += 1
"""


def record_until_killed(path: Path, first: int) -> list[int]:
    """Runs CHILD, SIGKILLs it once it has reported FINISHED episodes; returns them."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(first)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    reported: list[int] = []
    try:
        while len(reported) < FINISHED:
            line = child.stdout.readline()
            assert line, f"the recording process ended early (exit {child.poll()})"
            reported.append(int(line))
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return reported


def assert_resimulated(rec: Recording, episodes: list[int]) -> None:
    for k in episodes:
        ep = rec.episode(k)
        assert ep.seed == k and (ep.terminated[-1] or ep.truncated[-1])
        again = replay_episode(rec, k, render_mode=None)  # raises if the re-simulation differs
        np.testing.assert_array_equal(again.observations, ep.observations)


@pytest.mark.parametrize("name", ["run.parquet", "run.h5"])
def test_recording__sigkill_keeps_every_finished_episode(tmp_path: Path, name: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    reported = record_until_killed(path, first=0)
    rec = Recording(path)
    held = rec.episodes().tolist()
    assert set(reported) <= set(held)
    assert_resimulated(rec, reported)
    # Appending finishes the file: one file again, numbering goes on.
    with Recorder(gym.make("ferrogym/CartPole-v1"), path, append=True) as env:
        env.reset(seed=99)
        env.step(0)
    assert not parts_dir(path).exists()
    rec = Recording(path)
    assert rec.files == [path]
    assert rec.episodes().tolist() == [*held, max(held) + 1]
    assert_resimulated(rec, reported)


@pytest.mark.parametrize("name", ["run.parquet", "run.h5"])
def test_recording__sigkill_while_appending_keeps_old_and_new_episodes(tmp_path: Path, name: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    with Recorder(gym.make("ferrogym/CartPole-v1"), path) as env:
        for k in range(2):
            env.reset(seed=k)
            env.step(0)
    before = path.read_bytes()
    reported = record_until_killed(path, first=2)
    assert path.read_bytes() == before, "the recording was changed before it was complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, parts_dir(path).name])
    rec = Recording(path)
    assert set([0, 1, *reported]) <= set(rec.episodes().tolist())
    assert_resimulated(rec, reported)


@pytest.mark.parametrize("name", ["run.parquet", "run.h5"])
def test_recording__leftovers_of_an_interrupted_close_are_ignored_then_removed(tmp_path: Path, name: str) -> None:
    pytest.importorskip("h5py") if name.endswith(".h5") else None
    path = tmp_path / name
    env = Recorder(gym.make("ferrogym/CartPole-v1"), path)
    for k in range(2):
        env.reset(seed=k)
        env.step(0)
    env.reset(seed=2)  # episode 1 ends here and is written as a part
    saved = tmp_path / "saved"
    shutil.copytree(parts_dir(path), saved)
    env.close()
    # As if killed after the merged file replaced the old one but before the parts were removed,
    # and in the middle of writing another part.
    shutil.copytree(saved, parts_dir(path))
    (parts_dir(path) / f"00000009{path.suffix}.tmp").write_bytes(b"half a file")
    rec = Recording(path)
    assert rec.files == [path]
    assert rec.episodes().tolist() == [0, 1, 2]
    with Recorder(gym.make("ferrogym/CartPole-v1"), path, append=True) as env:
        env.reset(seed=3)
    assert not parts_dir(path).exists()
    assert Recording(path).episodes().tolist() == [0, 1, 2, 3]


def test_vector_recorder__finished_episodes_are_readable_before_close(tmp_path: Path) -> None:
    from ferrogym.record import VectorRecorder

    path = tmp_path / "vec.parquet"
    envs = VectorRecorder(gym.make_vec("ferrogym/CartPole-v1", num_envs=3), path)
    envs.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(60):
        envs.step(rng.integers(0, 2, size=3))
    durable = envs.writer.durable_episodes
    assert durable > 0
    rec = Recording(path)  # as a crash would leave it: parts only
    assert len(rec.episodes()) == durable
    for k in rec.episodes():
        ep = rec.episode(int(k))
        assert ep.terminated[-1] or ep.truncated[-1]
    envs.close()
    assert len(Recording(path).episodes()) > durable  # close adds the running ones


def test_recorder__sync_seconds_writes_finished_episodes_together(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    env = Recorder(gym.make("ferrogym/CartPole-v1"), path, sync_seconds=3600)
    for k in range(3):
        env.reset(seed=k)
        env.step(0)
    assert env.writer.durable_episodes == 1  # the first one, then nothing for an hour
    env.close()
    assert Recording(path).episodes().tolist() == [0, 1, 2]


def test_writer__a_component_new_after_the_first_write_goes_into_info(tmp_path: Path) -> None:
    from ferrogym.record import RecordingMeta, RecordingWriter
    from ferrogym.record.block import Block

    def row(episode: int, step: int, comps: dict[str, float]) -> Block:
        return Block(
            episode=np.array([episode]),
            env_index=np.zeros(1, dtype=np.int32),
            step=np.array([step], dtype=np.int32),
            observation=np.zeros((1, 1), dtype=np.float32),
            action=np.zeros((1, 1), dtype=np.int64),
            reward=np.ones(1),
            terminated=np.array([step == 1]),
            truncated=np.zeros(1, dtype=np.bool_),
            seed=[None],
            info=["{}"],
            state=[None],
            episode_log=[None],
            components={k: np.array([v]) for k, v in comps.items()},
        )

    meta = RecordingMeta("x/Toy-v0", {}, (1,), "float32", (), "int64")
    path = tmp_path / "toy.parquet"
    w = RecordingWriter(path, meta)
    for k, comps in enumerate(({"a": 1.0}, {"a": 2.0, "b": 3.0})):
        w.add(row(k, 0, {}))
        w.add(row(k, 1, comps))
    w.close()
    rec = Recording(path)
    assert rec.meta.components == ("a",)
    assert rec.episode(1).components["a"].tolist() == [2.0]
    assert rec.episode(1).infos[1]["reward_components"] == {"b": 3.0}
