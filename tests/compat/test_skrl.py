"""skrl: PPO through skrl's Gymnasium wrapper, single env and the Rust batch.

skrl's model instantiators build MLPs from the observation space: Tuple
observations (Blackjack, single envs only) and ConnectFour's planes (both
modes) go through ``make_env(..., flatten_observation=True)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("skrl")

from skrl.agents.torch.base import ExperimentCfg
from skrl.agents.torch.ppo import PPO, PPO_CFG
from skrl.memories.torch import RandomMemory
from skrl.trainers.torch import SequentialTrainer
from skrl.utils.model_instantiators.torch import categorical_model, deterministic_model, gaussian_model

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations.skrl import make_env

from .envs import BOX_ACTION_IDS, ENV_IDS, FLATTEN_IDS, PLANE_OBS_IDS, TUPLE_OBS_IDS


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="skrl-PPO", env=e, mode=m))
        for e in ENV_IDS + BOX_ACTION_IDS + TUPLE_OBS_IDS
        for m in ("single", "batched")
        if (e, m) not in {(t, "batched") for t in TUPLE_OBS_IDS}
    ],
)
def test_skrl__ppo_trains_a_few_hundred_steps(env_id: str, mode: str, tmp_path: Path) -> None:
    env = make_env(env_id, num_envs=4 if mode == "batched" else None, flatten_observation=env_id in FLATTEN_IDS)
    net = [{"name": "net", "input": "OBSERVATIONS", "layers": [32], "activations": "tanh"}]
    spaces = {"observation_space": env.observation_space, "action_space": env.action_space, "device": env.device}
    if env_id in BOX_ACTION_IDS:
        policy = gaussian_model(**spaces, network=net, output="ACTIONS")
    else:
        policy = categorical_model(**spaces, network=net, output="ACTIONS")
    value = deterministic_model(**spaces, network=net, output="ONE")
    memory = RandomMemory(memory_size=16, num_envs=env.num_envs, device=env.device)
    agent = PPO(
        models={"policy": policy, "value": value},
        memory=memory,
        # skrl writes TensorBoard runs; keep them out of the working tree.
        cfg=PPO_CFG(rollouts=16, learning_epochs=1, mini_batches=1, experiment=ExperimentCfg(directory=str(tmp_path))),
        **spaces,
    )
    trainer = SequentialTrainer(
        env=env, agents=agent, cfg={"timesteps": 320 // env.num_envs, "headless": True, "disable_progressbar": True}
    )
    trainer.train()
    assert env.num_envs == (4 if mode == "batched" else 1)


@pytest.mark.parametrize(
    "env_id",
    [
        pytest.param(
            e,
            marks=pytest.mark.compat(
                library="skrl-PPO",
                env=e,
                mode="batched",
                na="skrl's model instantiators take no Tuple observations and the SAME_STEP batch cannot be flattened",
            ),
        )
        for e in TUPLE_OBS_IDS
    ],
)
def test_skrl__tuple_batch_is_refused_with_the_way_out(env_id: str) -> None:
    with pytest.raises(UnsupportedSpace, match=r"SAME_STEP.*num_envs=None, flatten_observation=True"):
        make_env(env_id, num_envs=2, flatten_observation=True)


@pytest.mark.parametrize("env_id", PLANE_OBS_IDS)
def test_skrl__flattened_batch_reshapes_observations_and_terminal_ones(env_id: str) -> None:
    from gymnasium.vector import AutoresetMode

    from ferrogym.integrations import vector_class
    from ferrogym.integrations.skrl import FlatBoxObservations
    from ferrogym.validate.rollout import valid_batch_actions

    batch = FlatBoxObservations(vector_class(env_id)(3, autoreset_mode=AutoresetMode.SAME_STEP))
    plain = vector_class(env_id)(3, autoreset_mode=AutoresetMode.SAME_STEP)
    assert batch.single_observation_space.shape == (int(np.prod(plain.single_observation_space.shape)),)
    obs, _ = batch.reset(seed=4)
    ref, _ = plain.reset(seed=4)
    np.testing.assert_array_equal(obs, ref.reshape(3, -1))
    rng = np.random.default_rng(0)
    ended = 0
    for _ in range(60):
        actions = valid_batch_actions(plain, rng.integers(0, plain.single_action_space.n, size=3))
        obs, *_, infos = batch.step(actions)
        ref, *_, ref_infos = plain.step(actions)
        np.testing.assert_array_equal(obs, ref.reshape(3, -1))
        for i in np.flatnonzero(ref_infos.get("_final_obs", np.zeros(3, bool))):
            np.testing.assert_array_equal(infos["final_obs"][i], ref_infos["final_obs"][i].reshape(-1))
            ended += 1
    assert ended > 0
