"""ferrogym.datasets: Minari datasets exported, checked, loaded and re-simulated (tiny datasets in tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import ferrogym  # noqa: F401
from ferrogym.errors import ConfigError, DatasetError, NondeterminismError
from ferrogym.policies import make_policy

minari = pytest.importorskip("minari")
h5py = pytest.importorskip("h5py")

from ferrogym.datasets import (  # noqa: E402
    COMPONENTS_KEY,
    MASK_KEY,
    check_dataset,
    export_recording,
    export_rollouts,
    load,
    replay_dataset,
    rollouts,
)
from ferrogym.datasets.store import data_file, facts  # noqa: E402

TICKET = "ferrogym/TicketRouting-v0"
CARTPOLE = "ferrogym/CartPole-v1"
SPECIALISTS = {"scenario": "specialists"}


def _policy(name: str, env_id: str = TICKET, **kwargs: Any) -> Any:
    return make_policy(name, gym.make(env_id, **kwargs).unwrapped.obs_layout, seed=0)


@pytest.fixture
def ticket_dataset(tmp_path: Path) -> Any:
    return export_rollouts(
        "tr/sed-v0", TICKET, _policy("sed"), episodes=5, num_envs=3, root=tmp_path, env_kwargs=SPECIALISTS
    )


def test_datasets__ticket_routing_export_passes_minari_checks_and_round_trips(
    ticket_dataset: Any, tmp_path: Path
) -> None:
    loaded = load("tr/sed-v0", root=tmp_path)
    assert loaded.total_episodes == 5 and loaded.total_steps == ticket_dataset.total_steps
    check_dataset(loaded, env=gym.make(TICKET, **SPECIALISTS))
    replays = replay_dataset(loaded)
    assert len(replays) == 5 and all(r.source == "seed" for r in replays)
    ep = loaded[0]
    masks = ep.infos[MASK_KEY]
    assert masks.shape == (len(ep) + 1, 12) and masks.dtype == np.bool_
    assert masks[np.arange(len(ep)), ep.actions].all()
    assert set(ep.infos[COMPONENTS_KEY]) == {"wait", "sla", "burnout", "backlog_end", "invalid_action"}
    # recover_environment() rebuilds the env with its config.
    env = loaded.recover_environment()
    assert env.unwrapped._config == SPECIALISTS
    assert env.unwrapped.config == gym.make(TICKET, **SPECIALISTS).unwrapped.config
    assert facts(loaded)["config"] == gym.make(TICKET, **SPECIALISTS).unwrapped.config.kwargs()
    assert facts(loaded)["policy"] == "sed"
    seeds = sorted(m["seed"] for m in loaded.storage.get_episode_metadata(loaded.episode_indices))
    assert seeds == [0, 1, 2, 3, 4]


def test_datasets__cartpole_export_round_trips_without_masks(tmp_path: Path) -> None:
    ds = export_rollouts("cp/random-v0", CARTPOLE, _policy("random", CARTPOLE), episodes=4, num_envs=2, root=tmp_path)
    loaded = load("cp/random-v0", root=tmp_path)
    check_dataset(loaded)
    assert len(replay_dataset(loaded)) == 4
    assert MASK_KEY not in (loaded[0].infos or {})
    assert loaded.recover_environment().spec.max_episode_steps == 500
    assert ds.env_spec.id == CARTPOLE


@pytest.mark.parametrize("kwargs", [{"episode_days": 5}, {}], ids=["episodes-longer-than-the-window", "short"])
def test_datasets__rollouts_equal_single_env_episodes_of_the_same_seed(kwargs: dict[str, Any]) -> None:
    # Five-day episodes outgrow the first window (256 rows); many short ones make it drop rows.
    env_kwargs = {**SPECIALISTS, **kwargs}
    episodes = 3 if kwargs else 12
    got = list(rollouts(TICKET, _policy("sed"), episodes=episodes, seed=7, num_envs=2, env_kwargs=env_kwargs))
    assert sorted(t.seed for t in got) == list(range(7, 7 + episodes))
    sed = _policy("sed")
    for tr in got[:3]:
        env = gym.make(TICKET, **env_kwargs)
        obs, _ = env.reset(seed=tr.seed)
        for t in range(len(tr)):
            assert np.array_equal(obs, tr.observations[t])
            mask = env.unwrapped.action_masks()
            assert np.array_equal(mask, tr.masks[t])
            action = sed(obs, mask)
            assert action == tr.actions[t]
            obs, reward, terminated, truncated, info = env.step(action)
            assert reward == tr.rewards[t] and truncated == tr.truncations[t] and terminated == tr.terminations[t]
            assert info["reward_components"]["wait"] == tr.components["wait"][t + 1]
        assert np.array_equal(obs, tr.observations[-1]) and (terminated or truncated)


def test_datasets__rollouts_refuse_a_bad_episode_count() -> None:
    with pytest.raises(ConfigError, match="episodes 0"):
        next(rollouts(TICKET, _policy("sed"), episodes=0))


@pytest.mark.parametrize("env_id", [TICKET, CARTPOLE])
def test_datasets__recording_exports_with_masks_recovered_by_replay(tmp_path: Path, env_id: str) -> None:
    from ferrogym.record import Recorder

    path = tmp_path / "run.parquet"
    rng = np.random.default_rng(0)
    with Recorder(gym.make(env_id), path) as env:
        for k in range(2):
            env.reset(seed=100 + k)
            done = False
            while not done:
                mask = env.unwrapped.action_masks()
                _, _, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
                done = terminated or truncated
    ds = export_recording(path, "rec/run-v0", root=tmp_path)
    check_dataset(ds)
    assert len(replay_dataset(ds)) == 2
    ep = ds[1]
    if env_id == TICKET:
        assert ep.infos[MASK_KEY].shape == (len(ep) + 1, 12)
        assert np.allclose(sum(ep.infos[COMPONENTS_KEY].values())[1:], ep.rewards)
    else:
        assert MASK_KEY not in (ep.infos or {})
    assert facts(ds)["recording"] == str(path)


def test_datasets__tampered_action_fails_the_replay(ticket_dataset: Any) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        actions = f["episode_1/actions"]
        mask = f["episode_1/infos/action_mask"][3]
        others = [a for a in np.flatnonzero(mask) if a != actions[3]]
        actions[3] = others[0]
    with pytest.raises(NondeterminismError, match=r"main_data\.hdf5 episode 1: the replay .* diverged at step 4"):
        replay_dataset(ticket_dataset, [1])
    replay_dataset(ticket_dataset, [0])  # the other episodes are untouched


def test_datasets__masked_out_action_fails_the_check(ticket_dataset: Any) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        f["episode_2/infos/action_mask"][0] = np.zeros(12, dtype=np.bool_)
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: .* episode 2: action 0 is masked out"):
        check_dataset(ticket_dataset)


def test_datasets__missing_mask_key_is_named_with_the_file(ticket_dataset: Any, tmp_path: Path) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        del f["episode_0/infos/action_mask"]
    loaded = load("tr/sed-v0", root=tmp_path)
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: .*episode 0 .* has no infos\['action_mask'\]"):
        check_dataset(loaded)
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: episode 0 .* has no infos\['action_mask'\]"):
        replay_dataset(loaded, [0])


def test_datasets__corrupt_episode_file_is_named(ticket_dataset: Any, tmp_path: Path) -> None:
    data_file(ticket_dataset).write_bytes(b"not an hdf5 file" * 10)
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: corrupt or truncated"):
        load("tr/sed-v0", root=tmp_path)


def test_datasets__corrupt_metadata_is_named(ticket_dataset: Any, tmp_path: Path) -> None:
    meta = Path(ticket_dataset.storage.data_path) / "metadata.json"
    meta.write_text(meta.read_text()[:40])
    with pytest.raises(DatasetError, match=r"metadata\.json: not a readable Minari dataset"):
        load("tr/sed-v0", root=tmp_path)


def test_datasets__missing_dataset_and_bad_ids_are_refused(ticket_dataset: Any, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"no Minari dataset 'tr/other-v0' there"):
        load("tr/other-v0", root=tmp_path)
    with pytest.raises(DatasetError, match="invalid dataset id 'no version'"):
        load("no version", root=tmp_path)
    with pytest.raises(DatasetError, match="a dataset 'tr/sed-v0' exists there"):
        export_rollouts("tr/sed-v0", TICKET, _policy("sed"), episodes=1, root=tmp_path)


def test_datasets__unseeded_episode_cannot_be_replayed(ticket_dataset: Any) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        del f["episode_0"].attrs["seed"]
    with pytest.raises(DatasetError, match="episode 0: has neither a recorded state nor a reset seed"):
        replay_dataset(ticket_dataset, [0])


def test_datasets__env_arguments_must_be_json(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot be stored in a dataset"):
        export_rollouts("x/y-v0", TICKET, _policy("sed"), episodes=1, root=tmp_path, env_kwargs={"scenario": object()})


def test_datasets__root_is_restored_after_a_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "elsewhere"))
    export_rollouts("cp/r-v0", CARTPOLE, _policy("random", CARTPOLE), episodes=1, root=tmp_path / "mine")
    assert os.environ["MINARI_DATASETS_PATH"] == str(tmp_path / "elsewhere")
    assert (tmp_path / "mine" / "cp" / "r-v0" / "data" / "metadata.json").is_file()
    assert json.loads((tmp_path / "mine" / "cp" / "r-v0" / "data" / "metadata.json").read_text())["dataset_id"] == (
        "cp/r-v0"
    )


def test_datasets__check_reports_data_outside_the_spaces_and_wrong_totals(ticket_dataset: Any) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        f["episode_1/observations"][2, 0] = 5.0  # a one-hot entry, bounded by 1
    meta = Path(ticket_dataset.storage.data_path) / "metadata.json"
    text = json.loads(meta.read_text())
    text["total_steps"] += 1
    meta.write_text(json.dumps(text))
    with pytest.raises(DatasetError, match="episode 1: observation 2 is outside the observation space") as e:
        check_dataset(ticket_dataset)
    assert "steps, the metadata says" in str(e.value)


def test_datasets__check_reports_an_env_that_cannot_be_recovered(ticket_dataset: Any, tmp_path: Path) -> None:
    meta = Path(ticket_dataset.storage.data_path) / "metadata.json"
    text = json.loads(meta.read_text())
    text["env_spec"] = text["env_spec"].replace('"specialists"', '"no-such-scenario"')
    meta.write_text(json.dumps(text))
    with pytest.raises(DatasetError, match=r"recover_environment\(\) fails \(ConfigError: .*no-such-scenario"):
        check_dataset(load("tr/sed-v0", root=tmp_path))


def test_datasets__check_reports_bad_actions_and_components(ticket_dataset: Any) -> None:
    with h5py.File(data_file(ticket_dataset), "a") as f:
        f["episode_0/actions"][3] = 99
        f["episode_1/infos/reward_components/wait"][5] += 1.0
    with pytest.raises(DatasetError, match="episode 0: action 3 is outside the action space Discrete") as e:
        check_dataset(ticket_dataset)
    assert "episode 1: the reward components do not add up to the rewards" in str(e.value)


def test_datasets__check_compares_the_recovered_env_with_the_source_env(ticket_dataset: Any) -> None:
    with pytest.raises(DatasetError, match="differs from the source env's"):
        check_dataset(ticket_dataset, env=gym.make(TICKET, scenario="balanced"))


def test_datasets__a_config_object_is_stored_as_the_envs_arguments(tmp_path: Path) -> None:
    from ferrogym.envs.ticket_routing_config import TicketRoutingConfig

    config = TicketRoutingConfig(scenario="specialists", cap=3)
    ds = export_rollouts("tr/cap-v0", TICKET, _policy("sed"), episodes=1, root=tmp_path, env_kwargs={"config": config})
    assert ds.recover_environment().unwrapped.config == config.resolved()
    assert facts(ds)["env_kwargs"] == {"scenario": "specialists", "cap": 3}


def _gymnasium_cartpole_dataset(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A dataset written by Minari alone, of Gymnasium's own CartPole-v1."""
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=5)
    observations, actions, rewards, terms, truncs = [obs], [], [], [], []
    done = False
    while not done:
        obs, reward, terminated, truncated, _ = env.step(len(actions) % 2)
        observations.append(obs)
        actions.append(len(actions) % 2)
        rewards.append(reward)
        terms.append(terminated)
        truncs.append(truncated)
        done = terminated or truncated
    buffer = minari.data_collector.EpisodeBuffer(
        seed=5,
        observations=np.stack(observations),
        actions=np.array(actions),
        rewards=np.array(rewards),
        terminations=np.array(terms),
        truncations=np.array(truncs),
    )
    return minari.create_dataset_from_buffers(
        "gym/cartpole-v0",
        [buffer],
        env="CartPole-v1",
        eval_env="CartPole-v1",
        algorithm_name="alternate",
        author="tests",
        author_email="tests@example.org",
        code_permalink="https://example.org",
        description="a test dataset",
    )


def test_datasets__a_minari_dataset_of_another_env_loads_checks_and_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ferrogym.datasets import bc

    _gymnasium_cartpole_dataset(tmp_path, monkeypatch)
    ds = load("gym/cartpole-v0")  # root=None: MINARI_DATASETS_PATH
    assert facts(ds) == {}
    check_dataset(ds)
    assert [r.source for r in replay_dataset(ds)] == ["seed"]
    with pytest.raises(DatasetError, match=r"main_data\.hdf5: dataset 'gym/cartpole-v0' is from CartPole-v1, not"):
        bc.demonstrations(ds, 0.99)


def test_datasets__numpy_scalars_in_env_arguments_are_stored_as_numbers(tmp_path: Path) -> None:
    ds = export_rollouts("tr/np-v0", TICKET, _policy("sed"), episodes=1, root=tmp_path, env_kwargs={"cap": np.int64(3)})
    assert ds.env_spec.kwargs == {"cap": 3} and type(ds.env_spec.kwargs["cap"]) is int
