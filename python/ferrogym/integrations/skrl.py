"""skrl over ferrogym envs; ``pip install 'ferrogym[skrl]'``.

skrl's ``wrap_env(env)`` with ``wrapper="auto"`` looks only at the direct base
classes of the env, which for ferrogym's batches are ferrogym classes: this
module names skrl's Gymnasium wrapper explicitly. skrl treats a vector env as
resetting itself and never passes the terminal observation on, so the batch
runs in SAME_STEP autoreset mode: each transition's next observation is the
real one, except at an episode's end where the flags cut bootstrapping.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.vector import AutoresetMode

from ferrogym.errors import UnsupportedSpace
from ferrogym.integrations import blind_kwargs, require, vector_class

require("skrl")

from skrl.envs.wrappers.torch import wrap_env  # noqa: E402
from skrl.envs.wrappers.torch.base import Wrapper  # noqa: E402


def wrap(env: gym.Env[Any, Any] | gym.vector.VectorEnv[Any, Any, Any]) -> Wrapper:
    """skrl's Gymnasium wrapper around a ferrogym env or batch."""
    return wrap_env(env, wrapper="gymnasium", verbose=False)


def make_env(env_id: str, num_envs: int | None = None, flatten_observation: bool = False, **kwargs: Any) -> Wrapper:
    """A single env (``num_envs=None``) or the Rust batch, wrapped for skrl.

    Masked envs get ``invalid_action="fallback"`` unless ``invalid_action`` is
    given: skrl's agents sample without masks. skrl hands Tuple observations
    (Blackjack) to the models as a list of tensors, which its model
    instantiators cannot take: ``flatten_observation=True`` flattens them with
    Gymnasium's FlattenObservation (Discrete parts one-hot), for single envs
    only: Gymnasium's vector observation wrappers refuse the SAME_STEP batch skrl needs.
    """
    env_kwargs = blind_kwargs(env_id, kwargs)
    if num_envs is None:
        env = gym.make(env_id, **env_kwargs)
        return wrap(gym.wrappers.FlattenObservation(env) if flatten_observation else env)
    spec = gym.spec(env_id)
    if spec.max_episode_steps is not None:
        env_kwargs.setdefault("max_episode_steps", spec.max_episode_steps)
    cls = vector_class(env_id)
    if flatten_observation:
        raise UnsupportedSpace(
            f"{env_id}: skrl steps the Rust batch in SAME_STEP autoreset mode, which Gymnasium's vector "
            "FlattenObservation refuses; flatten single envs (num_envs=None, flatten_observation=True) "
            "or give skrl a model that takes the Tuple observation (a list of tensors)"
        )
    return wrap(cls(num_envs, autoreset_mode=AutoresetMode.SAME_STEP, **env_kwargs))
