"""skrl: PPO through skrl's Gymnasium wrapper, single env and the Rust batch."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("skrl")

from skrl.agents.torch.base import ExperimentCfg
from skrl.agents.torch.ppo import PPO, PPO_CFG
from skrl.memories.torch import RandomMemory
from skrl.trainers.torch import SequentialTrainer
from skrl.utils.model_instantiators.torch import categorical_model, deterministic_model

from ferrogym.integrations.skrl import make_env

from .envs import ENV_IDS


@pytest.mark.parametrize(
    ("env_id", "mode"),
    [
        pytest.param(e, m, marks=pytest.mark.compat(library="skrl-PPO", env=e, mode=m))
        for e in ENV_IDS
        for m in ("single", "batched")
    ],
)
def test_skrl__ppo_trains_a_few_hundred_steps(env_id: str, mode: str, tmp_path: Path) -> None:
    env = make_env(env_id, num_envs=4 if mode == "batched" else None)
    net = [{"name": "net", "input": "OBSERVATIONS", "layers": [32], "activations": "tanh"}]
    spaces = {"observation_space": env.observation_space, "action_space": env.action_space, "device": env.device}
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
